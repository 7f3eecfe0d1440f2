import Foundation
import MMSCore
import MMSNode
import Testing

/// The walk-through and its refusals, through the real binary.
@Suite struct CLITests {
    let dir = temporaryNodeDirectory().url.path

    func setUp(pin: String = "2468") throws -> (member: String, card: String) {
        try #require(mms(["node", "init", "--data", dir, "--id", "branch-1", "--json"]).status == 0)
        let member = try json(mms(["member", "add", "--data", dir, "--name", "王芳", "--phone", "13800000001", "--birthday", "1990-05-01", "--json"]).stdout)
        let id = try #require(member["id"] as? String)
        try #require(mms(["card", "issue", "--data", dir, "--member", id, "--type", "stored", "--number", "6200000001", "--pin", pin, "--json"]).status == 0)
        return (id, "6200000001")
    }

    @Test func demoRunsTheWalkThroughOnTwoBranches() throws {
        let out = try mms(["demo", "--data", dir])
        #expect(out.status == 0)
        #expect(out.stdout.components(separatedBy: "state equals the log").count == 3)
        #expect(out.stdout.contains("refused — insufficient_funds") && out.stdout.contains("nothing new was charged"))
        #expect(try json(mms(["show", "--data", dir + "/shop2", "--card", "6200000001", "--json"]).stdout)["balance"] as? String == "30.00")
    }

