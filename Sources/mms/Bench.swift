import ArgumentParser
import Foundation
import MMSBench
import MMSCore
import MMSNode
import MMSSimulator
import MMSTopology

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the ledger beside this machine's raw SQLite limits, and the branch network. Build with -c release for real figures.",
        subcommands: [Ledger.self, Network.self, API.self, Till.self, Simulator.self, Charges.self, ProgramBench.self, Reports.self, Outbox.self], defaultSubcommand: Ledger.self)

    struct Simulator: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sim",
            abstract: "The simulator's figures: speed-up at 48 and 200 nodes, rounds to converge after the heal for 8–128 nodes, payment availability per till policy.")
        @Option(help: "Simulated minutes per run.") var minutes: UInt64 = 10
        @Option(help: "Seeds per convergence and availability point.") var seeds: UInt64 = 5
        @Flag var json = false

        func validate() throws {
            guard (1...600).contains(minutes), (1...100).contains(seeds) else { throw ValidationError("minutes 1–600, seeds 1–100") }
        }

        func run() throws {
            var o = SimulatorBench.Options()
            (o.minutes, o.speedMinutes) = (minutes, minutes)
            (o.convergenceSeeds, o.availabilitySeeds) = (Array(1...seeds), Array(1...seeds))
            let r = try SimulatorBench.run(o) { FileHandle.standardError.write(Data("… \($0)\n".utf8)) }
            if json { return print(String(decoding: try JSONEncoder.snakeCase.encode(r), as: UTF8.self)) }
            for s in r.speed {
                print(String(format: "%4d nodes: %.0f s simulated in %.1f s = %.0f× (%d messages)", s.nodes, s.simulatedSeconds, s.wallSeconds, s.speedup, s.messages))
            }
            for c in r.convergence { print(String(format: "%4d nodes: %.1f rounds to converge after the final heal (max %d)", c.nodes, c.meanRounds, c.maxRounds)) }
            for a in r.availability {
                print(String(format: "%-15@ availability %.4f, overdrawn accounts %d (%d seeds)", a.policy as NSString, a.meanAvailability, a.overdrawnAccounts, a.seeds))
            }
        }
    }

    struct API: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "api",
            abstract: "Charges through the till API over HTTPS with 1, 4 and 16 tills at once (keep-alive), beside the direct ledger one at a time; the cost of a login and a look-up.")
        @Option(name: .customLong("charges-per-till"), help: "Charges each till makes per round.") var chargesPerTill = 400
        @Option(name: .customLong("sales-per-till"), help: "Sales (5-line baskets, two tenders) each of 16 tills makes.") var salesPerTill = 100
        @Option(name: .customLong("statement-sales"), help: "Sales in the log when the commission statement is timed.") var statementSales = 100_000
        @Flag var json = false

        func validate() throws {
            guard (10...100_000).contains(chargesPerTill), (1...10_000).contains(salesPerTill), (0...1_000_000).contains(statementSales) else {
                throw ValidationError("charges per till: 10–100000; sales per till: 1–10000; statement sales: 0–1000000")
            }
        }

        func run() async throws {
            var options = APIBench.Options()
            options.chargesPerTill = chargesPerTill
            options.salesPerTill = salesPerTill
            options.statementSales = statementSales
            let r = try await APIBench.run(options) { FileHandle.standardError.write(Data("… \($0)\n".utf8)) }
            if json { return print(String(decoding: try JSONEncoder.snakeCase.encode(r), as: UTF8.self)) }
            func ms(_ micros: Double) -> String { String(format: "%.2f ms", micros / 1000) }
            print(String(format: "direct ledger, one at a time: %.0f charges/s", r.directLedger.perSecond)
                  + ", p50 \(ms(r.directLedger.p50Micros)), p99 \(ms(r.directLedger.p99Micros))")
            for row in r.api {
                print(String(format: "%2d till(s) over HTTPS: %.0f charges/s (%.2f× the direct ledger)", row.tills, row.charges.perSecond, row.overDirect)
                      + ", p50 \(ms(row.charges.p50Micros)), p99 \(ms(row.charges.p99Micros))")
            }
            print("login (Argon2id): p50 \(ms(r.login.p50Micros)); card look-up: p50 \(ms(r.lookUp.p50Micros)), p99 \(ms(r.lookUp.p99Micros))")
            print(String(format: "16 tills, 5-line sales (stored value + cash) over HTTPS: %.0f sales/s", r.sales.perSecond)
                  + ", p50 \(ms(r.sales.p50Micros)), p99 \(ms(r.sales.p99Micros)); \(Int(r.saleOpBytes.rounded())) bytes per sale op")
            print("commission statement with \(r.statementSales) sales in the log: p50 \(ms(r.commissionStatement.p50Micros)), p99 \(ms(r.commissionStatement.p99Micros))")
        }
    }

    struct Till: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The terminal till in a pseudo-terminal against a node over HTTPS: Enter on the PIN to the receipt's cut at a printer on loopback, the till's memory, the receipt queue's recovery after a printer outage.")
        @Option(help: "Payments to time.") var payments = 100
        @Flag var json = false

        func validate() throws {
            guard (1...10_000).contains(payments) else { throw ValidationError("payments: 1–10000") }
        }

        func run() async throws {
            var options = TillBench.Options()
            options.payments = payments
            let path = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
            let mms = FileManager.default.isExecutableFile(atPath: path) ? path : (Bundle.main.executablePath ?? path)
            let r = try await TillBench.run(options, mmsPath: mms) { FileHandle.standardError.write(Data("… \($0)\n".utf8)) }
            if json { return print(String(decoding: try JSONEncoder.snakeCase.encode(r), as: UTF8.self)) }
            print(String(format: "Enter on the PIN → receipt cut at the printer, %d payments: p50 %.1f ms, p99 %.1f ms",
                         r.payments.count, r.payments.p50Micros / 1000, r.payments.p99Micros / 1000))
            print(String(format: "the till's memory: %.1f MiB resident, %.1f MiB peak", r.tillResidentMiB, r.tillPeakMiB))
            for row in r.recovery {
                print(String(format: "printer off %.0f s: the queued receipt printed %.2f s after it came back", row.offSeconds, row.printedAfterSeconds))
            }
        }
    }

    struct Network: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Five real nodes (hq + 4 branches) on loopback with mutual TLS: time to reach all five, idle gossip bytes, catch-up after an outage.")
        @Option(name: .customLong("gossip-interval-ms"), help: "The topology's gossip interval.") var gossipIntervalMs = 1_000
        @Option(help: "Top-ups timed from commit to every replica.") var samples = 20
        @Option(name: .customLong("ops-while-cut"), help: "Ops made while branch-4 is down, then timed until it catches up.") var opsWhileCut = 10_000
        @Option(name: .customLong("idle-seconds"), help: "Seconds of idle gossip to count bytes over.") var idleSeconds = 10
        @Flag var json = false

        func validate() throws {
            guard (10...600_000).contains(gossipIntervalMs), (1...1_000).contains(samples), (1...1_000_000).contains(opsWhileCut), (1...600).contains(idleSeconds) else {
                throw ValidationError("gossip interval 10–600000 ms, samples 1–1000, ops 1–1M, idle 1–600 s")
            }
        }

        func run() throws {
            var options = NetworkBench.Options()
            (options.gossipIntervalMillis, options.reachSamples, options.opsWhileCut, options.idleSeconds) = (gossipIntervalMs, samples, opsWhileCut, idleSeconds)
            let r = try NetworkBench.run(options) { FileHandle.standardError.write(Data("… \($0)\n".utf8)) }
            if json { return print(String(decoding: try JSONEncoder.snakeCase.encode(r), as: UTF8.self)) }
            print(String(format: "change at branch-1 reaches all %d nodes (gossip every %d ms): p50 %.0f ms, p99 %.0f ms", r.nodes, r.gossipIntervalMs,
                         r.reachAllFive.p50Micros / 1000, r.reachAllFive.p99Micros / 1000))
            print(String(format: "idle gossip: %.0f bytes/s per node (sent + received, TLS included)", r.idleBytesPerNodePerSecond))
            print(String(format: "spreading %d ops from branch-1: %.0f wire bytes per op per receiving node", r.catchUpOps, r.bytesPerOpDelivered))
            print(String(format: "branch-4 back after %d ops elsewhere: caught up in %.2f s = %.0f ops/s verified and stored over TLS",
                         r.catchUpOps, r.catchUpSeconds, r.catchUpOpsPerSecond))
        }
    }

    struct Ledger: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every ledger figure in one run, in temporary directories.")
        @Option(help: "Durable charges to time (and raw transactions beside them).") var charges = 3_000
        @Option(name: .customLong("remote-ops"), help: "Remote ops to apply in batches.") var remoteOps = 100_000
        @Option(name: .customLong("rebuild-ops"), help: "Ops in the log to rebuild the state from.") var rebuildOps = 1_000_000
        @Option(help: "Remote ops per batch (at most \(Limits.maxOpsPerBatch)).") var batch = 1_024
        @Flag var json = false

        func validate() throws {
            guard (1...1_000_000).contains(charges), (1...5_000_000).contains(remoteOps), (1...5_000_000).contains(rebuildOps),
                  (1...Limits.maxOpsPerBatch).contains(batch) else {
                throw ValidationError("counts must be positive and bounded (charges ≤ 1M, ops ≤ 5M, batch ≤ \(Limits.maxOpsPerBatch))")
            }
        }

        func run() throws {
            var options = Benchmarks.Options()
            (options.charges, options.remoteOps, options.rebuildOps, options.batch) = (charges, remoteOps, rebuildOps, batch)
            let report = try Benchmarks.run(options) { FileHandle.standardError.write(Data("… \($0)\n".utf8)) }
            if json {
                print(String(decoding: try JSONEncoder.snakeCase.encode(report), as: UTF8.self))
                return
            }
            print(row("raw SQLite, 1 insert+update per txn (FULL)", report.rawSQLiteOnePerTransaction))
            print(row("raw SQLite, 16 per txn (rows/s)", report.rawSQLiteSixteenPerTransaction))
            print(row("durable charges (ledger, one per txn)", report.durableCharges) + String(format: "   = %.0f%% of raw", report.chargesVsRawRatio * 100))
            print(row("remote ops applied, batches of \(report.remoteApplyBatch)", report.remoteApply) + "   (p = per batch)")
            print(row("  the same without the report tables", report.remoteApplyWithoutReports))
            print(String(format: "state rebuild from %d ops: %.2f s; full verify: %.2f s", report.rebuildOps, report.rebuildSeconds, report.verifySeconds))
            print(String(format: "bytes per op: %.0f on disk (log + state + indexes), %.0f encoded + signature", report.bytesPerOpOnDisk, report.bytesPerOpEncoded))
            print(row("PIN check, Argon2id interactive", report.pinCheck))
            print(row("Ed25519 sign", report.ed25519Sign))
            print(row("Ed25519 verify", report.ed25519Verify))
        }
    }

    struct ProgramBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "program",
            abstract: "The program's cost: a 5-line sale decided under the full program (tier discount, points ×1.5, a coupon) beside the plain sale; a campaign over N members.")
        @Option(help: "The program file.") var file = "programs/demo.toml"
        @Option(help: "Sale decisions timed, each way.") var decisions = 2_000
        @Option(help: "Members the campaign walks.") var members = 20_000
        @Flag var json = false

        func run() throws {
            guard (1...1_000_000).contains(decisions), (1...2_000_000).contains(members) else {
                throw MMSError(.invalidArgument, "--decisions 1–1,000,000 and --members 1–2,000,000.")
            }
            let report = try Benchmarks.program(try ProgramFile.load(path: file), decisions: decisions, members: members) { note in
                if !json { print("… \(note)") }
            }
            if json { print(String(decoding: try JSONEncoder.snakeCase.encode(report), as: UTF8.self)); return }
            print(row("5-line sale, no program", report.plainSale))
            print(row("5-line sale, gold + points ×1.5 + coupon", report.programSale) + String(format: "   = %.2f× the plain sale (p50)", report.ratio))
            print(String(format: "campaign over %d members: %.1f s, %.0f members/s, %d coupons issued (%.0f ops/s)",
                         report.campaignMembers, report.campaignSeconds, report.campaignMembersPerSecond, report.campaignOps, report.campaignOpsPerSecond))
        }
    }

    struct Reports: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Head office's reports over a generated year: N ops from several branches applied in batches with the report tables, then each report timed.")
        @Option(help: "The program file head office runs.") var file = "programs/demo.toml"
        @Option(help: "Ops to generate (members join, top up, buy, pay, return).") var ops = 100_000
        @Option(help: "Branches making them.") var branches = 8
        @Option(help: "Keep head office's data directory here (a new directory), to time the command line over it.") var keep: String?
        @Flag var json = false

        func run() throws {
            guard (1_000...20_000_000).contains(ops), (1...64).contains(branches) else {
                throw MMSError(.invalidArgument, "--ops 1,000–20,000,000 and --branches 1–64.")
            }
            if let keep, FileManager.default.fileExists(atPath: keep) { throw MMSError(.invalidArgument, "--keep \(keep) exists; name a new directory.") }
            var options = Benchmarks.ReportsOptions()
            (options.ops, options.branches, options.keep) = (ops, branches, keep)
            let report = try Benchmarks.reports(try ProgramFile.load(path: file), options) { note in if !json { print("… \(note)") } }
            if json { print(String(decoding: try JSONEncoder.snakeCase.encode(report), as: UTF8.self)); return }
            print(String(format: "%d ops (%d members, %d branches) applied in %.1f s: %.0f ops/s with the report tables; store %.0f MB",
                         report.ops, report.members, report.branches, report.applySeconds, report.applyOpsPerSecond, Double(report.storeBytes) / 1e6))
            for (name, seconds) in report.reports.sorted(by: { $0.key < $1.key }) { print("  " + name.padding(toLength: 32, withPad: " ", startingAt: 0) + String(format: "%8.3f s", seconds)) }
            if let directory = report.directory { print("head office's store is kept in \(directory)") }
        }
    }

    struct Outbox: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The outbox's delivery rate: N birthday reminders queued, then POSTed by the sending node to a gateway on 127.0.0.1 until every one is sent.")
        @Option(help: "Messages to deliver.") var messages = 2_000
        @Option(name: .customLong("rate-per-second"), help: "The sender's limit (the topology's rate_per_second, 1–1000).") var ratePerSecond = 1_000
        @Flag var json = false

        func run() async throws {
            guard (1...100_000).contains(messages), (1...1_000).contains(ratePerSecond) else {
                throw MMSError(.invalidArgument, "--messages 1–100,000 and --rate-per-second 1–1,000.")
            }
            let report = try await Benchmarks.outbox(messages: messages, ratePerSecond: ratePerSecond) { note in if !json { print("… \(note)") } }
            if json { print(String(decoding: try JSONEncoder.snakeCase.encode(report), as: UTF8.self)); return }
            print(String(format: "%d messages delivered in %.1f s: %.0f a second (limit %d); the gateway saw %d POSTs, %d keys",
                         report.messages, report.seconds, report.deliveredPerSecond, report.ratePerSecond, report.posts, report.keys))
        }
    }

    struct Charges: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Charge one card repeatedly on an existing node, printing \"ack <key> <op>\" after each durable commit.",
            discussion: "The crash test kills this process at random moments and checks that every acknowledged charge survived.")
        @OptionGroup var options: NodeOptions
        @Option var card: String
        @Option var amount: String = "0.01"
        @Option var count: Int = 1_000
        @Option(name: .customLong("key-prefix"), help: "Idempotency keys are <prefix><n>.") var keyPrefix = "stream-"

        func run() throws {
            try perform(options) {
                guard (1...10_000_000).contains(count) else { throw MMSError(.invalidArgument, "--count must be from 1 to 10,000,000.") }
                let node = try options.open()
                let timing = try Benchmarks.chargeStream(node: node, card: card, amount: money(amount), count: count, keyPrefix: keyPrefix) { line in
                    print(line)
                    fflush(nil)
                }
                return StreamSummary(charges: timing.count, perSecond: timing.perSecond, p50Micros: timing.p50Micros, p99Micros: timing.p99Micros)
            }
        }
    }
}

/// One timing as a table row: rate, p50 and p99.
func row(_ name: String, _ t: Timing, unit: String = "/s") -> String {
    "\(name.padding(toLength: 46, withPad: " ", startingAt: 0)) \(String(format: "%10.0f", t.perSecond))\(unit)   p50 \(String(format: "%7.1f", t.p50Micros)) µs   p99 \(String(format: "%7.1f", t.p99Micros)) µs"
}

struct StreamSummary: Encodable, TextRendered {
    let charges: Int
    let perSecond: Double
    let p50Micros: Double
    let p99Micros: Double
    var text: String { String(format: "%d charges, %.0f/s, p50 %.0f µs, p99 %.0f µs", charges, perSecond, p50Micros, p99Micros) }
}
