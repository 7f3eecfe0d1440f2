import Foundation
import MMSCore
import MMSNode
import Testing

/// Two branches replicating through `mms sync` (the replication API, between data directories):
/// rights move ahead of the member, both sides spend only what they hold while cut off, and
/// after syncing both ways they hold the same state.
@Suite struct TwoNodeTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("mms-two-\(UUID().uuidString)").path
    var a: String { root + "/shop1" }
    var b: String { root + "/shop2" }

    func balance(_ dir: String) throws -> [String: Any] { try json(mms(["show", "--data", dir, "--card", "6200000001", "--json"]).stdout) }

    @Test func escrowAcrossTwoBranches() throws {
        try #require(mms(["node", "init", "--data", a, "--id", "branch-1"]).status == 0)
        try #require(mms(["node", "init", "--data", b, "--id", "branch-2", "--chain-secrets", a + "/chain.secrets"]).status == 0)
        try mms(["node", "trust", "--data", a, "--node", b])
        try mms(["node", "trust", "--data", b, "--node", a])
        let member = try #require(try json(mms(["member", "add", "--data", a, "--name", "王芳", "--phone", "13800000001", "--birthday", "1990-05-01", "--json"]).stdout)["id"] as? String)
        try mms(["card", "issue", "--data", a, "--member", member, "--type", "stored", "--number", "6200000001", "--pin", "2468"])
        try mms(["topup", "--data", a, "--card", "6200000001", "--amount", "100.00"])

        #expect(try json(mms(["sync", "--data", b, "--from", a, "--json"]).stdout)["applied"] as? Int == 3)
        // Branch-2 sees the balance, and the member's name (shared chain secrets), but holds no rights yet.
        let seen = try balance(b)
        #expect(seen["balance"] as? String == "100.00" && seen["balance_here"] as? String == "0.00" && seen["name"] as? String == "王芳")
        let refused = try json(mms(["charge", "--data", b, "--card", "6200000001", "--amount", "10.00", "--pin", "2468", "--json"]).stdout)
        #expect(refused["error"] as? String == "insufficient_funds")
        #expect((refused["details"] as? [String: String])?["held_elsewhere"] == "branch-1=100.00")

        // Rights cannot be sent to a node nobody knows: they could never be spent or come back.
        let stray = try mms(["rights", "move", "--data", a, "--card", "6200000001", "--to", "branch-9", "--amount", "1.00", "--json"])
        #expect(try stray.status == 3 && json(stray.stdout)["error"] as? String == "unknown_origin")
        // Rights placed ahead of the member's visit, then the link goes down.
        try mms(["rights", "move", "--data", a, "--card", "6200000001", "--to", "branch-2", "--amount", "40.00"])
        try mms(["sync", "--data", b, "--from", a])
        #expect(try mms(["charge", "--data", b, "--card", "6200000001", "--amount", "30.00", "--pin", "2468"]).status == 0)
        #expect(try json(mms(["charge", "--data", b, "--card", "6200000001", "--amount", "20.00", "--pin", "2468", "--json"]).stdout)["error"] as? String == "insufficient_funds")
        // The cashier takes what branch-2 may spend (10.00) and collects the rest otherwise.
        let partial = try json(mms(["charge", "--data", b, "--card", "6200000001", "--amount", "20.00", "--pin", "2468", "--partial", "--json"]).stdout)
        #expect(partial["amount"] as? String == "10.00" && partial["unpaid"] as? String == "10.00")
        #expect(try json(mms(["charge", "--data", b, "--card", "6200000001", "--amount", "1.00", "--pin", "2468", "--partial", "--json"]).stdout)["error"] as? String == "insufficient_funds")
        #expect(try mms(["charge", "--data", a, "--card", "6200000001", "--amount", "60.00", "--pin", "2468"]).status == 0)
        #expect(try json(mms(["charge", "--data", a, "--card", "6200000001", "--amount", "0.01", "--pin", "2468", "--json"]).stdout)["error"] as? String == "insufficient_funds")
        // The card is reported lost at branch-2 while cut off.
        try mms(["card", "lost", "--data", b, "--card", "6200000001"])

        // Heal: both ways.
        try mms(["sync", "--data", a, "--from", b])
        try mms(["sync", "--data", b, "--from", a])
        let infoA = try json(mms(["node", "info", "--data", a, "--json"]).stdout), infoB = try json(mms(["node", "info", "--data", b, "--json"]).stdout)
        #expect(infoA["state_hash"] as? String == infoB["state_hash"] as? String)
        #expect(try balance(a)["balance"] as? String == "0.00" && balance(b)["balance"] as? String == "0.00")
        #expect(try balance(a)["status"] as? String == "lost", "the lost report reached branch-1")
        #expect(try json(mms(["charge", "--data", a, "--card", "6200000001", "--amount", "1.00", "--pin", "2468", "--json"]).stdout)["error"] as? String == "card_blocked")
        #expect(try mms(["node", "verify", "--data", a]).status == 0 && mms(["node", "verify", "--data", b]).status == 0)
    }

    @Test func opsFromAnUntrustedNodeAreRefused() throws {
        try mms(["node", "init", "--data", a, "--id", "branch-1"])
        try mms(["node", "init", "--data", b, "--id", "branch-2"])
        try mms(["member", "add", "--data", a, "--name", "李雷", "--phone", "13600000000", "--birthday", "2000-01-01"])
        let out = try mms(["sync", "--data", b, "--from", a, "--json"])
        #expect(try out.status == 3 && json(out.stdout)["error"] as? String == "unknown_origin")
        #expect(try json(mms(["node", "info", "--data", b, "--json"]).stdout)["ops"] as? Int == 0)
    }
}
