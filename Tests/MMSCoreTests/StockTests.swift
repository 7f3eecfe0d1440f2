import MMSCore
import MMSCrypto
import MMSTestSupport
import Testing

@Suite struct StockTests {
    static let product = OpBody.productSet(ProductSet(sku: "PR-104", name: "精华液", kind: .goods, category: "护肤", price: Money(fen: 29_800), unit: "瓶", active: true))

    /// Received − returned ± counted = on hand (summed over branches) + in transit.
    static func conserved(_ states: [MemoryState], branches: [NodeID], transfers: [OpID]) throws -> (onHand: Int64, inTransit: Int64, net: Int64) {
        var onHand: Int64 = 0, net: Int64 = 0
        // Every replica agrees after the sync; read the chain from the first one.
        let state = states[0]
        for branch in branches {
            let l = try Stock.level("PR-104", at: branch, in: state)
            onHand += l.onHand
            net += l.received - l.returnedToSupplier - l.sold + l.returnedByCustomers + l.countedUp - l.countedDown
        }
        let inTransit = try transfers.compactMap { try Stock.transfer($0, in: state) }.filter { !$0.arrived }.map(\.quantity).reduce(0, +)
        return (onHand, inTransit, net)
    }

    @Test func aTransferBetweenBranchesCutOffIsInTransitUntilTheReceiverConfirms() throws {
        var hq = TestNode("hq", seed: 1), b1 = TestNode("branch-1", seed: 2), b2 = TestNode("branch-2", seed: 3)
        let added = hq.issue(Self.product)
        b1.receive(added); b2.receive(added)
        b1.issue(try b1.teller.receiveStock(StockMove(sku: "PR-104", quantity: 24, supplier: "上海某某", unitCost: Money(fen: 15_000))))
        let sent = b1.issue(try b1.teller.transferStock(StockTransfer(sku: "PR-104", quantity: 5, to: b2.id)))
        // Cut off: branch-2 has not heard of the transfer and cannot take it in.
        #expect(throws: MMSError.self) { try b2.teller.receiveTransfer(sent.id) }
        #expect(try Stock.level("PR-104", at: b1.id, in: b1.state).onHand == 19)
        var mid = try Self.conserved([b1.state], branches: [b1.id, b2.id], transfers: [sent.id])
        #expect(mid.onHand + mid.inTransit == mid.net && mid.inTransit == 5)

        // The heal: branch-2 hears of it and confirms; a second confirmation, or one by the sender, is refused.
        for op in b1.log where !b2.held.contains(op.id) { b2.receive(op) }
        #expect(throws: MMSError.self) { try b1.teller.receiveTransfer(sent.id) }
        let arrived = b2.issue(try b2.teller.receiveTransfer(sent.id))
        #expect(throws: MMSError.self) { try b2.teller.receiveTransfer(sent.id) }
        b1.receive(arrived)
        mid = try Self.conserved([b1.state], branches: [b1.id, b2.id], transfers: [sent.id])
        #expect(mid.inTransit == 0 && mid.onHand == 24 && mid.net == 24)
        #expect(try Stock.level("PR-104", at: b2.id, in: b1.state).onHand == 5)

        // A stocktake records the variance; the books then agree with the shelf.
        let counted = b2.issue(try b2.teller.countStock(sku: "PR-104", counted: 4))
        if case .stockCounted(_, _, let variance) = counted.op.body { #expect(variance == -1) }
        #expect(try Stock.level("PR-104", at: b2.id, in: b2.state).onHand == 4)
    }

    @Test func stockOpsRoundTripAndBadInputIsRefused() throws {
        var b1 = TestNode("branch-1", seed: 5)
        b1.issue(Self.product)
        let b2 = try NodeID("branch-2")
        let sent = b1.issue(.stockTransferred(StockTransfer(sku: "PR-104", quantity: 5, to: b2)))
        for body: OpBody in [.stockReceived(StockMove(sku: "PR-104", quantity: 24, supplier: "上海某某", unitCost: Money(fen: 15_000))),
                             .stockReturned(StockMove(sku: "PR-104", quantity: 2, supplier: "上海某某")),
                             .transferArrived(transfer: sent.id, sku: "PR-104", quantity: 5),
                             .stockCounted(sku: "PR-104", counted: 4, variance: -1), .stockThreshold(sku: "PR-104", below: 3)] {
            let op = b1.issue(body)
            #expect(try OpCodec.decodeEnvelope(OpCodec.encodeEnvelope(op)) == op, "\(body.kind)")
        }
        #expect(throws: MMSError.self) { try b1.teller.receiveStock(StockMove(sku: "NOPE", quantity: 1)) }
        #expect(throws: MMSError.self) { try b1.teller.receiveStock(StockMove(sku: "PR-104", quantity: 0)) }
        #expect(throws: MMSError.self) { try b1.teller.receiveStock(StockMove(sku: "PR-104", quantity: -3)) }
        #expect(throws: MMSError.self) { try b1.teller.transferStock(StockTransfer(sku: "PR-104", quantity: 1, to: b1.id)) }
        #expect(throws: MMSError.self) { try b1.teller.countStock(sku: "PR-104", counted: -1) }
    }
}
