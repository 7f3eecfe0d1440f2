import MMSCore
import Testing

/// The chain's clock as a median: a branch whose clock is wrong is told so by its peers, a head
/// office whose clock is wrong cannot drag its branches, and two clocks alone never condemn each other.
@Suite struct ChainClockTests {
    static let minute: Int64 = 60_000
    static let t0: UInt64 = 1_800_000_000_000

    /// Nodes with wall clocks `offsets` off true time, linked as `links`, exchanging readings for a
    /// few rounds (each reading heard at the receiver's own wall and monotonic clocks).
    struct Chain {
        var clocks: [ChainClock]
        var offsets: [Int64]
        let links: [(Int, Int)]
        var mono: UInt64 = 1_000

        init(offsets: [Int64], links: [(Int, Int)]) {
            self.offsets = offsets; self.links = links
            clocks = Array(repeating: ChainClock(), count: offsets.count)
        }

        func wall(_ node: Int) -> UInt64 { UInt64(Int64(ChainClockTests.t0) + Int64(mono) + offsets[node]) }

        mutating func gossip(rounds: Int = 3) {
            for _ in 0..<rounds {
                mono += 1_000
                for (a, b) in links {
                    let fromA = clocks[a].reading(wall: wall(a), mono: mono), fromB = clocks[b].reading(wall: wall(b), mono: mono)
                    clocks[b].heard(fromA, from: try! NodeID("n\(a)"), wall: wall(b), mono: mono)
                    clocks[a].heard(fromB, from: try! NodeID("n\(b)"), wall: wall(a), mono: mono)
                }
            }
        }

        func skewed(_ node: Int) -> Bool {
            if case .skewed = clocks[node].verdict(wall: wall(node), mono: mono) { return true }
            return false
        }
    }

    static func star(_ offsets: [Int64]) -> Chain { Chain(offsets: offsets, links: (1..<offsets.count).map { (0, $0) }) }

    @Test func aBranchWhoseClockIsWrongIsToldSoThroughTheHeadOffice() {
        var chain = Self.star([0, 20_000, -40_000, 90 * Self.minute, 1_000])
        chain.gossip()
        #expect((0..<5).map(chain.skewed) == [false, false, false, true, false])
        guard case .skewed(let offset, _) = chain.clocks[3].verdict(wall: chain.wall(3), mono: chain.mono) else { Issue.record("trusted"); return }
        #expect(abs(offset + 90 * Self.minute) < Self.minute, "the chain is 90 minutes behind branch 3's clock: \(offset)")
    }

    @Test func aHeadOfficeWhoseClockIsWrongIsRefusedAndItsBranchesAreNot() {
        var chain = Self.star([-3 * 60 * Self.minute, 0, 5_000, -5_000, 30_000])
        chain.gossip()
        #expect((0..<5).map(chain.skewed) == [true, false, false, false, false])
    }

    @Test func withinTheBoundEveryClockIsTrusted() {
        var chain = Self.star([0, 4 * Self.minute, -4 * Self.minute, 2 * Self.minute])
        chain.gossip()
        #expect((0..<4).map(chain.skewed) == [false, false, false, false])
    }

    /// Two clocks cannot tell which is wrong: neither is refused. A node that has heard no peer
    /// has nothing to doubt its clock by.
    @Test func twoClocksAloneNeverCondemnEachOther() {
        var chain = Chain(offsets: [0, 60 * Self.minute], links: [(0, 1)])
        #expect(!chain.skewed(0) && !chain.skewed(1))
        chain.gossip()
        #expect(!chain.skewed(0) && !chain.skewed(1))
    }

    /// A clock set back a day while the node is cut off is caught at once: the samples it heard
    /// before move with its own clock against the monotonic one.
    @Test func aClockSetWrongWhileCutOffIsCaughtWithoutHearingAnyone() {
        var chain = Self.star([0, 0, 0, 0])
        chain.gossip()
        #expect(!chain.skewed(2))
        chain.offsets[2] -= 24 * 60 * Self.minute
        chain.mono += 600_000   // ten minutes later, no reading heard since
        #expect(chain.skewed(2))
        #expect(!chain.skewed(1))
        // Set right again, it is trusted again.
        chain.offsets[2] = 0
        #expect(!chain.skewed(2))
    }

    @Test func readingsCrossTheWireAndOutOfRangeOnesAreMalformed() throws {
        let reading = ClockReading(wallMillis: Self.t0, chainOffsetMillis: -12_345, clocks: 7)
        for message in [SyncMessage.hello(version: 1, node: try NodeID("hq"), chain: "demo", clock: reading),
                        .vector(VersionVector([try NodeID("hq"): 3]), clock: reading),
                        .vector(VersionVector(), clock: nil)] {
            #expect(try SyncCodec.decode(SyncCodec.encode(message)) == message)
        }
        let forged = SyncMessage.vector(VersionVector(), clock: ClockReading(wallMillis: Self.t0, chainOffsetMillis: 0, clocks: 0))
        #expect(throws: MMSError.self) { try SyncCodec.decode(SyncCodec.encode(forged)) }
    }

    /// The session hands a peer's reading to the shell once the hello is accepted, never before.
    @Test func theSessionPassesOnThePeersClock() throws {
        var session = SyncSession(.init(chain: "demo", local: try NodeID("branch-1"), peer: try NodeID("hq")))
        _ = session.handle(.connected(now: 1))
        let reading = ClockReading(wallMillis: Self.t0, chainOffsetMillis: 0, clocks: 3)
        let effects = session.handle(.received(.hello(version: SyncMessage.protocolVersion, node: try NodeID("hq"), chain: "demo", clock: reading), now: 2))
        #expect(effects.first == .heardClock(reading))
        #expect(session.handle(.received(.vector(VersionVector(), clock: reading), now: 3)).contains(.heardClock(reading)))
    }
}
