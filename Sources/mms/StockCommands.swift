import ArgumentParser
import MMSCore
import MMSNode

/// A branch's stock: only the branch itself moves it.
struct StockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stock", abstract: "This branch's stock: receive, return to a supplier, transfer, confirm a transfer, count, thresholds, show.",
        subcommands: [Receive.self, Return.self, Transfer.self, Arrive.self, Count.self, Threshold.self, Show.self])

    struct Receive: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Goods received from a supplier into this branch's stock.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The product's SKU.") var sku: String
        @Option(help: "How many units.") var qty: Int64
        @Option(help: "Who delivered them.") var supplier: String = ""
        @Option(help: "Cost per unit, e.g. 150.00.") var cost: String?
        func run() throws {
            try perform(options) {
                try options.open().receiveStock(StockMove(sku: sku, quantity: qty, supplier: supplier,
                                                          unitCost: try cost.map(Catalogue.price(typed:)) ?? Money(fen: 0)))
            }
        }
    }

    struct Return: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Goods sent back to their supplier.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The product's SKU.") var sku: String
        @Option(help: "How many units.") var qty: Int64
        @Option(help: "The supplier they go back to.") var supplier: String = ""
        func run() throws { try perform(options) { try options.open().returnStock(StockMove(sku: sku, quantity: qty, supplier: supplier)) } }
    }

    struct Transfer: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send stock to another branch: out here now, in there when it confirms (`stock arrive`).")
        @OptionGroup var options: NodeOptions
        @Option(help: "The product's SKU.") var sku: String
        @Option(help: "How many units.") var qty: Int64
        @Option(help: "The receiving branch.") var to: String
        func run() throws { try perform(options) { try options.open().transferStock(StockTransfer(sku: sku, quantity: qty, to: try NodeID(to))) } }
    }

    struct Arrive: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Confirm a transfer sent to this branch (or --all that are in transit here).")
        @OptionGroup var options: NodeOptions
        @Option(help: "The transfer's id (the sender's op, e.g. branch-1/42).") var transfer: String?
        @Flag(help: "Every transfer to this branch still in transit.") var all = false
        func run() throws {
            try perform(options) {
                guard (transfer == nil) == all else { throw MMSError(.invalidArgument, "Give --transfer ID or --all.") }
                let node = try options.open()
                if let transfer { return StockMoves(moves: [try node.receiveTransfer(try OpID(parsing: transfer))]) }
                return StockMoves(moves: try node.receiveAllTransfers())
            }
        }
    }

    struct Count: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A stocktake: what is on the shelf; the difference from the books is recorded as variance.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The product's SKU.") var sku: String
        @Option(help: "How many units are on the shelf.") var qty: Int64
        func run() throws { try perform(options) { try options.open().countStock(sku: sku, counted: qty) } }
    }

    struct Threshold: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The level below which this branch's stock of a product shows as low (0: none).")
        @OptionGroup var options: NodeOptions
        @Option(help: "The product's SKU.") var sku: String
        @Option(help: "Low below this many units.") var below: Int64
        func run() throws { try perform(options) { try options.open().setLowStock(sku: sku, below: below) } }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "This branch's stock, what is low, and transfers on their way.")
        @OptionGroup var options: NodeOptions
        @Option(help: "Only this product.") var sku: String?
        func run() throws { try perform(options) { try options.open().stock(sku: sku) } }
    }
}

/// Several movements at once (`stock arrive --all`).
struct StockMoves: Encodable, TextRendered {
    let moves: [StockMoveResult]
    var text: String { moves.isEmpty ? "Nothing is in transit to this branch." : moves.map(\.text).joined(separator: "\n") }
}

extension StockMoveResult: TextRendered {
    public var text: String {
        let what = switch kind {
        case "stock_received": "Received \(quantity) × \(sku)."
        case "stock_returned": "Returned \(quantity) × \(sku) to the supplier."
        case "stock_transferred": "Sent \(quantity) × \(sku): in transit as transfer \(transfer ?? "")."
        case "transfer_arrived": "Transfer \(transfer ?? "") arrived: \(quantity) × \(sku)."
        case "stock_counted": "Counted \(quantity) × \(sku); variance \(variance ?? 0)."
        default: "\(sku) is low below \(quantity)."
        }
        return "\(what) On hand here: \(onHand). [op \(op)]"
    }
}

extension StockResult: TextRendered {
    public var text: String {
        var lines = ["Stock at \(branch):"]
        lines += items.map { "  \($0.sku)  \($0.name)  on hand \($0.onHand)\($0.low ? "  LOW (below \($0.lowAt))" : "")\($0.variance != 0 ? "  variance \($0.variance)" : "")" }
        if items.isEmpty { lines.append("  (nothing)") }
        for t in incoming where t.status == "in_transit" { lines.append("  incoming: \(t.transfer) \(t.quantity) × \(t.sku) from \(t.from)") }
        for t in outgoing where t.status == "in_transit" { lines.append("  outgoing: \(t.transfer) \(t.quantity) × \(t.sku) to \(t.to)") }
        return lines.joined(separator: "\n")
    }
}

extension StockCommand.Receive: ServedCommand {}
extension StockCommand.Return: ServedCommand {}
extension StockCommand.Transfer: ServedCommand {}
extension StockCommand.Arrive: ServedCommand {}
extension StockCommand.Count: ServedCommand {}
extension StockCommand.Threshold: ServedCommand {}
extension StockCommand.Show: ServedCommand {}
