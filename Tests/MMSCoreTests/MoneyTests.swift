import MMSCore
import PropertyBased
import Testing

@Suite struct MoneyTests {
    @Test(arguments: [("100.00", 10_000), ("0.5", 50), ("30", 3_000), ("0.01", 1), ("12.30", 1_230)] as [(String, Int64)])
    func parsesAmounts(text: String, fen: Int64) {
        #expect(Money(parsing: text)?.fen == fen)
    }

    @Test(arguments: ["", "-1.00", "+1", "1.234", "1e3", "1,000.00", " 1.00", "1.", ".5", "abc", "１２", "1.0.0", "9999999999999999"])
    func refusesIllFormedAmounts(text: String) {
        #expect(Money(parsing: text) == nil)
    }

    @Test func printsTwoDecimals() {
        #expect(Money(fen: 7_000).description == "70.00")
        #expect(Money(fen: 5).description == "0.05")
        #expect(Money(fen: -50).description == "-0.50")
    }

    @Test func parseOfPrintIsIdentity() async {
        await propertyCheck(input: Gen.int64(in: 0...Limits.maxAmount.fen)) { fen in
            #expect(Money(parsing: Money(fen: fen).description)?.fen == fen)
        }
    }
}

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
