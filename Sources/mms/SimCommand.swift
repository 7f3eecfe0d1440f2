import ArgumentParser
import Foundation
import MMSCore
import MMSLive
import MMSSimulator

/// `mms sim`: seeded partition simulations of the chain, one seed or a sweep.
struct Sim: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate the chain under partitions, crashes, message faults and clock skew, from a seed, and check every invariant.",
        discussion: """
            The same seed gives the same run (trace_hash). A failing run prints the seed, the invariant, the first step where it \
            broke and the command that replays it. Exit status: 0 when every run held every invariant, 1 otherwise.
            """)
    @Option(help: "Nodes in the chain: the head office plus branches.") var nodes = 48
    @Option(help: "One seed.") var seed: UInt64?
    @Option(help: "A sweep of seeds: 1-200, or 3,7,9.") var seeds: String?
    @Option(help: "Run this seed again (with --trace to write its trace).") var replay: UInt64?
    @Option(help: "Simulated trading time before the final heal: 90s, 30m, 6h, 1d.") var duration = "10m"
    @Option(help: "How tills decide stored-value payments: escrow, offline-refuse, always-accept.") var policy = "escrow"
    @Option(help: "Break a rule on purpose (charge-without-rights, drop-ops-on-crash, arrive-twice, coupon-twice): the checkers must catch it.") var broken: String?
    @Flag(help: "Run without faults (the twin that availability is measured against).") var noFaults = false
    @Flag(help: "Make every run partition and crash, early enough to matter (as the test sweep does).") var alwaysPartitionAndCrash = false
    @Option(help: "Each node's replica: memory (fast), or sqlite (also its real SQLite store, in a temporary directory; crashes reopen it).") var store = "memory"
    @Option(help: "Write every event of the run to this file.") var trace: String?
    @Option(help: "Write the run's history as JSON lines to this file: a header, every request and every op issued, each node's final balances.") var history: String?
    @Flag(help: "One JSON object per seed, then a total.") var json = false
    @Flag(help: "Real `mms node run` processes from --topology, real TLS, every link through a fault proxy the run cuts and heals.") var live = false
    @Option(help: "With --live: the topology whose nodes to run.") var topology: String?

    func validate() throws {
        guard (2...1_000).contains(nodes) else { throw ValidationError("--nodes must be from 2 to 1000.") }
        guard [seed, replay].compactMap({ $0 }).count + (seeds == nil ? 0 : 1) <= 1 else { throw ValidationError("Give one of --seed, --seeds, --replay.") }
        guard Self.millis(duration) != nil else { throw ValidationError("--duration takes a number and a unit: 90s, 30m, 6h, 1d (at most 7d).") }
        guard let kind = StoreKind(rawValue: store) else { throw ValidationError("--store must be memory or sqlite.") }
        if kind == .sqlite, broken == BrokenRule.dropOpsOnCrash.rawValue { throw ValidationError("--broken drop-ops-on-crash breaks the in-memory log; use --store memory.") }
        guard PaymentPolicy(rawValue: policy) != nil else { throw ValidationError("--policy must be escrow, offline-refuse or always-accept.") }
        if let broken, BrokenRule(rawValue: broken) == nil { throw ValidationError("--broken must be one of \(BrokenRule.allCases.map(\.rawValue).joined(separator: ", ")).") }
        if seeds != nil, trace != nil || history != nil { throw ValidationError("--trace and --history record one run: use --seed or --replay.") }
        if live, topology == nil { throw ValidationError("--live needs --topology FILE.") }
        if live, seeds != nil || history != nil || broken != nil || noFaults { throw ValidationError("--live runs one seed with faults: drop --seeds, --history, --broken, --no-faults.") }
    }

    func run() throws {
        if live { return try runLive() }
        let list = try seeds.map(Self.parseSeeds) ?? [replay ?? seed ?? 1]
        var options = SimulationOptions()
        options.nodes = nodes
        options.durationMillis = Self.millis(duration)!
        options.policy = PaymentPolicy(rawValue: policy)!
        options.broken = broken.flatMap(BrokenRule.init(rawValue:))
        options.faults = !noFaults
        options.store = StoreKind(rawValue: store)!
        options.guaranteePartitionsAndCrashes = alwaysPartitionAndCrash
        options.recordTrace = trace != nil
        options.recordHistory = history != nil
        var failed: [SimulationResult] = [], results: [SimulationResult] = []
        for s in list {
            options.seed = s
            let showProgress = !json && list.count == 1 && isatty(STDERR_FILENO) == 1
            let progress: ((Double) -> Void)? = showProgress ? { Self.progressBar($0) } : nil
            let (result, lines, traceLines) = try Simulator.run(options, progress: progress)
            if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            if let trace { try (traceLines.joined(separator: "\n") + "\n").write(toFile: trace, atomically: true, encoding: .utf8) }
            if let history { try (lines.joined(separator: "\n") + "\n").write(toFile: history, atomically: true, encoding: .utf8) }
            results.append(result)
            if !result.ok { failed.append(result) }
            if json { print(String(decoding: try JSONEncoder.snakeCase.encode(result), as: UTF8.self)) } else { print(Self.summary(result)) }
            if !result.ok { FileHandle.standardError.write(Data((Self.failure(result, options: self) + "\n").utf8)) }
            fflush(nil)
        }
        // A sweep ends with its total; a single run prints its one object only.
        if seeds != nil {
            let total = SweepTotal(results)
            print(json ? String(decoding: try JSONEncoder.snakeCase.encode(total), as: UTF8.self) : total.text)
        }
        if !failed.isEmpty { throw ExitCode(1) }
    }

    func runLive() throws {
        var options = LiveRun.Options(topologyPath: topology!, executable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath())
        options.seed = replay ?? seed ?? 1
        options.durationSeconds = Double(Self.millis(duration)!) / 1_000
        var lines: [String] = []
        let result: SimulationResult
        do {
            result = try LiveRun.run(options) { line in
                lines.append(line)
                if !json { FileHandle.standardError.write(Data((line + "\n").utf8)) }
            }
        } catch let error as MMSError {
            FileHandle.standardError.write(Data("\(error.code.rawValue): \(error.message)\n".utf8))
            throw ExitCode(exitStatus(error.code))
        }
        if let trace { try (lines.joined(separator: "\n") + "\n").write(toFile: trace, atomically: true, encoding: .utf8) }
        print(json ? String(decoding: try JSONEncoder.snakeCase.encode(result), as: UTF8.self) : Self.summary(result))
        if !result.ok {
            FileHandle.standardError.write(Data("live run broke \(result.violation?.invariant ?? "?"): \(result.violation?.detail ?? "")\n".utf8))
            throw ExitCode(1)
        }
    }

    static func parseSeeds(_ text: String) throws -> [UInt64] {
        let parts = text.split(separator: ",")
        var seeds: [UInt64] = []
        for part in parts {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map { UInt64($0) }
            if bounds.count == 1, let s = bounds[0] { seeds.append(s) }
            else if bounds.count == 2, let a = bounds[0], let b = bounds[1], a <= b, b - a < 100_000 { seeds += Array(a...b) }
            else { throw ValidationError("--seeds takes ranges and lists of seeds: 1-200 or 3,7,9 (at most 100,000).") }
        }
        return seeds
    }

    static func millis(_ text: String) -> UInt64? {
        guard let unit = text.last, let value = Double(text.dropLast()), value > 0 else { return nil }
        let scale: Double = switch unit { case "s": 1_000; case "m": 60_000; case "h": 3_600_000; case "d": 86_400_000; default: 0 }
        let ms = value * scale
        return ms >= 1_000 && ms <= 7 * 86_400_000 ? UInt64(ms) : nil
    }

    static func progressBar(_ fraction: Double) {
        let width = 40, filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(Int(fraction * 100))%".utf8))
    }

    static func summary(_ r: SimulationResult) -> String {
        let verdict = r.ok ? "ok" : "FAILED: \(r.violation?.invariant ?? "?")"
        return """
            seed \(r.seed): \(verdict) — \(r.nodes) nodes, \(r.links) links, \(String(format: "%.0f", r.simulatedSeconds)) s simulated in \(String(format: "%.1f", r.wallSeconds)) s (\(String(format: "%.0f", r.speedup))×; \(String(format: "%.1f", r.wallSecondsWithTwin)) s, \(String(format: "%.0f", r.speedupWithTwin))× with the fault-free twin)
              payments \(r.payments): accepted \(r.paymentsAccepted), refused for rights elsewhere \(r.paymentsRefusedNoRights), for balance \(r.paymentsRefusedBalance), offline \(r.paymentsRefusedOffline), node down \(r.paymentsRefusedNodeDown); availability \(r.availability.map { String(format: "%.4f", $0) } ?? "-")
              faults: \(r.partitions) partitions, \(r.crashes) crashes, \(r.linkResets) link resets; \(r.ops) ops, \(r.messages) messages
              overdrafts \(r.overdrafts), negative rights \(r.negativeRights), negative points \(r.negativePoints), coupon double spends \(r.couponDoubleSpends), blocked card spends \(r.blockedCardSpends), transfer conservation breaks \(r.transferConservationBreaks), campaign duplicates \(r.campaignDuplicates), expired points spent \(r.expiredPointsSpent)
              clock: \(r.requestsRefusedClockSkew) requests refused for a clock off the chain's, \(r.requestsDecidedWithClockOff) decided with a clock off
              lost acknowledged ops \(show(r.lostAcknowledgedOps)), converged \(show(r.converged)) in \(r.convergenceRounds) rounds, hq matches sum \(show(r.hqMatchesSum)), history matches \(show(r.historyMatches))
              trace \(r.traceHash.prefix(16))
            """
    }

    /// A check's value, or "not checked" when the run never reached it.
    static func show<T>(_ value: T?) -> String { value.map { "\($0)" } ?? "not checked" }

    static func failure(_ r: SimulationResult, options: Sim) -> String {
        let v = r.violation
        var replay = "mms sim --replay \(r.seed) --nodes \(r.nodes) --duration \(options.duration) --policy \(r.policy)"
        if let broken = r.broken { replay += " --broken \(broken)" }
        if options.noFaults { replay += " --no-faults" }
        if options.alwaysPartitionAndCrash { replay += " --always-partition-and-crash" }
        if options.store != "memory" { replay += " --store \(options.store)" }
        return "seed \(r.seed) broke \(v?.invariant ?? "?") at step \(v?.step ?? 0) (t=\(v?.atMillis ?? 0) ms): \(v?.detail ?? "")\n  replay: \(replay) --trace trace.log"
    }
}

