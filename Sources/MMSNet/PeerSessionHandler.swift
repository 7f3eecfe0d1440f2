import Dispatch
import MMSCore
import MMSStore
import NIOCore

/// Runs one `SyncSession` over a connection: feeds it the peer's messages and a periodic tick,
/// and carries out its effects. Store work (reads of missing ops, verified applies) runs on the
/// node's store queue, never on the event loop; results hop back to the loop.
public final class PeerSessionHandler: ChannelInboundHandler, @unchecked Sendable {
    public typealias InboundIn = SyncMessage
    public typealias OutboundOut = SyncMessage

    public struct Settings: Sendable {
        public var chain: String
        public var local: NodeID
        public var maxOpsPerBatch: Int
        public var gossipIntervalMillis: UInt64
        public var heartbeatMillis: UInt64
        public var tickMillis: Int64 = 100
        public init(chain: String, local: NodeID, maxOpsPerBatch: Int, gossipIntervalMillis: UInt64, heartbeatMillis: UInt64) {
            self.chain = chain; self.local = local; self.maxOpsPerBatch = maxOpsPerBatch
            self.gossipIntervalMillis = gossipIntervalMillis; self.heartbeatMillis = heartbeatMillis
        }
    }

    let settings: Settings
    let store: NodeStore
    let storeQueue: DispatchQueue
    let clock: @Sendable () -> UInt64
    /// Issues a transfer of this node's rights to a peer that asked; nil when nothing is held.
    public typealias Granter = @Sendable (_ account: String, _ amount: Int64, _ to: NodeID) throws -> SignedOp?
    let grant: Granter?
    /// Only touched on the channel's event loop.
    private var session: SyncSession?
    private var ticker: RepeatedTask?
    public private(set) var closeReason: String?

    public init(settings: Settings, store: NodeStore, storeQueue: DispatchQueue, clock: @escaping @Sendable () -> UInt64, grant: Granter? = nil) {
        self.grant = grant
        self.settings = settings
        self.store = store
        self.storeQueue = storeQueue
        self.clock = clock
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let peer = event as? PeerIdentified else { return context.fireUserInboundEventTriggered(event) }
        var configuration = SyncSession.Configuration(chain: settings.chain, local: settings.local, peer: peer.node)
        configuration.gossipIntervalMillis = settings.gossipIntervalMillis
        configuration.heartbeatMillis = settings.heartbeatMillis
        session = SyncSession(configuration)
        handle(.connected(now: clock()), context: context)
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        ticker = context.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(settings.tickMillis), delay: .milliseconds(settings.tickMillis)) { _ in
            let (handler, context) = loopBound.value
            handler.handle(.tick(now: handler.clock()), context: context)
        }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        handle(.received(unwrapInboundIn(data), now: clock()), context: context)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        ticker?.cancel()
        context.fireChannelInactive()
    }

    public func errorCaught(context: ChannelHandlerContext, error: Error) {
        closeReason = "\(error)"
        ticker?.cancel()
        context.close(promise: nil)
    }

    private func handle(_ event: SyncSession.Event, context: ChannelHandlerContext) {
        guard var session else { return }
        let effects = session.handle(event)
        self.session = session
        for effect in effects { execute(effect, context: context) }
    }

    private func execute(_ effect: SyncSession.Effect, context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let (store, limit, loop) = (self.store, settings.maxOpsPerBatch, context.eventLoop)
        switch effect {
        case .send(let message):
            context.writeAndFlush(wrapOutboundOut(message), promise: nil)
        case .sendVector:
            storeQueue.async {
                let result = Result { try store.versionVector() }
                loop.execute { loopBound.value.0.finish(result.map { .vector($0) }, context: loopBound.value.1) }
            }
        case .sendMissing(let after):
            storeQueue.async {
                let result = Result { try store.ops(after: after, limit: limit) }
                loop.execute {
                    let (handler, context) = loopBound.value
                    handler.finish(result.map { $0.isEmpty ? nil : SyncMessage.ops($0, more: $0.count == limit) }, context: context)
                }
            }
        case .apply(let ops, _):
            let now = clock()
            storeQueue.async {
                let result = Result { try store.applyRemote(ops, now: now) }
                loop.execute {
                    let (handler, context) = loopBound.value
                    switch result {
                    case .success: handler.handle(.applied(now: handler.clock()), context: context)
                    case .failure(let error): handler.errorCaught(context: context, error: error)
                    }
                }
            }
        case .grantRights(let account, let amount):
            guard let grant, let peer = session?.configuration.peer else { return }
            storeQueue.async {
                // A grant that cannot be made (no rights here) is simply not answered.
                let op = try? grant(account, amount, peer)
                loop.execute { loopBound.value.0.finish(.success(op.map { .ops([$0], more: false) }), context: loopBound.value.1) }
            }
        case .close(let reason):
            closeReason = reason
            ticker?.cancel()
            context.close(promise: nil)
        }
    }

    private func finish(_ result: Result<SyncMessage?, Error>, context: ChannelHandlerContext) {
        switch result {
        case .success(let message?): context.writeAndFlush(wrapOutboundOut(message), promise: nil)
        case .success(nil): break
        case .failure(let error): errorCaught(context: context, error: error)
        }
    }
}
