/// What a branch owes its suppliers: invoices it received and the payments it made against
/// them. Like the rest of the books, only the branch writes its own (each op counts at the
/// issuing branch), so no escrow is needed: its own replica decides every payment.
public struct SupplierInvoice: Equatable, Sendable {
    public var supplier: String
    public var number: String
    public var amount: Money
    /// `YYYY-MM-DD`, or empty.
    public var due: String
    public var note: String
    public init(supplier: String, number: String, amount: Money, due: String, note: String) {
        self.supplier = supplier; self.number = number; self.amount = amount; self.due = due; self.note = note
    }
}

/// A payment to a supplier, allocated to its open invoices when it is decided.
public struct SupplierPayment: Equatable, Sendable {
    public struct Allocation: Equatable, Sendable {
        public var invoice: String
        public var amount: Money
        public init(invoice: String, amount: Money) { self.invoice = invoice; self.amount = amount }
    }
    public var supplier: String
    public var allocations: [Allocation]
    /// Cash (out of the till's drawer), bank or mobile.
    public var tender: TenderKind
    public var reference: String
    public init(supplier: String, allocations: [Allocation], tender: TenderKind, reference: String) {
        self.supplier = supplier; self.allocations = allocations; self.tender = tender; self.reference = reference
    }
    public var amount: Money { Money(fen: allocations.map(\.amount.fen).reduce(0, +)) }
}

public enum Payables {
    public static let maxSupplierLength = 40
    public static let maxInvoiceLength = 40
    public static let maxAllocations = 50

    /// One invoice as a branch's replica knows it.
    public struct Invoice: Equatable, Sendable {
        public var supplier: String
        public var number: String
        public var amount: Money
        public var due: String
        public var note: String
        public var paid: Money
        public var owed: Money { amount - paid }
    }

    /// Every invoice a branch received, with what was paid on each.
    public static func invoices(branch: NodeID, in state: any StateReader) throws -> [Invoice] {
        let e = Cell.payables(branch: branch)
        let texts = try state.texts(entity: e)
        let counters = try state.counters(entity: e)
        return texts.compactMap { name, value -> Invoice? in
            guard name.hasPrefix(Cell.invoicePrefix) else { return nil }
            let key = name.dropFirst(Cell.invoicePrefix.count).split(separator: Cell.separator, omittingEmptySubsequences: false).map(String.init)
            let fields = value.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard key.count == 2, fields.count == 3, let fen = Int64(fields[0]) else { return nil }
            let paid = counters[Cell.invoicePaid(supplier: key[0], number: key[1])]?.values.reduce(0, +) ?? 0
            return Invoice(supplier: key[0], number: key[1], amount: Money(fen: fen), due: fields[1], note: fields[2], paid: Money(fen: paid))
        }.sorted { ($0.supplier, $0.due.isEmpty ? "9" : $0.due, $0.number) < ($1.supplier, $1.due.isEmpty ? "9" : $1.due, $1.number) }
    }
}

extension Teller {
    /// An invoice this branch received; a supplier's invoice number is taken once.
    public func invoiceSupplier(_ invoice: SupplierInvoice) throws -> OpBody {
        try Catalogue.validateText(invoice.supplier, "supplier", max: Payables.maxSupplierLength)
        try Catalogue.validateText(invoice.number, "invoice number", max: Payables.maxInvoiceLength)
        try Catalogue.validateText(invoice.note, "note", max: Books.maxNoteLength, allowEmpty: true)
        try Self.requireValid(invoice.amount)
        guard invoice.due.isEmpty || Sales.isDay(invoice.due) else {
            throw MMSError(.invalidArgument, "The due date “\(invoice.due.prefix(20))” is not a day like 2026-12-31.")
        }
        guard try !Payables.invoices(branch: origin, in: state).contains(where: { $0.supplier == invoice.supplier && $0.number == invoice.number }) else {
            throw MMSError(.invalidArgument, "Invoice \(invoice.number) of \(invoice.supplier) is already in the books.",
                           details: ["supplier": invoice.supplier, "invoice": invoice.number])
        }
        return .supplierInvoiced(invoice)
    }

    /// Pays `amount` to a supplier: on `invoice` when named, else on its open invoices, the
    /// oldest due first. Never more than is owed.
    public func paySupplier(_ supplier: String, amount: Money, invoice: String?, tender: TenderKind, reference: String) throws -> OpBody {
        try Self.requireValid(amount)
        guard TenderKind.money.contains(tender) else { throw MMSError(.invalidArgument, "A supplier is paid in cash, by bank transfer or by mobile payment.") }
        try Catalogue.validateText(reference, "reference", max: 60, allowEmpty: true)
        let open = try Payables.invoices(branch: origin, in: state).filter { $0.supplier == supplier && $0.owed.fen > 0 && (invoice == nil || $0.number == invoice) }
        let owed = open.map(\.owed.fen).reduce(0, +)
        guard owed > 0 else {
            throw MMSError(.invalidArgument, invoice.map { "Nothing is owed on invoice \($0.prefix(40)) of \(supplier.prefix(40))." }
                           ?? "Nothing is owed to \(supplier.prefix(40)) here.", details: ["supplier": String(supplier.prefix(40))])
        }
        guard amount.fen <= owed else {
            throw MMSError(.invalidAmount, "\(amount) is more than the \(Money(fen: owed)) owed.", details: ["owed": Money(fen: owed).description])
        }
        var left = amount.fen
        var allocations: [SupplierPayment.Allocation] = []
        for inv in open where left > 0 {
            let part = min(left, inv.owed.fen)
            allocations.append(.init(invoice: inv.number, amount: Money(fen: part)))
            left -= part
        }
        guard allocations.count <= Payables.maxAllocations else {
            throw MMSError(.invalidArgument, "One payment covers at most \(Payables.maxAllocations) invoices; pay in parts.")
        }
        return .supplierPaid(SupplierPayment(supplier: supplier, allocations: allocations, tender: tender, reference: reference))
    }
}

extension Cell {
    /// One branch's payables: each invoice (a text) and what was paid on it (a counter).
    public static func payables(branch: NodeID) -> String { "payables:\(branch.rawValue)" }
    public static let invoicePrefix = "invoice:"
    static let separator: Character = "\u{1F}"
    public static func invoice(supplier: String, number: String) -> String { "\(invoicePrefix)\(supplier)\(separator)\(number)" }
    public static func invoicePaid(supplier: String, number: String) -> String { "paid:\(supplier)\(separator)\(number)" }
}
