import Foundation
import MMSCore
import MMSCrypto
import MMSStore
import MMSTestSupport
import Testing

/// Group commit: many tills issuing at once share transactions, yet each request is decided
/// against the ones committed before it, a refused one leaves nothing, and every answer given
/// names an op that is in the store.
@Suite struct GroupCommitTests {
    let key = SigningKey.generate()

    @Test func concurrentChargesShareTransactionsAndNeverOverdraw() throws {
        let store = try makeStore("branch-1")
        try store.trust(origin: store.origin, key: key.publicKey, role: .branch)
        for body in [Sample.memberAdded(), Sample.storedCard()] {
            _ = try store.issue(request: nil, now: 1_000, key: key, decide: { _, _ in body }, respond: { _, _ in "" })
        }
        _ = try store.issue(request: nil, now: 1_000, key: key, decide: { teller, _ in try teller.topUp(card: Sample.card, amount: Money(fen: 50_000)) },
                            respond: { _, _ in "" })
        // 16 tills × 40 charges of 1.00 against a balance of 500.00: exactly 500 succeed.
        let lock = NSLock()
        nonisolated(unsafe) var accepted: [String] = [], refused = 0, other: [Error] = []
        DispatchQueue.concurrentPerform(iterations: 16) { till in
            for n in 0..<40 {
                let request = NodeStore.RequestKey(key: "t\(till)-\(n)", fingerprint: Blake2b.hash(Array("t\(till)-\(n)".utf8)))
                do {
                    let issued = try store.issue(request: request, now: 2_000, key: key, decide: { teller, _ in
                        try teller.charge(card: Sample.card, amount: Money(fen: 100))
                    }, respond: { op, _ in op.id.description })
                    lock.lock(); accepted.append(issued.response); lock.unlock()
                } catch let error as MMSError where error.code == .insufficientFunds {
                    lock.lock(); refused += 1; lock.unlock()
                } catch {
                    lock.lock(); other.append(error); lock.unlock()
                }
            }
        }
        #expect(other.isEmpty, "\(other)")
        #expect(accepted.count == 500 && refused == 140)
        #expect(try store.read { try $0.escrow(Cell.storedValue(member: Sample.member)).total } == 0)
        // Every answered op is in the log, numbered without gaps, and the state verifies.
        let held = Set(try store.audit(.init(kind: "charge", limit: 10_000)).map(\.id.description))
        #expect(Set(accepted) == held)
        #expect(try store.versionVector()[store.origin] == 503)
        #expect(try store.verify().ok)
    }

    /// A node under a steady stream of commits keeps its WAL bounded: a passive checkpoint alone
    /// never catches the writer, and the file grew by every page of every commit (54 GB over a
    /// 600,000-member import before this test).
    @Test func theWALStaysBoundedUnderASteadyStreamOfCommits() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mms-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("store.sqlite").path
        let store = try NodeStore(path: path, origin: try NodeID("branch-1"), role: .branch)
        try store.trust(origin: store.origin, key: key.publicKey, role: .branch)
        func walBytes() -> Int { ((try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int) ?? 0 }
        var largest = 0
        for i in 1...12_000 {
            _ = try store.issue(request: nil, now: 1_000, key: key, decide: { _, _ in Sample.memberAdded("branch-1.m\(i)") }, respond: { _, _ in "" })
            if i % 100 == 0 { largest = max(largest, walBytes()) }
        }
        // The bound (64 MiB) plus what the commits add while checkpoints run; unbounded, the
        // 12,000 commits' 20 pages each made a WAL of about 1 GB.
        #expect(largest < 300 << 20, "the WAL reached \(largest >> 20) MiB")
        #expect(try store.versionVector()[store.origin] == 12_000)
    }
}
