/// The rules that give and move what a member holds beside money: points given to another
/// member, transferable coupons, the new-member gift (开卡礼), referral rewards, companion cards
/// and the tiers' birthday coupons. Each is head office's program; each is decided by one node
/// so that "once" holds even cut off: the node that holds the thing moved, or the member's home.
public struct PointsTransfer: Equatable, Sendable {
    public var fromMember: String
    public var fromCard: String
    public var toMember: String
    public var points: Points
    /// The giver's lots the points came from; they join the receiver's lots of the same years.
    public var lots: [LotPoints] = []
    public init(fromMember: String, fromCard: String, toMember: String, points: Points) {
        self.fromMember = fromMember; self.fromCard = fromCard; self.toMember = toMember; self.points = points
    }
}

public enum Rewards {
    /// The campaign names of the gifts a branch gives: the welcome gift, and a referral reward
    /// named by the member referred (`referral.<member>`), each once per member.
    public static let welcome = "welcome"
    public static func referral(of referred: String) -> String { "referral.\(referred)" }
    /// 签到: a day's check-in (`checkin.20261203`), given by the member's home node.
    public static func checkIn(day: String) -> String { "checkin.\(CardLife.dayNumber(day))" }
    public static func isBranchReward(_ campaign: String) -> Bool { campaign == welcome || campaign.hasPrefix("referral.") || campaign.hasPrefix("checkin.") }
    /// Head office's yearly birthday gift of the tiers (`birthday.2026`).
    public static func birthday(year: String) -> String { "birthday.\(year)" }
}

extension Cell {
    public static let referrer = "referrer"
    /// The day a member joined (`YYYYMMDD`): the day of their `member_added` op.
    public static let joined = "joined"
    /// Points another member gave: held and spent like any, never counted as earned for a tier.
    public static let pointsReceived = "points_received"
    /// On a member's entity: one raise-once flag per companion card issued with their tier.
    public static let companionPrefix = "companion:"
}

extension Teller {
    /// Points from the card's member to another member, within what this branch holds.
    public func transferPoints(card number: String, to member: String, points: Points) throws -> OpBody {
        guard try state.program().program.points.transferable else {
            throw MMSError(.notPermitted, "The program does not let members give points to each other.")
        }
        let card = try payingCard(number, type: nil)
        guard let target = try state.member(member) else {
            throw MMSError(.unknownMember, "There is no member \(member.prefix(Limits.maxIdentifierLength)).", details: ["member": String(member.prefix(Limits.maxIdentifierLength))])
        }
        guard target.id != card.member else { throw MMSError(.invalidArgument, "Points cannot be given to their own member.") }
        guard points.value > 0, points <= Limits.maxPoints else { throw MMSError(.invalidAmount, "Points to give must be from 1 to \(Limits.maxPoints).") }
        var transfer = PointsTransfer(fromMember: card.member, fromCard: number, toMember: member, points: points)
        transfer.lots = try takePoints(points.value, of: card.member)
        return .pointsTransferred(transfer)
    }

    /// A coupon its template lets move, unused, given by its member (with their card) to another
    /// member — by the node holding its one use, so it cannot be spent and given away at once.
    public func transferCoupon(code: String, card number: String, to member: String) throws -> OpBody {
        guard let coupon = try state.coupon(code) else {
            throw MMSError(.unknownCoupon, "Coupon \(code.prefix(40)) is not known here.", details: ["coupon": String(code.prefix(40))])
        }
        guard try payingCard(number, type: nil).member == coupon.member else {
            throw MMSError(.invalidArgument, "Coupon \(code) is not the card's member's to give.", details: ["coupon": code, "card": number])
        }
        let template = try state.program().program.couponTemplate(coupon.template)
        guard template?.transferable == true else {
            throw MMSError(.notPermitted, "Coupon \(code) cannot be given to another member.", details: ["coupon": code])
        }
        try requireUsable(coupon)
        guard try state.member(member) != nil else {
            throw MMSError(.unknownMember, "There is no member \(member.prefix(Limits.maxIdentifierLength)).", details: ["member": String(member.prefix(Limits.maxIdentifierLength))])
        }
        guard member != coupon.member else { throw MMSError(.invalidArgument, "Coupon \(code) is already member \(member)'s.") }
        try requireRights(try state.escrow(Cell.coupon(code)), 1, code: .couponUsed, unit: { "\($0)" }, what: "coupon \(code)")
        return .couponTransferred(code: code, from: coupon.member, to: member)
    }

    /// The gift `campaign` (welcome, referral) as an op: the program's coupon, else its points,
    /// held at this node. Nil when the member already had it.
    func reward(_ reward: Reward, campaign: String, member: String) throws -> OpBody? {
        guard try !state.flags(entity: Cell.member(member)).contains(Cell.campaignPrefix + campaign) else { return nil }
        if let template = reward.coupon {
            return try issueCoupon(template: template, member: member, code: "\(campaign).\(member)", campaign: campaign)
        }
        guard let points = reward.points else { return nil }
        return .pointsAwarded(member: member, points: Points(points), campaign: campaign, holder: origin)
    }

