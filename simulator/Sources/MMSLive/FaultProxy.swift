import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A TCP proxy on one directed link (node i dialling node j): every byte between them passes
/// through it, so the live run can cut the link for real — open connections are closed, new ones
/// are accepted and closed at once — and heal it again. TLS runs end to end through it untouched.
final class FaultProxy: @unchecked Sendable {
    let port: Int
    private let target: (host: String, port: Int)
    private let group: EventLoopGroup
    private var server: Channel?
    private let state = NIOLockedValueBox((cut: false, open: [Channel]()))

    init(group: EventLoopGroup, port: Int, target: (host: String, port: Int)) {
        self.group = group; self.port = port; self.target = target
    }

    func start() throws {
        server = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] inbound in
                guard !state.withLockedValue({ $0.cut }) else { return inbound.close() }
                return ClientBootstrap(group: inbound.eventLoop)
                    .connect(host: target.host, port: target.port)
                    .flatMap { outbound in
                        self.track(inbound, outbound)
                        return inbound.pipeline.addHandler(Glue(partner: outbound)).flatMap {
                            outbound.pipeline.addHandler(Glue(partner: inbound))
                        }
                    }
                    .flatMapError { _ in inbound.close() }
            }
            .bind(host: "127.0.0.1", port: port).wait()
    }

    private func track(_ channels: Channel...) {
        state.withLockedValue { $0.open += channels }
        for channel in channels {
            channel.closeFuture.whenComplete { [state] _ in state.withLockedValue { $0.open.removeAll { $0 === channel } } }
        }
    }

    /// Cuts the link: closes what is open and refuses new connections until `heal`.
    func cut() {
        let open = state.withLockedValue { s -> [Channel] in s.cut = true; return s.open }
        for channel in open { channel.close(promise: nil) }
    }

    func heal() { state.withLockedValue { $0.cut = false } }

    func stop() {
        cut()
        try? server?.close().wait()
    }

    /// Writes what one side reads to the other; either side closing closes both.
    final class Glue: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let partner: Channel
        init(partner: Channel) { self.partner = partner }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            partner.writeAndFlush(unwrapInboundIn(data), promise: nil)
        }
        func channelInactive(context: ChannelHandlerContext) { partner.close(promise: nil) }
        func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
    }
}
