import ArgumentParser
import MMSCore
import MMSNode

/// The chain's catalogue, edited at the head office and replicated to every branch.
struct ProductCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "product", abstract: "The catalogue: products and services (head office adds and edits; every node looks up).",
        subcommands: [Add.self, Edit.self, Show.self, List.self])

    /// The fields `add` and `edit` share.
    struct Fields: ParsableArguments {
        @Option(help: "The product's name, e.g. 精华液.") var name: String?
        @Option(help: "goods or service.") var kind: String?
        @Option(help: "Its category, e.g. 护肤.") var category: String?
        @Option(help: "The list price, e.g. 298.00.") var price: String?
        @Option(help: "An EAN-8/UPC-A/EAN-13/ITF-14 barcode (\"\" removes it).") var barcode: String?
        @Option(help: "The unit it is sold in, e.g. 瓶, 次.") var unit: String?
        @Option(help: "Staff commission per line: a percent (10%) or an amount per unit (5.00).") var commission: String?

        func change(sku: String) throws -> ProductSet {
            var change = ProductSet(sku: sku, name: name, category: category, barcode: barcode, unit: unit)
            if let kind {
                guard let parsed = ProductKind(rawValue: kind) else { throw MMSError(.invalidArgument, "--kind must be goods or service.") }
                change.kind = parsed
            }
            if let price { change.price = try Catalogue.price(typed: price) }
            if let commission { change.commission = try CommissionRule(parsing: commission) }
            return change
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a product or service to the catalogue (head office).")
        @OptionGroup var options: NodeOptions
        @Option(help: "Its SKU, the key everywhere (e.g. PR-104).") var sku: String
        @OptionGroup var fields: Fields

        func run() throws {
            try perform(options) { try options.open().addProduct(try fields.change(sku: sku)) }
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change some fields of a product (head office); the others stay as they are.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The product's SKU.") var sku: String
        @OptionGroup var fields: Fields
        @Option(help: "true to sell it, false to stop selling it.") var active: Bool?

        func run() throws {
            try perform(options) {
                var change = try fields.change(sku: sku)
                change.active = active
                return try options.open().editProduct(change)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One product by SKU, with this branch's price.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The product's SKU.") var sku: String
        func run() throws { try perform(options) { try options.open().product(sku: sku) } }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Find products by SKU, barcode or part of the name (all, without --query).")
        @OptionGroup var options: NodeOptions
        @Option(help: "A SKU, a barcode or part of a name.") var query: String = ""
        @Option(help: "At most this many (1–200).") var limit: Int = 50
        func run() throws { try perform(options) { try options.open().findProducts(query: query, limit: limit) } }
    }
}

struct PriceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "price", abstract: "Branch prices: head office sets a branch's own price for a product.", subcommands: [Set.self])

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a branch's price for a product (head office); --list-price returns it to the list price.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The product's SKU.") var sku: String
        @Option(help: "The branch, a node of the chain.") var branch: String
        @Option(help: "The branch's price, e.g. 288.00.") var price: String?
        @Flag(help: "Remove the branch's own price: the list price applies there again.") var listPrice = false

        func run() throws {
            try perform(options) {
                guard (price == nil) == listPrice else { throw MMSError(.invalidArgument, "Give --price or --list-price.") }
                return try options.open().setBranchPrice(sku: sku, branch: try NodeID(branch), price: try price.map(Catalogue.price(typed:)))
            }
        }
    }
}

extension ProductResult: TextRendered {
    public var text: String {
        var s = "\(sku)  \(name)  (\(kind == "service" ? "服务" : "商品"), \(category.isEmpty ? "-" : category))  \(priceHere)/\(unit)"
        if priceHere != price { s += " (list \(price))" }
        if !active { s += "  [not sold]" }
        if let barcode { s += "  barcode \(barcode)" }
        if let commission { s += "  commission \(commission)" }
        if !branchPrices.isEmpty { s += "\n  branch prices: " + branchPrices.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") }
        if let op { s += "  [op \(op)]" }
        return s
    }
}

extension ProductList: TextRendered {
    public var text: String { products.isEmpty ? "No product matches." : products.map(\.text).joined(separator: "\n") }
}

extension ProductCommand.Add: ServedCommand {}
extension ProductCommand.Edit: ServedCommand {}
extension ProductCommand.Show: ServedCommand {}
extension ProductCommand.List: ServedCommand {}
extension PriceCommand.Set: ServedCommand {}