    @Test func topologyCheckNamesTheFaultyField() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path
        let good = try json(mms(["topology", "check", "--topology", repo + "/topology/demo.toml", "--json"]).stdout)
        #expect((good["nodes"] as? [[String: Any]])?.count == 5 && good["chain"] as? String == "demo")
        let typo = FileManager.default.temporaryDirectory.appendingPathComponent("typo-\(UUID().uuidString).toml").path
        let text = try String(contentsOfFile: repo + "/topology/demo.toml", encoding: .utf8).replacingOccurrences(of: "region = \"west\"", with: "regoin = \"west\"")
        try text.write(toFile: typo, atomically: true, encoding: .utf8)
        let out = try mms(["topology", "check", "--topology", typo, "--json"])
        #expect(out.status == 2)
        let error = try json(out.stdout)
        #expect(error["error"] as? String == "invalid_topology")
        #expect((error["details"] as? [String: String])?["field"] == "node[3].regoin")
        #expect((error["details"] as? [String: String])?["file"] == typo)
    }

    @Test func walkThrough() throws {
        let (member, card) = try setUp()
        #expect(try json(mms(["topup", "--data", dir, "--card", card, "--amount", "100.00", "--json"]).stdout)["balance"] as? String == "100.00")
        let charged = try json(mms(["charge", "--data", dir, "--card", card, "--amount", "30.00", "--pin", "2468", "--json"]).stdout)
        #expect(charged["balance"] as? String == "70.00" && charged["points_earned"] as? Int == 30)
        let refused = try mms(["charge", "--data", dir, "--card", card, "--amount", "80.00", "--pin", "2468", "--json"])
        #expect(refused.status == 1)
        #expect(try json(refused.stdout)["error"] as? String == "insufficient_funds")
        let shown = try json(mms(["show", "--data", dir, "--card", card, "--json"]).stdout)
        #expect(shown["balance"] as? String == "70.00" && shown["points"] as? Int == 30 && shown["tier"] as? String == "standard")
        #expect(shown["status"] as? String == "active" && shown["member"] as? String == member)
        #expect((shown["history"] as? [Any])?.count == 4)
        #expect(try mms(["node", "verify", "--data", dir]).status == 0)
        // Readable output too, without --json.
        #expect(try mms(["show", "--data", dir, "--card", card]).stdout.contains("balance 70.00"))
    }

    @Test func wrongPINsLockTheCardUntilUnlocked() throws {
        let (_, card) = try setUp()
        try mms(["topup", "--data", dir, "--card", card, "--amount", "10.00"])
        for attempt in 1...Int(Limits.maxPinFailures) {
            let out = try mms(["charge", "--data", dir, "--card", card, "--amount", "1.00", "--pin", "1111", "--json"])
            #expect(try out.status == 1 && (json(out.stdout)["error"] as? String) == "wrong_pin", "attempt \(attempt)")
        }
        // Now even the right PIN is refused: the card is locked.
        let locked = try mms(["charge", "--data", dir, "--card", card, "--amount", "1.00", "--pin", "2468", "--json"])
        #expect(try json(locked.stdout)["error"] as? String == "pin_locked")
        #expect(try json(mms(["show", "--data", dir, "--card", card, "--json"]).stdout)["balance"] as? String == "10.00")
        try mms(["card", "unlock", "--data", dir, "--card", card])
        #expect(try mms(["charge", "--data", dir, "--card", card, "--amount", "1.00", "--pin", "2468"]).status == 0)
    }

    @Test(arguments: ["0", "0.00", "-5", "1.234", "abc", "1e3", "50000.01", "", "１"])
    func badAmountsAreRefusedAndChangeNothing(amount: String) throws {
        let (_, card) = try setUp()
        try mms(["topup", "--data", dir, "--card", card, "--amount", "10.00"])
        let before = try json(mms(["node", "verify", "--data", dir, "--json"]).stdout)["state_hash"] as? String
        for command in [["topup"], ["charge", "--pin", "2468"]] {
            let out = try mms(command + ["--data", dir, "--card", card, "--amount=\(amount)", "--json"])
            if amount.isEmpty {
                #expect(out.status == 64 && out.stderr.contains("Missing value for '--amount"), "a usage error, from the argument parser")
            } else {
                #expect(try out.status == 2 && (json(out.stdout)["error"] as? String) == "invalid_amount", "\(command) \(amount)")
            }
        }
        #expect(try json(mms(["node", "verify", "--data", dir, "--json"]).stdout)["state_hash"] as? String == before)
    }

    @Test func unknownBlockedAndLostCardsAreRefused() throws {
        let (_, card) = try setUp()
        let unknown = try mms(["charge", "--data", dir, "--card", "9999", "--amount", "1.00", "--json"])
        #expect(try unknown.status == 1 && (json(unknown.stdout)["error"] as? String) == "unknown_card")
        #expect(try json(mms(["card", "lost", "--data", dir, "--card", card, "--json"]).stdout)["status"] as? String == "lost")
        let lost = try mms(["topup", "--data", dir, "--card", card, "--amount", "1.00", "--json"])
        #expect(try json(lost.stdout)["error"] as? String == "card_blocked")
        // A replacement takes over the member's balance; the old card stays dead.
        let replaced = try json(mms(["card", "replace", "--data", dir, "--card", card, "--number", "6200000002", "--pin", "1357", "--json"]).stdout)
        #expect(replaced["replaces"] as? String == card)
        #expect(try mms(["topup", "--data", dir, "--card", "6200000002", "--amount", "5.00"]).status == 0)
        #expect(try json(mms(["charge", "--data", dir, "--card", "6200000002", "--amount", "2.00", "--pin", "1357", "--json"]).stdout)["balance"] as? String == "3.00")
    }

    @Test func aRetriedRequestIDChargesOnce() throws {
        let (_, card) = try setUp()
        try mms(["topup", "--data", dir, "--card", card, "--amount", "100.00"])
        let args = ["charge", "--data", dir, "--card", card, "--amount", "30.00", "--pin", "2468", "--request-id", "till1-42", "--json"]
        let first = try json(mms(args).stdout), second = try json(mms(args).stdout)
        #expect(first["replayed"] as? Bool == false && second["replayed"] as? Bool == true && second["op"] as? String == first["op"] as? String)
        #expect(try json(mms(["show", "--data", dir, "--card", card, "--json"]).stdout)["balance"] as? String == "70.00")
        var other = args
        other[other.firstIndex(of: "30.00")!] = "31.00"
        #expect(try json(mms(other).stdout)["error"] as? String == "idempotency_conflict")
    }

    @Test func uninitialisedDirectoryAndTypos() throws {
        let out = try mms(["show", "--data", dir, "--card", "1", "--json"])
        #expect(try out.status == 3 && (json(out.stdout)["error"] as? String) == "not_initialised")
        try mms(["node", "init", "--data", dir, "--id", "branch-1"])
        #expect(try json(mms(["node", "init", "--data", dir, "--id", "branch-1", "--json"]).stdout)["error"] as? String == "already_initialised")
        #expect(try mms(["member", "add", "--data", dir, "--name", "李雷", "--phone", "12ab", "--birthday", "1990-02-30", "--json"]).status == 2)
        #expect(try mms(["card", "issue", "--data", dir, "--member", "nobody", "--type", "stored", "--number", "1", "--json"]).status == 1)
    }

    @Test func pointsPunchAndDiscountCards() throws {
        let (member, card) = try setUp()
        try mms(["topup", "--data", dir, "--card", card, "--amount", "600.00"])
        let charged = try json(mms(["charge", "--data", dir, "--card", card, "--amount", "200.00", "--pin", "2468", "--json"]).stdout)
        #expect(charged["points_balance"] as? Int == 200 && charged["tier"] as? String == "silver", "a 600.00 top-up reaches silver")
        #expect(try json(mms(["points", "redeem", "--data", dir, "--card", card, "--points", "150", "--pin", "2468", "--json"]).stdout)["points_balance"] as? Int == 50)
        #expect(try json(mms(["points", "redeem", "--data", dir, "--card", card, "--points", "51", "--pin", "2468", "--json"]).stdout)["error"] as? String == "insufficient_points")
        try mms(["card", "issue", "--data", dir, "--member", member, "--type", "punch", "--number", "P1", "--uses", "2"])
        #expect(try json(mms(["punch", "--data", dir, "--card", "P1", "--json"]).stdout)["uses_left"] as? Int == 1)
        try mms(["punch", "--data", dir, "--card", "P1"])
        #expect(try json(mms(["punch", "--data", dir, "--card", "P1", "--json"]).stdout)["error"] as? String == "no_uses_left")
        try mms(["card", "issue", "--data", dir, "--member", member, "--type", "discount", "--number", "D1", "--discount", "95"])
        try mms(["coupon", "issue", "--data", dir, "--member", member, "--code", "SPRING-7", "--value", "10.00", "--title", "春季券"])
        #expect(try json(mms(["coupon", "redeem", "--data", dir, "--code", "SPRING-7", "--json"]).stdout)["left"] as? Int == 0)
        let again = try mms(["coupon", "redeem", "--data", dir, "--code", "SPRING-7", "--json"])
        #expect(try again.status == 1 && json(again.stdout)["error"] as? String == "coupon_used")
        let coupons = try json(mms(["show", "--data", dir, "--member", member, "--json"]).stdout)["coupons"] as? [[String: Any]]
        #expect(coupons?.first?["code"] as? String == "SPRING-7" && coupons?.first?["left"] as? Int == 0)
        // An amount on a discount card is the one-line sale: 95 % of it, in cash.
        let sale = try json(mms(["sell", "--data", dir, "--card", "D1", "--amount", "100.00", "--tender", "cash:rest", "--json"]).stdout)
        #expect(sale["total"] as? String == "95.00" && sale["discount"] as? String == "5.00" && sale["points_earned"] as? Int == 95)
        #expect((sale["lines"] as? [[String: Any]])?.first?["name"] as? String == "金额消费")
        #expect(try mms(["node", "verify", "--data", dir]).status == 0)
    }
}
