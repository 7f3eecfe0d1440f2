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

/// A peer with a valid certificate that sends bad bytes inside TLS: a frame over the limit,
/// garbage, a truncated frame, a forged op. Each closes that connection only, stores nothing,
/// and the node goes on serving a well-behaved peer.
@Suite struct HostilePeerTests {
    let demo = try! Topology.load(path: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../topology/demo.toml").standardized.path)
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("mms-hostile-\(UUID().uuidString)")

    static func frame(_ payload: [UInt8], announcing length: Int? = nil) -> ByteBuffer {
        var b = ByteBuffer()
        b.writeInteger(UInt32(length ?? payload.count))
        b.writeBytes(payload)
        return b
    }

    @Test func badFramesCloseOnlyTheirConnection() throws {
        let certs = root.appendingPathComponent("certs")
        try ChainCA.ensure(topology: demo, directory: certs)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var honest = TestNode("branch-2", seed: 2)
        let impostor = TestNode("branch-2", seed: 99)   // signs as branch-2 with another key
        let hq = try NodeStore(path: root.appendingPathComponent("hq.sqlite").path, origin: NodeID("hq"), role: .hq)
        try hq.trust(origin: honest.id, key: honest.key.publicKey, role: .branch)

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let ids = Set(demo.nodes.map(\.id))
        let clock: @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }
        let hqTLS = try PeerTLS(certificates: certs, node: NodeID("hq"))
        let server = try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    var settings = PeerSessionHandler.Settings(chain: "demo", local: try NodeID("hq"), maxOpsPerBatch: 16,
                                                               gossipIntervalMillis: 100, heartbeatMillis: 1_000)
                    settings.tickMillis = 50
                    try PeerPipeline.configure(channel, tls: NIOSSLServerHandler(context: hqTLS.server), nodes: ids, maxFrameBytes: 4_096,
                                               maxOpsPerBatch: 16,
                                               session: PeerSessionHandler(settings: settings, store: hq, storeQueue: DispatchQueue(label: "hq"), clock: clock))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        defer { try? server.close().wait() }

        /// Connects as branch-2 over TLS with only framing below us, sends hello then `bytes`; returns once the server closed it.
        func hostile(_ bytes: ByteBuffer) throws -> Bool {
            let tls = try PeerTLS(certificates: certs, node: NodeID("branch-2"))
            let channel = try ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls.client, serverHostname: nil))
                    }
                }
                .connect(to: server.localAddress!).wait()
            try channel.writeAndFlush(Self.frame(SyncCodec.encode(.hello(version: 1, node: NodeID("branch-2"), chain: "demo")))).wait()
            try channel.writeAndFlush(bytes).wait()
            let closed = channel.eventLoop.makePromise(of: Bool.self)
            channel.closeFuture.whenComplete { _ in closed.succeed(true) }
            channel.eventLoop.scheduleTask(in: .seconds(5)) { closed.succeed(false) }
            let result = try closed.futureResult.wait()
            try? channel.close().wait()
            return result
        }

        let forged = { () -> SignedOp in var i = impostor; return i.issue(Sample.memberAdded("branch-2.m1")) }()
        #expect(try hostile(Self.frame([], announcing: 4_097)), "a frame over max_frame_bytes")
        #expect(try hostile(Self.frame([0xFF, 0xFF, 0xFF, 0xFF, 0x0F])), "garbage in a frame")
        #expect(try hostile(Self.frame(SyncCodec.encode(.ops([forged], more: false)))), "a forged op")
        #expect(try hq.opCount() == 0, "nothing of them was stored")

        // A well-behaved branch-2 still syncs with the same server.
        for body in [Sample.memberAdded("branch-2.m1"), Sample.storedCard("C2", member: "branch-2.m1")] { honest.issue(body) }
        let honestStore = try NodeStore(path: root.appendingPathComponent("b2.sqlite").path, origin: NodeID("branch-2"), role: .branch)
        try honestStore.trust(origin: honest.id, key: honest.key.publicKey, role: .branch)
        try honestStore.applyRemote(honest.log, now: 1)
        let tls = try PeerTLS(certificates: certs, node: NodeID("branch-2"))
        let good = try ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    var settings = PeerSessionHandler.Settings(chain: "demo", local: try NodeID("branch-2"), maxOpsPerBatch: 16,
                                                               gossipIntervalMillis: 100, heartbeatMillis: 1_000)
                    settings.tickMillis = 50
                    try PeerPipeline.configure(channel, tls: try NIOSSLClientHandler(context: tls.client, serverHostname: nil), nodes: ids,
                                               maxFrameBytes: 4_096, maxOpsPerBatch: 16,
                                               session: PeerSessionHandler(settings: settings, store: honestStore, storeQueue: DispatchQueue(label: "b2"), clock: clock))
                }
            }
            .connect(to: server.localAddress!).wait()
        defer { try? good.close().wait() }
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline, try hq.opCount() < 2 { usleep(50_000) }
        #expect(try hq.opCount() == 2 && hq.stateHash() == honestStore.stateHash())
    }
}
