/// What an op adds to the reports: keyed figures that only ever add up (or keep a maximum, or a
/// value only one kind of op sets), so a replica's report tables are a fold of its op set like
/// its cells: any order, the same sums. The store keeps them in one transaction with the op;
/// `node rebuild` folds them again from the log. Sales and money are kept by the hour they
/// happened in (hours since 1970, UTC), so a report reads whole days in any time zone; months are
/// the chain's (China Standard Time). Money in fen.
public struct ReportFacts: Sendable, Equatable {
    /// Sales by hour, branch and staff member credited. A stored-value payment without lines
    /// (`charge`) is a sale of its amount; a return counts in its own hour.
    public struct SalesKey: Hashable, Sendable { public let hour: Int64, branch: String, staff: String }
    public struct SalesFigures: Equatable, Sendable {
        public init() {}
        public var sales: Int64 = 0, amount: Int64 = 0, discount: Int64 = 0, returns: Int64 = 0, returned: Int64 = 0
    }
    /// Lines sold by day (`YYYYMMDD`, China Standard Time: a year's ranking reads a row per
    /// day, not per hour), branch and SKU (an amount line's SKU is empty).
    public struct ProductKey: Hashable, Sendable { public let day: Int64, branch: String, sku: String }
    public struct ProductFigures: Equatable, Sendable {
        public init() {}
        public var quantity: Int64 = 0, amount: Int64 = 0, returnedQuantity: Int64 = 0, returnedAmount: Int64 = 0
    }
    /// Prepaid money taken and given back, by hour and branch.
    public struct MoneyKey: Hashable, Sendable { public let hour: Int64, branch: String }
    public struct MoneyFigures: Equatable, Sendable {
        public init() {}
        public var topups: Int64 = 0, topupCount: Int64 = 0, bonus: Int64 = 0, cardRefunds: Int64 = 0, bonusForfeited: Int64 = 0
    }
    /// One row per member: where they joined and when, what they hold and what they spent.
    public struct MemberFigures: Equatable, Sendable {
        public init() {}
        public var home: String?
        /// `YYYYMMDD`; 0 until the member's op arrives (max: only `member_added` sets it).
        public var joined: Int64 = 0
        public var principal: Int64 = 0, bonus: Int64 = 0
        /// Net spend: sales and charges less what returns and refunds gave back.
        public var spent: Int64 = 0
        public var purchases: Int64 = 0
        /// `YYYYMMDD` of the last payment or top-up (max).
        public var lastVisit: Int64 = 0
        /// What the member's tier is decided on (sums, and a maximum).
        public var tier = TierFigures()
    }
    /// Points earned and redeemed (net of returns), by month and the node holding them.
    public struct PointsKey: Hashable, Sendable { public let month: String, branch: String }
    public struct PointsFigures: Equatable, Sendable { public var earned: Int64 = 0, redeemed: Int64 = 0; public init() {} }
    /// One row per coupon: its template and campaign (from its issue), its uses and the sales it paid.
    public struct CouponFigures: Equatable, Sendable {
        public init() {}
        public var template: String?, campaign: String?, issuedDay: String?
        public var value: Int64 = 0
        public var used: Int64 = 0, revenue: Int64 = 0
    }
    public struct CampaignFigures: Equatable, Sendable { public var members: Int64 = 0, points: Int64 = 0; public init() {} }
    /// Members who joined at a branch on a day (`YYYYMMDD`).
    public struct JoinKey: Hashable, Sendable { public let day: Int64, home: String }
    /// What a member's tier is decided on, changed in a month (`YYYYMM`, China Standard Time):
    /// summed month by month, they give the tier at the end of any month (`TierMovements`).
    public struct MemberMonthKey: Hashable, Sendable { public let member: String, month: Int64 }
    /// A message queued for the gateway (the outbox): the earliest op of its key wins.
    public struct Message: Equatable, Sendable { public let member: String, kind: String, fields: [String: String], queued: UInt64, origin: String }

    public var sales: [SalesKey: SalesFigures] = [:]
    public var products: [ProductKey: ProductFigures] = [:]
    public var money: [MoneyKey: MoneyFigures] = [:]
    public var members: [String: MemberFigures] = [:]
    public var points: [PointsKey: PointsFigures] = [:]
    /// Points left in each year's lots (credited less debited).
    public var lots: [Int: Int64] = [:]
    public var coupons: [String: CouponFigures] = [:]
    public var campaignPoints: [String: CampaignFigures] = [:]
    public var joins: [JoinKey: Int64] = [:]
    public var memberMonths: [MemberMonthKey: TierFigures] = [:]
    public var messages: [String: Message] = [:]

    public init() {}

    public var isEmpty: Bool {
        sales.isEmpty && products.isEmpty && money.isEmpty && members.isEmpty && points.isEmpty && lots.isEmpty && coupons.isEmpty && campaignPoints.isEmpty && joins.isEmpty && memberMonths.isEmpty && messages.isEmpty
    }

