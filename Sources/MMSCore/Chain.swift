import MMSCrypto

/// The last op of an origin's hash chain as a replica knows it: seq 0 and the zero hash before any.
public struct ChainHead: Equatable, Sendable {
    public var seq: UInt64
    public var hash: Digest32
    public init(seq: UInt64, hash: Digest32) { self.seq = seq; self.hash = hash }
    public static let genesis = ChainHead(seq: 0, hash: .zero)
}

/// The local node's side of its own chain: numbers, stamps, links and signs the ops it issues.
public struct OriginChain: Sendable {
    public let origin: NodeID
    public private(set) var head: ChainHead
    public private(set) var clock: HLC

    public init(origin: NodeID, head: ChainHead, clock: HLC) {
        self.origin = origin; self.head = head; self.clock = clock
    }

    /// Issues the next op. `now` is the wall clock in milliseconds, supplied by the shell.
    public mutating func issue(_ body: OpBody, now: UInt64, key: SigningKey, actor: Actor = .node) -> SignedOp {
        clock = clock.tick(now: now)
        let op = Op(id: OpID(origin: origin, seq: head.seq + 1), hlc: clock, prevHash: head.hash, actor: actor, body: body)
        let bytes = OpCodec.encode(op)
        let signed = SignedOp(op: op, bytes: bytes, signature: key.signature(for: bytes))
        head = ChainHead(seq: op.id.seq, hash: signed.hash)
        return signed
    }

    /// Advances the clock past a remote stamp, so later local ops sort after what was seen.
    public mutating func observe(_ remote: HLC, now: UInt64) { clock = clock.receive(remote, now: now) }
}

/// What a receiver checks before storing remote ops.
public enum ChainVerifier {
    /// Verifies a run of consecutive ops from one origin that directly follows `head`: every op
    /// links to the hash of the one before, and the last op's signature is valid — which, through
    /// the links, vouches for the whole run. One signature check per run, not per op.
    public static func verifyRun(_ run: [SignedOp], after head: ChainHead, key: SigningPublicKey, role: NodeRole) throws {
        guard let last = run.last else { return }
        var previous = head
        for op in run {
            guard op.id.seq == previous.seq + 1 else {
                throw MMSError(.brokenChain, "Op \(op.id) does not follow \(op.id.origin)/\(previous.seq).")
            }
            guard op.op.prevHash == previous.hash else {
                throw MMSError(.brokenChain, "Op \(op.id) does not link to the op before it.", details: ["op": op.id.description])
            }
            try requirePermitted(op.op, role: role)
            previous = ChainHead(seq: op.id.seq, hash: op.hash)
        }
        guard key.isValidSignature(last.signature, for: last.bytes) else {
            throw MMSError(.badSignature, "Op \(last.id) is not signed by \(last.id.origin).", details: ["op": last.id.description])
        }
    }

    /// Verifies one op on its own (an op that arrives ahead of a gap).
    public static func verifySingle(_ op: SignedOp, key: SigningPublicKey, role: NodeRole) throws {
        try requirePermitted(op.op, role: role)
        guard key.isValidSignature(op.signature, for: op.bytes) else {
            throw MMSError(.badSignature, "Op \(op.id) is not signed by \(op.id.origin).", details: ["op": op.id.description])
        }
    }

    public static func requirePermitted(_ op: Op, role: NodeRole) throws {
        guard op.body.isPermitted(origin: op.id.origin, role: role) else {
            throw MMSError(.notPermitted, "Op \(op.id) is a \(op.body.kind) that \(op.id.origin), a \(role.rawValue), may not issue.", details: ["op": op.id.description])
        }
    }

    /// The same rule, before a local op is issued.
    public static func requirePermitted(_ body: OpBody, origin: NodeID, role: NodeRole) throws {
        guard body.isPermitted(origin: origin, role: role) else {
            throw MMSError(.notPermitted, "A \(role.rawValue) node may not issue this \(body.kind): chain settings and chain-wide operators come from the head office, and a branch adds operators of its own branch only.")
        }
    }
}

/// How a replica takes a peer's ops of one origin: which it holds already (duplicates — or a
/// fork, a different op under a number it holds), which continue the origin's chain now (a run,
/// to verify as one), and which wait for a gap to fill. One rule for the node's store and the
/// simulator's replicas; each verifies and keeps the ops its own way.
public enum BatchIntake {
    public struct Plan: Sendable {
        public var duplicates = 0
        /// Ops that directly continue the chain after the head, in order.
        public var run: [SignedOp] = []
        /// Ops ahead of a gap: to verify alone and hold.
        public var ahead: [SignedOp] = []
        /// A different op for a number already held (in the replica or earlier in the batch).
        public var fork: SignedOp?
    }

    /// Sorts one origin's `ops` against its `head`; `held` gives the hash the replica holds for a
    /// seq at or below the head.
    public static func plan(_ ops: [SignedOp], after head: ChainHead, held: (UInt64) throws -> Digest32?) rethrows -> Plan {
        var plan = Plan()
        var seen: [UInt64: Digest32] = [:]
        for op in ops.sorted(by: { $0.id.seq < $1.id.seq }) {
            if op.id.seq <= head.seq {
                if let hash = try held(op.id.seq), hash != op.hash { plan.fork = op; return plan }
                plan.duplicates += 1
            } else if let earlier = seen[op.id.seq] {
                if earlier != op.hash { plan.fork = op; return plan }
                plan.duplicates += 1
            } else {
                seen[op.id.seq] = op.hash
                if op.id.seq == head.seq + UInt64(plan.run.count) + 1 { plan.run.append(op) } else { plan.ahead.append(op) }
            }
        }
        return plan
    }

    /// The held ops that now continue the chain after `head`, taken one seq at a time by `take`,
    /// each checked to link to the one before. Stops at the first gap; a held op that does not
    /// link is returned as `fork` (evidence of a fork of what is now held).
    public static func drain(after head: ChainHead, take: (UInt64) throws -> SignedOp?) rethrows -> (ops: [SignedOp], fork: SignedOp?) {
        var head = head, drained: [SignedOp] = []
        while let op = try take(head.seq + 1) {
            guard op.op.prevHash == head.hash else { return (drained, op) }
            drained.append(op)
            head = ChainHead(seq: op.id.seq, hash: op.hash)
        }
        return (drained, nil)
    }
}
