import MMSCore
import MMSStore

/// A product as the till, the console and the command line see it: the list price, this
/// branch's price, and the prices head office set for branches.
public struct ProductResult: Codable, Sendable, Equatable {
    public let sku: String
    public let name: String
    public let kind: String
    public let category: String
    public let price: String
    /// What it costs at this node: its branch price if head office set one, else the list price.
    public let priceHere: String
    public let branchPrices: [String: String]
    public let barcode: String?
    public let unit: String
    public let active: Bool
    public let commission: String?
    /// The op that made this change, on a write.
    public var op: String?
}

public struct ProductList: Codable, Sendable, Equatable {
    public let products: [ProductResult]
}

extension LocalNode {
    public static let maxProductsListed = 200

    /// A new product; what it leaves out takes the catalogue's defaults (`Catalogue.newProduct`).
    public func addProduct(_ product: ProductSet) throws -> ProductResult {
        try setProduct(Catalogue.newProduct(product), isNew: true)
    }

    public func editProduct(_ change: ProductSet) throws -> ProductResult {
        try setProduct(change, isNew: false)
    }

    func setProduct(_ change: ProductSet, isNew: Bool) throws -> ProductResult {
        try permit(.editCatalogue)
        let issued = try commit(decide: { teller, _ in try teller.setProduct(change, isNew: isNew) })
        var result = try product(sku: change.sku)
        result.op = issued.op?.id.description
        return result
    }

    /// Head office sets `branch`'s own price (nil: the list price again). The branch must be a
    /// node this replica knows.
    public func setBranchPrice(sku: String, branch: NodeID, price: Money?) throws -> ProductResult {
        try permit(.editCatalogue)
        guard try store.trustedOrigins().contains(branch) else {
            throw MMSError(.invalidArgument, "There is no node \(branch) in this chain.", details: ["branch": branch.rawValue])
        }
        let issued = try commit(decide: { teller, _ in try teller.setBranchPrice(sku: sku, branch: branch, price: price) })
        var result = try product(sku: sku)
        result.op = issued.op?.id.description
        return result
    }

    public func product(sku: String) throws -> ProductResult {
        try permit(.lookUp)
        guard let product = try store.read({ try Catalogue.product(sku, in: $0) }) else {
            throw MMSError(.unknownProduct, "There is no product \(sku.prefix(Catalogue.maxSKULength)).", details: ["sku": String(sku.prefix(Catalogue.maxSKULength))])
        }
        return productResult(product)
    }

    /// Products by SKU, barcode or a part of the name or SKU (every product for an empty query).
    public func findProducts(query: String, limit: Int = 50) throws -> ProductList {
        try permit(.lookUp)
        let skus = try store.productSKUs(matching: String(query.prefix(Catalogue.maxNameLength)), limit: min(max(limit, 1), Self.maxProductsListed))
        let products = try store.read { state in try skus.compactMap { try Catalogue.product($0, in: state) } }
        return ProductList(products: products.map(productResult))
    }

    func productResult(_ p: Product) -> ProductResult {
        ProductResult(sku: p.sku, name: p.name, kind: p.kind.rawValue, category: p.category, price: p.price.description,
                      priceHere: p.price(at: id).description,
                      branchPrices: Dictionary(uniqueKeysWithValues: p.branchPrices.map { ($0.key.rawValue, $0.value.description) }),
                      barcode: p.barcode.isEmpty ? nil : p.barcode, unit: p.unit, active: p.active, commission: p.commission?.description, op: nil)
    }
}
