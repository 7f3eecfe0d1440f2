/// Stock per branch. Only a branch moves its own stock — every stock op changes the stock of the
/// node that issues it — so stock needs no escrow: each branch's counts are grow-only counters in
/// its own slot, one per reason, and on hand is what came in less what went out. It may go below
/// zero when the shelf had more than the books; a stocktake records the variance.
///
/// A transfer leaves the sender (out, in transit) with one op, and arrives at the receiver with
/// another that the receiver issues when it confirms: nothing is created or lost while the two are
/// cut off, and the chain's stock plus what is in transit never changes.
public struct StockMove: Equatable, Sendable {
    public var sku: String
    public var quantity: Int64
    /// Who it came from or goes back to (a receipt or a return to the supplier).
    public var supplier: String
    /// Cost per unit (a receipt); zero when not given.
    public var unitCost: Money
    public init(sku: String, quantity: Int64, supplier: String = "", unitCost: Money = Money(fen: 0)) {
        self.sku = sku; self.quantity = quantity; self.supplier = supplier; self.unitCost = unitCost
    }
}

public struct StockTransfer: Equatable, Sendable {
    public var sku: String
    public var quantity: Int64
    public var to: NodeID
    public init(sku: String, quantity: Int64, to: NodeID) { self.sku = sku; self.quantity = quantity; self.to = to }
}

/// One branch's stock of one product.
public struct StockLevel: Equatable, Sendable {
    public var sku: String
    public var branch: NodeID
    public var received: Int64 = 0, returnedToSupplier: Int64 = 0
    public var transferredIn: Int64 = 0, transferredOut: Int64 = 0
    public var sold: Int64 = 0, returnedByCustomers: Int64 = 0
    public var countedUp: Int64 = 0, countedDown: Int64 = 0
    /// Below this the stock is low (0: no threshold).
    public var lowAt: Int64 = 0

    public var onHand: Int64 {
        received + transferredIn + returnedByCustomers + countedUp - returnedToSupplier - transferredOut - sold - countedDown
    }
    public var isLow: Bool { lowAt > 0 && onHand < lowAt }
}

/// A transfer as a replica knows it.
public struct TransferState: Equatable, Sendable {
    public var id: OpID
    public var sku: String
    public var quantity: Int64
    public var from: NodeID
    public var to: NodeID
    public var arrived: Bool
}

public enum Stock {
    public static let maxQuantity: Int64 = 100_000
    public static let maxSupplierLength = 60

    public static func validateQuantity(_ quantity: Int64, allowZero: Bool = false) throws {
        guard (allowZero ? 0 : 1)...maxQuantity ~= quantity else {
            throw MMSError(.invalidArgument, "The quantity \(quantity) is not a whole number from \(allowZero ? 0 : 1) to \(maxQuantity).")
        }
    }

    public static func level(_ sku: String, at branch: NodeID, in state: StateReader) throws -> StockLevel {
        let c = try state.counters(entity: Cell.stock(branch: branch, sku: sku))
        func n(_ name: String) -> Int64 { c[name]?.values.reduce(0, +) ?? 0 }
        var level = StockLevel(sku: sku, branch: branch)
        level.received = n(Cell.stockReceived); level.returnedToSupplier = n(Cell.stockReturnedOut)
        level.transferredIn = n(Cell.stockTransferredIn); level.transferredOut = n(Cell.stockTransferredOut)
        level.sold = n(Cell.stockSold); level.returnedByCustomers = n(Cell.stockReturnedIn)
        level.countedUp = n(Cell.stockCountedUp); level.countedDown = n(Cell.stockCountedDown)
        level.lowAt = try state.texts(entity: Cell.stock(branch: branch, sku: sku))[Cell.stockLow].flatMap(Int64.init) ?? 0
        return level
    }

    public static func transfer(_ id: OpID, in state: StateReader) throws -> TransferState? {
        let entity = Cell.transfer(id)
        let cells = try state.texts(entity: entity)
        guard let sku = cells[Cell.transferSKU], let quantity = cells[Cell.transferQuantity].flatMap(Int64.init),
              let to = cells[Cell.transferTo].flatMap({ try? NodeID($0) }) else { return nil }
        return TransferState(id: id, sku: sku, quantity: quantity, from: id.origin, to: to,
                             arrived: try state.flags(entity: entity).contains(Cell.transferArrived))
    }
}

