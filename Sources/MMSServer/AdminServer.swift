import Foundation
import MMSCore
import MMSNode
import MMSTopology
import NIOCore
import NIOHTTP1
import NIOPosix

/// The node's admin endpoint (loopback or a management network), read-only: GET /healthz (JSON)
/// and GET /metrics (Prometheus text). Nothing on it changes state; any other request is 404.
enum AdminServer {
    struct Reply { var status: HTTPResponseStatus; var contentType: String; var body: String }

    static func start(group: EventLoopGroup, at endpoint: Endpoint, respond: @escaping @Sendable (HTTPMethod, String) throws -> Reply) throws -> Channel {
        try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(respond: respond))
                }
            }
            .bind(host: endpoint.host, port: Int(endpoint.port)).wait()
    }

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let respond: @Sendable (HTTPMethod, String) throws -> Reply
        private var method = HTTPMethod.GET
        private var path = ""

        init(respond: @escaping @Sendable (HTTPMethod, String) throws -> Reply) { self.respond = respond }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): (method, path) = (head.method, head.uri)
            case .body: break
            case .end:
                let reply: Reply
                do { reply = try respond(method, path) } catch {
                    reply = Reply(status: .badRequest, contentType: "text/plain", body: "\(error)\n")
                }
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: reply.contentType)
                headers.add(name: "Content-Length", value: String(reply.body.utf8.count))
                headers.add(name: "Connection", value: "close")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: reply.status, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: reply.body)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
            }
        }
    }
}

/// What /healthz answers, and `mms status` prints per node.
public struct NodeHealth: Codable, Sendable {
    public let id: String
    public let role: String
    public let chain: String
    public let reachable: Bool
    public let peersConnected: Int
    public let peers: [String]
    public let ops: Int
    public let vector: [String: UInt64]
    public let connectionsRefused: Int
    /// Per linked peer: ops this node holds that the peer's last vector lacked.
    public let lag: [String: UInt64]
    /// Stored value this node may spend without asking (its escrow rights over all members), yuan.
    public let escrowHeld: String
    /// This node's clock against the chain's (`ChainClock`): false while its tills are refused.
    public var clockTrusted: Bool? = nil
    /// How far the chain's clock is from this node's (positive: this node's is behind), ms.
    public var clockOffsetMs: Int64? = nil

    public init(id: String, role: String, chain: String, reachable: Bool, peersConnected: Int, peers: [String], ops: Int,
                vector: [String: UInt64], connectionsRefused: Int, lag: [String: UInt64], escrowHeld: String) {
        self.id = id; self.role = role; self.chain = chain; self.reachable = reachable; self.peersConnected = peersConnected
        self.peers = peers; self.ops = ops; self.vector = vector; self.connectionsRefused = connectionsRefused
        self.lag = lag; self.escrowHeld = escrowHeld
    }
}

extension NodeHealth {
    func withClock(_ verdict: ChainClock.Verdict) -> NodeHealth {
        var health = self
        (health.clockTrusted, health.clockOffsetMs) = (verdict.isTrusted, verdict.offsetMillis)
        return health
    }
}

extension NodeServer {
    /// The peers linked now and how far behind each is, for the console's chain at a glance.
    public func links() -> PeerLinks { PeerLinks(connected: Set(peers.connected), lag: metrics.lagByPeer) }

    func health() throws -> NodeHealth {
        let vector = try node.store.versionVector()
        let linked = peers.connected
        return NodeHealth(id: spec.id.rawValue, role: spec.role.rawValue, chain: topology.chain, reachable: true,
                          peersConnected: linked.count, peers: linked.map(\.rawValue), ops: Int(vector.totalOps),
                          vector: Dictionary(uniqueKeysWithValues: vector.entries.map { ($0.key.rawValue, $0.value) }),
                          connectionsRefused: peers.refusals,
                          lag: Dictionary(uniqueKeysWithValues: metrics.lagByPeer.filter { linked.contains($0.key) }.map { ($0.key.rawValue, $0.value) }),
                          escrowHeld: Money(fen: try node.store.storedValueRightsHeld(by: spec.id)).description)
            .withClock(node.clockWatch.verdict())
    }

    func adminResponse(_ method: HTTPMethod, _ uri: String) throws -> AdminServer.Reply {
        let parts = URLComponents(string: uri)
        switch (method, parts?.path ?? "") {
        case (.GET, "/healthz"):
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = .sortedKeys
            return .init(status: .ok, contentType: "application/json", body: String(decoding: try encoder.encode(health()), as: UTF8.self) + "\n")
        case (.GET, "/metrics"):
            return .init(status: .ok, contentType: "text/plain; version=0.0.4", body: try metrics.exposition(store: node.store, refusals: node.refusals, peers: peers, clock: node.clockWatch.verdict()))
        default:
            return .init(status: .notFound, contentType: "text/plain", body: "not found\n")
        }
    }
}
