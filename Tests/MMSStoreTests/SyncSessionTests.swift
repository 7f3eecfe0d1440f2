import MMSCore
import MMSStore
import MMSTestSupport
import Testing

/// Two stores reconcile through two `SyncSession`s, with every message encoded and decoded as on
/// the wire. The shell here is the few lines a NIO handler runs: send, read the store, apply.
@Suite struct SyncSessionTests {
    struct Side {
        var session: SyncSession
        let store: NodeStore
        var inbox: [[UInt8]] = []
        var closed: String?
    }

    static let batchLimit = 25

    /// Runs the sessions until nothing is in flight; returns how many messages crossed.
    @discardableResult
    static func run(_ a: inout Side, _ b: inout Side, now: UInt64 = 10_000, rounds: Int = 10_000) throws -> Int {
        var crossed = 0
        func execute(_ effects: [SyncSession.Effect], on side: inout Side, peer other: inout Side) throws {
            var queue = effects
            while !queue.isEmpty {
                switch queue.removeFirst() {
                case .send(let message): other.inbox.append(SyncCodec.encode(message))
                case .sendVector: other.inbox.append(SyncCodec.encode(.vector(try side.store.versionVector())))
                case .sendMissing(let after):
                    let batch = try side.store.ops(after: after, limit: batchLimit)
                    if !batch.isEmpty { other.inbox.append(SyncCodec.encode(.ops(batch, more: batch.count == batchLimit))) }
                    queue += side.session.handle(.sentMissing(batch))
                case .apply(let ops, _):
                    try side.store.applyRemote(ops, now: now)
                    queue += side.session.handle(.applied(now: now))
                case .close(let reason): side.closed = reason
                case .grantRights: Issue.record("no rights were requested in this test")
                case .servePhoto, .keepPhoto: Issue.record("no photos were asked for in this test")
                case .heardClock: break
                }
            }
        }
        try execute(a.session.handle(.connected(now: now)), on: &a, peer: &b)
        try execute(b.session.handle(.connected(now: now)), on: &b, peer: &a)
        for _ in 0..<rounds {
            guard !a.inbox.isEmpty || !b.inbox.isEmpty else { return crossed }
            if !a.inbox.isEmpty {
                let message = try SyncCodec.decode(a.inbox.removeFirst())
                crossed += 1
                try execute(a.session.handle(.received(message, now: now + 1_000)), on: &a, peer: &b)
            }
            if !b.inbox.isEmpty {
                let message = try SyncCodec.decode(b.inbox.removeFirst())
                crossed += 1
                try execute(b.session.handle(.received(message, now: now + 1_000)), on: &b, peer: &a)
            }
        }
        Issue.record("sessions still talking after \(rounds) rounds")
        return crossed
    }

    func sides(_ w: Workload, aHolds: [Int], bHolds: [Int]) throws -> (Side, Side) {
        let storeA = try makeStore("branch-1", trusting: w.nodes), storeB = try makeStore("branch-2", trusting: w.nodes)
        for i in aHolds { try storeA.applyRemote(w.nodes[i].log.filter { $0.id.origin == w.nodes[i].id }, now: 1) }
        for i in bHolds { try storeB.applyRemote(w.nodes[i].log.filter { $0.id.origin == w.nodes[i].id }, now: 1) }
        let a = Side(session: SyncSession(.init(chain: "demo", local: storeA.origin, peer: storeB.origin)), store: storeA)
        let b = Side(session: SyncSession(.init(chain: "demo", local: storeB.origin, peer: storeA.origin)), store: storeB)
        return (a, b)
    }

    @Test func twoStoresConvergeInBoundedBatches() throws {
        var w = Workload(seed: 5, nodeCount: 3, members: 3)
        for _ in 0..<300 { w.step() }
        // Each store starts with some origins' ops only (each origin's chain whole).
        var (a, b) = try sides(w, aHolds: [0, 1], bHolds: [2])
        let crossed = try Self.run(&a, &b)
        #expect(a.closed == nil && b.closed == nil)
        #expect(try a.store.versionVector() == b.store.versionVector())
        #expect(try a.store.stateHash() == b.store.stateHash())
        #expect(try a.store.opCount() == w.allOps.count)
        #expect(crossed >= w.allOps.count / Self.batchLimit, "bounded batches: many messages, not one")
    }

