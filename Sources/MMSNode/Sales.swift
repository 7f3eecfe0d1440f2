import Foundation
import MMSCore
import MMSStore

public struct SaleLineResult: Codable, Sendable, Equatable {
    public let sku: String
    public let name: String
    public let quantity: Int64
    public let unitPrice: String
    public let discount: String
    public let amount: String
}

public struct TenderResult: Codable, Sendable, Equatable {
    public let kind: String
    public let amount: String
    public let reference: String?
    /// Stored value: the part paid from (or given back to) the bonus balance.
    public var bonus: String? = nil

    init(_ t: Tender, reference: String?) {
        kind = t.kind.rawValue; amount = t.amount.description; self.reference = reference
        bonus = t.bonus.fen > 0 ? t.bonus.description : nil
    }
}

/// The answer to a sale: what was sold, what it cost, how it was paid.
public struct SaleResult: Codable, Sendable, Equatable, Replayable {
    /// The sale's op id: its receipt number and what a return refers to.
    public let sale: String
    public let member: String?
    public let card: String?
    public let staff: String?
    public let lines: [SaleLineResult]
    public let total: String
    /// What the discounts took off the list prices.
    public let discount: String
    public let tenders: [TenderResult]
    /// Cash given back.
    public let change: String
    /// The member's stored value after the sale (nil for a walk-in), and their bonus balance.
    public let balance: String?
    public var bonusBalance: String? = nil
    public let pointsEarned: Int64
    public let pointsBalance: Int64?
    public var replayed: Bool
    /// The receipt's QR code for a member's sale: their page at `/m/r/<link>`, for a day.
    public var memberLink: String? = nil
}

extension LocalNode {
    /// The number of sales in the log and their mean size in bytes, for `mms bench`.
    public func saleOpSize() throws -> (count: Int, meanBytes: Double) { try store.opSize(kind: "sale") }

    /// A sale of catalogue items paid by one or more tenders, for a member's card or a walk-in
    /// customer. The card's PIN is checked when the card has one. One op: all or nothing.
    /// The card may be a member code, which asks for no PIN (its holder signed in with it).
    public func sell(_ presented: SaleRequest, pin: String?, requestKey: String?) throws -> SaleResult {
        try permit(.sale)
        var request = presented
        let presentedCard = try presented.card.map(cardPresented)
        request.card = presentedCard?.number
        let fingerprint = try fingerprint("sell", request.card ?? "-", request.staff ?? "-",
                                      request.items.map { "\($0.sku)x\($0.quantity)\($0.price.map { "@\($0)" } ?? "")" }.joined(separator: ","),
                                      request.payments.map { "\($0.kind.rawValue):\($0.amount?.description ?? "rest"):\($0.reference)" }.joined(separator: ","),
                                      key: requestKey)
        // The member's PIN guards what is theirs: stored value, points, coupons; cash needs none.
        let ownTenders = request.payments.contains { TenderKind.members.contains($0.kind) }
        var result = try pay(card: request.card, pin: pin, checkPIN: request.card != nil && ownTenders && presentedCard?.byMemberCode != true, request: fingerprint,
                             decide: { try presentedCard?.requireInTime(); return try $0.sell(request) }, answer: { op, state in
                                 guard case .sale(let sale) = op.body else { preconditionFailure("a sale issued \(op.body.kind)") }
                                 return try Self.saleResult(op.id.description, sale, day: Sales.day(wallMillis: op.hlc.wallMillis), state: state)
                             })
        // The receipt's link, made as the answer is given (never stored with it).
        result.memberLink = result.card.map { receiptLink(card: $0, now: clock()) }
        return result
    }

    /// What a basket comes to, decided as its sale would be (prices here, the card's discount,
    /// the rounding) with nothing written: the till shows it before taking the tenders. Without
    /// tenders it is priced as paid in cash; `sale` is empty in the answer.
    public func quote(_ request: SaleRequest) throws -> SaleResult {
        try permit(.sale)
        var priced = request
        if let card = try request.card.map(cardPresented) {
            try card.requireInTime()
            priced.card = card.number
        }
        if priced.payments.isEmpty { priced.payments = [SaleRequest.Payment(kind: .cash, amount: nil)] }
        return try store.read { state in
            let now = self.clock()
            guard case .sale(let sale) = try Teller(state: state, origin: self.id, role: self.role, wallMillis: now).sell(priced) else {
                preconditionFailure("a sale decided something else")
            }
            return try Self.saleResult("", sale, day: Sales.day(wallMillis: now), state: state)
        }
    }

    static func saleResult(_ id: String, _ s: Sale, day: String, state: any StateReader) throws -> SaleResult {
        let member = s.member.isEmpty ? nil : s.member
        let lines = try s.lines.map { l in
            SaleLineResult(sku: l.sku, name: l.sku.isEmpty ? Sales.amountLineName : try Catalogue.product(l.sku, in: state)?.name ?? "", quantity: l.quantity,
                           unitPrice: l.unitPrice.description, discount: l.discount.description, amount: l.amount.description)
        }
        return SaleResult(
            sale: id, member: member, card: s.card.isEmpty ? nil : s.card, staff: s.staff.isEmpty ? nil : s.staff,
            lines: lines, total: s.total.description, discount: Money(fen: s.lines.map(\.discount.fen).reduce(0, +)).description,
            tenders: s.tenders.map { TenderResult($0, reference: $0.reference.isEmpty ? nil : $0.reference) },
            change: s.change.description,
            balance: try member.map { Money(fen: try state.escrow(Cell.storedValue(member: $0)).total).description },
            bonusBalance: try member.map { try state.bonus(of: $0).description },
            pointsEarned: s.pointsEarned.value,
            pointsBalance: try member.map { try PointsLots.usable(member: $0, on: day, in: state) },
            replayed: false)
    }
}

