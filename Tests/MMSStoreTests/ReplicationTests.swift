import Foundation
import MMSCore
import MMSCrypto
import MMSStore
import MMSTestSupport
import PropertyBased
import Testing

/// A fresh store in a temporary directory that trusts the workload's nodes.
func makeStore(_ name: String = "replica", trusting nodes: [TestNode] = [], role: NodeRole = .branch) throws -> NodeStore {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mms-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let store = try NodeStore(path: dir.appendingPathComponent("store.sqlite").path, origin: try NodeID(name), role: role)
    for node in nodes { try store.trust(origin: node.id, key: node.key.publicKey, role: .branch) }
    return store
}

@Suite struct ReplicationTests {
    /// Convergence is a law: the same op set, in any order, in any batches, with duplicates,
    /// gives byte-equal state in every store — and equal to the in-memory fold.
    @Test func randomOrdersAndDuplicatesConverge() async throws {
        await propertyCheck(count: 12, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var w = Workload(seed: seed, nodeCount: 3, members: 2)
            for _ in 0..<120 { w.step() }
            let ops = w.allOps
            var reference = MemoryState()
            for op in ops { reference.apply(op.op.deltas) }

            var rng = SeededRandom(seed: seed ^ 0xABCD)
            var hashes: [Digest32] = [], reports: [Digest32] = []
            for _ in 0..<3 {
                let store = try! makeStore(trusting: w.nodes)
                var delivery = ops + (0..<ops.count / 3).map { _ in ops.randomElement(using: &rng)! }
                delivery.shuffle(using: &rng)
                while !delivery.isEmpty {
                    let n = Int.random(in: 1...40, using: &rng)
                    try! store.applyRemote(Array(delivery.prefix(n)), now: 5_000)
                    delivery.removeFirst(min(n, delivery.count))
                }
                #expect(try! store.opCount() == ops.count, "seed \(seed)")
                #expect(try! store.verify().ok, "seed \(seed)")
                hashes.append(try! store.stateHash())
                reports.append(try! store.reportDigest())
                // `node rebuild` folds the same tables again from the log.
                try! store.rebuild()
                #expect(try! store.reportDigest() == reports.last, "seed \(seed): a rebuild changed the report tables")
            }
            #expect(Set(hashes).count == 1, "seed \(seed): stores differ")
            #expect(Set(reports).count == 1, "seed \(seed): report tables differ")
            #expect(hashes.first == reference.stateHash, "seed \(seed): store differs from the in-memory fold")
        }
    }

    /// Two branches issue the same card number to different members while cut off: every store
    /// keeps the same winner (highest HLC, then origin id), whatever order the ops arrive in.
    @Test func concurrentRegisterWritesPickTheSameWinnerEverywhere() throws {
        var a = TestNode("branch-1", seed: 1), b = TestNode("branch-2", seed: 2)
        let ops = [a.issue(Sample.memberAdded("branch-1.m1")), a.issue(Sample.storedCard("X", member: "branch-1.m1")),
                   b.issue(Sample.memberAdded("branch-2.m1")), b.issue(Sample.storedCard("X", member: "branch-2.m1"))]
        // Same wall clock on both: the tie is broken by origin id, so branch-2 wins.
        #expect(ops[1].op.hlc == ops[3].op.hlc)
        let forward = try makeStore(trusting: [a, b]), backward = try makeStore(trusting: [a, b])
        try forward.applyRemote(ops, now: 1)
        try backward.applyRemote([ops[2], ops[3]], now: 1)
        try backward.applyRemote([ops[0], ops[1]], now: 1)
        #expect(try forward.stateHash() == backward.stateHash())
        #expect(try forward.read { try $0.card("X")?.member } == "branch-2.m1")
    }

    @Test func opsAfterAVectorAreWhatTheOtherSideLacks() throws {
        var w = Workload(seed: 11, nodeCount: 3, members: 2)
        for _ in 0..<200 { w.step() }
        let full = try makeStore(trusting: w.nodes)
        for chunk in stride(from: 0, to: w.allOps.count, by: 100) {
            try full.applyRemote(Array(w.allOps[chunk..<min(chunk + 100, w.allOps.count)]), now: 1)
        }
        let partial = try makeStore(trusting: w.nodes)
        // Pull in small bounded batches until nothing is missing.
        var rounds = 0
        while true {
            let batch = try full.ops(after: partial.versionVector(), limit: 25)
            if batch.isEmpty { break }
            #expect(batch.count <= 25)
            let report = try partial.applyRemote(batch, now: 1)
            #expect(report.applied == batch.count && report.pending == 0, "HLC-ordered batches arrive in chain order")
            rounds += 1
        }
        #expect(try partial.versionVector() == full.versionVector())
        #expect(try partial.stateHash() == full.stateHash())
        #expect(rounds >= w.allOps.count / 25)
    }

