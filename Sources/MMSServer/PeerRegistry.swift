import Foundation
import MMSCore
import MMSNet
import NIOCore
import NIOSSL

/// Which peers this node is linked with right now, and what it has refused; read by /healthz and /metrics.
public final class PeerRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var links: [NodeID: Int] = [:]
    private var channels: [NodeID: Channel] = [:]
    private var refusedConnections = 0
    private var open = 0
    /// The topology's `max_connections`: peer connections open at once, both directions.
    let maxConnections: Int

    public init(maxConnections: Int) { self.maxConnections = maxConnections }

    /// Takes a connection slot, or counts a refusal when all are taken.
    func admit() -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard open < maxConnections else { refusedConnections += 1; return false }
        open += 1
        return true
    }

    func release() { lock.lock(); open -= 1; lock.unlock() }

    func up(_ peer: NodeID, channel: Channel) {
        lock.lock(); links[peer, default: 0] += 1; channels[peer] = channel; lock.unlock()
    }
    func down(_ peer: NodeID, channel: Channel) {
        lock.lock()
        if let n = links[peer] { links[peer] = n > 1 ? n - 1 : nil }
        if channels[peer] === channel { channels[peer] = nil }
        lock.unlock()
    }

    /// Sends `message` to `peer` over its current link; false when not linked.
    func send(_ message: SyncMessage, to peer: NodeID) -> Bool {
        lock.lock(); let channel = channels[peer]; lock.unlock()
        guard let channel else { return false }
        channel.writeAndFlush(message, promise: nil)
        return true
    }
    /// Tells every linked session that the local replica changed.
    func broadcastChange() {
        lock.lock(); let all = Array(channels.values); lock.unlock()
        for channel in all { channel.pipeline.fireUserInboundEventTriggered(LocalChange()) }
    }

    func refused() { lock.lock(); refusedConnections += 1; lock.unlock() }

    public var connected: [NodeID] { lock.lock(); defer { lock.unlock() }; return links.keys.sorted() }
    public var refusals: Int { lock.lock(); defer { lock.unlock() }; return refusedConnections }
}

/// Records a connection's peer once identified, and its loss.
final class PeerTracker: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = NIOAny
    let registry: PeerRegistry
    /// Only touched on the channel's event loop.
    private var peer: NodeID?

    init(registry: PeerRegistry) { self.registry = registry }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let identified = event as? PeerIdentified {
            peer = identified.node
            registry.up(identified.node, channel: context.channel)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let peer { registry.down(peer, channel: context.channel) }
        peer = nil
        context.fireChannelInactive()
    }
}

/// Sorts the error a connection was closed on: nil for the network's own failures (a reset, a
/// peer going away), else the kind counted in `mms_frames_rejected_total`.
func rejectionKind(_ error: Error) -> String? {
    switch error {
    case let error as MMSError: error.code.rawValue
    case let error as FrameError:
        switch error {
        case .tooLarge: "frame_too_large"
        case .truncated: "frame_truncated"
        }
    case is PeerIdentityError: "unknown_peer"
    // A peer that goes away without closing TLS (a crash, a cut cable) is a lost link, not an attack.
    case NIOSSLError.uncleanShutdown: nil
    case is NIOSSLError, is BoringSSLError: "tls"
    case is ProtocolViolation: "protocol"
    case is IOError, is ChannelError: nil
    default: "other"
    }
}

/// Counts the bytes a peer connection moves on the socket (TLS included): gossip bandwidth.
final class WireByteCounter: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    let metrics: NodeMetrics

    init(metrics: NodeMetrics) { self.metrics = metrics }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        metrics.received(bytes: unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        metrics.sent(bytes: unwrapOutboundIn(data).readableBytes)
        context.write(data, promise: promise)
    }
}