/// One staff member's commission for a month: at this branch and across the chain.
public struct CommissionLine: Codable, Sendable, Equatable {
    public let staff: String
    public let name: String
    /// Commission earned on sales made at this branch.
    public let earned: String
    public let sales: String
    public let count: Int64
    /// Top-ups credited to them (the sum) and cards they sold, here.
    public let topUps: String
    public let cards: Int64
    /// The same across every branch this replica has heard from.
    public let chainEarned: String
    public let chainSales: String
    public let chainCount: Int64
    public let chainTopUps: String
    public let chainCards: Int64
}

public struct CommissionStatement: Codable, Sendable, Equatable {
    public let month: String
    public let branch: String
    public let staff: [CommissionLine]
    /// Commission earned at this branch in the month.
    public let total: String
}

extension LocalNode {
    /// Commissions for `month` (YYYY-MM, China Standard Time) from the counters sales keep per
    /// staff member and branch: no sale is read again.
    public func commissionStatement(month: String, staff only: String? = nil) throws -> CommissionStatement {
        try permit(.readAudit)
        try Self.validateMonth(month)
        let names = try only.map { [$0] } ?? store.commissionStaff(month: month)
        return try store.read { state in
            let lines = try names.map { staff -> CommissionLine in
                let c = try state.counters(entity: Cell.commission(month: month, staff: staff))
                // Returns take their commission back: earned is what the sales earned less that.
                func here(_ name: String) -> Int64 {
                    (c[name]?[self.id] ?? 0) - (name == Cell.commissionEarned ? c[Cell.commissionReturned]?[self.id] ?? 0 : 0)
                }
                func chain(_ name: String) -> Int64 {
                    (c[name]?.values.reduce(0, +) ?? 0) - (name == Cell.commissionEarned ? c[Cell.commissionReturned]?.values.reduce(0, +) ?? 0 : 0)
                }
                return CommissionLine(staff: staff, name: try state.operatorView(staff)?.name ?? "",
                                      earned: Money(fen: here(Cell.commissionEarned)).description, sales: Money(fen: here(Cell.commissionSales)).description,
                                      count: here(Cell.commissionCount),
                                      topUps: Money(fen: here(Cell.commissionTopUps)).description, cards: here(Cell.commissionCards),
                                      chainEarned: Money(fen: chain(Cell.commissionEarned)).description, chainSales: Money(fen: chain(Cell.commissionSales)).description,
                                      chainCount: chain(Cell.commissionCount),
                                      chainTopUps: Money(fen: chain(Cell.commissionTopUps)).description, chainCards: chain(Cell.commissionCards))
            }
            let total = lines.compactMap { Money(parsing: $0.earned)?.fen }.reduce(0, +)
            return CommissionStatement(month: month, branch: self.id.rawValue, staff: lines, total: Money(fen: total).description)
        }
    }
}

/// The answer to a return: what came back, and how the money went back.
public struct SaleReturnResult: Codable, Sendable, Equatable, Replayable {
    public struct Line: Codable, Sendable, Equatable {
        /// 1-based, as on the receipt.
        public let line: Int
        public let sku: String
        public let quantity: Int64
        public let amount: String
    }
    public let op: String
    public let sale: String
    public let lines: [Line]
    public let amount: String
    public let refunds: [TenderResult]
    public let pointsTakenBack: Int64
    public let balance: String?
    public var bonusBalance: String? = nil
    public var replayed: Bool
}

extension LocalNode {
    /// Gives back some lines of a sale (`quantities`: 1-based line → units), or all that is left.
    /// A cashier may return on the sale's day (China Standard Time); after it, a manager.
    public func returnSale(_ sale: OpID, quantities: [Int: Int64], requestKey: String?) throws -> SaleReturnResult {
        try permit(.returnSale)
        if let role = caller.role, !Permissions.allows(role, .refund) {
            let saleDay = try store.read { try $0.texts(entity: Cell.sale(sale))[Cell.saleDay] }
            if let saleDay, saleDay != Sales.day(wallMillis: clock()) {
                throw MMSError(.notPermitted, "Sale \(sale) was made on \(saleDay); a return after the day of the sale needs a manager.",
                               details: ["sale": sale.description])
            }
        }
        let zeroBased = Dictionary(uniqueKeysWithValues: quantities.map { ($0.key - 1, $0.value) })
        let request = try fingerprint("return", sale.description, quantities.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ","), key: requestKey)
        return try pay(card: nil, pin: nil, checkPIN: false, request: request, decide: { try $0.returnSale(sale, quantities: zeroBased) }) { op, state in
            guard case .saleReturned(let r) = op.body else { preconditionFailure("a return issued \(op.body.kind)") }
            return SaleReturnResult(op: op.id.description, sale: r.sale.description,
                                    lines: r.lines.map { .init(line: $0.index + 1, sku: $0.sku, quantity: $0.quantity, amount: $0.amount.description) },
                                    amount: r.amount.description,
                                    refunds: r.refunds.map { TenderResult($0, reference: nil) },
                                    pointsTakenBack: r.points.value,
                                    balance: r.member.isEmpty ? nil : Money(fen: try state.escrow(Cell.storedValue(member: r.member)).total).description,
                                    bonusBalance: r.member.isEmpty ? nil : try state.bonus(of: r.member).description,
                                    replayed: false)
        }
    }
}
