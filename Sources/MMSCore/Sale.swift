import Foundation

/// How a sale is paid. Stored value keeps the escrow rules (never beyond what this branch may
/// spend); cash may be more than is due (the change is recorded); bank card and mobile payment
/// were taken elsewhere and are recorded with their external reference.
/// How a sale is paid: stored value, money from outside (cash, bank card, mobile payment), or the
/// member's own points and coupons.
public enum TenderKind: String, Sendable, CaseIterable, Codable {
    case stored, cash, bank, mobile, points, coupon
    /// A punch card's uses (计次卡): they pay the sale's service lines the card's product covers.
    case punch

    /// Money that comes in from outside the chain (or goes back out): what pays a top-up, a card's
    /// fee, a supplier, a returned card's refund.
    public static let money: Set<TenderKind> = [.cash, .bank, .mobile]
    /// What is the member's own: their stored value, points, coupons and punch uses (the PIN guards them).
    public static let members: Set<TenderKind> = [.stored, .points, .coupon, .punch]
}

public struct Tender: Equatable, Sendable {
    public var kind: TenderKind
    public var amount: Money
    /// A bank or mobile payment's reference; a coupon tender's code; a punch tender's uses account.
    public var reference: String
    /// Points spent (a points tender), the coupon used (1) or the punch card's uses; given back on a return.
    public var units: Int64
    /// A points tender: the lots its points came from (given back: went back to).
    public var lots: [LotPoints] = []
    /// Stored value: the part of `amount` paid from (or given back to) the bonus balance.
    public var bonus: Money
    public init(kind: TenderKind, amount: Money, reference: String = "", units: Int64 = 0, bonus: Money = Money(fen: 0)) {
        self.kind = kind; self.amount = amount; self.reference = reference; self.units = units; self.bonus = bonus
    }
}

/// A line as sold: its price here, the discount on it, what the member paid for it, and the
/// commission it earned the staff member credited.
public struct SaleLine: Equatable, Sendable {
    public var sku: String
    public var quantity: Int64
    public var unitPrice: Money
    public var discount: Money
    public var amount: Money
    public var commission: Money
    /// Goods leave the shelf; services do not.
    public var goods: Bool
    /// Paid by a use of the sale's punch card (one per unit), not by the other tenders.
    public var punch = false
    public init(sku: String, quantity: Int64, unitPrice: Money, discount: Money, amount: Money, commission: Money, goods: Bool) {
        self.sku = sku; self.quantity = quantity; self.unitPrice = unitPrice; self.discount = discount; self.amount = amount
        self.commission = commission; self.goods = goods
    }
}

/// One sale, one op: all of it happens or none of it.
public struct Sale: Equatable, Sendable {
    /// Empty for a walk-in customer.
    public var member: String
    public var card: String
    /// The staff member credited with the sale (their commission), or empty.
    public var staff: String
    public var lines: [SaleLine]
    public var tenders: [Tender]
    public var total: Money
    /// Cash given back.
    public var change: Money
    public var pointsEarned: Points
    /// The stored value spent on the card's day of issue, against its first-day share.
    public var firstDay = Money(fen: 0)
    public init(member: String, card: String, staff: String, lines: [SaleLine], tenders: [Tender], total: Money, change: Money, pointsEarned: Points) {
        self.member = member; self.card = card; self.staff = staff; self.lines = lines; self.tenders = tenders
        self.total = total; self.change = change; self.pointsEarned = pointsEarned
    }

    public var stored: Money { Money(fen: tenders.filter { $0.kind == .stored }.map(\.amount.fen).reduce(0, +)) }
    /// The part of `stored` paid from the bonus balance.
    public var bonus: Money { Money(fen: tenders.filter { $0.kind == .stored }.map(\.bonus.fen).reduce(0, +)) }
}

