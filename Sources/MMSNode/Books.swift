import Foundation
import MMSCore
import MMSStore

public struct ExpenseResult: Codable, Sendable, Equatable {
    public let op: String
    public let branch: String
    public let month: String
    public let category: String
    public let amount: String
    public let note: String?
    /// This branch's expenses in the category this month, after this one.
    public let monthTotal: String
}

public struct ExpenseSummary: Codable, Sendable, Equatable {
    public let branch: String
    public let month: String
    /// Category → amount spent this month.
    public let categories: [String: String]
    public let total: String
}

extension LocalNode {
    public func addExpense(category: String, amount: Money, note: String) throws -> ExpenseResult {
        try permit(.keepBooks)
        let issued = try commit(decide: { teller, _ in try teller.addExpense(category: category, amount: amount, note: note) })
        let op = issued.op!.op
        let month = Sales.month(wallMillis: op.hlc.wallMillis)
        let total = try store.read { try $0.counter(entity: Cell.books(branch: self.id, month: month), name: Cell.expense(category))[self.id] ?? 0 }
        return ExpenseResult(op: op.id.description, branch: id.rawValue, month: month, category: category, amount: amount.description,
                             note: note.isEmpty ? nil : note, monthTotal: Money(fen: total).description)
    }

    /// A branch's expenses for a month by category (this node's own unless `branch` is given).
    public func expenses(month: String, branch: NodeID? = nil) throws -> ExpenseSummary {
        try permit(.readAudit)
        try Self.validateMonth(month)
        let branch = branch ?? id
        try requireScope(branch, "the books")
        let counters = try store.read { try $0.counters(entity: Cell.books(branch: branch, month: month)) }
        var categories: [String: String] = [:]
        var total: Int64 = 0
        for (name, slots) in counters where name.hasPrefix(Cell.expensePrefix) {
            let spent = slots.values.reduce(0, +)
            categories[String(name.dropFirst(Cell.expensePrefix.count))] = Money(fen: spent).description
            total += spent
        }
        return ExpenseSummary(branch: branch.rawValue, month: month, categories: categories, total: Money(fen: total).description)
    }

    /// `YYYY-MM`, or `invalid_argument`.
    static func validateMonth(_ month: String) throws {
        guard Sales.isMonth(month) else {
            throw MMSError(.invalidArgument, "--month “\(month.prefix(20))” is not a month like 2026-11.")
        }
    }
}

public struct TillCloseResult: Codable, Sendable, Equatable {
    public let op: String
    public let branch: String
    public let till: String
    public let day: String
    /// Cash the drawer should hold: cash taken on sales, less change, less cash given back.
    public let expected: String
    public let counted: String
    /// Counted minus expected: negative when cash is missing.
    public let difference: String
}

extension LocalNode {
    /// Closes a till's day (today, China Standard Time, unless `day` is given) with the cash counted.
    public func closeTill(_ till: String, day: String?, counted: Money) throws -> TillCloseResult {
        try permit(.keepBooks)
        let day = day ?? Sales.day(wallMillis: clock())
        let issued = try commit(decide: { teller, _ in try teller.closeTill(till, day: day, counted: counted) })
        guard case .tillClosed(let c) = issued.op!.op.body else { preconditionFailure("a till close issued another op") }
        return TillCloseResult(op: issued.op!.id.description, branch: id.rawValue, till: c.till, day: c.day, expected: c.expected.description,
                               counted: c.counted.description, difference: Money(fen: c.difference).description)
    }
}

/// One till's day: the cash expected from its sales, returns and top-ups, and, once closed, what
/// was counted.
public struct TillDay: Codable, Sendable, Equatable {
    public let till: String
    public let day: String
    public let closed: Bool
    /// At the close, or as it stands now for a day not yet closed.
    public let expected: String
    public let counted: String?
    public let difference: String?
}

public struct TillDays: Codable, Sendable, Equatable {
    public let branch: String
    public let month: String
    public let days: [TillDay]
    /// The differences of the closed days, summed: what went missing (negative) or over.
    public let difference: String
}

