import MMSCore
import MMSTestSupport
import PropertyBased
import Testing

/// The escrow invariant: however top-ups, charges, rights transfers and refunds interleave at
/// several nodes, no balance and no node's rights go below zero in any replica.
@Suite struct EscrowTests {
    @Test func randomInterleavingsNeverGoNegative() async {
        await propertyCheck(count: 40, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var w = Workload(seed: seed, nodeCount: 3, members: 2)
            for _ in 0..<300 {
                w.step()
                for node in w.nodes { Self.expectNothingNegative(node, seed: seed) }
            }
            #expect(w.charges.count > 5, "seed \(seed) exercised too few charges to mean anything")
            w.gossipEverywhere()
            for node in w.nodes { Self.expectNothingNegative(node, seed: seed) }
            #expect(Set(w.nodes.map(\.state.stateHash)).count == 1, "replicas differ after full gossip, seed \(seed)")
        }
    }

    static func expectNothingNegative(_ node: TestNode, seed: UInt64) {
        // MemoryState's reads cannot fail; `try!` keeps the property closure simple.
        for m in 0..<2 {
            for account in ["sv:", "pts:"].map({ $0 + "\(node.id).m\(m)" }) + node.state.refundAccounts {
                let escrow = try! node.state.escrow(account)
                #expect(escrow.total >= 0, "seed \(seed): \(account) total \(escrow.total) at \(node.id)")
                for holder in escrow.nodes {
                    #expect(escrow.rights(at: holder) >= 0, "seed \(seed): \(account) rights at \(holder) seen from \(node.id)")
                }
            }
        }
    }

    @Test func chargeBeyondLocalRightsIsRefusedAndChangesNothing() throws {
        var a = TestNode("branch-1", seed: 1), b = TestNode("branch-2", seed: 2)
        for body in [Sample.memberAdded(), Sample.storedCard()] { b.receive(a.issue(body)) }
        b.receive(a.issue(try a.teller.topUp(card: Sample.card, amount: Money(fen: 10_000))))
        let before = b.state.stateHash
        // The balance is 100.00, but branch-2 holds none of the rights.
        let error = try #require(throws: MMSError.self) { try b.teller.charge(card: Sample.card, amount: Money(fen: 100)) }
        #expect(error.code == .insufficientFunds)
        #expect(error.details["balance"] == "100.00" && error.details["rights_here"] == "0.00" && error.details["held_elsewhere"] == "branch-1=100.00")
        #expect(b.state.stateHash == before)
        // Once branch-1 moves rights over, branch-2 can take exactly that much.
        b.receive(a.issue(try a.teller.transferRights(account: Cell.storedValue(member: Sample.member), to: b.id, amount: 4_000)))
        b.issue(try b.teller.charge(card: Sample.card, amount: Money(fen: 4_000)))
        #expect(throws: MMSError.self) { try b.teller.charge(card: Sample.card, amount: Money(fen: 1)) }
        // Branch-1 kept the other 60.00: exactly that, and not a fen more.
        #expect(throws: MMSError.self) { try a.teller.charge(card: Sample.card, amount: Money(fen: 6_001)) }
        a.issue(try a.teller.charge(card: Sample.card, amount: Money(fen: 6_000)))
    }

    @Test func twoPartitionedBranchesCannotOverspendTogether() throws {
        var a = TestNode("branch-1", seed: 1), b = TestNode("branch-2", seed: 2)
        for body in [Sample.memberAdded(), Sample.storedCard()] { b.receive(a.issue(body)) }
        b.receive(a.issue(try a.teller.topUp(card: Sample.card, amount: Money(fen: 10_000))))
        b.receive(a.issue(try a.teller.transferRights(account: Cell.storedValue(member: Sample.member), to: b.id, amount: 5_000)))
        // Cut off from each other, each spends everything it may.
        var spent: Int64 = 0
        for _ in 0..<20 {
            if let body = try? a.teller.charge(card: Sample.card, amount: Money(fen: 700)) { a.issue(body); spent += 700 }
            if let body = try? b.teller.charge(card: Sample.card, amount: Money(fen: 900)) { b.issue(body); spent += 900 }
        }
        for op in a.missing(from: b) { a.receive(op) }
        for op in b.missing(from: a) { b.receive(op) }
        let balance = try a.state.escrow(Cell.storedValue(member: Sample.member)).total
        #expect(spent <= 10_000 && balance == 10_000 - spent && balance >= 0)
        #expect(a.state.stateHash == b.state.stateHash)
    }
}

@Suite struct CouponAndDeltaTests {
    @Test func aCouponIsUsedOnceEvenAcrossAPartition() throws {
        var a = TestNode("branch-1", seed: 1), b = TestNode("branch-2", seed: 2)
        b.receive(a.issue(Sample.memberAdded()))
        b.receive(a.issue(try a.teller.issueCoupon(code: "C1", member: Sample.member, value: Money(fen: 500), title: "")))
        // Cut off from each other: only the holder of the coupon's one right can redeem it.
        let error = try #require(throws: MMSError.self) { try b.teller.redeemCoupon(code: "C1") }
        #expect(error.code == .couponUsed && error.details["held_elsewhere"] == "branch-1=1")
        b.receive(a.issue(try a.teller.redeemCoupon(code: "C1")))
        #expect(try a.state.coupon("C1")?.left == 0 && b.state.coupon("C1")?.left == 0)
        #expect(throws: MMSError.self) { try a.teller.redeemCoupon(code: "C1") }
    }

    /// Coalescing a batch's deltas is invisible: same cells as applying them one by one.
    @Test func coalescedDeltasGiveTheSameState() async {
        await propertyCheck(count: 20, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var w = Workload(seed: seed, nodeCount: 3, members: 3)
            for _ in 0..<150 { w.step() }
            var oneByOne = MemoryState(), coalesced = MemoryState()
            let ops = w.allOps
            for op in ops { oneByOne.apply(op.op.deltas) }
            coalesced.apply(Delta.coalesce(ops.flatMap(\.op.deltas)))
            #expect(oneByOne.stateHash == coalesced.stateHash, "seed \(seed)")
        }
    }
}

extension MemoryState {
    /// The refundable accounts this replica knows (one per charge).
    var refundAccounts: [String] { counterEntities(prefix: "refund:") }
}