/// What a till asks for: items by SKU and how they are paid, `nil` amount meaning "the rest".
public struct SaleRequest: Sendable {
    /// A catalogue item by SKU, or an amount line (金额消费: no SKU, the price typed at the till),
    /// which is how a sale of an amount alone, on a discount card say, is the one-line case.
    public struct Item: Sendable {
        public var sku: String; public var quantity: Int64; public var price: Money?
        public init(sku: String, quantity: Int64) { self.sku = sku; self.quantity = quantity; self.price = nil }
        public static func amount(_ price: Money) -> Item { var item = Item(sku: "", quantity: 1); item.price = price; return item }
    }
    public struct Payment: Sendable {
        public var kind: TenderKind; public var amount: Money?; public var reference: String
        public init(kind: TenderKind, amount: Money?, reference: String = "") { self.kind = kind; self.amount = amount; self.reference = reference }
    }
    public var card: String?
    public var items: [Item]
    public var payments: [Payment]
    public var staff: String?
    public init(card: String?, items: [Item], payments: [Payment], staff: String?) {
        self.card = card; self.items = items; self.payments = payments; self.staff = staff
    }
}

extension Cell {
    public static let commissionPrefix = "commission:"
    /// What one staff member earned in one month, one slot per branch where they sold.
    public static func commission(month: String, staff: String) -> String { "commission:\(month):\(staff)" }
    public static let commissionEarned = "earned", commissionSales = "sales", commissionCount = "count"
    /// Top-ups credited to the staff member (their sum) and cards they sold (a count).
    public static let commissionTopUps = "topups", commissionCards = "cards"
}

public enum Sales {
    public static let maxLines = 200
    public static let maxQuantityPerLine: Int64 = 1_000
    public static let maxTenders = 8
    /// What an amount line (no SKU) is called on receipts and screens.
    public static let amountLineName = "金额消费"

    /// `amount × percent / 100`, rounded half up to the fen: the one rounding rule of a sale,
    /// applied per line so every replica and every receipt agree.
    public static func percentOf(_ amount: Money, percent: Int64) -> Money {
        Money(fen: (amount.fen * percent + 50) / 100)
    }

    /// A line's commission: a share of what was paid for it (half up), or a fixed sum per unit.
    public static func commission(_ rule: CommissionRule?, paid: Money, quantity: Int64) -> Money {
        switch rule {
        case nil: Money(fen: 0)
        case .percent(let basisPoints)?: Money(fen: (paid.fen * basisPoints + 5_000) / 10_000)
        case .fixed(let perUnit)?: Money(fen: perUnit.fen * quantity)
        }
    }

    /// The month a sale counts in for commissions, `YYYY-MM` in the chain's time zone
    /// (China Standard Time, UTC+8, no daylight saving), from the op's HLC wall clock.
    public static func month(wallMillis: UInt64) -> String { String(day(wallMillis: wallMillis).prefix(7)) }

    /// `YYYY-MM`, a month as people type it.
    public static func isMonth(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 2 && parts[0].count == 4 && parts[1].count == 2 && Int(parts[0]) != nil && (1...12).contains(Int(parts[1]) ?? 0)
    }

    /// The day, `YYYY-MM-DD` in China Standard Time.
    public static func day(wallMillis: UInt64) -> String {
        day(epochDays: Int64((wallMillis / 1_000 + 8 * 3_600) / 86_400))
    }

    /// The day `days` after 1970-01-01 (negative: before it).
    public static func day(epochDays days: Int64) -> String {
        // Civil from days (Howard Hinnant's algorithm), so the core needs no calendar.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        let day = doy - (153 * mp + 2) / 5 + 1
        // Digits by hand: String(format:) goes through a locale, on every op's report facts.
        func padded(_ n: Int64, _ width: Int) -> String {
            let digits = String(n)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2)
    }
}

