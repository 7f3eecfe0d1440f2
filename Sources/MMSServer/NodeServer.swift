import Dispatch
import Foundation
import MMSCore
import MMSNet
import MMSNode
import MMSStore
import MMSTopology
import NIOCore
import NIOPosix
import NIOSSL

/// One node of the chain on the network: its store, a gossip server on its topology address,
/// and an outbound link to every peer whose id sorts after its own (so each pair holds one link).
/// Lost links are dialled again with jittered, growing delays.
public final class NodeServer: @unchecked Sendable {
    public struct Paths: Sendable {
        public var certificates: URL
        public var data: DataDirectory
        public init(certificates: URL, data: DataDirectory) { self.certificates = certificates; self.data = data }
    }

    public let topology: Topology
    public let spec: NodeSpec
    public let node: LocalNode
    private let tls: PeerTLS
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let storeQueue = DispatchQueue(label: "mms.store")
    private let lock = NSLock()
    private var stopping = false
    private var server: Channel?
    private let log: @Sendable (String) -> Void
    public let peers: PeerRegistry
    private var admin: Channel?

    /// Opens (provisioning on first run) the node `id` of `topology`.
    public init(topology: Topology, id: NodeID, paths: Paths, log: @escaping @Sendable (String) -> Void) throws {
        guard let spec = topology.node(id) else { throw MMSError(.invalidArgument, "\(id) is not a node of \(topology.file).") }
        self.topology = topology
        self.spec = spec
        self.peers = PeerRegistry(maxConnections: topology.limits.maxConnections)
        self.log = log
        if !paths.data.isInitialised {
            try LocalNode.initialise(directory: paths.data, id: id, role: spec.role,
                                     secretsFile: paths.certificates.appendingPathComponent("chain.secrets").path,
                                     signingKey: DataDirectory.readSigningKey(from: paths.certificates.appendingPathComponent("nodes/\(id).opkey")))
        }
        node = try LocalNode(directory: paths.data)
        guard node.id == id, node.role == spec.role else {
            throw MMSError(.storeFailure, "\(paths.data.url.path) holds node \(node.id) (\(node.role)), not \(id) (\(spec.role)).")
        }
        let keys = try ChainProvisioning.opKeys(in: paths.certificates)
        for other in topology.nodes {
            guard let key = keys[other.id] else { throw MMSError(.storeFailure, "No op-signing key for \(other.id) in op-keys.json; run `mms certs init`.") }
            try node.store.trust(origin: other.id, key: key, role: other.role)
        }
        tls = try PeerTLS(certificates: paths.certificates, node: id)
    }

    public var clock: @Sendable () -> UInt64 { LocalNode.wallClockMillis }

    /// Starts listening and dialling; returns once the gossip server is bound.
    public func start() throws {
        let tls = self.tls
        server = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 64)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try self.admit(channel)
                    try self.configure(channel, tls: NIOSSLServerHandler(context: tls.server))
                }
            }
            .bind(host: spec.gossip.host, port: Int(spec.gossip.port)).wait()
        admin = try AdminServer.start(group: group, at: spec.admin) { [self] method, uri in try self.adminResponse(method, uri) }
        log("\(spec.id) gossip on \(spec.gossip), admin on \(spec.admin), peers \(topology.peers(of: spec.id).map(\.rawValue).joined(separator: ","))")
        for peer in topology.peers(of: spec.id) where peer > spec.id { dial(peer, attempt: 0) }
    }

    /// Closes every link and the server; acknowledged ops are already durable in the store.
    public func stop() {
        lock.lock(); stopping = true; lock.unlock()
        try? server?.close().wait()
        try? admin?.close().wait()
        try? group.syncShutdownGracefully()
        log("\(spec.id) stopped")
    }

    struct TooManyConnections: Error {}

    /// Holds a connection slot for the channel's life; past `max_connections` the channel is refused.
    private func admit(_ channel: Channel) throws {
        guard peers.admit() else { throw TooManyConnections() }
        channel.closeFuture.whenComplete { [peers] _ in peers.release() }
    }

    private func configure(_ channel: Channel, tls: NIOSSLHandler) throws {
        let settings = PeerSessionHandler.Settings(
            chain: topology.chain, local: spec.id, maxOpsPerBatch: topology.limits.maxOpsPerBatch,
            gossipIntervalMillis: UInt64(topology.limits.gossipIntervalMillis), heartbeatMillis: UInt64(topology.limits.heartbeatMillis))
        try PeerPipeline.configure(channel, tls: tls, nodes: Set(topology.nodes.map(\.id)), maxFrameBytes: topology.limits.maxFrameBytes,
                                   maxOpsPerBatch: topology.limits.maxOpsPerBatch,
                                   session: PeerSessionHandler(settings: settings, store: node.store, storeQueue: storeQueue, clock: clock,
                                                               grant: { [node] account, amount, peer in try node.grantRights(account: account, amount: amount, to: peer) }),
                                   observers: [PeerTracker(registry: peers)])
    }

    /// Asks linked peers holding rights of `account` for `amount`, largest holder first, until
    /// their rights cover it. Returns whom it asked; the grants arrive as ops.
    public func requestRights(account: String, amount: Int64) throws -> [NodeID] {
        let holders = try node.store.read { try $0.escrow(account).holders }.filter { $0.node != spec.id && $0.rights > 0 }
        var asked: [NodeID] = [], covered: Int64 = 0
        for holder in holders where covered < amount {
            let want = min(amount - covered, holder.rights)
            if peers.send(.rightsRequest(account: account, amount: want), to: holder.node) {
                asked.append(holder.node)
                covered += want
            }
        }
        return asked
    }

    private func dial(_ peer: NodeID, attempt: Int) {
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
                    log("\(spec.id) linked to \(peer)")
                    channel.closeFuture.whenComplete { _ in
                        self.log("\(self.spec.id) lost link to \(peer)")
                        self.redial(peer, attempt: 0)
                    }
                case .failure(let error):
                    if attempt == 0 { log("\(spec.id) cannot reach \(peer) yet: \(error)") }
                    redial(peer, attempt: attempt + 1)
                }
            }
    }

    /// Waits 0.25 s doubling up to 10 s, each with up to 50 % jitter, then dials again.
    private func redial(_ peer: NodeID, attempt: Int) {
        lock.lock(); let stopping = self.stopping; lock.unlock()
        guard !stopping else { return }
        let base = min(10_000, 250 << min(attempt, 6))
        let delay = base / 2 + Int.random(in: 0...(base / 2))
        group.next().scheduleTask(in: .milliseconds(Int64(delay))) { [self] in dial(peer, attempt: attempt) }
    }
}
