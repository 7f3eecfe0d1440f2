import Foundation
import MMSCerts
import MMSCore
import MMSNet
import MMSTopology
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// Real sockets on 127.0.0.1, real certificates from the chain CA, TLS 1.3 both ways.
@Suite struct PeerTLSTests {
    let demo = try! Topology.load(path: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../topology/demo.toml").standardized.path)
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("mms-tls-\(UUID().uuidString)")
    var chainCerts: URL { root.appendingPathComponent("demo") }

    struct Timeout: Error {}

    /// What the server side of one connection saw.
    final class Recorder: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = SyncMessage
        let identified: EventLoopPromise<NodeID>
        let received: EventLoopPromise<SyncMessage>
        init(_ loop: EventLoop) {
            identified = loop.makePromise()
            received = loop.makePromise()
            loop.scheduleTask(in: .seconds(10)) { [identified, received] in
                identified.fail(Timeout()); received.fail(Timeout())
            }
        }
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let peer = event as? PeerIdentified { identified.succeed(peer.node) }
        }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { received.succeed(unwrapInboundIn(data)) }
        func errorCaught(context: ChannelHandlerContext, error: Error) {
            identified.fail(error); received.fail(error)
            context.close(promise: nil)
        }
    }

    func pipeline(_ channel: Channel, tls: NIOSSLHandler, extra: ChannelHandler? = nil) throws {
        try PeerPipeline.configure(channel, tls: tls, nodes: Set(demo.nodes.map(\.id)), maxFrameBytes: demo.limits.maxFrameBytes,
                                   maxOpsPerBatch: 16, session: extra)
    }

    /// hq listens; a client with `clientTLS` connects as `clientID` and says hello.
    func connect(clientTLS: PeerTLS, clientID: String) throws -> (identified: Result<NodeID, Error>, received: Result<SyncMessage, Error>) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let serverTLS = try PeerTLS(certificates: chainCerts, node: try NodeID("hq"))
        let recorder = Recorder(group.next())
        let server = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try self.pipeline(channel, tls: NIOSSLServerHandler(context: serverTLS.server), extra: recorder)
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        defer { try? server.close().wait() }
        let client = try ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try self.pipeline(channel, tls: try NIOSSLClientHandler(context: clientTLS.client, serverHostname: nil))
                }
            }
            .connect(to: server.localAddress!).wait()
        defer { try? client.close().wait() }
        _ = try? client.writeAndFlush(SyncMessage.hello(version: 1, node: NodeID(clientID), chain: "demo")).wait()
        let identified = Result { try recorder.identified.futureResult.wait() }
        let received = Result { try recorder.received.futureResult.wait() }
        return (identified, received)
    }

    @Test func aNodeOfTheChainConnectsAndIsKnownByItsCertificate() throws {
        try ChainCA.ensure(topology: demo, directory: chainCerts)
        let outcome = try connect(clientTLS: PeerTLS(certificates: chainCerts, node: try NodeID("branch-1")), clientID: "branch-1")
        #expect(try outcome.identified.get() == NodeID("branch-1"))
        #expect(try outcome.received.get() == .hello(version: 1, node: NodeID("branch-1"), chain: "demo"))
    }

    @Test func aCertificateFromAnotherCAIsRefused() throws {
        try ChainCA.ensure(topology: demo, directory: chainCerts)
        let foreign = root.appendingPathComponent("foreign")
        try ChainCA.ensure(topology: demo, directory: foreign)
        let outcome = try connect(clientTLS: PeerTLS(certificates: foreign, node: try NodeID("branch-1")), clientID: "branch-1")
        #expect(throws: (any Error).self) { try outcome.identified.get() }
        #expect(throws: (any Error).self) { try outcome.received.get() }
    }

    @Test func aValidCertificateForANodeNotInTheTopologyIsRefused() throws {
        try ChainCA.ensure(topology: demo, directory: chainCerts)
        // The same CA signs a certificate for branch-9, which the demo topology does not have.
        let text = try String(contentsOfFile: demo.file, encoding: .utf8) + """

            [[node]]
            id = "branch-9"
            role = "branch"
            region = "west"
            gossip = "127.0.0.1:7409"
            api = "127.0.0.1:8409"
            admin = "127.0.0.1:9409"
            """
        try ChainCA.ensure(topology: Topology.parse(text, file: "bigger.toml"), directory: chainCerts)
        let outcome = try connect(clientTLS: PeerTLS(certificates: chainCerts, node: try NodeID("branch-9")), clientID: "branch-9")
        #expect(throws: PeerIdentityError.unknownNode("branch-9")) { try outcome.identified.get() }
        #expect(throws: (any Error).self) { try outcome.received.get() }
    }
}
