import Foundation
import Logging
import MMSCore
import MMSNode
import NIOCore
import NIOPosix

/// Serves `DIR/node.sock`: one request line per connection (a `LocalCommand.Request` as JSON),
/// run by `execute` off the event loop, answered with one `LocalCommand.Reply`, then closed.
enum LocalCommandServer {
    typealias Execute = @Sendable (LocalCommand.Request) -> LocalCommand.Reply

    static func start(group: EventLoopGroup, directory: DataDirectory, log: Logger, execute: @escaping Execute) throws -> Channel {
        let path = LocalCommand.socketPath(directory)
        // A socket file left by a node that was killed: nobody answers on it any more.
        if FileManager.default.fileExists(atPath: path) {
            guard (try? LocalCommand.send(LocalCommand.Request(arguments: [], user: "", stdin: nil), to: directory)) == nil else {
                throw MMSError(.alreadyInitialised, "Another node already serves \(directory.url.path) (its socket \(path) answers).")
            }
            try? FileManager.default.removeItem(atPath: path)
        }
        let previous = umask(0o177)   // the socket is created 0600
        defer { umask(previous) }
        return try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // A client that connects and sends no command line is dropped.
                    try channel.pipeline.syncOperations.addHandlers([IdleStateHandler(readTimeout: .seconds(LocalCommand.requestSeconds)),
                                                                     Handler(execute: execute, log: log)])
                }
            }
            .bind(unixDomainSocketPath: path).wait()
    }

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let execute: Execute
        let log: Logger
        private var pending = ByteBuffer()
        private var answered = false

        init(execute: @escaping Execute, log: Logger) { self.execute = execute; self.log = log }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard !answered else { return }
            var chunk = unwrapInboundIn(data)
            pending.writeBuffer(&chunk)
            guard pending.readableBytes <= LocalCommand.maxRequestBytes else { return reply(context, .init(stdout: "", stderr: "invalid_argument: the command is too long.\n", status: 2)) }
            guard let newline = pending.readableBytesView.firstIndex(of: 0x0A) else { return }
            let line = Data(pending.readableBytesView[pending.readableBytesView.startIndex..<newline])
            answered = true
            guard let request = try? JSONDecoder().decode(LocalCommand.Request.self, from: line) else {
                return reply(context, .init(stdout: "", stderr: "invalid_argument: not a command.\n", status: 2))
            }
            // An empty command asks only whether a node serves here.
            guard !request.arguments.isEmpty else { return reply(context, .init(stdout: "", stderr: "", status: 0)) }
            let execute = self.execute
            let channel = context.channel
            DispatchQueue.global().async {
                Self.send(execute(request), on: channel)
            }
        }

        private func reply(_ context: ChannelHandlerContext, _ reply: LocalCommand.Reply) {
            answered = true
            Self.send(reply, on: context.channel)
        }

        private static func send(_ reply: LocalCommand.Reply, on channel: Channel) {
            let data = (try? JSONEncoder().encode(reply)) ?? Data()
            channel.writeAndFlush(channel.allocator.buffer(bytes: data)).whenComplete { _ in channel.close(promise: nil) }
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if event is IdleStateHandler.IdleStateEvent, !answered { context.close(promise: nil) } else { context.fireUserInboundEventTriggered(event) }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            log.debug("local command connection failed", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        }
    }
}
