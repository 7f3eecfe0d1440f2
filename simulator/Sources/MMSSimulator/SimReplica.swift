import MMSCore
import MMSCrypto
import MMSStore

/// One node's replica in the simulator: the same ops, chain checks, CRDT deltas and till rules as
/// a real node, with the op log and cells in memory (`MemoryState`) instead of SQLite. What the
/// real store keeps on disk — every op it acknowledged or stored — is what survives a crash here.
final class SimReplica {
    let id: NodeID
    let role: NodeRole
    let key: SigningKey
    private(set) var chain: OriginChain
    private(set) var state = MemoryState()
    /// Each origin's ops, contiguous from seq 1: the durable op log.
    private(set) var log: [NodeID: [SignedOp]] = [:]
    /// Every op in the order this replica stored it: a causal order, and what links send from.
    private(set) var arrivals: [SignedOp] = []
    private(set) var vector = VersionVector()
    /// Ops that arrived ahead of a gap in their origin's chain, held until it fills.
    private var pending: [NodeID: [UInt64: SignedOp]] = [:]
    /// Members whose stored value changed here since the last placement pass.
    private(set) var touchedMembers: Set<String> = []

    /// With `--store sqlite`: the node's real SQLite store, fed every op this replica stores,
    /// one transaction per local op or received batch, as the node commits them. A restart
    /// reopens it and starts from what it durably holds.
    private var mirror: NodeStore?
    private var mirrorPath: String?
    private var unflushed: [SignedOp] = []

    init(id: NodeID, role: NodeRole, key: SigningKey) {
        self.id = id; self.role = role; self.key = key
        chain = OriginChain(origin: id, head: .genesis, clock: .zero)
    }

    /// Opens the SQLite store at `path`, trusting every node of the chain.
    func attachStore(path: String, trusting keys: [NodeID: (SigningPublicKey, NodeRole)]) throws {
        let store = try NodeStore(path: path, origin: id, role: role)
        for (origin, (key, role)) in keys.sorted(by: { $0.key < $1.key }) { try store.trust(origin: origin, key: key, role: role) }
        mirror = store
        mirrorPath = path
    }

    /// The first error the SQLite store gave, if any (the run reports it as `store_failure`).
    private(set) var storeError: String?

    /// Commits what was stored since the last commit to the SQLite store.
    private func commit(now: UInt64) {
        guard let mirror, !unflushed.isEmpty else { return }
        defer { unflushed = [] }
        for start in stride(from: 0, to: unflushed.count, by: Limits.maxOpsPerBatch) {
            do {
                try mirror.applyRemote(Array(unflushed[start..<min(unflushed.count, start + Limits.maxOpsPerBatch)]), now: now)
            } catch {
                storeError = storeError ?? "\(error)"
            }
        }
    }

    /// The SQLite store's state hash, when there is one: it must equal the in-memory fold.
    func storeStateHash() throws -> Digest32? { try mirror?.stateHash() }

    var pendingCount: Int { pending.values.reduce(0) { $0 + $1.count } }
    /// The till's rules for an op issued at wall time `now`: decided with the time the op will
    /// carry (its HLC), as the node's store decides, so date rules agree with the op's own day.
    func teller(now: UInt64) -> Teller { Teller(state: state, origin: id, role: role, wallMillis: chain.clock.tick(now: now).wallMillis) }
    /// The number the next local op will carry.
    var nextSeq: UInt64 { chain.head.seq + 1 }

    func holds(_ op: OpID, hash: Digest32) -> Bool {
        guard let ops = log[op.origin], op.seq >= 1, op.seq <= UInt64(ops.count) else { return false }
        return ops[Int(op.seq - 1)].hash == hash
    }

    /// Issues a local op (the till's request passed the rules); it is durable at once.
    func issue(_ body: OpBody, now: UInt64) -> SignedOp {
        let op = chain.issue(body, now: now, key: key)
        store(op)
        commit(now: now)
        return op
    }

