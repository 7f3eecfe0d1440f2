import MMSSimulator
import Testing

/// The partition simulator as the project's test weapon: a 48-node sweep under partitions and
/// crashes holds every invariant; deliberately broken rules are caught and named; a seed is one
/// exact run.
@Suite struct SimulatorTests {
    static func options(seed: UInt64, nodes: Int = 48, minutes: UInt64 = 5) -> SimulationOptions {
        var o = SimulationOptions()
        o.seed = seed
        o.nodes = nodes
        o.durationMillis = minutes * 60_000
        o.membersPerBranch = 8
        o.guaranteePartitionsAndCrashes = true
        o.measureAvailability = false
        return o
    }

    @Test(arguments: 1...20 as ClosedRange<UInt64>)
    func a48NodeRunUnderPartitionsAndCrashesHoldsEveryInvariant(seed: UInt64) throws {
        let r = try Simulator.run(Self.options(seed: seed)).result
        #expect(r.ok, "seed \(seed): \(r.violation.map { "\($0.invariant) at step \($0.step): \($0.detail)" } ?? "")")
        #expect(r.partitions > 0 && r.crashes > 0, "seed \(seed) ran without partitions or crashes")
        #expect(r.overdrafts == 0 && r.lostAcknowledgedOps == 0)
        #expect(r.converged && r.hqMatchesSum && r.historyMatches && r.lostCardsBlocked && r.couponsUsedOnce)
        #expect(r.paymentsAccepted > 0)
    }

    /// Switch a rule off and the sweep must find the damage, and say which invariant broke.
    @Test(arguments: [(BrokenRule.chargeWithoutRights, ["negative_rights", "overdraft"]),
                      (BrokenRule.dropOpsOnCrash, ["fork", "lost_acknowledged_op", "history_mismatch"]),
                      (BrokenRule.arriveTwice, ["stock_conservation"])])
    func aBrokenRuleIsFoundAndNamed(rule: BrokenRule, names: [String]) throws {
        var found: String?
        for seed in 1...20 as ClosedRange<UInt64> where found == nil {
            var o = Self.options(seed: seed, nodes: 16)
            o.broken = rule
            let r = try Simulator.run(o).result
            if !r.ok { found = r.violation?.invariant }
        }
        let invariant = try #require(found, "\(rule.rawValue) went unnoticed for 20 seeds")
        #expect(names.contains(invariant), "\(rule.rawValue) was reported as \(invariant)")
    }

    /// With the nodes' real SQLite stores under the replicas: every store ends equal to its
    /// in-memory fold (checked by the run), crashes reopen the store, and the run is the same run
    /// as in memory (same trace).
    @Test(arguments: 1...3 as ClosedRange<UInt64>)
    func theSQLiteStoresHoldTheSameRun(seed: UInt64) throws {
        var o = Self.options(seed: seed, nodes: 8)
        o.store = .sqlite
        let sqlite = try Simulator.run(o).result
        #expect(sqlite.ok, "seed \(seed): \(sqlite.violation.map { "\($0.invariant): \($0.detail)" } ?? "")")
        #expect(sqlite.crashes > 0)
        o.store = .memory
        #expect(try Simulator.run(o).result.traceHash == sqlite.traceHash)
    }

    @Test func theSameSeedGivesTheSameRunAndAnotherSeedAnother() throws {
        let a = try Simulator.run(Self.options(seed: 7, nodes: 12)).result
        let b = try Simulator.run(Self.options(seed: 7, nodes: 12)).result
        let c = try Simulator.run(Self.options(seed: 8, nodes: 12)).result
        #expect(a.traceHash == b.traceHash && a.ops == b.ops && a.messages == b.messages)
        #expect(a.traceHash != c.traceHash)
    }

    /// The unsafe policy overdraws under partitions (the comparison figure counts how often); the
    /// escrow policy never does on the same seeds.
    @Test func alwaysAcceptOverdrawsWhereEscrowDoesNot() throws {
        var overdrawn = 0
        for seed in 1...6 as ClosedRange<UInt64> {
            var o = Self.options(seed: seed, nodes: 16)
            o.policy = .alwaysAccept
            overdrawn += try Simulator.run(o).result.overdrafts
            #expect(try Simulator.run(Self.options(seed: seed, nodes: 16)).result.overdrafts == 0)
        }
        #expect(overdrawn > 0)
    }
}

/// Seeds that once broke liveness: faults drawn before the final heal but due after it (a
/// partition and a crash) fired during the liveness phase, so the replicas could not converge
/// within the bound (1086), or took 98 rounds (2243). After the heal the network stays healed.
@Suite struct LivenessRegressionTests {
    @Test(arguments: [1086, 2243] as [UInt64])
    func aSixteenNodeRunConvergesSoonAfterTheFinalHeal(seed: UInt64) throws {
        var o = SimulationOptions()   // what `mms sim --nodes 16 --seed N` runs
        o.seed = seed
        o.nodes = 16
        let r = try Simulator.run(o).result
        #expect(r.ok, "seed \(seed): \(r.violation.map { "\($0.invariant): \($0.detail)" } ?? "")")
        #expect(r.converged && r.lostAcknowledgedOps == 0)
        #expect(r.convergenceRounds <= 20, "seed \(seed) took \(r.convergenceRounds) rounds to converge")
    }
}
