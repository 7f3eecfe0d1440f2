import ArgumentParser
import MMSCore
import MMSNode

/// `mms sell`: a sale of catalogue items, for a member's card or a walk-in customer.
struct Sell: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sell catalogue items or an amount: lines and several tenders in one sale, all or nothing.",
        discussion: "Items are SKUxQTY (PR-104x2); --amount adds an amount line without a SKU (金额消费), the card's discount applied to it. Tenders are KIND:AMOUNT[:REFERENCE] with KIND stored, cash, bank, mobile or points (the amount the member's points pay), and coupon:CODE (what the coupon's terms take off); one AMOUNT may be rest. Cash may be more than is due: the change is answered.")
    @OptionGroup var options: NodeOptions
    @Option(help: "The member's card.") var card: String?
    @Flag(help: "A customer without a card.") var walkIn = false
    @Option(name: .customLong("item"), help: "SKUxQTY, e.g. PR-104x1 (repeatable).") var items: [String] = []
    @Option(name: .customLong("amount"), help: "An amount line without a SKU, e.g. 100.00, before the card's discount (repeatable).") var amounts: [String] = []
    @Option(name: .customLong("tender"), help: "KIND:AMOUNT[:REFERENCE], e.g. stored:200.00, cash:rest, bank:100.00:TX88, points:10.00, coupon:CODE, or punch (the punch card's uses pay its services) (repeatable).") var tenders: [String] = []
    @Option(help: "The staff member credited (their commission).") var staff: String?
    @Option(help: "The card's PIN.") var pin: String?
    @Option(name: .customLong("request-id"), help: "The till's idempotency key: a retry answers the first result.") var requestID: String?

    func run() throws {
        try perform(options) {
            guard walkIn == (card == nil) else { throw MMSError(.invalidArgument, "Give --card NUMBER or --walk-in.") }
            let lines = try items.map(Self.item) + amounts.map { SaleRequest.Item.amount(try money($0, option: "--amount")) }
            let request = SaleRequest(card: card, items: lines, payments: try tenders.map(Self.tender), staff: staff)
            return try options.open().sell(request, pin: pin, requestKey: requestID)
        }
    }

    static func item(_ text: String) throws -> SaleRequest.Item {
        guard let x = text.lastIndex(where: { $0 == "x" || $0 == "X" }), let quantity = Int64(text[text.index(after: x)...]), x > text.startIndex else {
            throw MMSError(.invalidArgument, "--item “\(text.prefix(40))” is not SKUxQTY, e.g. PR-104x1.")
        }
        return SaleRequest.Item(sku: String(text[..<x]), quantity: quantity)
    }

    static func tender(_ text: String) throws -> SaleRequest.Payment {
        // A punch card's uses pay what its product covers: no amount to give.
        if text == TenderKind.punch.rawValue { return SaleRequest.Payment(kind: .punch, amount: nil) }
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, let kind = TenderKind(rawValue: parts[0]), kind != .punch else {
            throw MMSError(.invalidArgument, "--tender “\(text.prefix(40))” is not KIND:AMOUNT with KIND stored, cash, bank, mobile or points, coupon:CODE, or punch.")
        }
        if kind == .coupon { return SaleRequest.Payment(kind: .coupon, amount: nil, reference: parts.dropFirst().joined(separator: ":")) }
        let amount = parts[1] == "rest" ? nil : try money(parts[1], option: "--tender")
        return SaleRequest.Payment(kind: kind, amount: amount, reference: parts.count > 2 ? parts[2] : "")
    }
}

extension SaleResult: TextRendered {
    public var text: String {
        var out = lines.map { "  \($0.sku) \($0.name) ×\($0.quantity) @ \($0.unitPrice)\($0.discount != "0.00" ? " −\($0.discount)" : "") = \($0.amount)" }
        out.insert("Sale \(sale)\(replayed ? " (already done: this is its answer again)" : ""): total \(total)\(discount != "0.00" ? " (discount \(discount))" : "")", at: 0)
        out.append("  paid: " + tenders.map { "\($0.kind) \($0.amount)\($0.reference.map { " [\($0)]" } ?? "")" }.joined(separator: ", ")
                   + (change != "0.00" ? "; change \(change)" : ""))
        if let balance { out.append("  balance \(balance), points +\(pointsEarned) → \(pointsBalance ?? 0)") }
        return out.joined(separator: "\n")
    }
}

