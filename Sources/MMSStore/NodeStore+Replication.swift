import Foundation
import GRDB
import MMSCore
import MMSCrypto

/// The API the replication layer uses: what do you have, give me what I lack, apply these.
extension NodeStore {

    /// What this replica holds: origin → highest contiguous seq.
    public func versionVector() throws -> VersionVector {
        try guarded {
            try db.read { db in
                var vv = VersionVector()
                for row in try Row.fetchAll(db, sql: "SELECT origin, seq FROM heads") { vv[try NodeID(row[0] as String)] = UInt64(row[1] as Int64) }
                return vv
            }
        }
    }

    /// The ops this replica has that a holder of `vector` lacks, at most `limit`, in HLC order so
    /// that an op never arrives before the ops its origin had seen when it was issued.
    public func ops(after vector: VersionVector, limit: Int = Limits.maxOpsPerBatch) throws -> [SignedOp] {
        let limit = min(max(limit, 0), Limits.maxOpsPerBatch)
        return try guarded {
            try db.read { db in
                var found: [SignedOp] = []
                for row in try Row.fetchAll(db, sql: "SELECT origin, seq FROM heads") {
                    let origin = try NodeID(row[0] as String)
                    guard UInt64(row[1] as Int64) > vector[origin] else { continue }
                    let rows = try Row.fetchAll(db, sql: "SELECT bytes, signature FROM ops WHERE origin = ? AND seq > ? ORDER BY seq LIMIT ?",
                                                arguments: [origin.rawValue, Int64(vector[origin]), limit])
                    for r in rows { found.append(SignedOp(op: try OpCodec.decode(Array(r[0] as Data)), bytes: Array(r[0] as Data), signature: Array(r[1] as Data))) }
                }
                found.sort { ($0.op.hlc, $0.id) < ($1.op.hlc, $1.id) }
                return Array(found.prefix(limit))
            }
        }
    }

    public struct ApplyReport: Equatable, Sendable {
        public var applied = 0
        public var duplicates = 0
        /// Ops held because an earlier op of their origin is still missing.
        public var pending = 0
        public init(applied: Int = 0, duplicates: Int = 0, pending: Int = 0) {
            self.applied = applied; self.duplicates = duplicates; self.pending = pending
        }
    }

    /// Applies ops from other replicas: idempotent, in any order, all or nothing. Each origin's
    /// ops are checked against its hash chain and one signature per consecutive run; an op that
    /// fails any check refuses the whole batch (the peer sending it is faulty), and a fork —
    /// a different op for an (origin, seq) already held — is refused and its evidence kept.
    @discardableResult
    public func applyRemote(_ batch: [SignedOp], now: UInt64) throws -> ApplyReport {
        guard batch.count <= Limits.maxOpsPerBatch else {
            throw MMSError(.batchTooLarge, "A batch of \(batch.count) ops is over the limit of \(Limits.maxOpsPerBatch).")
        }
        var forkEvidence: SignedOp?
        do {
            return try write(weight: batch.count) { db in
                var report = ApplyReport()
                let byOrigin = Dictionary(grouping: batch, by: \.id.origin)
                var clock = try loadClock(db)
                var accepted: [SignedOp] = []
                for (origin, ops) in byOrigin.sorted(by: { $0.key < $1.key }) {
                    guard let (key, role) = try trusted(origin, db) else {
                        throw MMSError(.unknownOrigin, "Ops from \(origin), which is not a known node, were refused.", details: ["origin": origin.rawValue])
                    }
                    var head = try loadHead(origin, db)
                    let plan = try BatchIntake.plan(ops, after: head) { seq in
                        try Data.fetchOne(db, sql: "SELECT hash FROM ops WHERE origin = ? AND seq = ?", arguments: [origin.rawValue, Int64(seq)])
                            .flatMap { try? Digest32(bytes: Array($0)) }
                    }
                    if let fork = plan.fork {
                        // Kept as evidence only if its origin really signed it.
                        try ChainVerifier.verifySingle(fork, key: key, role: role)
                        forkEvidence = fork
                        throw MMSError(.fork, "Two different ops claim to be \(fork.id): the second was refused and kept as evidence.",
                                       details: ["op": fork.id.description])
                    }
                    report.duplicates += plan.duplicates
                    for op in plan.ahead {
                        try ChainVerifier.verifySingle(op, key: key, role: role)
                        try hold(op, db)
                        report.pending += 1
                    }
                    var run = plan.run
                    try ChainVerifier.verifyRun(run, after: head, key: key, role: role)
                    run += try drainPending(origin, after: run.last.map { ChainHead(seq: $0.id.seq, hash: $0.hash) } ?? head, db)
                    for op in run {
                        try insert(op, db)
                        clock = clock.receive(op.op.hlc, now: now)
                        head = ChainHead(seq: op.id.seq, hash: op.hash)
                    }
                    accepted += run
                    report.applied += run.count
                    if !run.isEmpty { try saveHead(origin, head, db) }
                }
                // The batch's effects, in one go after every op of it passed its checks.
                try DatabaseState(db: db).apply(accepted.flatMap(\.op.deltas))
                if !accepted.isEmpty && keepsReportTables { try ReportTables(db: db).apply(ops: accepted.map(\.op), version: db.lastInsertedRowID) }
                try dropCoveredPending(db)
                try saveClock(clock, db)
                return report
            }
        } catch let error as MMSError where error.code == .fork {
            if let evidence = forkEvidence { try keepForkEvidence(evidence) }
            throw error
        }
    }