    /// 签到: the program's check-in points, once a day — decided by the member's home node alone
    /// (one node, so once a day holds in the whole chain, even cut off), and held there.
    public func checkIn(member: String) throws -> OpBody {
        guard let points = try state.program().program.checkInPoints else {
            throw MMSError(.notPermitted, "Head office has not turned check-in points on.", details: ["reason": "check_in_off"])
        }
        guard let view = try state.member(member) else { throw MMSError(.unknownMember, "There is no member \(member.prefix(Limits.maxIdentifierLength)).") }
        guard view.home == origin.rawValue else {
            throw MMSError(.invalidArgument, "Check in on your home branch's page (\(view.home)).", details: ["reason": "check_in_home", "home": view.home])
        }
        let campaign = Rewards.checkIn(day: today)
        guard try !state.flags(entity: Cell.member(member)).contains(Cell.campaignPrefix + campaign) else {
            throw MMSError(.invalidArgument, "You have checked in today already.", details: ["reason": "checked_in"])
        }
        return .pointsAwarded(member: member, points: Points(points), campaign: campaign, holder: origin)
    }

    /// 开卡礼: the program's welcome gift, given by the member's home branch with a card it
    /// issues them (home is one node, so the gift is given once even cut off). Nil when there is none to give.
    public func welcomeGift(member: String) throws -> OpBody? {
        guard let welcome = try state.program().program.welcome, let view = try state.member(member), view.home == origin.rawValue,
              try state.cards(of: member).count == 1 else { return nil }
        return try reward(welcome, campaign: Rewards.welcome, member: member)
    }

    /// The referral reward for the member who brought `member`, once `member` has spent (a
    /// top-up alone could be returned with the card): given by
    /// `member`'s home branch (one node, so once). Nil when there is none to give yet.
    public func referralReward(for member: String) throws -> OpBody? {
        guard let rule = try state.program().program.referral, let view = try state.member(member), view.home == origin.rawValue,
              let referrer = try state.texts(entity: Cell.member(member))[Cell.referrer], try state.member(referrer) != nil,
              view.netSpend.fen > 0 else { return nil }
        return try reward(rule, campaign: Rewards.referral(of: member), member: referrer)
    }

    /// A companion card (副卡) of the member's tier: a discount card at the tier's discount that
    /// pays nothing from the balance; as many as the tier gives, issued at the member's home branch.
    public func issueCompanionCard(number: String, member: String, pinHash: String) throws -> OpBody {
        guard let view = try state.member(member) else {
            throw MMSError(.unknownMember, "There is no member \(member.prefix(Limits.maxIdentifierLength)).", details: ["member": String(member.prefix(Limits.maxIdentifierLength))])
        }
        guard view.home == origin.rawValue else {
            throw MMSError(.notPermitted, "Companion cards are issued at the member's home branch, \(view.home).", details: ["member": member, "home": view.home])
        }
        let rule = try tierRule(member)
        let tier = rule?.tier ?? view.tier
        let allowed = rule?.companionCards ?? 0
        let issued = try state.flags(entity: Cell.member(member)).filter { $0.hasPrefix(Cell.companionPrefix) }.count
        guard issued < allowed else {
            throw MMSError(.notPermitted, "Member \(member)'s tier (\(tier.rawValue)) gives \(allowed) companion card(s); \(issued) issued.",
                           details: ["member": member, "tier": tier.rawValue, "allowed": String(allowed)])
        }
        guard case .cardIssued(var card) = try issueCard(number: number, member: member, type: .discount, pinHash: pinHash,
                                                         discountPercent: rule?.discount ?? 100, punchUses: nil) else {
            preconditionFailure("issueCard issues a card")
        }
        card.companion = true
        return .cardIssued(card)
    }
}

/// One year of a member's figures, for the tier review: spend, what came back, the largest
/// single top-up and the points earned in it (its lot, less what was received or taken back).
public struct MemberYear: Equatable, Sendable {
    public var spent: Int64 = 0, givenBack: Int64 = 0, largestTopUp: Int64 = 0, points: Int64 = 0

    static func years(counters: [String: [NodeID: Int64]], maxima: [String: Int64]) -> [Int: MemberYear] {
        var years: [Int: MemberYear] = [:]
        func year(_ name: String, _ prefix: String) -> Int? { name.hasPrefix(prefix) ? Int(name.dropFirst(prefix.count)) : nil }
        for (name, slots) in counters {
            let sum = slots.values.reduce(0, +)
            if let y = year(name, Cell.yearly(Cell.spent, "")) { years[y, default: .init()].spent += sum }
            else if let y = year(name, Cell.yearly(Cell.givenBack, "")) { years[y, default: .init()].givenBack += sum }
            else if let y = year(name, Cell.pointsLotPrefix) { years[y, default: .init()].points += sum }
            // Points received or taken back that year were not earned in it.
            else if let y = year(name, Cell.yearly(Cell.pointsReceived, "")) ?? year(name, Cell.yearly(Cell.pointsTakenBack, "")) { years[y, default: .init()].points -= sum }
        }
        for (name, value) in maxima {
            if let y = year(name, Cell.yearly(Cell.largestTopUp, "")) { years[y, default: .init()].largestTopUp = value }
        }
        return years
    }
}

extension Cell {
    /// A member's figure of one year (`spent@2026`), beside the figure of all time.
    public static func yearly(_ name: String, _ year: String) -> String { "\(name)@\(year)" }
    /// What refunds and returns gave back, counted in the year they happened.
    public static let givenBack = "given_back"
}
