import MMSCrypto

/// Anti-entropy with one peer, as a value: events in, effects out. No sockets, no clock, no
/// randomness of its own — the node's NIO shell and the simulator drive the same code.
///
/// A round is push-pull: each side sends its version vector; on a vector, a side sends the ops
/// the other lacks (a bounded batch, in HLC order, with `more` when it had to stop); on a batch
/// with `more`, the receiver sends its new vector to ask for the rest. Between rounds, a change
/// in the local replica is pushed at once against what the peer is known to hold: its last
/// vector plus every op sent or received on this link since (the stream is reliable and ordered).
public struct SyncSession: Sendable {
    public struct Configuration: Sendable {
        public var chain: String
        public var local: NodeID
        /// The id the peer's certificate proves; its hello must say the same.
        public var peer: NodeID
        public var gossipIntervalMillis: UInt64 = 1_000
        public var heartbeatMillis: UInt64 = 2_000

        public init(chain: String, local: NodeID, peer: NodeID) {
            self.chain = chain; self.local = local; self.peer = peer
        }
    }

    public enum Event: Sendable {
        case connected(now: UInt64)
        case received(SyncMessage, now: UInt64)
        /// The shell stored the last batch.
        case applied(now: UInt64)
        case tick(now: UInt64)
        /// The local replica gained ops (issued here, or received from another peer).
        case changed(now: UInt64)
        /// The shell wrote a batch of missing ops to the peer (or found none to send).
        case sentMissing([SignedOp])
    }

    public enum Effect: Equatable, Sendable {
        case send(SyncMessage)
        /// Send the store's current version vector (starts a round, or asks for the rest).
        case sendVector
        /// Send the peer the ops it lacks: `ops(after: vector, limit:)` from the store, as `.ops(batch, more:)`.
        case sendMissing(after: VersionVector)
        /// Verify and store these ops, then report `.applied` (or close on failure).
        case apply([SignedOp], more: Bool)
        /// The peer asks for `amount` of this node's rights of `account` for node `to` (itself, or
        /// the asker it relays for): grant what is held, if any. `relayable` when the peer asked
        /// for itself, so a head office may pass on what it cannot cover.
        case grantRights(account: String, amount: Int64, to: NodeID, relayable: Bool)
        /// The peer asks for a member's photo: send it if this node keeps it.
        case servePhoto(member: String, digest: Digest32)
        /// A photo the peer sent: keep it if it is the one the member's op names.
        case keepPhoto(member: String, digest: Digest32, sealed: [UInt8])
        /// The peer said its clock: record it in the node's `ChainClock`.
        case heardClock(ClockReading)
        case close(reason: String)
    }

    public enum Phase: Equatable, Sendable { case idle, awaitingHello, syncing, closed }

    public let configuration: Configuration
    public private(set) var phase = Phase.idle
    public private(set) var peerVector = VersionVector()
    /// What the peer said it speaks beyond the first frames (its hello): photo frames go only to a peer that speaks them.
    public private(set) var peerFeatures: PeerFeatures = []
    private var lastSent: UInt64 = 0
    private var lastHeard: UInt64 = 0
    private var lastRound: UInt64 = 0
    private var pendingMore = false
    private var heardVector = false
    private var pushInFlight = false

    public init(_ configuration: Configuration) { self.configuration = configuration }

    public mutating func handle(_ event: Event) -> [Effect] {
        guard phase != .closed else { return [] }
        switch event {
        case .connected(let now):
            phase = .awaitingHello
            lastHeard = now
            return sent(.hello(version: SyncMessage.protocolVersion, node: configuration.local, chain: configuration.chain, features: .spoken), now)

        case .received(let message, let now):
            lastHeard = now
            let effects = received(message, now)
            guard phase == .syncing, let clock = message.clock else { return effects }
            return [.heardClock(clock)] + effects

        case .applied(let now):
            guard pendingMore else { return [] }
            pendingMore = false
            lastSent = now
            return [.sendVector]

        case .changed(let now):
            guard phase == .syncing, heardVector, !pushInFlight else { return [] }
            pushInFlight = true
            lastSent = now
            return [.sendMissing(after: peerVector)]

        case .sentMissing(let batch):
            learn(batch)
            pushInFlight = false
            return []

        case .tick(let now):
            guard phase == .syncing || phase == .awaitingHello else { return [] }
            if now > lastHeard + 3 * configuration.heartbeatMillis {
                return close("peer \(configuration.peer) silent for \(now - lastHeard) ms")
            }
            guard phase == .syncing else { return [] }
            if now >= lastRound + configuration.gossipIntervalMillis { return startRound(now) }
            if now >= lastSent + configuration.heartbeatMillis { return sent(.heartbeat(sentMillis: now), now) }
            return []
        }
    }

    private mutating func received(_ message: SyncMessage, _ now: UInt64) -> [Effect] {
        switch (phase, message) {
        case (.awaitingHello, .hello(let version, let node, let chain, _, let features)):
            guard version == SyncMessage.protocolVersion else { return close("peer speaks sync version \(version), this node \(SyncMessage.protocolVersion)") }
            guard node == configuration.peer else { return close("hello says \(node), the certificate says \(configuration.peer)") }
            guard chain == configuration.chain else { return close("peer belongs to chain \(chain), not \(configuration.chain)") }
            peerFeatures = features
            phase = .syncing
            return startRound(now)
        case (.awaitingHello, _):
            return close("peer \(configuration.peer) spoke before its hello")
        case (.syncing, .hello):
            return close("peer \(configuration.peer) said hello twice")
        case (.syncing, .vector(let theirs, _)):
            peerVector.merge(theirs)
            heardVector = true
            return [.sendMissing(after: theirs)]
        case (.syncing, .ops(let batch, let more)):
            learn(batch)
            pendingMore = more
            return batch.isEmpty && !more ? [] : [.apply(batch, more: more)]
        case (.syncing, .heartbeat):
            return []
        case (.syncing, .rightsRequest(let account, let amount, let beneficiary)):
            return [.grantRights(account: account, amount: amount, to: beneficiary ?? configuration.peer, relayable: beneficiary == nil)]
        case (.syncing, .photoRequest(let member, let digest)):
            return [.servePhoto(member: member, digest: digest)]
        case (.syncing, .photo(let member, let digest, let sealed)):
            return [.keepPhoto(member: member, digest: digest, sealed: sealed)]
        case (.idle, _), (.closed, _):
            return []
        }
    }

    /// The peer holds these ops (sent to it, or sent by it from its contiguous log): never push them again.
    private mutating func learn(_ batch: [SignedOp]) {
        for op in batch where op.op.id.seq > peerVector[op.op.id.origin] { peerVector[op.op.id.origin] = op.op.id.seq }
    }

    private mutating func startRound(_ now: UInt64) -> [Effect] {
        lastRound = now
        lastSent = now
        return [.sendVector]
    }

    private mutating func sent(_ message: SyncMessage, _ now: UInt64) -> [Effect] {
        lastSent = now
        return [.send(message)]
    }

    private mutating func close(_ reason: String) -> [Effect] {
        phase = .closed
        return [.close(reason: reason)]
    }
}

/// What a peer session needs of a replica: its version vector, the ops a peer lacks, and applying
/// a peer's batch (verified, all or nothing). The node's SQLite store provides it.
public protocol ReplicaStore: AnyObject, Sendable {
    func versionVector() throws -> VersionVector
    func ops(after vector: VersionVector, limit: Int) throws -> [SignedOp]
    /// Applies a batch from a peer; answers how many ops were new.
    func applyPeerBatch(_ batch: [SignedOp], now: UInt64) throws -> Int
}