extension Teller {
    /// A sale: prices from the catalogue (this branch's), the card's discount per line, the
    /// tenders resolved ("the rest", cash change), stored value within this branch's rights,
    /// points for a member, commission for the staff member credited. All or nothing.
    public func sell(_ request: SaleRequest) throws -> OpBody {
        guard (1...Sales.maxLines).contains(request.items.count) else {
            throw MMSError(.invalidArgument, "A sale has 1–\(Sales.maxLines) lines.")
        }
        guard (1...Sales.maxTenders).contains(request.payments.count) else {
            throw MMSError(.invalidArgument, "A sale is paid by 1–\(Sales.maxTenders) tenders.")
        }
        let card = try request.card.map { try payingCard($0, type: nil) }
        // The card's discount or the member's tier's, whichever is lower, on every line.
        let tierPercent = try card.flatMap { try tierRule($0.member)?.discount } ?? 100
        let percent = min(card?.pricePercent ?? 100, tierPercent)
        try requireStaff(request.staff)
        var lines: [SaleLine] = []
        for item in request.items {
            if let price = item.price {
                guard item.sku.isEmpty, item.quantity == 1 else { throw MMSError(.invalidArgument, "An amount line has no SKU and a quantity of 1.") }
                try Self.requireValid(price)
                let paid = Sales.percentOf(price, percent: percent)
                lines.append(SaleLine(sku: "", quantity: 1, unitPrice: price, discount: price - paid, amount: paid, commission: Money(fen: 0), goods: false))
                continue
            }
            guard (1...Sales.maxQuantityPerLine).contains(item.quantity) else {
                throw MMSError(.invalidArgument, "The quantity of \(item.sku.prefix(40)) must be 1–\(Sales.maxQuantityPerLine).", details: ["sku": String(item.sku.prefix(40))])
            }
            guard let product = try Catalogue.product(item.sku, in: state) else {
                throw MMSError(.unknownProduct, "There is no product \(item.sku.prefix(40)).", details: ["sku": String(item.sku.prefix(40))])
            }
            guard product.active else { throw MMSError(.invalidArgument, "Product \(item.sku) is not sold any more.", details: ["sku": item.sku]) }
            let unit = product.price(at: origin)
            let gross = Money(fen: unit.fen * item.quantity)
            let paid = Sales.percentOf(gross, percent: percent)
            lines.append(SaleLine(sku: item.sku, quantity: item.quantity, unitPrice: unit, discount: gross - paid, amount: paid,
                                  commission: request.staff == nil ? Money(fen: 0) : Sales.commission(product.commission, paid: paid, quantity: item.quantity),
                                  goods: product.kind == .goods))
        }
        let total = Money(fen: lines.map(\.amount.fen).reduce(0, +))
        guard total <= Limits.maxAmount else {
            throw MMSError(.invalidAmount, "The sale's total \(total) is over the limit of \(Limits.maxAmount).")
        }
        // The member's own coupon, points and punch uses pay at what the program values them; then the rest.
        var payments = request.payments
        var units: [Int: Int64] = [:], lots: [Int: [LotPoints]] = [:]
        for i in payments.indices where [.coupon, .points, .punch].contains(payments[i].kind) {
            guard let card else { throw MMSError(.invalidArgument, "Points, coupons and punch cards pay only on a member's card.") }
            if payments[i].kind == .coupon {
                guard payments.filter({ $0.kind == .coupon }).count == 1 else { throw MMSError(.invalidArgument, "A sale takes one coupon.") }
                guard payments[i].amount == nil else { throw MMSError(.invalidArgument, "A coupon pays what its terms say: give its code, not an amount.") }
                payments[i].amount = try couponValue(payments[i].reference, member: card.member, total: total, lines: lines)
                units[i] = 1
            } else if payments[i].kind == .punch {
                guard payments.filter({ $0.kind == .punch }).count == 1 else { throw MMSError(.invalidArgument, "A sale takes one punch tender.") }
                guard payments[i].amount == nil else { throw MMSError(.invalidArgument, "A punch card pays its service lines with its uses: give no amount.") }
                let covered = try punchLines(card, lines)
                for j in covered { lines[j].punch = true }
                units[i] = covered.map { lines[$0].quantity }.reduce(0, +)
                payments[i].amount = Money(fen: covered.map { lines[$0].amount.fen }.reduce(0, +))
                payments[i].reference = card.punchAccount
                try requireRights(try state.escrow(card.punchAccount), units[i]!, code: .noUsesLeft, unit: { "\($0)" }, what: "uses of card \(card.number)")
            } else {
                guard payments.filter({ $0.kind == .points }).count == 1 else { throw MMSError(.invalidArgument, "A sale takes one points tender.") }
                guard let amount = payments[i].amount else { throw MMSError(.invalidArgument, "A points tender says the amount it pays, e.g. points:10.00.") }
                payments[i].reference = ""
                try Self.requireValid(amount)
                let rate = try state.program().program.points.redeemPerYuan
                guard amount.fen * rate % 100 == 0 else {
                    throw MMSError(.invalidAmount, "\(rate) points pay 1.00: \(amount) is not a whole number of points.")
                }
                units[i] = amount.fen * rate / 100
                guard units[i]! <= Limits.maxPoints.value else { throw MMSError(.invalidAmount, "That is more points than one sale can take.") }
                lots[i] = try takePoints(units[i]!, of: card.member)
            }
        }
        let (resolved, change) = try resolveTenders(payments, total: total)
        var tenders = resolved.enumerated().map { i, tender in var t = tender; t.units = units[i] ?? 0; t.lots = lots[i] ?? []; return t }
        let own = tenders.filter { [.coupon, .points, .punch].contains($0.kind) }.map(\.amount.fen).reduce(0, +)
        let stored = tenders.filter { $0.kind == .stored }.map(\.amount.fen).reduce(0, +)
        var bonus = Money(fen: 0)
        if stored > 0 {
            guard let card, card.type == .stored else {
                throw MMSError(.wrongCardType, "A stored-value tender needs a stored-value card.", details: ["card": request.card ?? ""])
            }
            guard tenders.filter({ $0.kind == .stored }).count == 1 else { throw MMSError(.invalidArgument, "A sale takes one stored-value tender.") }
            bonus = try spendStored(member: card.member, amount: Money(fen: stored)).bonus
            if let i = tenders.firstIndex(where: { $0.kind == .stored }) { tenders[i].bonus = bonus }
        }
        var sale = Sale(member: card?.member ?? "", card: request.card ?? "", staff: request.staff ?? "", lines: lines, tenders: tenders,
                          total: total, change: change,
                          // Points are earned on what was paid, not on what points, a coupon, punch uses or the bonus took off.
                          pointsEarned: card == nil ? Points(0) : try pointsFor(total - Money(fen: own) - bonus, member: card!.member, card: card!, lines: lines))
        if stored > 0, let card { sale.firstDay = try firstDaySpend(card, Money(fen: stored)) }
        return .sale(sale)
    }

