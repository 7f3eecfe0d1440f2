import MMSCore
import Testing

@Suite struct HLCTests {
    @Test func tickIsStrictlyIncreasingEvenWhenTheWallClockStalls() {
        var clock = HLC.zero
        var previous = clock
        for now in [5, 5, 5, 4, 6, 6] as [UInt64] {
            clock = clock.tick(now: now)
            #expect(clock > previous)
            previous = clock
        }
        #expect(clock.wallMillis == 6)
    }

    @Test func receiveMovesPastTheRemoteStamp() {
        let remote = HLC(wallMillis: 1_000, logical: 7)
        let local = HLC(wallMillis: 10, logical: 0).receive(remote, now: 20)
        #expect(local > remote)
        #expect(local.wallMillis == 1_000)
    }

    @Test func aStampFarInTheFutureDoesNotDragTheClock() {
        let local = HLC(wallMillis: 1_000_000, logical: 0)
        let skewed = HLC(wallMillis: 1_000_000 + Limits.maxClockAheadMillis + 1, logical: 0)
        #expect(local.receive(skewed, now: 1_000_000).wallMillis == 1_000_000)
        let plausible = HLC(wallMillis: 1_000_000 + Limits.maxClockAheadMillis, logical: 0)
        #expect(local.receive(plausible, now: 1_000_000) > plausible)
    }

    @Test func versionVectorsMergeAndCompare() {
        let a = try! NodeID("a"), b = try! NodeID("b")
        var v = VersionVector([a: 3])
        let w = VersionVector([a: 1, b: 2])
        #expect(!v.includes(w))
        v.merge(w)
        #expect(v.includes(w) && v[a] == 3 && v[b] == 2 && v.totalOps == 5)
    }
}
