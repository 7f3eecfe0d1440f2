import Foundation
import GRDB
import MMSCore
import MMSCrypto

/// One node's replica of the member store in SQLite (WAL, `synchronous=FULL`). Every op and its
/// effect on the materialised cells commit in one transaction, durably, before a caller is told.
public final class NodeStore: @unchecked Sendable {
    /// GRDB's queue serialises access to the store's one connection.
    private let db: DatabaseQueue
    /// A second connection that copies the WAL into the database beside the commit path, so a
    /// till's commit never pays for a checkpoint (SQLite's automatic one is switched off).
    private let checkpointer: Checkpointer
    public let origin: NodeID
    public let role: NodeRole

    /// Opens (creating if needed) the store at `path` for the node `origin`.
    public init(path: String, origin: NodeID, role: NodeRole) throws {
        var config = Configuration()
        config.journalMode = .wal
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // Durability before speed: a commit is on disk when it returns.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
        }
        do {
            db = try DatabaseQueue(path: path, configuration: config)
            try Schema.migrator.migrate(db)
            checkpointer = try Checkpointer(path: path, configuration: config)
        } catch let error as DatabaseError {
            throw MMSError(.storeFailure, "Cannot open the store at \(path): \(error.message ?? "\(error)").")
        }
        self.origin = origin
        self.role = role
        try write { db in
            let recorded = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'origin'")
            if let recorded, recorded != origin.rawValue {
                throw MMSError(.storeFailure, "This store belongs to node \(recorded), not \(origin).")
            }
            try db.execute(sql: "INSERT OR IGNORE INTO meta (key, value) VALUES ('origin', ?), ('clock', '0')", arguments: [origin.rawValue])
        }
    }

    // MARK: Trust

    /// Accepts ops signed by `key` as coming from `origin` in `role`. Topology and certificates
    /// feed this on a network node; a single node trusts itself.
    public func trust(origin: NodeID, key: SigningPublicKey, role: NodeRole) throws {
        try write { db in
            if let known = try Data.fetchOne(db, sql: "SELECT public_key FROM origins WHERE id = ?", arguments: [origin.rawValue]),
               Array(known) != key.bytes {
                throw MMSError(.badSignature, "Origin \(origin) is already known with a different key.")
            }
            try db.execute(sql: "INSERT OR REPLACE INTO origins (id, public_key, role) VALUES (?, ?, ?)",
                           arguments: [origin.rawValue, Data(key.bytes), role.rawValue])
        }
    }

    /// The origins this replica accepts ops from.
    public func trustedOrigins() throws -> [NodeID] {
        try guarded { try db.read { try String.fetchAll($0, sql: "SELECT id FROM origins ORDER BY id").map { try NodeID($0) } } }
    }

    // MARK: Issuing local ops

    /// A till request's idempotency key and a fingerprint of its content.
    public struct RequestKey: Sendable {
        public let key: String
        public let fingerprint: Digest32
        public init(key: String, fingerprint: Digest32) { self.key = key; self.fingerprint = fingerprint }
    }

    public struct Issued: Sendable {
        public let op: SignedOp?
        /// The answer given to the request; the stored one when `replayed`.
        public let response: String
        /// True when the request key was seen before: nothing new was committed.
        public let replayed: Bool
    }

    /// Decides and commits one local op in one durable transaction: idempotency check, the till
    /// rules (`decide`, against the current state), the op (numbered, linked, signed), its
    /// effects, and the response (`respond`, reading the new state). A thrown error rolls back all.
    public func issue(request: RequestKey?, now: UInt64, key: SigningKey,
                      decide: (Teller, OpID) throws -> OpBody,
                      respond: (SignedOp, any StateReader) throws -> String) throws -> Issued {
        try write { db in
            if let request, let prior = try Row.fetchOne(db.cachedStatement(sql: "SELECT fingerprint, response FROM requests WHERE key = ?"),
                                                       arguments: [request.key]) {
                guard Array(prior[0] as Data) == request.fingerprint.bytes else {
                    throw MMSError(.idempotencyConflict, "Request key \(request.key) was already used for a different request.",
                                   details: ["key": request.key])
                }
                return Issued(op: nil, response: prior[1], replayed: true)
            }
            let state = DatabaseState(db: db)
            var chain = try localChain(db)
            let body = try decide(Teller(state: state, origin: origin, role: role), OpID(origin: origin, seq: chain.head.seq + 1))
            let op = chain.issue(body, now: now, key: key)
            try insert(op, db)
            try state.apply(op.op.deltas)
            try saveHead(origin, chain.head, db)
            try saveClock(chain.clock, db)
            let response = try respond(op, state)
            if let request {
                try db.cachedStatement(sql: "INSERT INTO requests (key, fingerprint, op_origin, op_seq, response) VALUES (?, ?, ?, ?, ?)")
                    .execute(arguments: [request.key, Data(request.fingerprint.bytes), origin.rawValue, Int64(op.id.seq), response])
            }
            return Issued(op: op, response: response, replayed: false)
        }
    }

    /// Reads a consistent snapshot of the state.
    public func read<T>(_ body: (any StateReader) throws -> T) throws -> T {
        try guarded { try db.read { db in try body(DatabaseState(db: db)) } }
    }

    // MARK: Replication API

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
            return try write { db in
                var report = ApplyReport()
                let byOrigin = Dictionary(grouping: batch, by: \.id.origin)
                var clock = try loadClock(db)
                var accepted: [SignedOp] = []
                for (origin, ops) in byOrigin.sorted(by: { $0.key < $1.key }) {
                    guard let (key, role) = try trusted(origin, db) else {
                        throw MMSError(.unknownOrigin, "Ops from \(origin), which is not a known node, were refused.", details: ["origin": origin.rawValue])
                    }
                    var head = try loadHead(origin, db)
                    var run: [SignedOp] = []
                    var seen = Set<UInt64>()
                    for op in ops.sorted(by: { $0.id.seq < $1.id.seq }) {
                        if op.id.seq <= head.seq {
                            let held = try Data.fetchOne(db, sql: "SELECT hash FROM ops WHERE origin = ? AND seq = ?",
                                                         arguments: [origin.rawValue, Int64(op.id.seq)])
                            if let held, Array(held) != op.hash.bytes {
                                try ChainVerifier.verifySingle(op, key: key, role: role)
                                forkEvidence = op
                                throw MMSError(.fork, "Two different ops claim to be \(op.id): the second was refused and kept as evidence.",
                                               details: ["op": op.id.description])
                            }
                            report.duplicates += 1
                        } else if !seen.insert(op.id.seq).inserted {
                            if run.contains(where: { $0.id == op.id && $0.hash != op.hash }) {
                                try ChainVerifier.verifySingle(op, key: key, role: role)
                                forkEvidence = op
                                throw MMSError(.fork, "The batch holds two different ops for \(op.id).", details: ["op": op.id.description])
                            }
                            report.duplicates += 1
                        } else if op.id.seq == head.seq + UInt64(run.count) + 1 {
                            run.append(op)
                        } else {
                            try ChainVerifier.verifySingle(op, key: key, role: role)
                            try hold(op, db)
                            report.pending += 1
                        }
                    }
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
                // The batch's effects, each touched cell written once.
                try DatabaseState(db: db).apply(Delta.coalesce(accepted.lazy.flatMap(\.op.deltas)))
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

    // MARK: Inspection

    /// A member's ops, newest first.
    public func history(member: String, limit: Int) throws -> [Op] {
        try guarded {
            try db.read { db in
                try Data.fetchAll(db, sql: "SELECT bytes FROM ops WHERE member = ? ORDER BY hlc DESC LIMIT ?", arguments: [member, limit])
                    .map { try OpCodec.decode(Array($0)) }
            }
        }
    }

    public func op(_ id: OpID) throws -> Op? {
        try guarded {
            try db.read { db in
                try Data.fetchOne(db, sql: "SELECT bytes FROM ops WHERE origin = ? AND seq = ?", arguments: [id.origin.rawValue, Int64(id.seq)])
                    .map { try OpCodec.decode(Array($0)) }
            }
        }
    }

    /// Members whose blind phone index equals `index`.
    public func members(phoneIndex index: [UInt8]) throws -> [String] {
        try guarded {
            try db.read { db in
                try String.fetchAll(db, sql: "SELECT entity FROM registers WHERE name = ? AND value = ? ORDER BY entity",
                                    arguments: [Cell.phoneIndex, Data(index)])
                    .map { String($0.dropFirst(Cell.member("").count)) }
            }
        }
    }

    /// The codes of a member's coupons.
    public func coupons(member: String) throws -> [String] {
        try guarded {
            try db.read { db in
                try String.fetchAll(db, sql: "SELECT entity FROM registers WHERE name = ? AND value = ? AND entity LIKE 'coupon:%' ORDER BY entity",
                                    arguments: [Cell.cardMember, Data(member.utf8)])
                    .map { String($0.dropFirst(Cell.coupon("").count)) }
            }
        }
    }

    public func stateHash() throws -> Digest32 {
        try guarded { try db.read { try DatabaseState(db: $0).stateHash() } }
    }

    public func opCount() throws -> Int {
        try guarded { try db.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM ops") ?? 0 } }
    }

    // MARK: Verify and rebuild

    public struct Verification: Sendable {
        public let ops: Int
        public let origins: Int
        public let stateHash: Digest32
        public let rebuiltHash: Digest32
        public var ok: Bool { stateHash == rebuiltHash }
    }

    /// Checks every origin's chain (links and the head's signature), that the heads match the
    /// log, and that folding the log alone gives exactly the materialised state.
    public func verify() throws -> Verification {
        try guarded {
            try db.read { db in
                var rebuilt = MemoryState()
                var count = 0
                let origins = try Row.fetchAll(db, sql: "SELECT origin, seq, hash FROM heads ORDER BY origin")
                for row in origins {
                    let origin = try NodeID(row[0] as String)
                    guard let (key, role) = try trusted(origin, db) else {
                        throw MMSError(.verifyFailed, "The log holds ops of \(origin), which is not a trusted origin.")
                    }
                    var chain = ChainHead.genesis
                    var last: SignedOp?
                    let cursor = try Row.fetchCursor(db, sql: "SELECT bytes, signature, seq, hash FROM ops WHERE origin = ? ORDER BY seq", arguments: [origin.rawValue])
                    while let r = try cursor.next() {
                        let op = SignedOp(op: try OpCodec.decode(Array(r[0] as Data)), bytes: Array(r[0] as Data), signature: Array(r[1] as Data))
                        guard op.id.seq == UInt64(r[2] as Int64), op.hash.bytes == Array(r[3] as Data),
                              op.id.seq == chain.seq + 1, op.op.prevHash == chain.hash else {
                            throw MMSError(.verifyFailed, "The chain of \(origin) is broken at seq \(chain.seq + 1).")
                        }
                        try ChainVerifier.requirePermitted(op.op, role: role)
                        rebuilt.apply(op.op.deltas)
                        chain = ChainHead(seq: op.id.seq, hash: op.hash)
                        last = op
                        count += 1
                    }
                    guard chain.seq == UInt64(row[1] as Int64), chain.hash.bytes == Array(row[2] as Data) else {
                        throw MMSError(.verifyFailed, "The head recorded for \(origin) does not match its log.")
                    }
                    if let last, !key.isValidSignature(last.signature, for: last.bytes) {
                        throw MMSError(.verifyFailed, "The last op of \(origin) does not carry a valid signature.")
                    }
                }
                return Verification(ops: count, origins: origins.count, stateHash: try DatabaseState(db: db).stateHash(), rebuiltHash: rebuilt.stateHash)
            }
        }
    }

    /// Recomputes the materialised cells from the op log alone, in one transaction.
    public func rebuild() throws {
        try write { db in
            for table in Schema.cellTables { try db.execute(sql: "DELETE FROM \(table)") }
            let state = DatabaseState(db: db)
            let cursor = try Data.fetchCursor(db, sql: "SELECT bytes FROM ops")
            var chunk: [Delta] = []
            while let bytes = try cursor.next() {
                chunk += try OpCodec.decode(Array(bytes)).deltas
                if chunk.count >= 50_000 { try state.apply(Delta.coalesce(chunk)); chunk.removeAll(keepingCapacity: true) }
            }
            try state.apply(Delta.coalesce(chunk))
        }
    }

    // MARK: - Internals

    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        let result = try guarded {
            try db.writeWithoutTransaction { db in
                var result: T?
                // IMMEDIATE takes the write lock up front: several processes on one store (tills
                // sharing a node directory) wait their turn instead of failing to upgrade a read lock.
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        }
        checkpointer.committed()
        return result
    }

    /// Maps SQLite failures (disk full, I/O error, locked) to one clear error; ours pass through.
    private func guarded<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as DatabaseError {
            throw MMSError(.storeFailure, "The store could not complete the change: \(error.message ?? "\(error.resultCode)"). Nothing was changed.")
        }
    }

    private func localChain(_ db: Database) throws -> OriginChain {
        OriginChain(origin: origin, head: try loadHead(origin, db), clock: try loadClock(db))
    }

    private func loadHead(_ origin: NodeID, _ db: Database) throws -> ChainHead {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM heads WHERE origin = ?"), arguments: [origin.rawValue]) else {
            return .genesis
        }
        return ChainHead(seq: UInt64(row[0] as Int64), hash: try Digest32(bytes: Array(row[1] as Data)))
    }

    private func saveHead(_ origin: NodeID, _ head: ChainHead, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO heads (origin, seq, hash) VALUES (?, ?, ?)")
            .execute(arguments: [origin.rawValue, Int64(head.seq), Data(head.hash.bytes)])
    }

    private func loadClock(_ db: Database) throws -> HLC {
        HLC(packed: UInt64(try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'clock'")) ?? "0") ?? 0)
    }

    private func saveClock(_ clock: HLC, _ db: Database) throws {
        try db.cachedStatement(sql: "UPDATE meta SET value = ? WHERE key = 'clock'").execute(arguments: [String(clock.packed)])
    }

    private func insert(_ op: SignedOp, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO ops (origin, seq, hlc, kind, member, hash, bytes, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .execute(arguments: [op.id.origin.rawValue, Int64(op.id.seq), Int64(bitPattern: op.op.hlc.packed), op.op.body.kind,
                                 op.op.body.member, Data(op.hash.bytes), Data(op.bytes), Data(op.signature)])
    }

    private func trusted(_ origin: NodeID, _ db: Database) throws -> (SigningPublicKey, NodeRole)? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT public_key, role FROM origins WHERE id = ?"), arguments: [origin.rawValue]),
              let role = NodeRole(rawValue: row[1]) else { return nil }
        return (try SigningPublicKey(bytes: Array(row[0] as Data)), role)
    }

    private func hold(_ op: SignedOp, _ db: Database) throws {
        let held = try Int.fetchOne(db, sql: "SELECT count(*) FROM pending_ops") ?? 0
        guard held < Limits.maxPendingOps else {
            throw MMSError(.batchTooLarge, "Too many out-of-order ops are waiting (\(held)); the batch was refused.")
        }
        try db.execute(sql: "INSERT OR IGNORE INTO pending_ops (origin, seq, bytes, signature) VALUES (?, ?, ?, ?)",
                       arguments: [op.id.origin.rawValue, Int64(op.id.seq), Data(op.bytes), Data(op.signature)])
    }

    /// Takes the held ops of `origin` that now continue its chain after `head`, checking each link.
    private func drainPending(_ origin: NodeID, after head: ChainHead, _ db: Database) throws -> [SignedOp] {
        var head = head
        var drained: [SignedOp] = []
        while let row = try Row.fetchOne(db, sql: "SELECT bytes, signature FROM pending_ops WHERE origin = ? AND seq = ?",
                                         arguments: [origin.rawValue, Int64(head.seq + 1)]) {
            let op = SignedOp(op: try OpCodec.decode(Array(row[0] as Data)), bytes: Array(row[0] as Data), signature: Array(row[1] as Data))
            try db.execute(sql: "DELETE FROM pending_ops WHERE origin = ? AND seq = ?", arguments: [origin.rawValue, Int64(op.id.seq)])
            guard op.op.prevHash == head.hash else {
                // A held op that does not link is a fork of what we now hold: drop it, keep evidence.
                try db.execute(sql: "INSERT OR IGNORE INTO forks (origin, seq, held_hash, offered_bytes, offered_signature) VALUES (?, ?, ?, ?, ?)",
                               arguments: [origin.rawValue, Int64(op.id.seq) - 1, Data(head.hash.bytes), Data(op.bytes), Data(op.signature)])
                break
            }
            drained.append(op)
            head = ChainHead(seq: op.id.seq, hash: op.hash)
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

/// Runs passive WAL checkpoints on its own connection and thread, every `interval` commits.
/// A passive checkpoint never blocks the writer; if the process dies mid-way, SQLite recovers.
/// When the last connection closes, SQLite checkpoints whatever is left.
private final class Checkpointer: @unchecked Sendable {
    static let interval = 200
    private let connection: DatabaseQueue
    private let queue = DispatchQueue(label: "mms.store.checkpoint")
    private let lock = NSLock()
    private var commits = 0
    private var running = false

    init(path: String, configuration: Configuration) throws {
        connection = try DatabaseQueue(path: path, configuration: configuration)
    }

    func committed() {
        lock.lock()
        commits += 1
        let due = commits >= Self.interval && !running
        if due { commits = 0; running = true }
        lock.unlock()
        guard due else { return }
        queue.async { [self] in
            _ = try? connection.writeWithoutTransaction { try $0.checkpoint(.passive) }
            lock.lock(); running = false; lock.unlock()
        }
    }
}