    /// What a coupon takes off this sale, by its terms: the member's own, unused, within its
    /// days, the sale reaching its minimum spend; where the program still has its template, its
    /// weekdays, branches, tiers and the lines it applies to (a percent off those lines, or its
    /// value up to what they come to).
    func couponValue(_ code: String, member: String, total: Money, lines: [SaleLine]) throws -> Money {
        let details = ["coupon": String(code.prefix(Limits.maxIdentifierLength))]
        guard let coupon = try state.coupon(code) else { throw MMSError(.unknownCoupon, "Coupon \(code.prefix(40)) is not known here.", details: details) }
        guard coupon.member == member else { throw MMSError(.invalidArgument, "Coupon \(code) is another member's.", details: details) }
        try requireUsable(coupon)
        guard total >= coupon.minSpend else {
            throw MMSError(.invalidAmount, "Coupon \(code) needs a sale of at least \(coupon.minSpend); this one is \(total).", details: details)
        }
        var value = Money(fen: min(coupon.value.fen, total.fen))
        if let template = try state.program().program.couponTemplate(coupon.template) {
            let weekday = Int64((Int64(wallMillis! / 1_000) + 8 * 3_600) / 86_400 + 3) % 7 + 1
            guard !template.weekdaysExcluded.contains(weekday) else { throw MMSError(.invalidArgument, "Coupon \(code) is not used on this day of the week.", details: details) }
            guard template.branches.isEmpty || template.branches.contains(origin.rawValue) else {
                throw MMSError(.invalidArgument, "Coupon \(code) is not used at \(origin).", details: details)
            }
            if !template.tiers.isEmpty, let view = try state.member(member), !template.tiers.contains(try state.tier(of: view, on: today)) {
                throw MMSError(.invalidArgument, "Coupon \(code) is for members of another tier.", details: details)
            }
            if template.stacking == .exclusive, lines.contains(where: { $0.discount.fen > 0 }) {
                throw MMSError(.invalidArgument, "Coupon \(code) is not used with other discounts, and this sale has the card's or the tier's.", details: details)
            }
            var base = total
            if !template.skus.isEmpty || !template.categories.isEmpty {
                base = Money(fen: try lines.filter { line in
                    try template.skus.contains(line.sku) || (Catalogue.product(line.sku, in: state).map { template.categories.contains($0.category) } ?? false)
                }.map(\.amount.fen).reduce(0, +))
            }
            value = template.kind == .percentOff ? Sales.percentOf(base, percent: template.percent ?? 0) : Money(fen: min(coupon.value.fen, base.fen))
        }
        guard value.fen > 0 else { throw MMSError(.invalidArgument, "Coupon \(code) takes nothing off this sale.", details: details) }
        try requireRights(try state.escrow(Cell.coupon(code)), 1, code: .couponUsed, unit: { "\($0)" }, what: "coupon \(code)")
        return value
    }

