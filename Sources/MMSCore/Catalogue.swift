/// The chain's catalogue: products and services, set by head office. Each field of a product is
/// its own last-writer-wins register, so two edits made at once (one renames, one reprices)
/// both hold, and every replica ends with the same catalogue.
public enum ProductKind: String, Sendable, CaseIterable, Codable {
    case goods, service
}

/// What a staff member earns on a line: a share of its amount, or a fixed sum per unit.
public enum CommissionRule: Equatable, Sendable, CustomStringConvertible {
    /// Basis points of the line amount (1000 = 10 %).
    case percent(basisPoints: Int64)
    case fixed(Money)

    /// `10%`, `2.5%` or an amount such as `5.00`.
    public init(parsing text: String) throws {
        if text.hasSuffix("%") {
            guard let value = Money(parsing: String(text.dropLast())), value.fen <= 10_000 else {
                throw MMSError(.invalidArgument, "The commission “\(text.prefix(20))” is not a percent from 0% to 100% with at most two decimals.")
            }
            self = .percent(basisPoints: value.fen)
        } else {
            guard let amount = Money(parsing: text), amount <= Limits.maxAmount else {
                throw MMSError(.invalidArgument, "The commission “\(text.prefix(20))” is neither a percent (10%) nor an amount (5.00).")
            }
            self = .fixed(amount)
        }
    }

    public var description: String {
        switch self {
        case .percent(let bp):
            let text = Money(fen: bp).description
            return (text.hasSuffix(".00") ? String(text.dropLast(3)) : text) + "%"
        case .fixed(let money): return money.description
        }
    }
}

/// A change to one product: the fields given are set, the others left as they are.
public struct ProductSet: Equatable, Sendable {
    public var sku: String
    public var name: String?
    public var kind: ProductKind?
    public var category: String?
    public var price: Money?
    /// Empty removes the barcode.
    public var barcode: String?
    public var unit: String?
    public var active: Bool?
    public var commission: CommissionRule?

    public init(sku: String, name: String? = nil, kind: ProductKind? = nil, category: String? = nil, price: Money? = nil,
                barcode: String? = nil, unit: String? = nil, active: Bool? = nil, commission: CommissionRule? = nil) {
        self.sku = sku; self.name = name; self.kind = kind; self.category = category; self.price = price
        self.barcode = barcode; self.unit = unit; self.active = active; self.commission = commission
    }

    public var isEmpty: Bool {
        name == nil && kind == nil && category == nil && price == nil && barcode == nil && unit == nil && active == nil && commission == nil
    }
}

/// A product as a replica knows it.
public struct Product: Equatable, Sendable {
    public var sku: String
    public var name: String
    public var kind: ProductKind
    public var category: String
    public var price: Money
    public var barcode: String
    public var unit: String
    public var active: Bool
    public var commission: CommissionRule?
    /// Branch → the price head office set for it.
    public var branchPrices: [NodeID: Money]

    /// What a line of this product costs at `branch`.
    public func price(at branch: NodeID) -> Money { branchPrices[branch] ?? price }
}

public enum Catalogue {
    public static let maxSKULength = 32
    public static let maxNameLength = 60
    public static let maxCategoryLength = 30
    public static let maxUnitLength = 10

    /// A new product as head office gave it, with the defaults for what it left out: sold
    /// (active), no category, and the unit 次 for a service or 件 for goods.
    public static func newProduct(_ given: ProductSet) -> ProductSet {
        var product = given
        product.active = product.active ?? true
        product.category = product.category ?? ""
        product.unit = product.unit ?? (product.kind == .service ? "次" : "件")
        return product
    }

    /// A price as typed: 0.00 (a gift) up to the largest amount, at most two decimals.
    public static func price(typed text: String) throws -> Money {
        guard let price = Money(parsing: text), price <= Limits.maxAmount else {
            throw MMSError(.invalidAmount, "The price “\(text.prefix(30))” is not an amount from 0.00 to \(Limits.maxAmount) with at most two decimals.")
        }
        return price
    }

