import Dispatch
import Foundation
import Logging
import MMSCore
import MMSCrypto
import MMSNet
import MMSNode
import MMSStore
import MMSTopology
import NIOCore
import NIOPosix
import NIOSSL

/// One node of the chain on the network: its store, a gossip server on its topology address,
/// and an outbound link to every peer whose id sorts after its own (so each pair holds one link).
/// Lost links are dialled again with jittered, growing delays. Every `rebalance_interval_ms` it
/// re-places the stored-value rights it holds by the topology's escrow policy.
public final class NodeServer: @unchecked Sendable {
    public struct Paths: Sendable {
        public var certificates: URL
        public var data: DataDirectory
        public init(certificates: URL, data: DataDirectory) { self.certificates = certificates; self.data = data }
    }

    public let topology: Topology
    public let spec: NodeSpec
    public let paths: Paths
    public let node: LocalNode
    private let tls: PeerTLS
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let storeQueue = DispatchQueue(label: "mms.store")
    private let lock = NSLock()
    private var stopping = false
    private var server: Channel?
    let log: Logger
    public let peers: PeerRegistry
    public let metrics: NodeMetrics
    private var admin: Channel?
    private var localCommands: Channel?
    private var rebalancer: RepeatedTask?
    private var photoSweeper: RepeatedTask?
    /// Peers whose hello said they speak the photo frames (guarded by `lock`): an older node would close the link on them.
    private var photoPeers: Set<NodeID> = []
    /// What the last push covered: all ops at the head office, this node's own elsewhere.
    private var opsSeen: UInt64 = 0
    /// Where the rebalancing pass resumes: the last member id it placed.
    private var rebalanceCursor = ""

    /// Opens (provisioning on first run) the node `id` of `topology`.
    public init(topology: Topology, id: NodeID, paths: Paths, logger: Logger = Logger(label: "mms.node")) throws {
        guard let spec = topology.node(id) else { throw MMSError(.invalidArgument, "\(id) is not a node of \(topology.file).") }
        self.topology = topology
        self.spec = spec
        self.paths = paths
        self.peers = PeerRegistry(maxConnections: topology.limits.maxConnections)
        self.metrics = NodeMetrics(node: id)
        var logger = logger
        logger[metadataKey: "node"] = "\(id)"
        self.log = logger
        node = try ChainProvisioning.openNode(topology: topology, id: id, certificates: paths.certificates, data: paths.data)
        tls = try PeerTLS(certificates: paths.certificates, node: id)
    }

    public var clock: @Sendable () -> UInt64 { LocalNode.wallClockMillis }

    /// Starts listening and dialling; returns once the gossip server is bound. `execute` runs the
    /// commands that reach the node through its local socket (`mms … --data DIR`).
    public func start(localCommands execute: (@Sendable (LocalCommand.Request) -> LocalCommand.Reply)? = nil) throws {
        let tls = self.tls
        node.commits.listen { [weak self] in self?.localCommitted() }
        // The local socket first: a second `node run` on the same directory is told so plainly.
        if let execute {
            localCommands = try LocalCommandServer.start(group: group, directory: node.directory, log: log, execute: execute)
        }
        do {
            server = try binding("gossip", spec.gossip) {
                try ServerBootstrap(group: group)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .serverChannelOption(.backlog, value: 64)
                    .childChannelInitializer { [self] channel in
                        channel.eventLoop.makeCompletedFuture {
                            try self.admit(channel)
                            try self.configure(channel, tls: NIOSSLServerHandler(context: tls.server))
                        }
                    }
                    .bind(host: spec.gossip.host, port: Int(spec.gossip.port)).wait()
            }
            admin = try binding("admin", spec.admin) {
                try AdminServer.start(group: group, at: spec.admin) { [self] method, uri in try self.adminResponse(method, uri) }
            }
        } catch {
            try? localCommands?.close().wait()
            try? FileManager.default.removeItem(atPath: LocalCommand.socketPath(node.directory))
            throw error
        }
        log.info("started", metadata: ["gossip": "\(spec.gossip)", "admin": "\(spec.admin)",
                                       "peers": "\(topology.peers(of: spec.id).map(\.rawValue).joined(separator: ","))"])
        for peer in topology.peers(of: spec.id) where peer > spec.id { dial(peer, attempt: 0) }
        for _ in 0..<topology.limits.randomPeers { dialRandom(attempt: 0) }
        if topology.limits.maxFrameBytes < MemberPhotos.maxSealedBytes + 1_024 {
            log.warning("max_frame_bytes is too small to send members' photos between nodes",
                        metadata: ["max_frame_bytes": "\(topology.limits.maxFrameBytes)", "needed": "\(MemberPhotos.maxSealedBytes + 1_024)"])
        }
        // Head office and home branches keep their members' photos: fetch what they lack, now and then.
        photoSweeper = group.next().scheduleRepeatedTask(initialDelay: .seconds(5), delay: .seconds(Self.photoSweepSeconds)) { [self] _ in
            storeQueue.async { self.fetchPhotosToKeep() }
        }
        let interval = topology.escrow.rebalanceIntervalMillis
        if interval > 0 {
            rebalancer = group.next().scheduleRepeatedTask(initialDelay: .milliseconds(Int64(interval)), delay: .milliseconds(Int64(interval))) { [self] _ in
                storeQueue.async { self.rebalance() }
            }
        }
    }

