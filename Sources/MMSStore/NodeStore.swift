import Foundation
import GRDB
import MMSCore
import MMSCrypto

/// One node's replica of the member store in SQLite (WAL, `synchronous=FULL`). Every op and its
/// effect on the materialised cells commit in one transaction, durably, before a caller is told.
public final class NodeStore: @unchecked Sendable {
    /// GRDB's pool: one writer connection (writes serialise on it) and reader connections that
    /// read the last committed state beside it, so a till's look-up never waits for a commit.
    let db: DatabasePool
    /// A second connection that copies the WAL into the database beside the commit path, so a
    /// till's commit never pays for a checkpoint (SQLite's automatic one is switched off).
    private let checkpointer: Checkpointer
    public let origin: NodeID
    public let role: NodeRole
    private let committer = GroupCommitter()
    /// False only in `mms bench`, to measure what the report tables cost on the apply path: a
    /// store that skips them reports wrong figures until `node rebuild`.
    public var keepsReportTables = true

    /// Opens (creating if needed) the store at `path` for the node `origin`.
    public init(path: String, origin: NodeID, role: NodeRole) throws {
        var config = Configuration()
        config.journalMode = .wal
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // Durability before speed: a commit is on disk when it returns.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            // After a checkpoint lets the WAL restart, trim the file back to this size (64 MiB).
            try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
        }
        do {
            db = try DatabasePool(path: path, configuration: config)
            try Schema.migrator.migrate(db)
            checkpointer = try Checkpointer(path: path, configuration: config, writer: db)
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

    /// The origins this replica accepts ops from (of one role, when given).
    public func trustedOrigins(role: NodeRole? = nil) throws -> [NodeID] {
        try guarded {
            try db.read {
                try String.fetchAll($0, sql: "SELECT id FROM origins WHERE ? IS NULL OR role = ? ORDER BY id", arguments: [role?.rawValue, role?.rawValue]).map { try NodeID($0) }
            }
        }
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

    /// Decides and commits one local op durably: idempotency check, the till rules (`decide`,
    /// against the current state), the op (numbered, linked, signed), its effects, and the
    /// response (`respond`, reading the new state). A thrown error undoes all of it.
    ///
    /// Group commit: requests that arrive while another commit is under way are decided one by one
    /// (each in its own savepoint, seeing the ones before it) and committed in one transaction;
    /// each caller returns only after that transaction is durable. A request alone commits at once.
    public func issue(request: RequestKey?, now: UInt64, key: SigningKey, actor: Actor = .node,
                      decide: (Teller, OpID) throws -> OpBody,
                      respond: (SignedOp, any StateReader) throws -> String) throws -> Issued {
        try withoutActuallyEscaping(decide) { decide in
            try withoutActuallyEscaping(respond) { respond in
                try committer.run(in: self) { db in
                    try self.issue(db, request: request, now: now, key: key, actor: actor, decide: decide, respond: respond)
                }
            }
        }
    }

    private func issue(_ db: Database, request: RequestKey?, now: UInt64, key: SigningKey, actor: Actor,
                       decide: (Teller, OpID) throws -> OpBody, respond: (SignedOp, any StateReader) throws -> String) throws -> Issued {
        if let request, let prior = try Row.fetchOne(db.cachedStatement(sql: "SELECT fingerprint, response FROM requests WHERE key = ?"),
                                                   arguments: [request.key]) {
            guard Array(prior[0] as Data) == request.fingerprint.bytes else { throw Self.conflict(request) }
            return Issued(op: nil, response: prior[1], replayed: true)
        }
        let state = DatabaseState(db: db)
        var chain = try localChain(db)
        let at = chain.clock.tick(now: now)
        let body = try decide(Teller(state: state, origin: origin, role: role, wallMillis: at.wallMillis), OpID(origin: origin, seq: chain.head.seq + 1))
        let op = chain.issue(body, now: now, key: key, actor: actor)
        // An op its peers would refuse must not be acknowledged here: it would never leave this
        // node, and would stop every op after it. What it signs must decode as theirs will.
        do { _ = try OpCodec.decode(op.bytes) } catch let error as MMSError {
            throw MMSError(.invalidArgument, "Refused, nothing changed: the \(body.kind) would not replicate (\(error.message))", details: ["kind": body.kind])
        }
        try insert(op, db)
        try state.apply(op.op.deltas)
        if keepsReportTables { try ReportTables(db: db).apply(ops: [op.op], version: db.lastInsertedRowID) }
        try saveHead(origin, chain.head, db)
        try saveClock(chain.clock, db)
        let response = try respond(op, state)
        if let request {
            try db.cachedStatement(sql: "INSERT INTO requests (key, fingerprint, op_origin, op_seq, response) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: [request.key, Data(request.fingerprint.bytes), origin.rawValue, Int64(op.id.seq), response])
        }
        return Issued(op: op, response: response, replayed: false)
    }

    /// The answer already given to `request`'s key, if any; a key reused for other content is refused.
    public func priorResponse(_ request: RequestKey) throws -> String? {
        try guarded {
            try db.read { db in
                guard let prior = try Row.fetchOne(db.cachedStatement(sql: "SELECT fingerprint, response FROM requests WHERE key = ?"),
                                                   arguments: [request.key]) else { return nil }
                guard Array(prior[0] as Data) == request.fingerprint.bytes else { throw Self.conflict(request) }
                return prior[1]
            }
        }
    }

    static func conflict(_ request: RequestKey) -> MMSError {
        MMSError(.idempotencyConflict, "Request key \(request.key) was already used for a different request.", details: ["key": request.key])
    }

    /// Copies the whole WAL into the database and truncates it (before measuring the file size,
    /// or before a backup); waits for the writer.
    public func checkpoint() throws {
        try guarded { try checkpointer.truncate() }
    }

    /// Reads a consistent snapshot of the state.
    public func read<T>(_ body: (any StateReader) throws -> T) throws -> T {
        try guarded { try db.read { db in try body(DatabaseState(db: db)) } }
    }

    // MARK: - Internals

    /// Runs `body` in one IMMEDIATE transaction. `weight` is roughly how many ops it writes; the
    /// checkpointer uses it to keep the WAL short.
    func write<T>(weight: Int = 1, _ body: (Database) throws -> T) throws -> T {
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
        checkpointer.committed(weight: weight)
        return result
    }

    /// Maps SQLite failures (disk full, I/O error, locked) to one clear error; ours pass through.
    func guarded<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as DatabaseError {
            throw MMSError(.storeFailure, "The store could not complete the change: \(error.message ?? "\(error.resultCode)"). Nothing was changed.")
        }
    }

    private func localChain(_ db: Database) throws -> OriginChain {
        OriginChain(origin: origin, head: try loadHead(origin, db), clock: try loadClock(db))
    }

    func loadHead(_ origin: NodeID, _ db: Database) throws -> ChainHead {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM heads WHERE origin = ?"), arguments: [origin.rawValue]) else {
            return .genesis
        }
        return ChainHead(seq: UInt64(row[0] as Int64), hash: try Digest32(bytes: Array(row[1] as Data)))
    }

    func saveHead(_ origin: NodeID, _ head: ChainHead, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO heads (origin, seq, hash) VALUES (?, ?, ?)")
            .execute(arguments: [origin.rawValue, Int64(head.seq), Data(head.hash.bytes)])
    }

    func loadClock(_ db: Database) throws -> HLC {
        HLC(packed: UInt64(try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'clock'")) ?? "0") ?? 0)
    }

    func saveClock(_ clock: HLC, _ db: Database) throws {
        try db.cachedStatement(sql: "UPDATE meta SET value = ? WHERE key = 'clock'").execute(arguments: [String(clock.packed)])
    }

    func insert(_ op: SignedOp, _ db: Database) throws {
        let actor = op.op.actor
        try db.cachedStatement(sql: "INSERT INTO ops (origin, seq, hlc, kind, member, hash, bytes, signature, operator, till) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .run(.text(op.id.origin.rawValue), .int(Int64(op.id.seq)), .int(Int64(bitPattern: op.op.hlc.packed)), .text(op.op.body.kind),
                 op.op.body.member.map(HotValue.text) ?? .null, .blob(op.hash.bytes), .blob(op.bytes), .blob(op.signature),
                 actor.operatorID.isEmpty ? .null : .text(actor.operatorID), actor.till.isEmpty ? .null : .text(actor.till))
    }

    func trusted(_ origin: NodeID, _ db: Database) throws -> (SigningPublicKey, NodeRole)? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT public_key, role FROM origins WHERE id = ?"), arguments: [origin.rawValue]),
              let role = NodeRole(rawValue: row[1]) else { return nil }
        return (try SigningPublicKey(bytes: Array(row[0] as Data)), role)
    }

}

/// Runs passive WAL checkpoints on its own connection and thread, once about `interval` ops were
/// committed since the last one. A passive checkpoint never blocks the writer; if the process
/// dies mid-way, SQLite recovers. When the last connection closes, SQLite checkpoints the rest.
/// A WAL grown past `walFrameBound` is truncated, which briefly holds the writer back.
private final class Checkpointer: @unchecked Sendable {
    static let interval = 500
    /// WAL frames (pages) beyond which a checkpoint waits for the writer: 16,384 × 4 KiB = 64 MiB.
    static let walFrameBound = 16_384
    private let connection: DatabaseQueue
    /// The store's own writer: a checkpoint run on it runs between two commits.
    private let writer: DatabasePool
    private let queue = DispatchQueue(label: "mms.store.checkpoint")
    private let lock = NSLock()
    private var commits = 0
    private var running = false

    init(path: String, configuration: Configuration, writer: DatabasePool) throws {
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.writer = writer
    }

    func committed(weight: Int) {
        lock.lock()
        commits += min(weight, Self.interval)
        let due = commits >= Self.interval && !running
        if due { commits = 0; running = true }
        lock.unlock()
        guard due else { return }
        queue.async { [self] in
            let frames = try? connection.writeWithoutTransaction { try $0.checkpoint(.passive) }
            // Under a steady stream of commits a passive checkpoint never catches the writer, and
            // the WAL only restarts once one has. Past the bound, one runs on the writer itself,
            // between two commits (milliseconds: most frames were copied already): it catches up,
            // and the next commit starts the WAL over, trimmed to journal_size_limit. (A TRUNCATE
            // from this connection would wait for a writer that never pauses, and give up.)
            if let frames, frames.walFrameCount > Self.walFrameBound {
                _ = try? writer.writeWithoutTransaction { try $0.checkpoint(.passive) }
            }
            lock.lock(); running = false; lock.unlock()
        }
    }

    /// A full checkpoint that also empties the WAL file, after any passive one under way.
    func truncate() throws {
        try queue.sync { _ = try connection.writeWithoutTransaction { try $0.checkpoint(.truncate) } }
    }
}

/// Group commit with a rotating leader: the first request to find no commit under way leads. It
/// takes every request queued (up to `maxBatch`), runs each in its own savepoint inside one IMMEDIATE
/// transaction, commits once, then hands each its outcome. A request that arrives meanwhile waits;
/// when the leader is done it promotes the first waiter to lead the next batch. A request alone
/// leads its own batch of one: no hand-off, no extra wait.
final class GroupCommitter: @unchecked Sendable {
    /// Bounds a transaction (and the latency of its first request) under a flood.
    static let maxBatch = 64

    final class Job {
        /// Released as soon as it has run: the caller's closures must not outlive its call.
        var work: ((Database) throws -> Any)?
        var outcome: Result<Any, Error>?
        var lead = false
        let signal = DispatchSemaphore(value: 0)
        init(_ work: @escaping (Database) throws -> Any) { self.work = work }
    }

    private let lock = NSLock()
    private var queue: [Job] = []
    private var leading = false

    func run<T>(in store: NodeStore, _ work: @escaping (Database) throws -> T) throws -> T {
        let job = Job { try work($0) }
        lock.lock()
        queue.append(job)
        if leading {
            lock.unlock()
            job.signal.wait()
        } else {
            leading = true
            job.lead = true
            lock.unlock()
        }
        if job.outcome == nil {
            precondition(job.lead, "a request woke with neither an outcome nor the lead")
            lead(store)
        }
        return try job.outcome!.get() as! T
    }

    /// Commits one batch (the leader's own request is its first), then hands the lead to the
    /// first request that queued meanwhile.
    private func lead(_ store: NodeStore) {
        lock.lock()
        let batch = Array(queue.prefix(Self.maxBatch))
        queue.removeFirst(batch.count)
        lock.unlock()
        commit(batch, in: store)
        lock.lock()
        if let next = queue.first {
            next.lead = true
            lock.unlock()
            next.signal.signal()
        } else {
            leading = false
            lock.unlock()
        }
        for job in batch where !job.lead { job.signal.signal() }
    }

    private func commit(_ batch: [Job], in store: NodeStore) {
        var outcomes: [Result<Any, Error>] = []
        do {
            try store.write(weight: batch.count) { db in
                for job in batch {
                    do {
                        var value: Any?
                        defer { job.work = nil }
                        try store.guarded { try db.inSavepoint { value = try job.work!(db); return .commit } }
                        outcomes.append(.success(value!))
                    } catch {
                        outcomes.append(.failure(error))
                    }
                }
            }
            for (job, outcome) in zip(batch, outcomes) { job.outcome = outcome }
        } catch {
            // The shared transaction did not commit: nothing of the batch is durable.
            for job in batch { job.work = nil; job.outcome = .failure(error) }
        }
    }
}