    @Test func aHelloFromAnotherNodeThanTheCertificateSaysCloses() throws {
        var session = SyncSession(.init(chain: "demo", local: try NodeID("branch-1"), peer: try NodeID("branch-2")))
        _ = session.handle(.connected(now: 0))
        let effects = session.handle(.received(.hello(version: 1, node: try NodeID("branch-3"), chain: "demo"), now: 1))
        #expect(effects == [.close(reason: "hello says branch-3, the certificate says branch-2")])
        #expect(session.phase == .closed && session.handle(.tick(now: 2)).isEmpty)
    }

    @Test(arguments: [
        SyncMessage.vector(VersionVector()), .heartbeat(sentMillis: 1),
    ])
    func speakingBeforeHelloCloses(message: SyncMessage) throws {
        var session = SyncSession(.init(chain: "demo", local: try NodeID("branch-1"), peer: try NodeID("branch-2")))
        _ = session.handle(.connected(now: 0))
        #expect(session.handle(.received(message, now: 1)) == [.close(reason: "peer branch-2 spoke before its hello")])
    }

    @Test func otherChainAndOtherVersionClose() throws {
        for (version, chain) in [(UInt32(2), "demo"), (UInt32(1), "other")] {
            var session = SyncSession(.init(chain: "demo", local: try NodeID("branch-1"), peer: try NodeID("branch-2")))
            _ = session.handle(.connected(now: 0))
            let effects = session.handle(.received(.hello(version: version, node: try NodeID("branch-2"), chain: chain), now: 1))
            #expect(effects.count == 1 && session.phase == .closed)
        }
    }

    @Test func aSilentPeerIsDroppedAndAnIdleLinkSendsHeartbeats() throws {
        var config = SyncSession.Configuration(chain: "demo", local: try NodeID("branch-1"), peer: try NodeID("branch-2"))
        config.gossipIntervalMillis = 60_000
        config.heartbeatMillis = 1_000
        var session = SyncSession(config)
        _ = session.handle(.connected(now: 0))
        #expect(session.handle(.received(.hello(version: 1, node: try NodeID("branch-2"), chain: "demo"), now: 0)) == [.sendVector])
        _ = session.handle(.received(.heartbeat(sentMillis: 0), now: 59_500))
        #expect(session.handle(.tick(now: 60_000)) == [.sendVector], "a new round after the gossip interval")
        #expect(session.handle(.tick(now: 60_500)).isEmpty)
        _ = session.handle(.received(.heartbeat(sentMillis: 0), now: 61_000))
        #expect(session.handle(.tick(now: 61_001)) == [.send(.heartbeat(sentMillis: 61_001))])
        #expect(session.handle(.tick(now: 64_001)) == [.close(reason: "peer branch-2 silent for 3001 ms")])
    }