    /// Stops taking connections, closes every link, lets store work already queued finish, and
    /// checkpoints. Acknowledged ops were durable before they were acknowledged; this only makes
    /// sure nothing half-received is cut off mid-write.
    public func stop() {
        lock.lock(); stopping = true; lock.unlock()
        rebalancer?.cancel()
        photoSweeper?.cancel()
        try? localCommands?.close().wait()
        try? server?.close().wait()
        try? admin?.close().wait()
        try? group.syncShutdownGracefully()
        storeQueue.sync {}
        try? node.store.checkpoint()
        try? FileManager.default.removeItem(atPath: LocalCommand.socketPath(node.directory))
        log.info("stopped")
    }

    /// This node committed an op (any way: the till API, a local command, a grant, a rebalancing
    /// pass — `LocalNode.commits`), or — at the head office, the hub — applied a peer's: push to the
    /// links now, not at the next round.
    func localCommitted() {
        storeQueue.async { self.pushIfChanged() }
    }

    /// The head office is the hub (it links with every branch): it pushes everything new;
    /// branches push what their own tills committed, and rounds carry the rest.
    private func pushIfChanged() {
        guard let vector = try? node.store.versionVector() else { return }
        let seen = spec.role == .hq ? vector.totalOps : vector[spec.id]
        lock.lock(); let changed = seen > opsSeen; opsSeen = seen; lock.unlock()
        if changed { peers.broadcastChange() }
    }

    /// One rebalancing pass over a page of the members whose rights this node holds.
    private func rebalance() {
        lock.lock(); let stopping = self.stopping; let cursor = rebalanceCursor; lock.unlock()
        guard !stopping else { return }
        do {
            let members = try node.store.membersWithRights(at: spec.id, after: cursor, limit: 256)
            var placed = 0
            for member in members { placed += try node.placeRights(member: member, policy: topology.escrow.placement).count }
            lock.lock(); rebalanceCursor = members.count == 256 ? members.last! : ""; lock.unlock()
            metrics.placed(placed)
            if placed > 0 { log.info("placed rights", metadata: ["transfers": "\(placed)", "members": "\(members.count)"]) }
        } catch {
            log.warning("rebalancing failed", metadata: ["error": "\(error)"])
        }
    }

    struct TooManyConnections: Error {}

    /// Binds a listener, naming the address when it cannot (in use by another node, or not ours).
    private func binding(_ what: String, _ endpoint: Endpoint, _ bind: () throws -> Channel) throws -> Channel {
        do { return try bind() } catch {
            throw MMSError(.storeFailure, "\(spec.id) cannot listen for \(what) on \(endpoint): \(error). Is this node already running, or is the address not this machine's?",
                           details: ["address": endpoint.description])
        }
    }

    /// Holds a connection slot for the channel's life; past `max_connections` the channel is refused.
    private func admit(_ channel: Channel) throws {
        guard peers.admit() else { peers.refused(); metrics.refusedConnection(); throw TooManyConnections() }
        channel.closeFuture.whenComplete { [peers] _ in peers.release() }
    }

