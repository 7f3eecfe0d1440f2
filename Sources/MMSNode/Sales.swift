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
    /// The member's stored value after the sale (nil for a walk-in).
    public let balance: String?
    public let pointsEarned: Int64
    public let pointsBalance: Int64?
    public var replayed: Bool
}

extension LocalNode {
    /// A sale of catalogue items paid by one or more tenders, for a member's card or a walk-in
    /// customer. The card's PIN is checked when the card has one. One op: all or nothing.
    public func sell(_ request: SaleRequest, pin: String?, requestKey: String?) throws -> SaleResult {
        try permit(.sale)
        let fingerprint = try fingerprint("sell", request.card ?? "-", request.staff ?? "-",
                                      request.items.map { "\($0.sku)x\($0.quantity)" }.joined(separator: ","),
                                      request.payments.map { "\($0.kind.rawValue):\($0.amount?.description ?? "rest"):\($0.reference)" }.joined(separator: ","),
                                      key: requestKey)
        return try pay(card: request.card, pin: pin, checkPIN: request.card != nil, request: fingerprint,
                       decide: { try $0.sell(request) }, answer: { op, state in try Self.saleResult(op, state: state) })
    }

    static func saleResult(_ op: Op, state: any StateReader) throws -> SaleResult {
        guard case .sale(let s) = op.body else { preconditionFailure("a sale issued \(op.body.kind)") }
        let member = s.member.isEmpty ? nil : s.member
        let lines = try s.lines.map { l in
            SaleLineResult(sku: l.sku, name: try Catalogue.product(l.sku, in: state)?.name ?? "", quantity: l.quantity,
                           unitPrice: l.unitPrice.description, discount: l.discount.description, amount: l.amount.description)
        }
        return SaleResult(
            sale: op.id.description, member: member, card: s.card.isEmpty ? nil : s.card, staff: s.staff.isEmpty ? nil : s.staff,
            lines: lines, total: s.total.description, discount: Money(fen: s.lines.map(\.discount.fen).reduce(0, +)).description,
            tenders: s.tenders.map { TenderResult(kind: $0.kind.rawValue, amount: $0.amount.description, reference: $0.reference.isEmpty ? nil : $0.reference) },
            change: s.change.description,
            balance: try member.map { Money(fen: try state.escrow(Cell.storedValue(member: $0)).total).description },
            pointsEarned: s.pointsEarned.value,
            pointsBalance: try member.map { try state.escrow(Cell.points(member: $0)).total },
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
    /// The same across every branch this replica has heard from.
    public let chainEarned: String
    public let chainSales: String
    public let chainCount: Int64
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
        let parts = month.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, Int(parts[0]) != nil, (1...12).contains(Int(parts[1]) ?? 0) else {
            throw MMSError(.invalidArgument, "--month “\(month.prefix(20))” is not a month like 2026-11.")
        }
        let names = try only.map { [$0] } ?? store.commissionStaff(month: month)
        return try store.read { state in
            let lines = try names.map { staff -> CommissionLine in
                let c = try state.counters(entity: Cell.commission(month: month, staff: staff))
                func here(_ name: String) -> Int64 { c[name]?[self.id] ?? 0 }
                func chain(_ name: String) -> Int64 { c[name]?.values.reduce(0, +) ?? 0 }
                return CommissionLine(staff: staff, name: try state.operatorView(staff)?.name ?? "",
                                      earned: Money(fen: here(Cell.commissionEarned)).description, sales: Money(fen: here(Cell.commissionSales)).description,
                                      count: here(Cell.commissionCount),
                                      chainEarned: Money(fen: chain(Cell.commissionEarned)).description, chainSales: Money(fen: chain(Cell.commissionSales)).description,
                                      chainCount: chain(Cell.commissionCount))
            }
            let total = try names.map { try state.counters(entity: Cell.commission(month: month, staff: $0))[Cell.commissionEarned]?[self.id] ?? 0 }.reduce(0, +)
            return CommissionStatement(month: month, branch: self.id.rawValue, staff: lines, total: Money(fen: total).description)
        }
    }
}