    /// A local change is pushed at once against what the peer is known to hold, once per change:
    /// not before the peer's first vector, not twice while a push is being read, never an op the
    /// peer sent or was already sent.
    @Test func aChangeIsPushedOnceAgainstWhatThePeerHolds() throws {
        let id = { (s: String) in try! NodeID(s) }
        var a = TestNode("branch-1", seed: 1), b = TestNode("branch-2", seed: 2)
        for i in 0..<6 { a.issue(Sample.memberAdded("branch-1.m\(i)")) }
        for i in 0..<2 { b.issue(Sample.memberAdded("branch-2.m\(i)")) }
        var session = SyncSession(.init(chain: "c", local: id("branch-1"), peer: id("branch-2")))
        _ = session.handle(.connected(now: 1))
        _ = session.handle(.received(.hello(version: SyncMessage.protocolVersion, node: id("branch-2"), chain: "c"), now: 2))
        #expect(session.handle(.changed(now: 3)).isEmpty, "no push before the peer's vector is known")

        var theirs = VersionVector()
        theirs[id("branch-1")] = 2
        #expect(session.handle(.received(.vector(theirs), now: 4)) == [.sendMissing(after: theirs)])
        #expect(session.handle(.changed(now: 5)) == [.sendMissing(after: theirs)])
        #expect(session.handle(.changed(now: 6)).isEmpty, "one push in flight per link")

        let sent = a.log.filter { $0.id.seq > 2 }.prefix(3)
        #expect(session.handle(.sentMissing(Array(sent))).isEmpty)
        var known = theirs
        known[id("branch-1")] = sent.last!.id.seq
        #expect(session.handle(.changed(now: 7)) == [.sendMissing(after: known)])
        _ = session.handle(.sentMissing([]))

        let fromPeer = b.log
        _ = session.handle(.received(.ops(Array(fromPeer), more: false), now: 8))
        known[id("branch-2")] = fromPeer.last!.id.seq
        #expect(session.handle(.changed(now: 9)) == [.sendMissing(after: known)])
    }

    /// A member's photo asked for and sent: the frames round-trip, a synced session hands them to
    /// the shell (serve, keep), one before the hello closes the link, and a bad digest is malformed.
    @Test func photosAreAskedForAndSentOnceSyncing() throws {
        let digest = MemberPhotos.digest([0xFF, 0xD8, 0xFF, 1, 2, 3])
        for message in [SyncMessage.photoRequest(member: "branch-1.m1", digest: digest), .photo(member: "branch-1.m1", digest: digest, sealed: [9, 9, 9])] {
            #expect(try SyncCodec.decode(SyncCodec.encode(message)) == message)
        }
        for bad in [SyncMessage.photo(member: "branch-1.m1", digest: digest, sealed: [UInt8](repeating: 0, count: MemberPhotos.maxSealedBytes + 1)),
                    .photo(member: "branch-1.m1", digest: digest, sealed: []), .photoRequest(member: "not an id", digest: digest)] {
            #expect(throws: MMSError.self) { try SyncCodec.decode(SyncCodec.encode(bad)) }
        }

        // The hello says what the sender speaks; a peer of an older build says nothing, and is sent no photo frames.
        let hello = SyncMessage.hello(version: SyncMessage.protocolVersion, node: try NodeID("branch-1"), chain: "c", features: .spoken)
        #expect(try SyncCodec.decode(SyncCodec.encode(hello)) == hello)
        var old = SyncSession(.init(chain: "c", local: try NodeID("hq"), peer: try NodeID("branch-1")))
        #expect(old.handle(.connected(now: 0)).contains { if case .send(.hello(_, _, _, _, let features)) = $0 { features.contains(.photos) } else { false } })
        _ = old.handle(.received(.hello(version: SyncMessage.protocolVersion, node: try NodeID("branch-1"), chain: "c"), now: 1))
        #expect(old.phase == .syncing && old.peerFeatures.isEmpty)
        var early = SyncSession(.init(chain: "c", local: try NodeID("hq"), peer: try NodeID("branch-1")))
        _ = early.handle(.connected(now: 0))
        #expect(early.handle(.received(.photoRequest(member: "branch-1.m1", digest: digest), now: 1)).contains { if case .close = $0 { true } else { false } })
        var session = SyncSession(.init(chain: "c", local: try NodeID("hq"), peer: try NodeID("branch-1")))
        _ = session.handle(.connected(now: 0))
        _ = session.handle(.received(hello, now: 1))
        #expect(session.peerFeatures == .spoken)
        #expect(session.handle(.received(.photoRequest(member: "branch-1.m1", digest: digest), now: 2)) == [.servePhoto(member: "branch-1.m1", digest: digest)])
        #expect(session.handle(.received(.photo(member: "branch-1.m1", digest: digest, sealed: [1]), now: 3)) == [.keepPhoto(member: "branch-1.m1", digest: digest, sealed: [1])])
    }
}