    /// Applies a batch from a peer as the real store does: per origin in seq order, each op
    /// linked to the one before and signed by its origin (checked once per op per run: `verified`),
    /// duplicates ignored, ops past a gap held. Returns the ops newly stored, or throws on a bad op.
    func applyRemote(_ batch: [SignedOp], now: UInt64, keys: [NodeID: (SigningPublicKey, NodeRole)],
                     verified: inout Set<Digest32>) throws -> Int {
        var stored = 0
        // Sorted and classified as the node's store does (`BatchIntake`); verified per op, cached by hash.
        for (origin, ops) in Dictionary(grouping: batch, by: \.id.origin).sorted(by: { $0.key < $1.key }) {
            guard let (publicKey, role) = keys[origin] else { throw MMSError(.unknownOrigin, "unknown origin \(origin)") }
            let head = ChainHead(seq: vector[origin], hash: log[origin]?.last?.hash ?? .zero)
            let plan = BatchIntake.plan(ops, after: head) { seq in log[origin].map { $0[Int(seq - 1)].hash } }
            if let fork = plan.fork { throw MMSError(.fork, "fork at \(fork.id)") }
            for op in plan.run + plan.ahead where !verified.contains(op.hash) {
                try ChainVerifier.verifySingle(op, key: publicKey, role: role)
                verified.insert(op.hash)
            }
            for op in plan.ahead { pending[origin, default: [:]][op.id.seq] = op }
            for op in plan.run {
                guard op.op.prevHash == (log[origin]?.last?.hash ?? .zero) else { throw MMSError(.brokenChain, "\(op.id) does not link") }
                store(op)
                chain.observe(op.op.hlc, now: now)
                stored += 1
            }
            let after = ChainHead(seq: vector[origin], hash: log[origin]?.last?.hash ?? .zero)
            let (drained, fork) = BatchIntake.drain(after: after) { seq in pending[origin]?.removeValue(forKey: seq) }
            if let fork { throw MMSError(.brokenChain, "\(fork.id) does not link") }
            for op in drained { store(op) }
            stored += drained.count
            // Held ops the chain now covers (they also came again, in order) are dropped, as the store drops them.
            if let held = pending[origin], held.keys.contains(where: { $0 <= vector[origin] }) {
                pending[origin] = held.filter { $0.key > vector[origin] }
            }
        }
        commit(now: now)
        return stored
    }

    private func store(_ op: SignedOp) {
        log[op.id.origin, default: []].append(op)
        arrivals.append(op)
        if mirror != nil { unflushed.append(op) }
        vector[op.id.origin] = op.id.seq
        state.apply(op.op.deltas)
        if let member = op.op.body.storedValueMember { touchedMembers.insert(member) }
    }

    func takeTouchedMembers() -> [String] {
        defer { touchedMembers = [] }
        return touchedMembers.sorted()
    }

    /// The ops a peer at `after` lacks, in arrival order (per origin in seq order, so any prefix
    /// is causally closed), at most `limit`. `watermark` is the link's: arrivals before it are
    /// known to be held by the peer, so a round costs what is new, not what is held.
    func ops(after: VersionVector, watermark: inout Int, limit: Int) -> [SignedOp] {
        while watermark < arrivals.count, after[arrivals[watermark].id.origin] >= arrivals[watermark].id.seq { watermark += 1 }
        var batch: [SignedOp] = []
        var i = watermark
        while i < arrivals.count, batch.count < limit {
            if after[arrivals[i].id.origin] < arrivals[i].id.seq { batch.append(arrivals[i]) }
            i += 1
        }
        return batch
    }

    /// A crash: everything in memory is gone; the node restarts from its durable op log, as the
    /// real node reopens its SQLite store. `losing` own ops (a broken rule) drops the newest ones.
    func restart(losingOwnOps losing: Int) throws {
        pending = [:]
        unflushed = []
        if let path = mirrorPath {
            // The real restart: reopen the store and take every op it holds.
            let store = try NodeStore(path: path, origin: id, role: role)
            mirror = store
            var held: [SignedOp] = [], seen = VersionVector()
            while true {
                let page = try store.ops(after: seen, limit: Limits.maxOpsPerBatch)
                guard !page.isEmpty else { break }
                for op in page { seen[op.id.origin] = max(seen[op.id.origin], op.id.seq) }
                held += page
            }
            log = Dictionary(grouping: held, by: \.id.origin).mapValues { $0.sorted { $0.id.seq < $1.id.seq } }
        }
        if losing > 0, var own = log[id], !own.isEmpty {
            own.removeLast(min(losing, own.count))
            log[id] = own.isEmpty ? nil : own
        }
        state = MemoryState()
        vector = VersionVector()
        let all = log.values.joined().sorted { ($0.op.hlc, $0.id.origin, $0.id.seq) < ($1.op.hlc, $1.id.origin, $1.id.seq) }
        arrivals = all
        for op in all {
            state.apply(op.op.deltas)
            vector[op.id.origin] = max(vector[op.id.origin], op.id.seq)
        }
        let head = log[id]?.last.map { ChainHead(seq: $0.id.seq, hash: $0.hash) } ?? .genesis
        chain = OriginChain(origin: id, head: head, clock: all.last?.op.hlc ?? .zero)
        touchedMembers = Set(state.counterEntities(prefix: Cell.storedValue(member: "")).map { String($0.dropFirst(3)) })
    }
}

extension OpBody {
    /// The member whose stored value (or its rights) this op changes, if any.
    var storedValueMember: String? {
        switch self {
        case .topUp(let p): p.member
        case .charge(let c): c.member
        case .refund(let r): r.member
        case .rightsTransferred(let t): t.account.hasPrefix("sv:") ? String(t.account.dropFirst(3)) : nil
        default: nil
        }
    }
}