extension Sell: ServedCommand {}

struct CommissionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commission", abstract: "Staff commissions earned on sales.", subcommands: [Statement.self])

    struct Statement: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A month's commission per staff member: at this branch and across the chain.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The month, e.g. 2026-11 (China Standard Time).") var month: String
        @Option(help: "Only this staff member.") var staff: String?
        func run() throws { try perform(options) { try options.open().commissionStatement(month: month, staff: staff) } }
    }
}

extension CommissionStatement: TextRendered {
    public var text: String {
        var out = ["Commissions \(month) at \(branch): \(total)"]
        out += staff.map {
            "  \($0.staff) \($0.name)  earned \($0.earned) on \($0.count) sale(s) of \($0.sales)"
                + ($0.topUps != "0.00" ? ", top-ups of \($0.topUps)" : "") + ($0.cards > 0 ? ", \($0.cards) card(s)" : "")
                + "  (chain: \($0.chainEarned) on \($0.chainCount))"
        }
        if staff.isEmpty { out.append("  (nothing credited to staff)") }
        return out.joined(separator: "\n")
    }
}

extension CommissionCommand.Statement: ServedCommand {}

struct ExpenseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expense", abstract: "The branch's books: its expenses by category and month.", subcommands: [Add.self, List.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record an expense of this branch (rent, wages, utilities…).")
        @OptionGroup var options: NodeOptions
        @Option(help: "e.g. 房租, 工资, 水电.") var category: String
        @Option(help: "e.g. 8000.00.") var amount: String
        @Option(help: "What it was for.") var note: String = ""
        func run() throws { try perform(options) { try options.open().addExpense(category: category, amount: try money(amount), note: note) } }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A branch's expenses for a month, by category.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The month, e.g. 2026-11.") var month: String
        @Option(help: "Another branch (head office reads every branch's books).") var branch: String?
        func run() throws { try perform(options) { try options.open().expenses(month: month, branch: try branch.map(NodeID.init)) } }
    }
}

extension ExpenseResult: TextRendered {
    public var text: String { "Expense \(amount) for \(category)\(note.map { " (\($0))" } ?? "") at \(branch); \(category) in \(month): \(monthTotal). [op \(op)]" }
}

extension ExpenseSummary: TextRendered {
    public var text: String {
        (["Expenses at \(branch) in \(month): \(total)"] + categories.sorted { $0.key < $1.key }.map { "  \($0.key)  \($0.value)" }).joined(separator: "\n")
    }
}

extension ExpenseCommand.Add: ServedCommand {}
extension ExpenseCommand.List: ServedCommand {}

/// `mms supplier`: what the branch owes whom.
struct SupplierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "supplier", abstract: "The branch's books: supplier invoices, payments, and what is owed to whom.",
        subcommands: [Invoice.self, Pay.self, Owed.self])

    struct Invoice: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record an invoice this branch received from a supplier.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The supplier, e.g. 上海某某.") var supplier: String
        @Option(help: "The supplier's invoice number (once per supplier).") var invoice: String
        @Option(help: "e.g. 3600.00.") var amount: String
        @Option(help: "When it is due, e.g. 2026-12-31.") var due: String = ""
        @Option(help: "What it was for.") var note: String = ""
        @Option(name: .customLong("request-id"), help: "An idempotency key: a retry answers the first result.") var requestID: String?
        func run() throws {
            try perform(options) {
                try options.open().invoiceSupplier(SupplierInvoice(supplier: supplier, number: invoice, amount: try money(amount), due: due, note: note),
                                                   requestKey: requestID)
            }
        }
    }

    struct Pay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pay a supplier: on one invoice, or on its open invoices, the oldest due first; never more than is owed.",
            discussion: "Cash comes out of the till's drawer: the till's daily close expects that much less.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The supplier.") var supplier: String
        @Option(help: "e.g. 1000.00.") var amount: String
        @Option(help: "Only this invoice.") var invoice: String?
        @Option(help: "cash, bank or mobile.") var tender: TenderKind = .bank
        @Option(help: "The transfer's reference.") var reference: String = ""
        @Option(name: .customLong("request-id"), help: "An idempotency key: a retry answers the first payment, never pays twice.") var requestID: String?
        func run() throws {
            try perform(options) {
                try options.open().paySupplier(supplier, amount: try money(amount), invoice: invoice, tender: tender, reference: reference, requestKey: requestID)
            }
        }
    }

    struct Owed: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What a branch owes its suppliers, invoice by invoice.")
        @OptionGroup var options: NodeOptions
        @Option(help: "Only this supplier.") var supplier: String?
        @Option(help: "Another branch (head office reads every branch's books).") var branch: String?
        func run() throws { try perform(options) { try options.open().payables(branch: try branch.map(NodeID.init), supplier: supplier) } }
    }
}