    /// The lines a punch card's uses pay: the services its product names (any service when it
    /// names none), one use a unit. Refused when the sale has none of them.
    func punchLines(_ card: CardView, _ lines: [SaleLine]) throws -> [Int] {
        guard card.type == .punch else {
            throw MMSError(.wrongCardType, "Card \(card.number) is a \(card.type.rawValue) card; a punch tender needs a punch card.", details: ["card": card.number, "type": card.type.rawValue])
        }
        let services = try state.program().program.cardProduct(card.product)?.services ?? []
        var covered: [Int] = []
        for (j, line) in lines.enumerated() where !line.goods && !line.sku.isEmpty && (services.isEmpty || services.contains(line.sku)) {
            covered.append(j)
        }
        guard !covered.isEmpty else {
            throw MMSError(.invalidArgument, "Card \(card.number) pays for \(services.isEmpty ? "services" : services.joined(separator: ", ")) only, and this sale has none.",
                           details: ["card": card.number, "services": services.joined(separator: ",")])
        }
        return covered
    }

    func requireStaff(_ staff: String?) throws {
        if let staff, try state.operatorView(staff) == nil {
            throw MMSError(.unknownOperator, "There is no staff member \(staff.prefix(40)) to credit.", details: ["staff": String(staff.prefix(40))])
        }
    }

    /// What the staff member credited earns by head office's `setting` (a top-up's, a card's).
    func staffCommission(_ staff: String?, setting: String, on amount: Money) throws -> Money {
        guard staff != nil else { return Money(fen: 0) }
        try requireStaff(staff)
        return Sales.commission(try CommissionRule(parsing: state.setting(setting)), paid: amount, quantity: 1)
    }

    /// Amounts for every tender: one may be "the rest"; cash may be more than is due (change).
    func resolveTenders(_ payments: [SaleRequest.Payment], total: Money) throws -> ([Tender], Money) {
        guard payments.filter({ $0.amount == nil }).count <= 1 else { throw MMSError(.invalidArgument, "Only one tender can be “rest”.") }
        for p in payments {
            if let amount = p.amount { try Self.requireValid(amount) }
            try Catalogue.validateText(p.reference, "tender reference", max: 60, allowEmpty: true)
        }
        let given = payments.compactMap(\.amount).map(\.fen).reduce(0, +)
        let nonCash = payments.filter { $0.kind != .cash }.compactMap(\.amount).map(\.fen).reduce(0, +)
        var tenders = payments.map { Tender(kind: $0.kind, amount: $0.amount ?? Money(fen: 0), reference: $0.reference) }
        if let rest = payments.firstIndex(where: { $0.amount == nil }) {
            let remaining = total.fen - given
            guard remaining > 0 else {
                throw MMSError(.invalidAmount, "The other tenders already cover the total \(total); “rest” would be \(Money(fen: remaining)).",
                               details: ["total": total.description, "tendered": Money(fen: given).description])
            }
            tenders[rest].amount = Money(fen: remaining)
            return (tenders, Money(fen: 0))
        }
        guard nonCash <= total.fen else {
            throw MMSError(.invalidAmount, "The tenders other than cash (\(Money(fen: nonCash))) are more than the total \(total).",
                           details: ["total": total.description, "tendered": Money(fen: given).description])
        }
        guard given >= total.fen, given == total.fen || payments.contains(where: { $0.kind == .cash }) else {
            throw MMSError(.invalidAmount, "The tenders (\(Money(fen: given))) do not add up to the total \(total).",
                           details: ["total": total.description, "tendered": Money(fen: given).description])
        }
        return (tenders, Money(fen: given - total.fen))
    }
}
