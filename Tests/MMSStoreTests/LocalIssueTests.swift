import Foundation
import MMSCore
import MMSCrypto
import MMSStore
import MMSTestSupport
import Testing

@Suite struct LocalIssueTests {
    let key = SigningKey.generate()

    func seededStore() throws -> NodeStore {
        let store = try makeStore("branch-1")
        try store.trust(origin: store.origin, key: key.publicKey, role: .branch)
        for body in [Sample.memberAdded(), Sample.storedCard()] { _ = try issue(store, body) }
        _ = try issue(store, .topUp(Payment(member: Sample.member, card: Sample.card, amount: Money(fen: 10_000))))
        return store
    }

    func issue(_ store: NodeStore, _ body: OpBody, request: NodeStore.RequestKey? = nil) throws -> NodeStore.Issued {
        try store.issue(request: request, now: 1_000, key: key, decide: { _, _ in body }, respond: { op, _ in op.id.description })
    }

    func charge(_ store: NodeStore, fen: Int64, key requestKey: String, fingerprint: String) throws -> NodeStore.Issued {
        let request = NodeStore.RequestKey(key: requestKey, fingerprint: Blake2b.hash(Array(fingerprint.utf8)))
        return try store.issue(request: request, now: 1_000, key: key, decide: { teller, _ in
            try teller.charge(card: Sample.card, amount: Money(fen: fen))
        }, respond: { op, _ in op.id.description })
    }

    @Test func aRetriedRequestIsAnsweredNotRepeated() throws {
        let store = try seededStore()
        let first = try charge(store, fen: 3_000, key: "till-1-0001", fingerprint: "charge 30.00")
        let again = try charge(store, fen: 3_000, key: "till-1-0001", fingerprint: "charge 30.00")
        #expect(!first.replayed && again.replayed && again.response == first.response && again.op == nil)
        #expect(try store.read { try $0.escrow(Cell.storedValue(member: Sample.member)).total } == 7_000)
    }

    @Test func aReusedKeyWithOtherContentIsRefusedAndChangesNothing() throws {
        let store = try seededStore()
        _ = try charge(store, fen: 3_000, key: "till-1-0001", fingerprint: "charge 30.00")
        let before = try store.stateHash()
        let error = try #require(throws: MMSError.self) { try charge(store, fen: 5_000, key: "till-1-0001", fingerprint: "charge 50.00") }
        #expect(error.code == .idempotencyConflict)
        #expect(try store.stateHash() == before)
    }

    @Test func aRefusedRequestCommitsNothing() throws {
        let store = try seededStore()
        let before = (try store.stateHash(), try store.opCount(), try store.versionVector())
        let error = try #require(throws: MMSError.self) { try charge(store, fen: 10_001, key: "till-1-0002", fingerprint: "charge 100.01") }
        #expect(error.code == .insufficientFunds)
        #expect(try store.stateHash() == before.0 && store.opCount() == before.1 && store.versionVector() == before.2)
        // The key of a refused request is free for the retry that follows the customer's top-up.
        _ = try issue(store, .topUp(Payment(member: Sample.member, card: Sample.card, amount: Money(fen: 1))))
        #expect(!(try charge(store, fen: 10_001, key: "till-1-0002", fingerprint: "charge 100.01").replayed))
    }

    @Test func localOpsFormAVerifiableChainThatAnotherStoreAccepts() throws {
        let store = try seededStore()
        let verification = try store.verify()
        #expect(verification.ok && verification.ops == 3)
        let replica = try makeStore("hq", role: .hq)
        try replica.trust(origin: store.origin, key: key.publicKey, role: .branch)
        try replica.applyRemote(store.ops(after: VersionVector()), now: 2_000)
        #expect(try replica.stateHash() == store.stateHash())
        try store.rebuild()
        #expect(try store.verify().ok)
    }
}
