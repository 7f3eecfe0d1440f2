/// Coupons from head office's templates, and campaigns that give coupons or points to a segment
/// of members once each. A coupon carries its template's terms as issued (a later change of the
/// template does not change coupons already out), and is spent once in the whole chain.
extension Cell {
    public static let couponTemplate = "template", couponMinSpend = "min_spend", couponValidUntil = "valid_until"
    /// On a member's entity, a raise-once flag per campaign that gave them something.
    public static let campaignPrefix = "campaign:"
}

extension Teller {
    /// A coupon from the program's template `id`, coded `code`, valid `validDays` from today;
    /// refused when the member already holds the template's limit of unused coupons.
    public func issueCoupon(template id: String, member: String, code: String, campaign: String = "") throws -> OpBody {
        guard let template = try state.program().program.couponTemplate(id) else {
            throw MMSError(.invalidArgument, "The program has no coupon template “\(id.prefix(40))”.", details: ["template": String(id.prefix(40))])
        }
        let unused = try state.coupons(of: member).filter { $0.template == id && $0.left > 0 }.count
        guard unused < template.perMemberLimit else {
            throw MMSError(.invalidArgument, "Member \(member) already holds \(unused) unused \(template.title) coupon(s), the limit.",
                           details: ["member": member, "template": id])
        }
        guard case .couponIssued(var coupon) = try issueCoupon(code: code, member: member, value: template.value ?? Money(fen: 0), title: template.title) else {
            preconditionFailure("issueCoupon issues a coupon")
        }
        coupon.template = id
        coupon.minSpend = template.minSpend
        coupon.validUntil = CardLife.dayNumber(CardLife.day(today, plus: template.validDays - 1))
        coupon.campaign = campaign
        return .couponIssued(coupon)
    }

    /// One member's share of a campaign: its coupon or its points, once. Only head office runs
    /// campaigns, so "once" needs no coordination between branches.
    public func campaignGift(_ campaign: Campaign, member: String) throws -> OpBody {
        guard role == .hq else { throw MMSError(.notPermitted, "Only the head office runs campaigns.") }
        guard try !state.flags(entity: Cell.member(member)).contains(Cell.campaignPrefix + campaign.id) else {
            throw MMSError(.invalidArgument, "Member \(member) already had campaign \(campaign.id).", details: ["member": member, "campaign": campaign.id])
        }
        // Held at the member's home branch, where they shop (head office holds none of it).
        let home = try state.member(member).flatMap { try? NodeID($0.home) } ?? origin
        if let template = campaign.coupon {
            guard case .couponIssued(var coupon) = try issueCoupon(template: template, member: member, code: "\(campaign.id).\(member)", campaign: campaign.id) else {
                preconditionFailure("issueCoupon issues a coupon")
            }
            coupon.holder = home
            return .couponIssued(coupon)
        }
        guard let points = campaign.points else { preconditionFailure("a validated campaign gives a coupon or points") }
        return .pointsAwarded(member: member, points: Points(points), campaign: campaign.id, holder: home)
    }
}

extension Teller {
    /// 积分兑换: a gift of the program's catalogue for its points (within what this branch holds);
    /// one unit of its SKU leaves this branch's stock.
    public func redeemGift(card number: String, gift id: String) throws -> OpBody {
        guard let gift = try state.program().program.gifts.first(where: { $0.id == id }) else {
            throw MMSError(.invalidArgument, "The program has no gift “\(id.prefix(40))”.", details: ["gift": String(id.prefix(40))])
        }
        guard case .pointsRedeemed(var redeemed) = try redeemPoints(card: number, points: Points(gift.points)) else {
            preconditionFailure("redeemPoints redeems points")
        }
        // A gift is on this branch's shelf or not given: only this branch takes from its own stock,
        // so what it sees on hand is all there is, even cut off.
        if let sku = gift.sku, try Stock.level(sku, at: origin, in: state).onHand < 1 {
            throw MMSError(.invalidArgument, "Gift \(id) (\(gift.name)) is out of stock at \(origin).", details: ["gift": id, "sku": sku])
        }
        redeemed.gift = id
        redeemed.sku = gift.sku ?? ""
        return .pointsRedeemed(redeemed)
    }
}

