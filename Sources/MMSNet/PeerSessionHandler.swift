import Dispatch
import MMSCore
import MMSCrypto
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
        /// Frames written but not yet handed to the socket before gossip waits (`send_queue_frames`).
        public var sendQueueFrames: Int
        public init(chain: String, local: NodeID, maxOpsPerBatch: Int, gossipIntervalMillis: UInt64, heartbeatMillis: UInt64,
                    sendQueueFrames: Int = 256) {
            self.chain = chain; self.local = local; self.maxOpsPerBatch = maxOpsPerBatch
            self.gossipIntervalMillis = gossipIntervalMillis; self.heartbeatMillis = heartbeatMillis
            self.sendQueueFrames = sendQueueFrames
        }
    }

    /// What the shell reports about the link (metrics); every closure may be called from any thread.
    public struct Observer: Sendable {
        public var applied: @Sendable (_ peer: NodeID, _ ops: Int) -> Void = { _, _ in }
        /// Ops this node holds that the peer lacked at its last version vector.
        public var lag: @Sendable (_ peer: NodeID, _ ops: UInt64) -> Void = { _, _ in }
        /// A gossip frame was not sent because the send queue was full; the peer asks again next round.
        public var deferred: @Sendable () -> Void = {}
        /// The connection is being closed because of `error` (a bad certificate, frame or op, a
        /// protocol violation); `peer` once the certificate has identified it.
        public var closedOnError: @Sendable (_ peer: NodeID?, _ error: Error) -> Void = { _, _ in }
        /// The peer said hello: what it speaks beyond the first frames (photo frames go only to a peer that speaks them).
        public var heardFeatures: @Sendable (_ peer: NodeID, _ features: PeerFeatures) -> Void = { _, _ in }
        /// The peer said its clock (`ChainClock`).
        public var heardClock: @Sendable (_ peer: NodeID, _ reading: ClockReading) -> Void = { _, _ in }
        /// This node's clock reading, stamped on every hello and vector it sends; nil sends none.
        public var clockReading: @Sendable () -> ClockReading? = { nil }
        public init() {}
    }

    let settings: Settings
    let store: any ReplicaStore
    let storeQueue: DispatchQueue
    let clock: @Sendable () -> UInt64
    /// Issues a transfer of this node's rights to the node a peer asked for (itself, or the asker a
    /// head office relays for); nil when nothing is held. `relayable`: the peer asked for itself.
    public typealias Granter = @Sendable (_ account: String, _ amount: Int64, _ to: NodeID, _ relayable: Bool) throws -> SignedOp?
    let grant: Granter?
    /// Members' photos asked for and sent over the link (`MemberPhotos`); nil: none served or kept.
    public struct PhotoExchange: Sendable {
        /// The sealed image with this digest, if this node keeps it.
        public var serve: @Sendable (_ digest: Digest32) throws -> [UInt8]?
        /// A photo the peer sent: kept if it is the member's in force.
        public var keep: @Sendable (_ member: String, _ digest: Digest32, _ sealed: [UInt8]) throws -> Void
        public init(serve: @escaping @Sendable (Digest32) throws -> [UInt8]?, keep: @escaping @Sendable (String, Digest32, [UInt8]) throws -> Void) {
            self.serve = serve; self.keep = keep
        }
    }
    let photos: PhotoExchange?
    let observer: Observer
    /// Only touched on the channel's event loop.
    private var session: SyncSession?
    /// Frames written and not yet handed to the socket: the bounded send queue.
    private var queued = 0
    /// Photo requests being answered or photos being kept: a peer cannot queue more store work than this.
    private var photoWork = 0
    static let maxPhotoWork = 2
    private var ticker: RepeatedTask?
    public private(set) var closeReason: String?

    public init(settings: Settings, store: any ReplicaStore, storeQueue: DispatchQueue, clock: @escaping @Sendable () -> UInt64,
                grant: Granter? = nil, photos: PhotoExchange? = nil, observer: Observer = Observer()) {
        self.grant = grant
        self.photos = photos
        self.observer = observer
        self.settings = settings
        self.store = store
        self.storeQueue = storeQueue
        self.clock = clock
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is LocalChange { return handle(.changed(now: clock()), context: context) }
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
        if closeReason == nil { observer.closedOnError(session?.configuration.peer, error) }
        closeReason = "\(error)"
        ticker?.cancel()
        context.close(promise: nil)
    }

    private func handle(_ event: SyncSession.Event, context: ChannelHandlerContext) {
        guard var session else { return }
        let wasSyncing = session.phase == .syncing
        let effects = session.handle(event)
        self.session = session
        if !wasSyncing, session.phase == .syncing { observer.heardFeatures(session.configuration.peer, session.peerFeatures) }
        for effect in effects { execute(effect, context: context) }
    }

    private func execute(_ effect: SyncSession.Effect, context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let (store, limit, loop, observer) = (self.store, settings.maxOpsPerBatch, context.eventLoop, self.observer)
        guard let peer = session?.configuration.peer else { return }
        switch effect {
        case .send(let message):
            send(message, context: context)
        case .sendVector:
            storeQueue.async {
                let result = Result { try store.versionVector() }
                loop.execute { loopBound.value.0.finish(result.map { .vector($0) }, context: loopBound.value.1) }
            }
        case .sendMissing(let after):
            // A full send queue means the peer is not reading: skip this batch, it asks again.
            guard queued < settings.sendQueueFrames else { return observer.deferred() }
            storeQueue.async {
                let result = Result {
                    let ours = try store.versionVector()
                    observer.lag(peer, ours.slots.reduce(0) { $0 + ($1.seq &- min($1.seq, after[$1.origin])) })
                    return try store.ops(after: after, limit: limit)
                }
                loop.execute {
                    let (handler, context) = loopBound.value
                    let written = handler.finish(result.map { $0.isEmpty ? nil : SyncMessage.ops($0, more: $0.count == limit) }, context: context)
                    if case .success(let batch) = result { handler.handle(.sentMissing(written ? batch : []), context: context) }
                }
            }
        case .apply(let ops, _):
            let now = clock()
            storeQueue.async {
                let result = Result { try store.applyPeerBatch(ops, now: now) }
                if case .success(let applied) = result, applied > 0 { observer.applied(peer, applied) }
                loop.execute {
                    let (handler, context) = loopBound.value
                    switch result {
                    case .success: handler.handle(.applied(now: handler.clock()), context: context)
                    case .failure(let error): handler.errorCaught(context: context, error: error)
                    }
                }
            }
        case .grantRights(let account, let amount, let to, let relayable):
            guard let grant else { return }
            storeQueue.async {
                // A grant that cannot be made (no rights here) is simply not answered.
                let op = try? grant(account, amount, to, relayable)
                loop.execute { loopBound.value.0.finish(.success(op.map { .ops([$0], more: false) }), context: loopBound.value.1) }
            }
        case .servePhoto(let member, let digest):
            // Photos are a courtesy: with the send queue full or photo work in hand, the request is
            // dropped (the asker asks again), so no peer can queue images or store work without bound.
            guard let photos, queued < settings.sendQueueFrames, photoWork < Self.maxPhotoWork else { return }
            photoWork += 1
            storeQueue.async {
                // A photo not kept here is simply not answered: the asker has asked others too.
                let sealed = try? photos.serve(digest)
                loop.execute {
                    let (handler, context) = loopBound.value
                    handler.photoWork -= 1
                    handler.finish(.success(sealed.flatMap { $0 }.map { .photo(member: member, digest: digest, sealed: $0) }), context: context)
                }
            }
        case .keepPhoto(let member, let digest, let sealed):
            guard let photos, photoWork < Self.maxPhotoWork else { return }
            photoWork += 1
            storeQueue.async {
                try? photos.keep(member, digest, sealed)
                loop.execute { loopBound.value.0.photoWork -= 1 }
            }
        case .heardClock(let reading):
            observer.heardClock(peer, reading)
        case .close(let reason):
            observer.closedOnError(peer, ProtocolViolation(reason: reason))
            closeReason = reason
            ticker?.cancel()
            context.close(promise: nil)
        }
    }

    /// Sends the result of store work, if any; true when a message was written.
    @discardableResult
    private func finish(_ result: Result<SyncMessage?, Error>, context: ChannelHandlerContext) -> Bool {
        switch result {
        case .success(let message?): return send(message, context: context)
        case .success(nil): return false
        case .failure(let error): errorCaught(context: context, error: error); return false
        }
    }

    /// Writes one frame, counted in the send queue until the socket takes it. Past the bound,
    /// gossip frames wait for the next round; a peer that stops reading cannot grow our memory.
    @discardableResult
    private func send(_ message: SyncMessage, context: ChannelHandlerContext) -> Bool {
        if queued >= settings.sendQueueFrames {
            switch message {
            case .ops: observer.deferred(); return false
            case .photo: return false
            default: break
            }
        }
        let message = observer.clockReading().map(message.stamped) ?? message
        queued += 1
        let promise = context.eventLoop.makePromise(of: Void.self)
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        promise.futureResult.whenComplete { _ in loopBound.value.queued -= 1 }
        context.writeAndFlush(wrapOutboundOut(message), promise: promise)
        return true
    }
}

/// Why a session closed its connection, when the peer broke the sync protocol.
public struct ProtocolViolation: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

/// Fired into every peer pipeline when the local replica gained ops: each link pushes them now
/// instead of waiting for its next round.
public struct LocalChange: Sendable {
    public init() {}
}