/// The last line of a sweep.
struct SweepTotal: Encodable {
    let total = true
    let runs: Int
    let failed: [UInt64]
    let overdrafts: Int
    let negativeRights: Int
    let negativePoints: Int
    let couponDoubleSpends: Int
    let blockedCardSpends: Int
    let transferConservationBreaks: Int
    let campaignDuplicates: Int
    let expiredPointsSpent: Int
    let requestsRefusedClockSkew: Int
    let requestsDecidedWithClockOff: Int
    /// Over the runs that reached the check.
    let lostAcknowledgedOps: Int
    let minAvailability: Double?
    let meanAvailability: Double?
    let meanConvergenceRounds: Double
    let meanSpeedup: Double
    let meanSpeedupWithTwin: Double
    let wallSeconds: Double
    let wallSecondsWithTwin: Double

    init(_ results: [SimulationResult]) {
        runs = results.count
        failed = results.filter { !$0.ok }.map(\.seed)
        overdrafts = results.map(\.overdrafts).reduce(0, +)
        negativeRights = results.map(\.negativeRights).reduce(0, +)
        negativePoints = results.map(\.negativePoints).reduce(0, +)
        couponDoubleSpends = results.map(\.couponDoubleSpends).reduce(0, +)
        blockedCardSpends = results.map(\.blockedCardSpends).reduce(0, +)
        transferConservationBreaks = results.map(\.transferConservationBreaks).reduce(0, +)
        campaignDuplicates = results.map(\.campaignDuplicates).reduce(0, +)
        expiredPointsSpent = results.map(\.expiredPointsSpent).reduce(0, +)
        requestsRefusedClockSkew = results.map(\.requestsRefusedClockSkew).reduce(0, +)
        requestsDecidedWithClockOff = results.map(\.requestsDecidedWithClockOff).reduce(0, +)
        lostAcknowledgedOps = results.compactMap(\.lostAcknowledgedOps).reduce(0, +)
        let availability = results.compactMap(\.availability)
        minAvailability = availability.min()
        meanAvailability = availability.isEmpty ? nil : availability.reduce(0, +) / Double(availability.count)
        meanConvergenceRounds = results.isEmpty ? 0 : Double(results.map(\.convergenceRounds).reduce(0, +)) / Double(results.count)
        meanSpeedup = results.isEmpty ? 0 : results.map(\.speedup).reduce(0, +) / Double(results.count)
        meanSpeedupWithTwin = results.isEmpty ? 0 : results.map(\.speedupWithTwin).reduce(0, +) / Double(results.count)
        wallSeconds = results.map(\.wallSeconds).reduce(0, +)
        wallSecondsWithTwin = results.map(\.wallSecondsWithTwin).reduce(0, +)
    }

    var text: String {
        "\(runs) runs, \(failed.isEmpty ? "all held every invariant" : "FAILED seeds \(failed.map(String.init).joined(separator: ","))"); overdrafts \(overdrafts), lost acknowledged ops \(lostAcknowledgedOps), availability min \(minAvailability.map { String(format: "%.4f", $0) } ?? "-") mean \(meanAvailability.map { String(format: "%.4f", $0) } ?? "-"), convergence rounds mean \(String(format: "%.1f", meanConvergenceRounds)), speed-up mean \(String(format: "%.0f", meanSpeedup))× (\(String(format: "%.0f", meanSpeedupWithTwin))× with the fault-free twins; \(String(format: "%.1f", wallSeconds)) s, \(String(format: "%.1f", wallSecondsWithTwin)) s with them)"
    }
}