    @Test func forgedOpIsRefusedAndNothingIsStored() throws {
        var a = TestNode("branch-1", seed: 1)
        let mallory = TestNode("branch-1", seed: 66)  // same id, another key
        let store = try makeStore(trusting: [a])
        try store.applyRemote([a.issue(Sample.memberAdded())], now: 1)
        let before = try store.stateHash()

        var forger = mallory
        forger.chain = a.chain
        let forged = forger.issue(Sample.storedCard())
        let error = try #require(throws: MMSError.self) { try store.applyRemote([forged], now: 1) }
        #expect(error.code == .badSignature)
        #expect(try store.stateHash() == before && store.opCount() == 1)
    }

    @Test func corruptedOpIsRefused() throws {
        var a = TestNode("branch-1", seed: 1)
        let store = try makeStore(trusting: [a])
        try store.applyRemote([Sample.memberAdded(), Sample.storedCard()].map { a.issue($0) }, now: 1)
        let good = a.issue(try a.teller.topUp(card: Sample.card, amount: Money(fen: 500)))
        // The same op with its amount changed in transit: it still decodes, its signature no longer holds.
        var altered = good.op
        altered.body = .topUp(Payment(member: Sample.member, card: Sample.card, amount: Money(fen: 500_000)))
        let corrupted = SignedOp(op: altered, bytes: OpCodec.encode(altered), signature: good.signature)
        let before = try store.stateHash()
        let error = try #require(throws: MMSError.self) { try store.applyRemote([corrupted], now: 1) }
        #expect(error.code == .badSignature)
        #expect(try store.stateHash() == before && store.opCount() == 2)
        #expect(try store.applyRemote([good], now: 1).applied == 1)
    }

    @Test func unknownOriginIsRefused() throws {
        var stranger = TestNode("branch-9", seed: 9)
        let store = try makeStore()
        let error = try #require(throws: MMSError.self) { try store.applyRemote([stranger.issue(Sample.memberAdded())], now: 1) }
        #expect(error.code == .unknownOrigin)
    }

    @Test func forkIsRefusedAndEvidenceKept() throws {
        var a = TestNode("branch-1", seed: 1)
        var twin = a  // same key and chain: the origin signs two different ops for seq 1
        let store = try makeStore(trusting: [a])
        try store.applyRemote([a.issue(Sample.memberAdded())], now: 1)
        let fork = twin.issue(Sample.memberAdded("branch-1.m9"))
        let error = try #require(throws: MMSError.self) { try store.applyRemote([fork], now: 1) }
        #expect(error.code == .fork)
        #expect(try store.forkCount() == 1 && store.opCount() == 1)
    }

    @Test func opsAheadOfAGapWaitThenApply() throws {
        var a = TestNode("branch-1", seed: 1)
        let ops = [Sample.memberAdded(), Sample.storedCard()].map { a.issue($0) }
            + [a.issue(try a.teller.topUp(card: Sample.card, amount: Money(fen: 500)))]
        let store = try makeStore(trusting: [a])
        #expect(try store.applyRemote([ops[2]], now: 1) == .init(applied: 0, duplicates: 0, pending: 1))
        #expect(try store.applyRemote([ops[1]], now: 1).pending == 1)
        #expect(try store.versionVector()[a.id] == 0)
        #expect(try store.applyRemote([ops[0]], now: 1).applied == 3)
        #expect(try store.stateHash() == a.state.stateHash)
    }

    @Test func onlyTheHeadOfficeMaySetChainSettings() throws {
        var branch = TestNode("branch-1", seed: 1)
        let store = try makeStore(trusting: [branch])
        let error = try #require(throws: MMSError.self) {
            try store.applyRemote([branch.issue(.settingSet(key: Settings.pointsPerYuan, value: "5"))], now: 1)
        }
        #expect(error.code == .notPermitted)
        #expect(try store.opCount() == 0)
    }

    @Test func batchOverTheLimitIsRefused() throws {
        var a = TestNode("branch-1", seed: 1)
        let op = a.issue(Sample.memberAdded())
        let store = try makeStore(trusting: [a])
        let error = try #require(throws: MMSError.self) {
            try store.applyRemote([SignedOp](repeating: op, count: Limits.maxOpsPerBatch + 1), now: 1)
        }
        #expect(error.code == .batchTooLarge)
        #expect(try store.opCount() == 0)
        #expect(try store.applyRemote([SignedOp](repeating: op, count: Limits.maxOpsPerBatch), now: 1) == .init(applied: 1, duplicates: Limits.maxOpsPerBatch - 1, pending: 0))
    }
}
