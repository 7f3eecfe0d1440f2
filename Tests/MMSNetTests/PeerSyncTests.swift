import Foundation
import MMSCerts
import MMSCore
import MMSNet
import MMSStore
import MMSTestSupport
import MMSTopology
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// Two stores, two processes' worth of pipeline, one real TLS connection on 127.0.0.1: the sync
/// sessions reconcile them in bounded batches until both hold the same ops and the same state.
@Suite struct PeerSyncTests {
    let demo = try! Topology.load(path: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../topology/demo.toml").standardized.path)
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("mms-sync-\(UUID().uuidString)")

    func store(_ id: String, role: NodeRole, trusting nodes: [TestNode]) throws -> NodeStore {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let store = try NodeStore(path: root.appendingPathComponent("\(id).sqlite").path, origin: NodeID(id), role: role)
        for node in nodes { try store.trust(origin: node.id, key: node.key.publicKey, role: .branch) }
        return store
    }

    @Test func twoNodesConvergeOverTLS() throws {
        let certs = root.appendingPathComponent("certs")
        try ChainCA.ensure(topology: demo, directory: certs)
        var w = Workload(seed: 9, nodeCount: 3, members: 4)
        for _ in 0..<400 { w.step() }
        let hq = try store("hq", role: .hq, trusting: w.nodes), branch = try store("branch-1", role: .branch, trusting: w.nodes)
        for (i, node) in w.nodes.enumerated() {
            try (i == 2 ? hq : branch).applyRemote(node.log.filter { $0.id.origin == node.id }, now: 1)
        }
        #expect(try hq.versionVector() != branch.versionVector())

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        defer { try? group.syncShutdownGracefully() }
        let ids = Set(demo.nodes.map(\.id))
        let clock: @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }
        func session(_ local: String, _ store: NodeStore) throws -> PeerSessionHandler {
            var settings = PeerSessionHandler.Settings(chain: demo.chain, local: try NodeID(local), maxOpsPerBatch: 50,
                                                       gossipIntervalMillis: 200, heartbeatMillis: 1_000)
            settings.tickMillis = 50
            return PeerSessionHandler(settings: settings, store: store, storeQueue: DispatchQueue(label: "store-\(local)"), clock: clock)
        }
        let hqTLS = try PeerTLS(certificates: certs, node: try NodeID("hq")), branchTLS = try PeerTLS(certificates: certs, node: try NodeID("branch-1"))
        let server = try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try PeerPipeline.configure(channel, tls: NIOSSLServerHandler(context: hqTLS.server), nodes: ids, maxFrameBytes: 1 << 20,
                                               maxOpsPerBatch: 50, session: try session("hq", hq))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        defer { try? server.close().wait() }
        let client = try ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try PeerPipeline.configure(channel, tls: try NIOSSLClientHandler(context: branchTLS.client, serverHostname: nil), nodes: ids,
                                               maxFrameBytes: 1 << 20, maxOpsPerBatch: 50, session: try session("branch-1", branch))
                }
            }
            .connect(to: server.localAddress!).wait()
        defer { try? client.close().wait() }

        // Bounded wait for convergence (not a timing assertion: the figure lives in the bench).
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, try hq.versionVector() != branch.versionVector() { usleep(50_000) }
        #expect(try hq.versionVector() == branch.versionVector())
        #expect(try hq.opCount() == w.allOps.count)
        #expect(try hq.stateHash() == branch.stateHash())
    }
}