    private func configure(_ channel: Channel, tls: NIOSSLHandler) throws {
        let settings = PeerSessionHandler.Settings(
            chain: topology.chain, local: spec.id, maxOpsPerBatch: topology.limits.maxOpsPerBatch,
            gossipIntervalMillis: UInt64(topology.limits.gossipIntervalMillis), heartbeatMillis: UInt64(topology.limits.heartbeatMillis),
            sendQueueFrames: topology.limits.sendQueueFrames)
        var observer = PeerSessionHandler.Observer()
        observer.applied = { [self] _, count in
            metrics.applied(count)
            if PushPolicy.forwardsAppliedOps(role: spec.role) { localCommitted() }
        }
        observer.lag = { [metrics] peer, ops in metrics.lag(of: peer, ops: ops) }
        observer.deferred = { [metrics] in metrics.deferredFrame() }
        observer.heardClock = { [node] peer, reading in node.clockWatch.heard(reading, from: peer) }
        observer.heardFeatures = { [self] peer, features in
            lock.lock(); defer { lock.unlock() }
            if features.contains(.photos) { photoPeers.insert(peer) } else { photoPeers.remove(peer) }
        }
        observer.clockReading = { [node] in node.clockWatch.reading() }
        observer.closedOnError = { [self] peer, error in
            guard let kind = rejectionKind(error) else {
                return log.debug("link closed", metadata: ["peer": "\(peer?.rawValue ?? "?")", "error": "\(error)"])
            }
            metrics.rejected(kind)
            log.warning("connection refused", metadata: ["peer": "\(peer?.rawValue ?? "unidentified")", "remote": "\(channel.remoteAddress?.description ?? "?")",
                                                         "kind": "\(kind)", "error": "\(error)"])
        }
        // A certificate naming this node itself is not a peer: only the others may connect.
        try PeerPipeline.configure(channel, tls: tls, nodes: Set(topology.nodes.map(\.id)).subtracting([spec.id]), maxFrameBytes: topology.limits.maxFrameBytes,
                                   maxOpsPerBatch: topology.limits.maxOpsPerBatch,
                                   session: PeerSessionHandler(settings: settings, store: node.store, storeQueue: storeQueue, clock: clock,
                                                               grant: { [self] in try self.grant(account: $0, amount: $1, to: $2, relayable: $3) },
                                                               photos: photoExchange,
                                                               observer: observer),
                                   observers: [PeerTracker(registry: peers)])
        try channel.pipeline.syncOperations.addHandler(WireByteCounter(metrics: metrics), position: .first)
    }

    /// Serves the photos this node keeps (if they fit a frame) and keeps the ones it was sent,
    /// when each is the member's photo in force (`LocalNode.keepSentPhoto`).
    private var photoExchange: PeerSessionHandler.PhotoExchange {
        let maxSealed = topology.limits.maxFrameBytes - 1_024
        return PeerSessionHandler.PhotoExchange(
            serve: { [node] digest in try node.photoToSend(digest: digest).flatMap { $0.count <= maxSealed ? $0 : nil } },
            keep: { [node, log] member, digest, sealed in
                if try node.keepSentPhoto(member: member, digest: digest, sealed: sealed) {
                    log.debug("photo kept", metadata: ["member": "\(member)", "digest": "\(digest)"])
                }
            })
    }

    /// Asks for a member's photo: of the linked `holders` (head office, the member's home
    /// branch), or, cut off from them all, of every linked peer — only peers whose hello said they
    /// speak the photo frames. Whom it asked; the photo comes
    /// as a frame of its own, and a page shows it once it has come.
    public func requestPhoto(member: String, digest: Digest32, holders: [NodeID]) -> [NodeID] {
        lock.lock(); let speakers = photoPeers; lock.unlock()
        let linked = peers.connected.filter(speakers.contains)
        let ask = holders.filter(linked.contains).isEmpty ? linked : holders.filter(linked.contains)
        return ask.filter { peers.send(.photoRequest(member: member, digest: digest), to: $0) }
    }

    static let photoSweepSeconds: Int64 = 60

    /// The photos this node keeps for its members (all of them at head office) and lacks: asked of
    /// the node that took each, if linked, else of every linked peer.
    private func fetchPhotosToKeep() {
        guard let wanted = try? node.photosToFetch(limit: 200), !wanted.isEmpty else { return }
        for photo in wanted { _ = requestPhoto(member: photo.member, digest: photo.digest, holders: photo.takenAt.map { [$0] } ?? []) }
    }

