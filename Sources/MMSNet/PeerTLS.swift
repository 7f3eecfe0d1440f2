import Foundation
import MMSCerts
import MMSCore
import NIOCore
import NIOSSL
import NIOTLS
import X509

/// TLS 1.3 with mutual authentication against the chain's CA only: a node presents its own
/// certificate, and accepts a peer only if the peer's certificate chains to the chain CA (no
/// system roots) and names a node of the topology.
public struct PeerTLS: Sendable {
    public let server: NIOSSLContext
    public let client: NIOSSLContext

    /// Loads the node's key and certificate and the chain CA from a `certs/<chain>` directory.
    public init(certificates directory: URL, node: NodeID) throws {
        do {
            let ca = try NIOSSLCertificate(file: directory.appendingPathComponent("ca.pem").path, format: .pem)
            let chain: [NIOSSLCertificateSource] = [.certificate(try NIOSSLCertificate(file: directory.appendingPathComponent("nodes/\(node).pem").path, format: .pem))]
            let key = NIOSSLPrivateKeySource.privateKey(try NIOSSLPrivateKey(file: directory.appendingPathComponent("nodes/\(node).key").path, format: .pem))

            var server = TLSConfiguration.makeServerConfigurationWithMTLS(certificateChain: chain, privateKey: key, trustRoots: .certificates([ca]))
            server.minimumTLSVersion = .tlsv13
            var client = TLSConfiguration.makeClientConfiguration()
            client.minimumTLSVersion = .tlsv13
            // Peers are named by certificate subject (the topology id), not by host name.
            client.certificateVerification = .noHostnameVerification
            client.trustRoots = .certificates([ca])
            client.certificateChain = chain
            client.privateKey = key
            self.server = try NIOSSLContext(configuration: server)
            self.client = try NIOSSLContext(configuration: client)
        } catch {
            throw MMSError(.storeFailure, "Cannot load the TLS identity of \(node) from \(directory.path): \(error). Run `mms certs init`.")
        }
    }
}

/// A connection's peer, once its certificate has been checked.
public struct PeerIdentified: Sendable, Equatable {
    public let node: NodeID
}

public enum PeerIdentityError: Error, Equatable, Sendable {
    case noCertificate
    case unknownNode(String)
}

/// After the TLS handshake, reads the peer's certificate subject and closes the connection unless
/// it names a node of the topology; otherwise passes `PeerIdentified` down the pipeline.
public final class PeerIdentityHandler: ChannelInboundHandler, Sendable {
    public typealias InboundIn = NIOAny
    let nodes: Set<NodeID>

    public init(nodes: Set<NodeID>) { self.nodes = nodes }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case .handshakeCompleted? = event as? TLSUserEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        do {
            let tls = try context.pipeline.syncOperations.handler(type: NIOSSLHandler.self)
            guard let presented = tls.peerCertificate else { throw PeerIdentityError.noCertificate }
            let certificate = try Certificate(derEncoded: presented.toDERBytes())
            let name = ChainCA.nodeID(of: certificate) ?? ""
            guard let id = try? NodeID(name), nodes.contains(id) else { throw PeerIdentityError.unknownNode(name) }
            context.fireUserInboundEventTriggered(event)
            context.fireUserInboundEventTriggered(PeerIdentified(node: id))
        } catch {
            context.fireErrorCaught(error)
            context.close(promise: nil)
        }
    }
}

/// The handlers of a peer connection, in order: TLS, identity check, framing, message codec,
/// then the session (when given).
public enum PeerPipeline {
    public static func configure(_ channel: Channel, tls: NIOSSLHandler, nodes: Set<NodeID>, maxFrameBytes: Int, maxOpsPerBatch: Int,
                                 session: ChannelHandler? = nil, observers: [ChannelHandler] = []) throws {
        try channel.pipeline.syncOperations.addHandlers([
            tls, PeerIdentityHandler(nodes: nodes),
            ByteToMessageHandler(FrameDecoder(maxFrameBytes: maxFrameBytes)), MessageToByteHandler(FrameEncoder()),
            SyncMessageCodec(maxOpsPerBatch: maxOpsPerBatch),
        ] + observers + (session.map { [$0] } ?? []))
    }
}
