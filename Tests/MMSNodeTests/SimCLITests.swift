import Foundation
import Testing

/// `mms sim` as a user runs it: JSON per seed, the same trace from two processes, the history
/// file, a failing run's replay command, and `--live` with real nodes, TLS and fault proxies.
@Suite struct SimCLITests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("mms-sim-\(UUID().uuidString)").path

    @Test func aSeedGivesTheSameTraceInTwoProcessesAndTheJSONNamesEveryField() throws {
        let args = ["sim", "--nodes", "8", "--seed", "3", "--duration", "2m", "--json"]
        let a = try json(mms(args).stdout), b = try json(mms(args).stdout)
        for field in ["seed", "nodes", "simulated_seconds", "ops", "payments", "payments_refused_no_rights", "overdrafts", "negative_rights",
                      "negative_points", "coupon_double_spends", "blocked_card_spends", "transfer_conservation_breaks", "campaign_duplicates",
                      "lost_acknowledged_ops", "converged", "hq_matches_sum", "history_matches", "convergence_rounds", "availability", "trace_hash",
                      "wall_seconds", "wall_seconds_with_twin", "speedup", "speedup_with_twin"] {
            #expect(a[field] != nil, "no \(field)")
        }
        #expect(a["trace_hash"] as? String == b["trace_hash"] as? String)
        #expect(a["overdrafts"] as? Int == 0 && a["lost_acknowledged_ops"] as? Int == 0 && a["converged"] as? Bool == true)
        for count in ["negative_rights", "negative_points", "coupon_double_spends", "blocked_card_spends", "transfer_conservation_breaks", "campaign_duplicates"] {
            #expect(a[count] as? Int == 0, "\(count) is \(a[count] ?? "absent")")
        }
        #expect((a["wall_seconds_with_twin"] as? Double ?? 0) > (a["wall_seconds"] as? Double ?? 0))
        let other = try json(mms(["sim", "--nodes", "8", "--seed", "4", "--duration", "2m", "--json"]).stdout)
        #expect(other["trace_hash"] as? String != a["trace_hash"] as? String)
    }

    /// The history file alone, read by an outside checker (`HistoryCheck`, none of the
    /// simulator's code): a header, every op with its vector, every node's final lines; each
    /// member's final balance at every node equals its ops' stored-value changes; no coupon spent
    /// more often than issued and given back; no node spent beyond its rights; no stopped card spent.
    @Test func theHistoryAloneProvesTheInvariants() throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let file = root + "/h.jsonl"
        #expect(try mms(["sim", "--nodes", "4", "--seed", "3", "--duration", "10m", "--history", file]).status == 0)
        let h = try HistoryCheck(file: file)
        #expect(h.header["seed"] as? Int == 3 && (h.header["nodes"] as? [String])?.count == 4 && h.header["policy"] as? String == "escrow")
        #expect(h.header["broken"] is NSNull && (h.header["members"] as? [Any])?.count == 3 * 20)
        #expect(h.requests.contains { $0["ack"] as? Bool == true && $0["kind"] as? String == "charge" && $0["op"] is String && $0["amount"] is String })
        #expect(h.requests.contains { $0["ack"] as? Bool == false && $0["reason"] is String })
        for kind in ["member_added", "card_issued", "top_up", "charge", "rights_transferred", "program_set", "points_awarded", "coupon_issued", "refund"] {
            #expect(h.ops.contains { $0["kind"] as? String == kind }, "no \(kind) op in the history")
        }
        #expect(h.ops.allSatisfy { $0["vv"] is [String: Any] && $0["t"] != nil })
        #expect(h.ops.contains { $0["kind"] as? String == "refund" && $0["charge"] is String })
        // Every member at each of the 4 nodes, after a heal that converged.
        #expect(h.finals.count == 3 * 20 * 4 && h.finals.allSatisfy { ($0["points"] as? Int) != nil && $0["status"] is String })
        #expect(h.end["healed"] as? Bool == true && h.end["converged"] as? Bool == true && h.end["ok"] as? Bool == true)
        #expect(h.bankProblems().isEmpty, "\(h.bankProblems().prefix(3))")
        #expect(h.couponProblems().isEmpty, "\(h.couponProblems().prefix(3))")
        #expect(h.rightsProblems().isEmpty, "\(h.rightsProblems().prefix(3))")
        #expect(h.blockedCardProblems().isEmpty, "\(h.blockedCardProblems().prefix(3))")
        #expect(h.expiredPointsProblems().isEmpty, "\(h.expiredPointsProblems().prefix(3))")
        // Points were spent after the year end, from lots named by year, and the lots at the end are by year too.
        #expect(h.ops.contains { $0["kind"] as? String == "points_redeemed" && ($0["lots"] as? [String: Any])?["2027"] != nil })
        #expect(h.finals.allSatisfy { $0["lots"] is [String: Any] })
    }

    /// The first of seeds 1–5 on which `--broken RULE` stops the run: its JSON and its history
    /// as the outside checker reads it; nil when the rule went unnoticed.
    func brokenRun(_ rule: String, minutes: Int = 3) throws -> (result: [String: Any], history: HistoryCheck)? {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let file = root + "/\(rule).jsonl"
        for seed in 1...5 {
            let out = try mms(["sim", "--nodes", "8", "--seed", "\(seed)", "--duration", "\(minutes)m", "--broken", rule, "--json", "--history", file])
            if out.status == 1 { return (try json(out.stdout), try HistoryCheck(file: file)) }
        }
        return nil
    }

    /// Points of an expired lot spent (`--broken expired-points`): the run names it and the outside
    /// checker finds it from the history alone.
    @Test func pointsSpentFromAnExpiredLotAreVisibleInTheHistory() throws {
        let (r, h) = try #require(try brokenRun("expired-points", minutes: 5), "expired-points went unnoticed for 5 seeds")
        #expect(r["expired_points_spent"] as? Int == 1)
        #expect(!h.expiredPointsProblems().isEmpty, "the outside checker missed the expired points")
    }

    /// A charge beyond the node's rights (`--broken charge-without-rights`) is visible in the
    /// history from outside, and the final lines are written though the violation stopped the run.
    @Test func aChargeBeyondRightsIsVisibleInTheHistory() throws {
        let (r, h) = try #require(try brokenRun("charge-without-rights"), "charge-without-rights went unnoticed for 5 seeds")
        #expect(r["history_matches"] is NSNull && r["hq_matches_sum"] is NSNull && r["lost_acknowledged_ops"] is NSNull)
        #expect(h.header["broken"] as? String == "charge-without-rights")
        #expect(h.end["ok"] as? Bool == false && h.end["healed"] as? Bool == false)
        #expect(h.finals.count == 7 * 20 * 8)
        #expect(!h.rightsProblems().isEmpty, "the outside checker missed the charge beyond rights")
    }

    /// The coupon check can fail: with a used coupon redeemed again, the outside checker finds it too.
    @Test func aCouponSpentTwiceIsVisibleInTheHistory() throws {
        let (r, h) = try #require(try brokenRun("coupon-twice"), "coupon-twice went unnoticed for 5 seeds")
        #expect(r["coupon_double_spends"] as? Int == 1)
        #expect(!h.couponProblems().isEmpty, "the outside checker missed the coupon spent twice")
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