    /// Asks for `amount` of rights of `account` for this node (or, relaying, for `beneficiary`)
    /// as `RightsOnDemand.plan` says: linked holders first, then the head office for the rest.
    /// Returns whom it asked; the grants arrive as ops.
    public func requestRights(account: String, amount: Int64, for beneficiary: NodeID? = nil) throws -> [NodeID] {
        let escrow = try node.store.read { try $0.escrow(account) }
        let linked = Set(peers.connected)
        let plan = RightsOnDemand.plan(account: escrow, amount: amount, me: spec.id, role: spec.role, beneficiary: beneficiary,
                                       headOffices: topology.nodes.filter { $0.role == .hq }.map(\.id), isLinked: linked.contains)
        let asked = plan.filter { peers.send(.rightsRequest(account: account, amount: $0.amount, for: $0.beneficiary), to: $0.to) }.map(\.to)
        metrics.rightsRequested(asked.count)
        return asked
    }

    /// Answers a peer's request as `RightsOnDemand.answer` says: moves what this node holds (up to
    /// `amount`) to `asker`; the head office relays the rest, once, to the holders it links with.
    private func grant(account: String, amount: Int64, to asker: NodeID, relayable: Bool) throws -> SignedOp? {
        let (op, relay) = try node.grantRights(account: account, amount: amount, to: asker, relayable: relayable)
        if let op, case .rightsTransferred(let transfer) = op.op.body {
            log.info("granted rights", metadata: ["account": "\(account)", "amount": "\(transfer.amount)", "to": "\(asker)", "op": "\(op.id)"])
        }
        if relay > 0 {
            let asked = try requestRights(account: account, amount: relay, for: asker)
            log.info("relayed rights request", metadata: ["account": "\(account)", "amount": "\(relay)", "for": "\(asker)",
                                                          "asked": "\(asked.map(\.rawValue).joined(separator: ","))"])
        }
        return op
    }

    /// A link to a node outside the implied peers, chosen at random and chosen again whenever it is
    /// lost, so gossip also crosses where the topology names no link.
    private func dialRandom(attempt: Int) {
        let linked = Set(topology.peers(of: spec.id))
        guard let peer = topology.nodes.map(\.id).filter({ $0 != spec.id && !linked.contains($0) }).randomElement() else { return }
        dial(peer, attempt: attempt, random: true)
    }

    private func dial(_ peer: NodeID, attempt: Int, random: Bool = false) {
        lock.lock(); let stopping = self.stopping; lock.unlock()
        guard !stopping, let target = topology.node(peer) else { return }
        let tls = self.tls
        ClientBootstrap(group: group)
            .connectTimeout(.seconds(5))
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try self.admit(channel)
                    try self.configure(channel, tls: try NIOSSLClientHandler(context: tls.client, serverHostname: nil))
                }
            }
            .connect(host: target.gossip.host, port: Int(target.gossip.port))
            .whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    log.info("linked", metadata: ["peer": "\(peer)", "random": "\(random)"])
                    channel.closeFuture.whenComplete { _ in
                        self.log.info("link lost", metadata: ["peer": "\(peer)"])
                        self.redial(peer, attempt: 0, random: random)
                    }
                case .failure(let error):
                    if attempt == 0 { log.notice("peer not reachable yet", metadata: ["peer": "\(peer)", "error": "\(error)"]) }
                    redial(peer, attempt: attempt + 1, random: random)
                }
            }
    }

    /// Waits 0.25 s doubling up to 10 s, each with up to 50 % jitter, then dials again.
    /// A random link picks a new peer each time.
    private func redial(_ peer: NodeID, attempt: Int, random: Bool) {
        lock.lock(); let stopping = self.stopping; lock.unlock()
        guard !stopping else { return }
        let base = min(10_000, 250 << min(attempt, 6))
        let delay = base / 2 + Int.random(in: 0...(base / 2))
        group.next().scheduleTask(in: .milliseconds(Int64(delay))) { [self] in
            random ? dialRandom(attempt: attempt) : dial(peer, attempt: attempt)
        }
    }
}
