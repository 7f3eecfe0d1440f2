import Foundation
import MMSCore
import MMSStore

/// What a campaign run did: who was in the segment, who got their gift now, who had it before.
public struct CampaignRunResult: Codable, Sendable, Equatable {
    public let campaign: String
    public let name: String
    /// Members in the segment at this replica.
    public let eligible: Int
    /// Gifts given by this run (one op each).
    public let issued: Int
    /// Members who had this campaign's gift already: a run gives each member it once.
    public let already: Int
    /// Members the gift was refused to (a coupon limit reached, say), with the reason.
    public let skipped: Int
    public let refusals: [String: String]
    public let ops: [String]
}

extension LocalNode {
    /// A coupon from one of the program's templates for a member (its code made from the op id).
    public func issueCoupon(template: String, member: String, requestKey: String? = nil) throws -> CouponResult {
        try permit(.issueCoupon)
        let issued = try commit(request: fingerprint("coupon-template", template, member, key: requestKey), decide: { teller, op in
            try teller.issueCoupon(template: template, member: member, code: "\(template).\(op.origin.rawValue).\(op.seq)")
        }, respond: { op, _ in
            guard case .couponIssued(let c) = op.op.body else { preconditionFailure("a coupon issue issued \(op.op.body.kind)") }
            return c.code
        })
        var result = try couponResult(issued.response, op: issued.op?.id)
        result.replayed = issued.replayed
        return result
    }

    /// Runs a campaign of the program over every member this replica knows (head office): each
    /// member in its segment gets its coupon or points, once — a second run gives only to members
    /// who joined the segment since.
    public func runCampaign(_ id: String) throws -> CampaignRunResult {
        try permit(.runCampaign)
        guard let campaign = try store.read({ try $0.program().program.campaign(id) }) else {
            throw MMSError(.invalidArgument, "The program has no campaign “\(id.prefix(40))”.", details: ["campaign": String(id.prefix(40))])
        }
        let now = clock()
        return try run(campaign.id, name: campaign.name) { view in try inSegment(view, campaign.segment, now: now) ? campaign : nil }
    }

    /// 生日礼: every member born in `month` (`YYYY-MM`) whose tier gives a birthday coupon gets it,
    /// once that year however often this runs (head office).
    public func runBirthdays(month: String) throws -> CampaignRunResult {
        try permit(.runCampaign)
        guard Sales.isDay(month + "-01") else { throw MMSError(.invalidArgument, "--month “\(month.prefix(20))” is not a month like 2026-12.") }
        let program = try store.read { try $0.program().program }
        let id = Rewards.birthday(year: String(month.prefix(4)))
        let today = Sales.day(wallMillis: clock())
        return try run(id, name: "生日礼 \(month)") { view in
            guard let coupon = program.tier(try store.read { try $0.tier(of: view, on: today) })?.birthdayCoupon else { return nil }
            guard try birthMonth(view) == Int64(month.suffix(2)) else { return nil }
            return Campaign(id: id, name: "生日礼", segment: Campaign.Segment(), coupon: coupon, points: nil)
        }
    }

    /// One pass over every member this replica knows: `gift` says what a member is due (nil:
    /// not in the segment); each gets it once (`Teller.campaignGift`), a refusal is counted.
    private func run(_ id: String, name: String, gift: (MemberView) throws -> Campaign?) throws -> CampaignRunResult {
        guard role == .hq else { throw MMSError(.notPermitted, "Only the head office runs campaigns.") }
        var eligible = 0, already = 0, ops: [String] = [], refusals: [String: String] = [:]
        try forEachMemberPage { page in
            for member in page {
                guard let view = try store.read({ try $0.member(member) }), let campaign = try gift(view) else { continue }
                eligible += 1
                if try store.read({ try $0.flags(entity: Cell.member(member)) }).contains(Cell.campaignPrefix + campaign.id) { already += 1; continue }
                do {
                    let issued = try commit(decide: { teller, _ in try teller.campaignGift(campaign, member: member) })
                    if let op = issued.op { ops.append(op.id.description) }
                } catch let refusal as MMSError where refusal.code == .invalidArgument {
                    refusals[member] = refusal.message
                }
            }
        }
        return CampaignRunResult(campaign: id, name: name, eligible: eligible, issued: ops.count, already: already,
                                 skipped: refusals.count, refusals: refusals, ops: ops)
    }

