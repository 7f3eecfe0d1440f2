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
