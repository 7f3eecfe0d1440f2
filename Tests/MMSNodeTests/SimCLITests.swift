import Foundation
import Testing

/// `mms sim` as a user runs it: JSON per seed, the same trace from two processes, the history
/// file, a failing run's replay command, and `--live` with real nodes, TLS and fault proxies.
@Suite struct SimCLITests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("mms-sim-\(UUID().uuidString)").path

    @Test func aSeedGivesTheSameTraceInTwoProcessesAndTheJSONNamesEveryField() throws {
        let args = ["sim", "--nodes", "8", "--seed", "3", "--duration", "2m", "--json"]
        let a = try json(mms(args).stdout), b = try json(mms(args).stdout)
        for field in ["seed", "nodes", "simulated_seconds", "ops", "payments", "payments_refused_no_rights", "overdrafts",
                      "lost_acknowledged_ops", "converged", "hq_matches_sum", "convergence_rounds", "availability", "trace_hash"] {
            #expect(a[field] != nil, "no \(field)")
        }
        #expect(a["trace_hash"] as? String == b["trace_hash"] as? String)
        #expect(a["overdrafts"] as? Int == 0 && a["lost_acknowledged_ops"] as? Int == 0 && a["converged"] as? Bool == true)
        let other = try json(mms(["sim", "--nodes", "8", "--seed", "4", "--duration", "2m", "--json"]).stdout)
        #expect(other["trace_hash"] as? String != a["trace_hash"] as? String)
    }

    @Test func historyHasEveryClientOpAndEveryFinalBalance() throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let file = root + "/h.jsonl"
        #expect(try mms(["sim", "--nodes", "4", "--seed", "3", "--duration", "2m", "--history", file]).status == 0)
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map { try json(String($0)) }
        let acked = lines.filter { $0["ack"] as? Bool == true }, finals = lines.filter { $0["final"] as? Bool == true }
        #expect(acked.contains { $0["kind"] as? String == "charge" && $0["op"] is String && $0["amount"] is String })
        #expect(lines.contains { $0["ack"] as? Bool == false && $0["reason"] is String })
        // Every card's balance at each of the 4 nodes: 3 branches × 20 members × 4 nodes.
        #expect(finals.count == 3 * 20 * 4)
    }

    @Test func aFailingRunNamesTheInvariantAndTheReplayCommand() throws {
        let out = try mms(["sim", "--nodes", "8", "--seeds", "1-5", "--duration", "3m", "--broken", "charge-without-rights"])
        #expect(out.status == 1)
        #expect(out.stderr.contains("broke negative_rights") || out.stderr.contains("broke overdraft"), "\(out.stderr)")
        #expect(out.stderr.contains("replay: mms sim --replay"))
    }

    @Test func liveRunsRealNodesThroughFaultProxiesAndHoldsTheInvariants() throws {
        let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../topology/demo.toml").standardized.path
        let out = try mms(["sim", "--live", "--topology", demo, "--duration", "15s", "--seed", "2", "--json"])
        #expect(out.status == 0, "\(out.stdout) \(out.stderr)")
        let r = try json(out.stdout)
        #expect(r["nodes"] as? Int == 5 && r["converged"] as? Bool == true && r["overdrafts"] as? Int == 0)
        #expect(r["lost_acknowledged_ops"] as? Int == 0 && r["hq_matches_sum"] as? Bool == true)
        #expect((r["payments"] as? Int ?? 0) > 0 && (r["partitions"] as? Int ?? 0) > 0)
    }
}