    /// Count of fork evidence rows kept.
    public func forkCount() throws -> Int {
        try guarded { try db.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM forks") ?? 0 } }
    }

    // MARK: - Held ops and forks

    private func hold(_ op: SignedOp, _ db: Database) throws {
        let held = try Int.fetchOne(db, sql: "SELECT count(*) FROM pending_ops") ?? 0
        guard held < Limits.maxPendingOps else {
            throw MMSError(.batchTooLarge, "Too many out-of-order ops are waiting (\(held)); the batch was refused.")
        }
        try db.execute(sql: "INSERT OR IGNORE INTO pending_ops (origin, seq, bytes, signature) VALUES (?, ?, ?, ?)",
                       arguments: [op.id.origin.rawValue, Int64(op.id.seq), Data(op.bytes), Data(op.signature)])
    }

    /// Takes the held ops of `origin` that now continue its chain after `head` (`BatchIntake.drain`).
    private func drainPending(_ origin: NodeID, after head: ChainHead, _ db: Database) throws -> [SignedOp] {
        let (drained, fork) = try BatchIntake.drain(after: head) { seq in
            guard let row = try Row.fetchOne(db, sql: "SELECT bytes, signature FROM pending_ops WHERE origin = ? AND seq = ?",
                                             arguments: [origin.rawValue, Int64(seq)]) else { return nil }
            try db.execute(sql: "DELETE FROM pending_ops WHERE origin = ? AND seq = ?", arguments: [origin.rawValue, Int64(seq)])
            return SignedOp(op: try OpCodec.decode(Array(row[0] as Data)), bytes: Array(row[0] as Data), signature: Array(row[1] as Data))
        }
        if let fork {
            // A held op that does not link is a fork of what we now hold: dropped, kept as evidence.
            let linkedTo = drained.last?.hash ?? head.hash
            try db.execute(sql: "INSERT OR IGNORE INTO forks (origin, seq, held_hash, offered_bytes, offered_signature) VALUES (?, ?, ?, ?, ?)",
                           arguments: [origin.rawValue, Int64(fork.id.seq) - 1, Data(linkedTo.bytes), Data(fork.bytes), Data(fork.signature)])
        }
        return drained
    }

    /// Drops held ops that the chain now covers (they arrived again, in order).
    private func dropCoveredPending(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM pending_ops WHERE seq <= (SELECT seq FROM heads WHERE heads.origin = pending_ops.origin)")
    }

    private func keepForkEvidence(_ op: SignedOp) throws {
        try write { db in
            let held = try Data.fetchOne(db, sql: "SELECT hash FROM ops WHERE origin = ? AND seq = ?", arguments: [op.id.origin.rawValue, Int64(op.id.seq)])
            try db.execute(sql: "INSERT OR IGNORE INTO forks (origin, seq, held_hash, offered_bytes, offered_signature) VALUES (?, ?, ?, ?, ?)",
                           arguments: [op.id.origin.rawValue, Int64(op.id.seq), held ?? Data(), Data(op.bytes), Data(op.signature)])
        }
    }
}

extension NodeStore: ReplicaStore {
    public func applyPeerBatch(_ batch: [SignedOp], now: UInt64) throws -> Int { try applyRemote(batch, now: now).applied }
}