    /// Every member this replica knows, in id order, a page at a time.
    func forEachMemberPage(_ body: ([String]) throws -> Void) throws {
        var cursor = ""
        while true {
            let page = try store.memberIDs(after: cursor, limit: 500)
            guard let last = page.last else { return }
            cursor = last
            try body(page)
        }
    }

    /// The month of the member's birthday (opened here from its seal), if they gave one.
    func birthMonth(_ member: MemberView) throws -> Int64? {
        let birthday = try openProfile(member).birthday
        return birthday.count == 10 ? Int64(birthday.dropFirst(5).prefix(2)) : nil
    }

    /// The segment test: tiers, birthday month (the sealed birthday opened here), days since the last visit.
    func inSegment(_ member: MemberView, _ segment: Campaign.Segment, now: UInt64) throws -> Bool {
        if !segment.tiers.isEmpty, !segment.tiers.contains(try store.read { try $0.tier(of: member, on: Sales.day(wallMillis: now)) }) { return false }
        if let month = segment.birthdayMonth {
            guard try birthMonth(member) == month else { return false }
        }
        if let from = segment.spendFrom, member.netSpend < from { return false }
        if let below = segment.spendBelow, member.netSpend >= below { return false }
        if let from = segment.joinedFrom, member.joined < CardLife.dayNumber(from) { return false }
        if let until = segment.joinedUntil, member.joined == 0 || member.joined > CardLife.dayNumber(until) { return false }
        if let days = segment.noVisitDays {
            let last = member.visits.values.max() ?? 0
            guard Int64(now) - last >= days * 86_400_000 else { return false }
        }
        return true
    }
}

/// Points that expire before a day, member by member, by lot.
public struct PointsExpiring: Codable, Sendable, Equatable {
    public struct Lot: Codable, Sendable, Equatable {
        public let year: Int
        public let points: Int64
        public let expires: String
    }
    public struct Member: Codable, Sendable, Equatable {
        public let member: String
        /// The member's points now.
        public let points: Int64
        public let expiring: Int64
        public let lots: [Lot]
    }
    public let before: String
    public let members: [Member]
    public let expiring: Int64
}

extension LocalNode {
    /// Every member with points whose lot expires before `before` (`YYYY-MM-DD`), so they can be
    /// told in time.
    public func pointsExpiring(before: String) throws -> PointsExpiring {
        try permit(.readAudit)
        guard Sales.isDay(before) else { throw MMSError(.invalidArgument, "--before “\(before.prefix(20))” is not a day like 2027-01-01.") }
        let today = Sales.day(wallMillis: clock())
        var members: [PointsExpiring.Member] = []
        try forEachMemberPage { page in
            try store.read { state in
                for member in page {
                    // Lots still paying today whose last day comes before `before`: what there is still time to tell.
                    let lots = try PointsLots.lots(member: member, in: state).compactMap { lot -> PointsExpiring.Lot? in
                        guard let expires = lot.expires, lot.isValid(on: CardLife.dayNumber(today)), expires < before, lot.left > 0 else { return nil }
                        return PointsExpiring.Lot(year: lot.year, points: lot.left, expires: expires)
                    }
                    guard !lots.isEmpty else { continue }
                    members.append(PointsExpiring.Member(member: member, points: try PointsLots.usable(member: member, on: today, in: state),
                                                         expiring: lots.map(\.points).reduce(0, +), lots: lots))
                }
            }
        }
        return PointsExpiring(before: before, members: members, expiring: members.map(\.expiring).reduce(0, +))
    }
}