extension Teller {
    func requireProduct(_ sku: String) throws {
        guard try Catalogue.product(sku, in: state) != nil else {
            throw MMSError(.unknownProduct, "There is no product \(sku.prefix(Catalogue.maxSKULength)) in the catalogue.", details: ["sku": String(sku.prefix(Catalogue.maxSKULength))])
        }
    }

    static func validateSupplier(_ supplier: String) throws {
        try Catalogue.validateText(supplier, "supplier", max: Stock.maxSupplierLength, allowEmpty: true)
    }

    /// Goods received from a supplier into this branch's stock.
    public func receiveStock(_ move: StockMove) throws -> OpBody {
        try requireProduct(move.sku)
        try Stock.validateQuantity(move.quantity)
        try Self.validateSupplier(move.supplier)
        guard move.unitCost >= Money(fen: 0), move.unitCost <= Limits.maxAmount else { throw MMSError(.invalidAmount, "The cost must be from 0.00 to \(Limits.maxAmount).") }
        return .stockReceived(move)
    }

    /// Goods sent back to their supplier. The books may say fewer are on hand than the shelf
    /// holds; the return is not refused for that (a stocktake corrects the books).
    public func returnStock(_ move: StockMove) throws -> OpBody {
        try requireProduct(move.sku)
        try Stock.validateQuantity(move.quantity)
        try Self.validateSupplier(move.supplier)
        return .stockReturned(move)
    }

    /// Goods leaving this branch for another; in transit until the receiver confirms.
    public func transferStock(_ transfer: StockTransfer) throws -> OpBody {
        try requireProduct(transfer.sku)
        try Stock.validateQuantity(transfer.quantity)
        guard transfer.to != origin else { throw MMSError(.invalidArgument, "A transfer goes to another branch, not to \(origin) itself.") }
        return .stockTransferred(transfer)
    }

    /// This branch confirms a transfer sent to it.
    public func receiveTransfer(_ id: OpID) throws -> OpBody {
        guard let transfer = try Stock.transfer(id, in: state) else {
            throw MMSError(.unknownTransfer, "There is no transfer \(id) here (yet): it may still be on its way.", details: ["transfer": id.description])
        }
        guard transfer.to == origin else {
            throw MMSError(.notPermitted, "Transfer \(id) goes to \(transfer.to), not to \(origin).", details: ["transfer": id.description])
        }
        guard !transfer.arrived else { throw MMSError(.invalidArgument, "Transfer \(id) has already arrived.", details: ["transfer": id.description]) }
        return .transferArrived(transfer: id, sku: transfer.sku, quantity: transfer.quantity)
    }

    /// A stocktake: `counted` on the shelf; the difference from the books is the variance.
    public func countStock(sku: String, counted: Int64) throws -> OpBody {
        try requireProduct(sku)
        try Stock.validateQuantity(counted, allowZero: true)
        let onHand = try Stock.level(sku, at: origin, in: state).onHand
        return .stockCounted(sku: sku, counted: counted, variance: counted - onHand)
    }

    /// The level below which this branch's stock of `sku` is low (0: none).
    public func setLowStock(sku: String, below: Int64) throws -> OpBody {
        try requireProduct(sku)
        try Stock.validateQuantity(below, allowZero: true)
        return .stockThreshold(sku: sku, below: below)
    }
}

extension Cell {
    public static let stockPrefix = "stock:"
    /// One branch's stock of one product.
    public static func stock(branch: NodeID, sku: String) -> String { "stock:\(branch.rawValue):\(sku)" }
    public static let stockReceived = "received", stockReturnedOut = "returned_out", stockTransferredIn = "transferred_in",
                      stockTransferredOut = "transferred_out", stockSold = "sold", stockReturnedIn = "returned_in",
                      stockCountedUp = "counted_up", stockCountedDown = "counted_down", stockLow = "low"
    public static let transferPrefix = "transfer:"
    public static func transfer(_ id: OpID) -> String { "transfer:\(id.origin.rawValue)/\(id.seq)" }
    public static let transferSKU = "sku", transferQuantity = "quantity", transferTo = "to", transferArrived = "arrived"
}
