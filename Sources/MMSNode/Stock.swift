import MMSCore
import MMSStore

/// One product's stock at a branch.
public struct StockItem: Codable, Sendable, Equatable {
    public let sku: String
    public let name: String
    public let onHand: Int64
    public let received: Int64
    public let sold: Int64
    public let returnedToSupplier: Int64
    public let returnedByCustomers: Int64
    public let transferredIn: Int64
    public let transferredOut: Int64
    /// Stocktake corrections: counted minus the books, summed.
    public let variance: Int64
    public let lowAt: Int64
    public let low: Bool
}

public struct TransferResult: Codable, Sendable, Equatable {
    public let transfer: String
    public let sku: String
    public let quantity: Int64
    public let from: String
    public let to: String
    /// in_transit until the receiver confirms, then arrived.
    public let status: String
}

/// A branch's stock: every product it has records of, and transfers on their way.
public struct StockResult: Codable, Sendable, Equatable {
    public let branch: String
    public let items: [StockItem]
    public let incoming: [TransferResult]
    public let outgoing: [TransferResult]
}

/// The answer to a stock movement.
public struct StockMoveResult: Codable, Sendable, Equatable {
    public let op: String
    public let kind: String
    public let sku: String
    public let quantity: Int64
    /// This branch's stock of the product after the movement.
    public let onHand: Int64
    public let variance: Int64?
    public let transfer: String?
}

extension LocalNode {
    public func receiveStock(_ move: StockMove) throws -> StockMoveResult {
        try stockMove { try $0.receiveStock(move) }
    }

    public func returnStock(_ move: StockMove) throws -> StockMoveResult {
        try stockMove { try $0.returnStock(move) }
    }

    /// Sends stock to `to`, which must be a node of the chain.
    public func transferStock(_ transfer: StockTransfer) throws -> StockMoveResult {
        guard try store.trustedOrigins().contains(transfer.to) else {
            throw MMSError(.invalidArgument, "There is no branch \(transfer.to) in this chain.", details: ["to": transfer.to.rawValue])
        }
        return try stockMove { try $0.transferStock(transfer) }
    }

    public func receiveTransfer(_ id: OpID) throws -> StockMoveResult {
        try stockMove { try $0.receiveTransfer(id) }
    }

    /// Confirms every transfer sent to this branch that is still in transit.
    public func receiveAllTransfers() throws -> [StockMoveResult] {
        try permit(.manageStock)
        let waiting = try stock().incoming.filter { $0.status == "in_transit" }
        return try waiting.map { try receiveTransfer(try OpID(parsing: $0.transfer)) }
    }

    public func countStock(sku: String, counted: Int64) throws -> StockMoveResult {
        try stockMove { try $0.countStock(sku: sku, counted: counted) }
    }

    public func setLowStock(sku: String, below: Int64) throws -> StockMoveResult {
        try stockMove { try $0.setLowStock(sku: sku, below: below) }
    }

    func stockMove(_ decide: @escaping (Teller) throws -> OpBody) throws -> StockMoveResult {
        try permit(.manageStock)
        let issued = try commit(decide: { teller, _ in try decide(teller) })
        let op = issued.op!.op
        let (sku, quantity, variance): (String, Int64, Int64?) = switch op.body {
        case .stockReceived(let m), .stockReturned(let m): (m.sku, m.quantity, nil)
        case .stockTransferred(let t): (t.sku, t.quantity, nil)
        case .transferArrived(_, let sku, let quantity): (sku, quantity, nil)
        case .stockCounted(let sku, let counted, let variance): (sku, counted, variance)
        case .stockThreshold(let sku, let below): (sku, below, nil)
        default: preconditionFailure("a stock use case issued \(op.body.kind)")
        }
        let transfer: String? = switch op.body {
        case .stockTransferred: op.id.description
        case .transferArrived(let id, _, _): id.description
        default: nil
        }
        let onHand = try store.read { try Stock.level(sku, at: self.id, in: $0).onHand }
        return StockMoveResult(op: op.id.description, kind: op.body.kind, sku: sku, quantity: quantity, onHand: onHand, variance: variance, transfer: transfer)
    }

    /// A branch's stock (this one's unless head office asks for another's; one product with
    /// `sku`), and its transfers on their way.
    public func stock(sku: String? = nil, branch: NodeID? = nil) throws -> StockResult {
        try permit(.lookUp)
        let branch = branch ?? id
        try requireScope(branch, "the stock")
        let skus = try sku.map { [$0] } ?? store.stockedSKUs(at: branch)
        let (outgoing, incoming) = try store.transfers(of: branch)
        return try store.read { state in
            let items = try skus.map { sku -> StockItem in
                let l = try Stock.level(sku, at: branch, in: state)
                return StockItem(sku: sku, name: try Catalogue.product(sku, in: state)?.name ?? "", onHand: l.onHand, received: l.received, sold: l.sold,
                                 returnedToSupplier: l.returnedToSupplier, returnedByCustomers: l.returnedByCustomers,
                                 transferredIn: l.transferredIn, transferredOut: l.transferredOut, variance: l.countedUp - l.countedDown,
                                 lowAt: l.lowAt, low: l.isLow)
            }
            func result(_ id: OpID) throws -> TransferResult? {
                try Stock.transfer(id, in: state).map {
                    TransferResult(transfer: $0.id.description, sku: $0.sku, quantity: $0.quantity, from: $0.from.rawValue, to: $0.to.rawValue,
                                   status: $0.arrived ? "arrived" : "in_transit")
                }
            }
            return StockResult(branch: branch.rawValue, items: items, incoming: try incoming.compactMap(result), outgoing: try outgoing.compactMap(result))
        }
    }
}