    /// Adds what `op` does to the reports.
    public mutating func add(_ op: Op) {
        let branch = op.id.origin.rawValue
        let day = Sales.day(wallMillis: op.hlc.wallMillis), dayNumber = CardLife.dayNumber(day)
        let hour = Int64(op.hlc.wallMillis / 3_600_000)
        func visit(_ member: String) { members[member, default: .init()].lastVisit = max(members[member, default: .init()].lastVisit, dayNumber) }

        for (member, fen) in op.body.storedValueChanges { members[member, default: .init()].principal += fen }
        let deltas = op.deltas   // computed from the body: once
        for (member, change) in TierFigures.changes(in: deltas) {
            members[member, default: .init()].tier.merge(change)
            memberMonths[MemberMonthKey(member: member, month: dayNumber / 100), default: .init()].merge(change)
        }
        for (member, fen) in op.body.bonusChanges { members[member, default: .init()].bonus += fen }
        // Points earned and redeemed, net: a return takes earned points back and gives a points
        // tender back, so its moves count against earning and redeeming.
        var isReturn = false
        if case .saleReturned = op.body { isReturn = true }
        for case .add(let account, let name, let node, let amount) in deltas where PointsLots.isPointsAccount(account) {
            guard name == Cell.credited || name == Cell.debited, let year = PointsLots.year(ofAccount: account) else { continue }
            let key = PointsKey(month: String(day.prefix(7)), branch: node.rawValue)
            lots[year, default: 0] += name == Cell.credited ? amount : -amount
            switch (name == Cell.credited, isReturn) {
            case (true, false): points[key, default: .init()].earned += amount
            case (false, false): points[key, default: .init()].redeemed += amount
            case (false, true): points[key, default: .init()].earned -= amount
            case (true, true): points[key, default: .init()].redeemed -= amount
            }
        }

        switch op.body {
        case .memberAdded(let m):
            members[m.member, default: .init()].home = branch
            members[m.member, default: .init()].joined = max(members[m.member, default: .init()].joined, dayNumber)
            joins[JoinKey(day: dayNumber, home: branch), default: 0] += 1
        case .topUp(let p):
            money[MoneyKey(hour: hour, branch: branch), default: .init()].topups += p.amount.fen
            money[MoneyKey(hour: hour, branch: branch), default: .init()].topupCount += 1
            money[MoneyKey(hour: hour, branch: branch), default: .init()].bonus += p.bonus.fen
            visit(p.member)
        case .charge(let c):
            sale(SalesKey(hour: hour, branch: branch, staff: ""), amount: c.amount.fen, discount: 0)
            members[c.member, default: .init()].spent += c.amount.fen
            members[c.member, default: .init()].purchases += 1
            visit(c.member)
        case .refund(let r):
            members[r.member, default: .init()].spent -= r.amount.fen
        case .sale(let s):
            sale(SalesKey(hour: hour, branch: branch, staff: s.staff), amount: s.total.fen, discount: s.lines.map(\.discount.fen).reduce(0, +))
            for line in s.lines {
                let key = ProductKey(day: dayNumber, branch: branch, sku: line.sku)
                products[key, default: .init()].quantity += line.quantity
                products[key, default: .init()].amount += line.amount.fen
            }
            if !s.member.isEmpty {
                members[s.member, default: .init()].spent += s.total.fen
                members[s.member, default: .init()].purchases += 1
                visit(s.member)
            }
            for tender in s.tenders where tender.kind == .coupon { coupons[tender.reference, default: .init()].used += 1; coupons[tender.reference, default: .init()].revenue += s.total.fen }
        case .saleReturned(let r):
            let key = SalesKey(hour: hour, branch: branch, staff: r.staff)
            sales[key, default: .init()].returns += 1
            sales[key, default: .init()].returned += r.amount.fen
            for line in r.lines {
                let key = ProductKey(day: dayNumber, branch: branch, sku: line.sku)
                products[key, default: .init()].returnedQuantity += line.quantity
                products[key, default: .init()].returnedAmount += line.amount.fen
            }
            if !r.member.isEmpty { members[r.member, default: .init()].spent -= r.amount.fen }
            for refund in r.refunds where refund.kind == .coupon && refund.units > 0 { coupons[refund.reference, default: .init()].used -= 1 }
        case .cardReturned(let r):
            money[MoneyKey(hour: hour, branch: branch), default: .init()].cardRefunds += r.refunded.fen
            money[MoneyKey(hour: hour, branch: branch), default: .init()].bonusForfeited += r.bonusForfeited.fen
        case .couponIssued(let c):
            var coupon = coupons[c.code, default: .init()]
            coupon.template = c.template; coupon.campaign = c.campaign; coupon.issuedDay = day; coupon.value = c.value.fen
            coupons[c.code] = coupon
        case .couponRedeemed(let code, _):
            coupons[code, default: .init()].used += 1
        case .messageQueued(let m):
            let message = Message(member: m.member, kind: m.kind.rawValue, fields: m.fields, queued: op.hlc.packed, origin: branch)
            if let held = messages[m.key], (held.queued, held.origin) < (message.queued, message.origin) { break }
            messages[m.key] = message
        case .pointsAwarded(_, let awarded, let campaign, _):
            campaignPoints[campaign, default: .init()].members += 1
            campaignPoints[campaign, default: .init()].points += awarded.value
        default:
            break
        }
    }

    private mutating func sale(_ key: SalesKey, amount: Int64, discount: Int64) {
        sales[key, default: .init()].sales += 1
        sales[key, default: .init()].amount += amount
        sales[key, default: .init()].discount += discount
    }
}