extension LocalNode {
    /// A branch's till days in `month` (this node's own unless `branch` is given: head office
    /// reads every branch's books), closed or still open.
    public func tillDays(month: String, branch: NodeID? = nil) throws -> TillDays {
        try permit(.readAudit)
        try Self.validateMonth(month)
        let branch = branch ?? id
        try requireScope(branch, "the books")
        let prefix = String(Cell.tillDay(branch: branch, till: "", day: "").dropLast())
        let entities = try store.drawers(branch: branch).filter { $0.suffix(10).hasPrefix(month) }
        var difference: Int64 = 0
        let days = try store.read { state in
            try entities.compactMap { entity -> TillDay? in
                let rest = entity.dropFirst(prefix.count)
                guard rest.count > 11 else { return nil }
                let day = String(rest.suffix(10)), till = String(rest.dropLast(11))
                let closed = try state.flags(entity: entity).contains(Cell.tillClosed)
                let texts = try state.texts(entity: entity)
                let expected = closed ? Int64(texts[Cell.tillExpected] ?? "") ?? 0 : Teller.expectedCash(try state.counters(entity: entity), at: branch)
                let counted = closed ? Int64(texts[Cell.tillCounted] ?? "") : nil
                difference += counted.map { $0 - expected } ?? 0
                return TillDay(till: till, day: day, closed: closed, expected: Money(fen: expected).description,
                               counted: counted.map { Money(fen: $0).description }, difference: counted.map { Money(fen: $0 - expected).description })
            }
        }
        return TillDays(branch: branch.rawValue, month: month, days: days, difference: Money(fen: difference).description)
    }
}

/// One supplier's account at a branch: each invoice, what was paid on it, what is owed.
public struct SupplierAccount: Codable, Sendable, Equatable {
    public struct Invoice: Codable, Sendable, Equatable {
        public let number: String
        public let amount: String
        public let paid: String
        public let owed: String
        public let due: String?
        /// Owed and past its due date.
        public let overdue: Bool
        public let note: String?
    }
    public let supplier: String
    public let invoiced: String
    public let paid: String
    public let owed: String
    public let invoices: [Invoice]
}

/// What a branch owes whom.
public struct PayablesStatement: Codable, Sendable, Equatable {
    public let branch: String
    public let suppliers: [SupplierAccount]
    public let owed: String
    /// The op that made this change, on a write.
    public var op: String?
}

extension LocalNode {
    /// With `requestKey`, a retry is answered with the op it made the first time, and nothing is recorded twice.
    public func invoiceSupplier(_ invoice: SupplierInvoice, requestKey: String? = nil) throws -> PayablesStatement {
        try permit(.keepBooks)
        let request = try fingerprint("supplier-invoice", invoice.supplier, invoice.number, invoice.amount.description, invoice.due, invoice.note, key: requestKey)
        let issued = try commit(request: request, decide: { teller, _ in try teller.invoiceSupplier(invoice) })
        var statement = try payables(supplier: invoice.supplier)
        statement.op = issued.op?.id.description ?? issued.response
        return statement
    }

    /// With `requestKey`, a retry is answered with the first payment's op, and nothing is paid twice.
    public func paySupplier(_ supplier: String, amount: Money, invoice: String?, tender: TenderKind, reference: String,
                            requestKey: String? = nil) throws -> PayablesStatement {
        try permit(.keepBooks)
        let request = try fingerprint("supplier-pay", supplier, amount.description, invoice ?? "", tender.rawValue, reference, key: requestKey)
        let issued = try commit(request: request, decide: { teller, _ in
            try teller.paySupplier(supplier, amount: amount, invoice: invoice, tender: tender, reference: reference)
        })
        var statement = try payables(supplier: supplier)
        statement.op = issued.op?.id.description ?? issued.response
        return statement
    }

    /// What a branch (this node unless `branch` is given: head office reads every branch's
    /// books) owes its suppliers, invoice by invoice.
    public func payables(branch: NodeID? = nil, supplier: String? = nil) throws -> PayablesStatement {
        try permit(.readAudit)
        let branch = branch ?? id
        try requireScope(branch, "the books")
        let today = Sales.day(wallMillis: clock())
        let invoices = try store.read { try Payables.invoices(branch: branch, in: $0) }.filter { supplier == nil || $0.supplier == supplier }
        let accounts = Dictionary(grouping: invoices, by: \.supplier).sorted { $0.key < $1.key }.map { name, list in
            func sum(_ f: (Payables.Invoice) -> Money) -> String { Money(fen: list.map { f($0).fen }.reduce(0, +)).description }
            return SupplierAccount(
                supplier: name, invoiced: sum(\.amount), paid: sum(\.paid), owed: sum(\.owed),
                invoices: list.map { i in
                    SupplierAccount.Invoice(number: i.number, amount: i.amount.description, paid: i.paid.description, owed: i.owed.description,
                                            due: i.due.isEmpty ? nil : i.due, overdue: i.owed.fen > 0 && !i.due.isEmpty && i.due < today,
                                            note: i.note.isEmpty ? nil : i.note)
                })
        }
        return PayablesStatement(branch: branch.rawValue, suppliers: accounts, owed: Money(fen: invoices.map(\.owed.fen).reduce(0, +)).description)
    }
}