    /// A SKU: 1–32 letters, digits, `-`, `_` or `.`, the product's key everywhere.
    public static func validateSKU(_ sku: String) throws {
        guard (1...maxSKULength).contains(sku.count), sku.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw MMSError(.invalidArgument, "The SKU “\(sku.prefix(40))” is not 1–\(maxSKULength) letters, digits, -, _ or .")
        }
    }

    /// A GS1 barcode (EAN-8, UPC-A, EAN-13, ITF-14) with its check digit right.
    public static func validateBarcode(_ code: String) throws {
        let digits = code.compactMap { $0.isASCII ? $0.wholeNumberValue : nil }
        guard digits.count == code.count, [8, 12, 13, 14].contains(digits.count) else {
            throw MMSError(.invalidArgument, "The barcode “\(code.prefix(20))” is not 8, 12, 13 or 14 digits (EAN-8, UPC-A, EAN-13, ITF-14).")
        }
        // Weights 3 and 1 alternate from the digit left of the check digit.
        let body = digits.dropLast().reversed().enumerated().reduce(0) { $0 + $1.element * ($1.offset % 2 == 0 ? 3 : 1) }
        guard (10 - body % 10) % 10 == digits.last! else {
            throw MMSError(.invalidArgument, "The barcode \(code)'s check digit is wrong: it may be mistyped.")
        }
    }

    static func validateText(_ text: String, _ field: String, max: Int, allowEmpty: Bool = false) throws {
        guard (allowEmpty ? 0 : 1)...max ~= text.count, !text.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else {
            throw MMSError(.invalidArgument, "The \(field) must be \(allowEmpty ? 0 : 1)–\(max) characters without control characters.")
        }
    }

    /// Checks every field a change sets; a new product (`isNew`) needs name, kind, category and price.
    public static func validate(_ change: ProductSet, isNew: Bool) throws {
        try validateSKU(change.sku)
        if isNew {
            guard change.name != nil, change.kind != nil, change.price != nil else {
                throw MMSError(.invalidArgument, "A new product needs --name, --kind and --price.")
            }
        } else if change.isEmpty {
            throw MMSError(.invalidArgument, "Give at least one field to change.")
        }
        if let name = change.name { try validateText(name, "name", max: maxNameLength) }
        if let category = change.category { try validateText(category, "category", max: maxCategoryLength, allowEmpty: true) }
        if let unit = change.unit { try validateText(unit, "unit", max: maxUnitLength, allowEmpty: true) }
        if let barcode = change.barcode, !barcode.isEmpty { try validateBarcode(barcode) }
        if let price = change.price, price > Limits.maxAmount {
            throw MMSError(.invalidAmount, "The price must be from 0.00 to \(Limits.maxAmount).")
        }
    }

    /// The product `sku` from a replica's cells, or nil if head office never added it.
    public static func product(_ sku: String, in state: StateReader) throws -> Product? {
        let cells = try state.texts(entity: Cell.product(sku))
        guard let name = cells[Cell.productName], let kind = cells[Cell.productKind].flatMap(ProductKind.init(rawValue:)),
              let price = cells[Cell.productPrice].flatMap(Int64.init) else { return nil }
        var branchPrices: [NodeID: Money] = [:]
        for (key, value) in cells where key.hasPrefix(Cell.branchPricePrefix) {
            if let branch = try? NodeID(String(key.dropFirst(Cell.branchPricePrefix.count))), let fen = Int64(value), fen >= 0 {
                branchPrices[branch] = Money(fen: fen)
            }
        }
        return Product(sku: sku, name: name, kind: kind, category: cells[Cell.productCategory] ?? "", price: Money(fen: price),
                       barcode: cells[Cell.productBarcode] ?? "", unit: cells[Cell.productUnit] ?? "",
                       active: cells[Cell.productActive] != "0", commission: try? cells[Cell.productCommission].map(CommissionRule.init(parsing:)),
                       branchPrices: branchPrices)
    }
}

extension Cell {
    public static let productPrefix = "product:"
    public static func product(_ sku: String) -> String { productPrefix + sku }
    public static let productName = "name", productKind = "kind", productCategory = "category", productPrice = "price",
                      productBarcode = "barcode", productUnit = "unit", productActive = "active", productCommission = "commission"
    public static let branchPricePrefix = "price@"
    public static func branchPrice(_ branch: NodeID) -> String { branchPricePrefix + branch.rawValue }
}