extension StateReader {
    /// Every coupon `member` holds that this replica knows (one given to another member is theirs now).
    public func coupons(of member: String) throws -> [CouponView] {
        try flags(entity: Cell.member(member)).filter { $0.hasPrefix(Cell.memberCouponPrefix) }.sorted()
            .compactMap { try coupon(String($0.dropFirst(Cell.memberCouponPrefix.count))) }.filter { $0.member == member }
    }
}

extension Cell {
    /// On a member's entity, one raise-once flag per coupon issued to them.
    public static let memberCouponPrefix = "coupon:"
}

/// Points expire by lot: those earned in a year expire at the end of the next (per the program's
/// `points.expiry`). Spending takes the oldest lot first, so what is left of each lot is what was
/// earned in it less what spending has taken from it and the older ones.
public enum PointsLots {
    public struct Lot: Equatable, Sendable {
        public let year: Int
        public let left: Int64
        /// The last day its points count, `YYYY-MM-DD`; nil when points never expire.
        public let expires: String?
    }

    public static func lots(member: String, in state: any StateReader) throws -> [Lot] {
        let counters = try state.counters(entity: Cell.member(member))
        func byYear(_ name: String) -> [Int: Int64] {
            let prefix = Cell.yearly(name, "")
            var years: [Int: Int64] = [:]
            for (counter, slots) in counters where counter.hasPrefix(prefix) {
                if let year = Int(counter.dropFirst(prefix.count)) { years[year, default: 0] += slots.values.reduce(0, +) }
            }
            return years
        }
        // Points a return took back come off the lot of the sale they were earned with: they were never spent.
        let takenBack = byYear(Cell.pointsTakenBack), spentIn = byYear(Cell.pointsSpent)
        var left: [Int: Int64] = [:]
        for (counter, slots) in counters where counter.hasPrefix(Cell.pointsLotPrefix) {
            guard let year = Int(counter.dropFirst(Cell.pointsLotPrefix.count)) else { continue }
            left[year] = max(0, slots.values.reduce(0, +) - (takenBack[year] ?? 0))
        }
        let expiry = try state.program().program.points.expiry
        func take(_ amount: Int64, from years: [Int]) {
            var rest = amount
            for year in years where rest > 0 {
                let taken = min(rest, left[year] ?? 0)
                left[year, default: 0] -= taken
                rest -= taken
            }
        }
        // Spending from before spends were counted by year takes the oldest lots first; a spend of
        // year Y takes the oldest lot still valid in Y (Y−1's or Y's), never an expired one.
        let debited = try state.escrow(Cell.points(member: member)).debited.values.reduce(0, +)
        take(debited - takenBack.values.reduce(0, +) - spentIn.values.reduce(0, +), from: left.keys.sorted())
        for (year, spent) in spentIn.sorted(by: { $0.key < $1.key }) {
            take(spent, from: left.keys.sorted().filter { expiry == .never || ($0 >= year - 1 && $0 <= year) })
        }
        return left.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { year, points in
            Lot(year: year, left: points, expires: expiry == .never ? nil : String(format: "%04d-12-31", year + 1))
        }
    }
}

extension Teller {
    /// Points the member may spend here: within this branch's rights, and never from lots past
    /// their last day.
    func requireSpendable(points: Int64, of member: String) throws {
        try requireUnexpired(member: member, points: points)
        try requireRights(try state.escrow(Cell.points(member: member)), points, code: .insufficientPoints, unit: { "\($0)" })
    }

    /// Points of lots past their last day do not pay: refused when `points` would need them.
    func requireUnexpired(member: String, points: Int64) throws {
        let (version, program) = try state.program()
        guard version > 0, program.points.expiry != .never else { return }
        let day = today
        let expired = try PointsLots.lots(member: member, in: state).filter { ($0.expires ?? day) < day }.map(\.left).reduce(0, +)
        let usable = try state.escrow(Cell.points(member: member)).total - expired
        guard points <= usable else {
            throw MMSError(.insufficientPoints, "Only \(max(0, usable)) of the member's points can be used: \(expired) expired.",
                           details: ["requested": String(points), "balance": String(max(0, usable)), "expired": String(expired)])
        }
    }
}

extension Cell {
    public static let pointsLotPrefix = "points_year:"
    /// Points spent (redeemed, paid with, given away), counted by the year of the spend.
    public static let pointsSpent = "points_spent"
    /// Points a return took back: not earned after all.
    public static let pointsTakenBack = "points_taken_back"
    public static func pointsLot(year: String) -> String { pointsLotPrefix + year }
}