extension PayablesStatement: TextRendered {
    public var text: String {
        var out = ["Owed by \(branch): \(owed)" + (op.map { " [op \($0)]" } ?? "")]
        for account in suppliers {
            out.append("  \(account.supplier)  invoiced \(account.invoiced), paid \(account.paid), owed \(account.owed)")
            out += account.invoices.map {
                "    \($0.number)  \($0.amount)  paid \($0.paid)  owed \($0.owed)" + ($0.due.map { "  due \($0)" } ?? "") + ($0.overdue ? "  OVERDUE" : "")
            }
        }
        if suppliers.isEmpty { out.append("  (no supplier invoices)") }
        return out.joined(separator: "\n")
    }
}

extension SupplierCommand.Invoice: ServedCommand {}
extension SupplierCommand.Pay: ServedCommand {}
extension SupplierCommand.Owed: ServedCommand {}

/// `mms return`: a customer brings back some or all of a sale.
struct ReturnSale: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "return",
        abstract: "Give back some lines of a sale (or all that is left): money back the way it came, goods to the shelf, commission reversed.")
    @OptionGroup var options: NodeOptions
    @Option(help: "The sale's id, as its receipt shows it (e.g. branch-1/8).") var sale: String
    @Option(name: .customLong("line"), help: "LINExQTY, the receipt's line number and how many units (repeatable); none: everything left.") var lines: [String] = []
    @Option(name: .customLong("request-id"), help: "The till's idempotency key: a retry answers the first result.") var requestID: String?

    func run() throws {
        try perform(options) {
            var quantities: [Int: Int64] = [:]
            for text in lines {
                let item = try Sell.item(text)
                guard let line = Int(item.sku), line > 0 else { throw MMSError(.invalidArgument, "--line “\(text.prefix(20))” is not LINExQTY, e.g. 1x1.") }
                quantities[line, default: 0] += item.quantity
            }
            return try options.open().returnSale(try OpID(parsing: sale), quantities: quantities, requestKey: requestID)
        }
    }
}

extension SaleReturnResult: TextRendered {
    public var text: String {
        var out = ["Returned from sale \(sale)\(replayed ? " (already done)" : ""): \(amount)"]
        out += lines.map { "  line \($0.line) \($0.sku) ×\($0.quantity) = \($0.amount)" }
        out.append("  back: " + refunds.map { "\($0.kind) \($0.amount)" }.joined(separator: ", ") + (balance.map { "; balance \($0)" } ?? ""))
        return out.joined(separator: "\n") + " [op \(op)]"
    }
}

extension ReturnSale: ServedCommand {}

extension TillCloseResult: TextRendered {
    public var text: String { "Till \(till) closed for \(day) at \(branch): expected \(expected), counted \(counted), difference \(difference). [op \(op)]" }
}

extension TillCommand.Close: ServedCommand {}
extension TillCommand.Days: ServedCommand {}

extension TillDays: TextRendered {
    public var text: String {
        var out = ["Till days at \(branch) in \(month): differences \(difference)"]
        out += days.map { d in
            "  \(d.day)  \(d.till)  expected \(d.expected)" + (d.closed ? ", counted \(d.counted ?? "") (\(d.difference ?? ""))" : "  (not closed)")
        }
        return out.joined(separator: "\n")
    }
}
