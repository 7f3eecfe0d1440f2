import Foundation
import MMSCore
import Testing

/// Head office's program through the command line at one head-office node: the file validated
/// whole, card products, tiers and their benefits, the card's life, coupons, campaigns, points lots.
@Suite struct ProgramCLITests {
    let dir = temporaryNodeDirectory().url.path

    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("program-\(UUID().uuidString).toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func member(_ name: String, _ phone: String, birthday: String? = nil) throws -> String {
        try #require(try json(mms(["member", "add", "--data", dir, "--name", name, "--phone", phone] + (birthday.map { ["--birthday", $0] } ?? []) + ["--json"]).stdout)["id"] as? String)
    }

    /// The demo program without its member day and multiplier event, so the points a sale earns
    /// do not depend on the day the test runs (the core's tests decide those at chosen times).
    func steadyDemo() throws -> String {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../programs/demo.toml").standardized.path
        var text = try String(contentsOfFile: path, encoding: .utf8)
        for line in ["member_day = 8\n", "member_day_multiplier = 200\n"] { text = text.replacingOccurrences(of: line, with: "") }
        let event = try #require(text.range(of: "[[points.event]]"))
        let next = try #require(text.range(of: "\n[", range: event.upperBound..<text.endIndex))
        text.removeSubrange(event.lowerBound..<next.lowerBound)
        #expect(!text.contains("member_day =") && !text.contains("[[points.event]]"))
        return try write(text)
    }

    func balance(_ card: String) throws -> String? { try json(mms(["show", "--data", dir, "--card", card, "--json"]).stdout)["balance"] as? String }

    @Test func aProgramIsCheckedWholeAndItsRulesApply() throws {
        try #require(mms(["node", "init", "--data", dir, "--id", "hq", "--role", "hq"]).status == 0)
        let demo = try steadyDemo()
        // Refused whole, nothing set: an unknown field, overlapping tiers, a reference to nothing.
        for bad in ["[points]\nper_yuan = 1\nbonus = 2\n",
                    "[[tier]]\ntier = \"standard\"\nname = \"a\"\n[[tier]]\ntier = \"silver\"\nname = \"b\"\nspend = \"100.00\"\n[[tier]]\ntier = \"gold\"\nname = \"c\"\nspend = \"100.00\"\n",
                    "[[campaign]]\nid = \"c1\"\nname = \"x\"\ncoupon = \"NOPE\"\n",
                    "[[card_product]]\nid = \"p\"\nname = \"p\"\ntype = \"stored\"\nmin_first_topup = 500.00\n"] {
            let out = try mms(["program", "set", "--data", dir, "--file", try write(bad), "--json"])
            let error = try json(out.stdout)["error"] as? String
            #expect(out.status != 0 && error == "invalid_argument", "\(bad): \(out.stdout)")
        }
        #expect(try json(mms(["program", "show", "--data", dir, "--json"]).stdout)["version"] as? Int == 0)
        try #require(mms(["program", "set", "--data", dir, "--file", demo]).status == 0)
        #expect(try json(mms(["program", "show", "--data", dir, "--json"]).stdout)["version"] as? Int == 1)

        // A product's minimum first top-up, to the fen; one single top-up of 10,000.00 makes gold.
        let li = try member("李雷", "13800000002")
        let short = try mms(["card", "issue", "--data", dir, "--member", li, "--product", "gold-stored", "--number", "G1", "--topup", "499.99", "--json"])
        #expect(try json(short.stdout)["error"] as? String == "invalid_amount")
        let gold = try json(mms(["card", "issue", "--data", dir, "--member", li, "--product", "gold-stored", "--number", "G1", "--topup", "10000.00", "--pin", "2468", "--json"]).stdout)
        #expect(gold["balance"] as? String == "10000.00" && gold["expires"] != nil, "\(gold)")
        #expect(try json(mms(["show", "--data", dir, "--card", "G1", "--json"]).stdout)["tier"] as? String == "gold")

        // Gold pays 95 % on every line, half up, and earns points ×1.5.
        try #require(mms(["product", "add", "--data", dir, "--sku", "A", "--name", "甲", "--kind", "service", "--price", "19.99"]).status == 0)
        let sale = try json(mms(["sell", "--data", dir, "--card", "G1", "--item", "Ax3", "--tender", "stored:rest", "--pin", "2468", "--json"]).stdout)
        // 3 × 19.99 = 59.97; 95 % = 56.9715 → 56.97; 56 whole yuan × 1 point × 1.5 = 84.
        #expect(sale["total"] as? String == "56.97" && sale["points_earned"] as? Int == 84, "\(sale)")

        // A transfer to another member moves money and creates none; never to a returned card.
        let wang = try member("王芳", "13800000001", birthday: "1990-12-01")
        try #require(mms(["card", "issue", "--data", dir, "--member", wang, "--type", "stored", "--number", "S1", "--pin", "1111"]).status == 0)
        try #require(mms(["topup", "--data", dir, "--card", "S1", "--amount", "500.00"]).status == 0)
        try #require(mms(["card", "transfer", "--data", dir, "--from", "S1", "--to", "G1", "--amount", "50.00", "--pin", "1111"]).status == 0)
        #expect(try balance("S1") == "450.00")
        #expect(try balance("G1") == "9993.03")
        #expect(try mms(["card", "transfer", "--data", dir, "--from", "S1", "--to", "G1", "--amount", "450.01", "--pin", "1111"]).status != 0)
        // A new PIN replaces the old; the return refunds exactly what is left, and the card stops.
        try #require(mms(["card", "pin", "--data", dir, "--card", "S1", "--old", "1111", "--new", "2222"]).status == 0)
        #expect(try mms(["card", "pin", "--data", dir, "--card", "S1", "--old", "1111", "--new", "3333"]).status != 0)
        let back = try json(mms(["card", "return", "--data", dir, "--card", "S1", "--pin", "2222", "--json"]).stdout)
        #expect(back["refunded"] as? String == "450.00" && back["balance"] as? String == "0.00" && back["status"] as? String == "returned", "\(back)")
        #expect(try json(mms(["charge", "--data", dir, "--card", "S1", "--amount", "1.00", "--pin", "2222", "--json"]).stdout)["error"] as? String == "card_blocked")
        #expect(try mms(["card", "transfer", "--data", dir, "--from", "G1", "--to", "S1", "--amount", "1.00", "--pin", "2468"]).status != 0, "never to a returned card")
        #expect(try mms(["card", "replace", "--data", dir, "--card", "S1", "--number", "S9"]).status != 0, "a returned card is not replaced back to life")

        // Renewal runs the card on from its last day; a card without a validity has none to renew.
        let renewed = try json(mms(["card", "renew", "--data", dir, "--card", "G1", "--json"]).stdout)
        #expect((renewed["expires"] as? String ?? "") > (gold["expires"] as? String ?? "~"), "\(renewed)")
        try #require(mms(["card", "issue", "--data", dir, "--member", wang, "--type", "stored", "--number", "S2"]).status == 0)
        #expect(try mms(["card", "renew", "--data", dir, "--card", "S2"]).status != 0)

        // Coupons from a template carry its terms; the member's limit holds.
        let coupon = try json(mms(["coupon", "issue", "--data", dir, "--member", wang, "--template", "CP-20OFF100", "--json"]).stdout)
        #expect(coupon["value"] as? String == "20.00" && coupon["min_spend"] as? String == "100.00" && coupon["valid_until"] != nil, "\(coupon)")
        for _ in 0..<2 { try #require(mms(["coupon", "issue", "--data", dir, "--member", wang, "--template", "CP-20OFF100"]).status == 0) }
        #expect(try mms(["coupon", "issue", "--data", dir, "--member", wang, "--template", "CP-20OFF100"]).status != 0, "per_member_limit = 3")

        // The December birthday campaign: the members born in December, each once; 王芳 already
        // holds the template's limit of unused coupons, so she is skipped, not the whole run.
        let zhang = try member("张伟", "13900000002", birthday: "1985-12-31")
        let first = try json(mms(["campaign", "run", "--data", dir, "--campaign", "birthday-2026-12", "--json"]).stdout)
        #expect(first["eligible"] as? Int == 2 && first["issued"] as? Int == 1 && first["skipped"] as? Int == 1, "\(first)")
        let second = try json(mms(["campaign", "run", "--data", dir, "--campaign", "birthday-2026-12", "--json"]).stdout)
        #expect(second["issued"] as? Int == 0 && second["already"] as? Int == 1, "\(second)")
        let coupons = try json(mms(["show", "--data", dir, "--member", zhang, "--json"]).stdout)["coupons"] as? [[String: Any]]
        #expect(coupons?.count == 1 && coupons?.first?["template"] as? String == "CP-20OFF100")

        // 积分兑换: G-01 costs 500 points; 84 and the welcome gift's 200 are not enough. 30 more lines earn 853 (569 × 1.5).
        #expect(try json(mms(["gift", "redeem", "--data", dir, "--card", "G1", "--gift", "G-01", "--pin", "2468", "--json"]).stdout)["error"] as? String == "insufficient_points")
        try #require(mms(["sell", "--data", dir, "--card", "G1", "--item", "Ax30", "--tender", "stored:rest", "--pin", "2468"]).status == 0)
        // The gift is on this branch's shelf or not given: one unit here, one gift.
        try #require(mms(["product", "add", "--data", dir, "--sku", "PR-104", "--name", "精华液小样", "--kind", "goods", "--price", "0.00"]).status == 0)
        #expect(try json(mms(["gift", "redeem", "--data", dir, "--card", "G1", "--gift", "G-01", "--pin", "2468", "--json"]).stdout)["error"] as? String == "invalid_argument")
        try #require(mms(["stock", "receive", "--data", dir, "--sku", "PR-104", "--qty", "1", "--supplier", "上海某某"]).status == 0)
        let gift = try json(mms(["gift", "redeem", "--data", dir, "--card", "G1", "--gift", "G-01", "--pin", "2468", "--json"]).stdout)
        #expect(gift["points_balance"] as? Int == 637, "\(gift)")
        let outOfStock = try json(mms(["gift", "redeem", "--data", dir, "--card", "G1", "--gift", "G-01", "--pin", "2468", "--json"]).stdout)
        #expect((outOfStock["message"] as? String ?? "").contains("out of stock"), "\(outOfStock)")
        #expect(try mms(["gift", "redeem", "--data", dir, "--card", "G1", "--gift", "G-99", "--pin", "2468"]).status != 0)

        // Points earned this year expire at the end of next year: what the gift left of the lot.
        let year = Int(try #require(sale["sale"] as? String).isEmpty ? "0" : String(Sales.day(wallMillis: UInt64(Date().timeIntervalSince1970 * 1000)).prefix(4)))!
        let none = try json(mms(["points", "expiring", "--data", dir, "--before", "\(year + 1)-12-31", "--json"]).stdout)
        let some = try json(mms(["points", "expiring", "--data", dir, "--before", "\(year + 2)-01-01", "--json"]).stdout)
        // 李雷's 637, and the 200 of 王芳's welcome gift.
        #expect(none["expiring"] as? Int == 0 && some["expiring"] as? Int == 837, "\(none) \(some)")
    }

    /// A coupon and points pay part of a sale by their terms; a return gives them back.
    @Test func aCouponAndPointsPayPartOfASaleAndComeBackOnAReturn() throws {
        try #require(mms(["node", "init", "--data", dir, "--id", "hq", "--role", "hq"]).status == 0)
        let demo = try steadyDemo()
        try #require(mms(["program", "set", "--data", dir, "--file", demo]).status == 0)
        try #require(mms(["product", "add", "--data", dir, "--sku", "B", "--name", "乙", "--kind", "goods", "--price", "150.00"]).status == 0)
        try #require(mms(["product", "add", "--data", dir, "--sku", "C", "--name", "丙", "--kind", "goods", "--price", "99.99"]).status == 0)
        let wang = try member("王芳", "13800000001")
        try #require(mms(["card", "issue", "--data", dir, "--member", wang, "--type", "stored", "--number", "S1"]).status == 0)
        try #require(mms(["topup", "--data", dir, "--card", "S1", "--amount", "1000.00"]).status == 0)
        try #require(mms(["sell", "--data", dir, "--card", "S1", "--item", "Bx1", "--tender", "stored:rest"]).status == 0)   // 150 points, and 200 of the welcome gift
        let code = try #require(try json(mms(["coupon", "issue", "--data", dir, "--member", wang, "--template", "CP-20OFF100", "--json"]).stdout)["code"] as? String)

        // A gold-stored card spends at most 60 % of its first top-up on its day of issue, to the fen.
        let li = try member("李雷", "13800000002")
        try #require(mms(["card", "issue", "--data", dir, "--member", li, "--product", "gold-stored", "--number", "G9", "--topup", "1000.00"]).status == 0)
        #expect(try json(mms(["charge", "--data", dir, "--card", "G9", "--amount", "600.01", "--json"]).stdout)["error"] as? String == "invalid_amount")
        #expect(try json(mms(["charge", "--data", dir, "--card", "G9", "--amount", "599.99", "--json"]).stdout)["balance"] as? String == "400.01")
        #expect(try json(mms(["sell", "--data", dir, "--card", "G9", "--amount", "0.02", "--tender", "stored:rest", "--json"]).stdout)["error"] as? String == "invalid_amount")
        #expect(try mms(["sell", "--data", dir, "--card", "G9", "--amount", "0.01", "--tender", "stored:rest"]).status == 0, "600.00 exactly")

        // 99.99 is below the coupon's 100.00; a walk-in has no coupon; one coupon per sale.
        #expect(try json(mms(["sell", "--data", dir, "--card", "S1", "--item", "Cx1", "--tender", "coupon:\(code)", "--tender", "stored:rest", "--json"]).stdout)["error"] as? String == "invalid_amount")
        #expect(try mms(["sell", "--data", dir, "--walk-in", "--item", "Bx1", "--tender", "coupon:\(code)", "--tender", "cash:rest"]).status != 0)
        #expect(try json(mms(["sell", "--data", dir, "--card", "S1", "--item", "Bx1", "--tender", "points:1.00", "--json"]).stdout)["error"] as? String == "invalid_amount",
                "the tenders must add up")
        #expect(try json(mms(["sell", "--data", dir, "--card", "S1", "--item", "Bx1", "--tender", "points:3.51", "--tender", "stored:rest", "--json"]).stdout)["error"] as? String == "insufficient_points")
        #expect(try json(mms(["sell", "--data", dir, "--card", "S1", "--item", "Bx1", "--tender", "points:1.00", "--tender", "points:1.00", "--tender", "stored:rest",
                              "--json"]).stdout)["error"] as? String == "invalid_argument", "one points tender per sale")

        // 150.00: the coupon takes 20.00, 100 points pay 1.00, stored value the rest; points are earned on the 129.00 paid.
        let sale = try json(mms(["sell", "--data", dir, "--card", "S1", "--item", "Bx1", "--tender", "coupon:\(code)", "--tender", "points:1.00", "--tender", "stored:rest", "--json"]).stdout)
        let tenders = (sale["tenders"] as? [[String: Any]] ?? []).map { "\($0["kind"] ?? ""):\($0["amount"] ?? "")" }
        #expect(tenders == ["coupon:20.00", "points:1.00", "stored:129.00"] && sale["points_earned"] as? Int == 129 && sale["points_balance"] as? Int == 379, "\(sale)")
        #expect(try mms(["sell", "--data", dir, "--card", "S1", "--item", "Bx1", "--tender", "coupon:\(code)", "--tender", "stored:rest"]).status != 0, "a coupon is used once")

        // Everything comes back: the coupon (usable again), the points, the stored value; the earned points go.
        let back = try json(mms(["return", "--data", dir, "--sale", try #require(sale["sale"] as? String), "--json"]).stdout)
        let refunds = (back["refunds"] as? [[String: Any]] ?? []).map { "\($0["kind"] ?? ""):\($0["amount"] ?? "")" }
        #expect(refunds == ["coupon:20.00", "points:1.00", "stored:129.00"], "\(back)")
        let show = try json(mms(["show", "--data", dir, "--card", "S1", "--json"]).stdout)
        #expect(show["points"] as? Int == 350 && show["balance"] as? String == "850.00" && show["bonus"] as? String == "100.00", "\(show)")
        #expect((show["coupons"] as? [[String: Any]])?.first?["left"] as? Int == 1)

        // 5,000.00 spent in cash reaches silver; the same returned in cash takes the tier back.
        let zhang = try member("张伟", "13900000002")
        try #require(mms(["card", "issue", "--data", dir, "--member", zhang, "--type", "stored", "--number", "Z1"]).status == 0)
        let big = try json(mms(["sell", "--data", dir, "--card", "Z1", "--amount", "5000.00", "--tender", "cash:rest", "--json"]).stdout)
        #expect(try json(mms(["show", "--data", dir, "--card", "Z1", "--json"]).stdout)["tier"] as? String == "silver")
        try #require(mms(["return", "--data", dir, "--sale", try #require(big["sale"] as? String)]).status == 0)
        let after = try json(mms(["show", "--data", dir, "--card", "Z1", "--json"]).stdout)
        #expect(after["tier"] as? String == "standard" && after["spent"] as? String == "0.00", "\(after)")
    }

    /// A punch card of the demo's `wash-10` pays a sale's 洗剪吹 lines with its uses; the shampoo
    /// beside them is paid in cash; a return gives the uses back.
    @Test func aPunchCardsUsesPayASalesServiceLines() throws {
        try #require(mms(["node", "init", "--data", dir, "--id", "hq", "--role", "hq"]).status == 0)
        try #require(mms(["program", "set", "--data", dir, "--file", try steadyDemo()]).status == 0)
        try #require(mms(["product", "add", "--data", dir, "--sku", "SV-001", "--name", "洗剪吹", "--kind", "service", "--price", "68.00"]).status == 0)
        try #require(mms(["product", "add", "--data", dir, "--sku", "SV-002", "--name", "染发", "--kind", "service", "--price", "300.00"]).status == 0)
        try #require(mms(["product", "add", "--data", dir, "--sku", "PR-1", "--name", "洗发水", "--kind", "goods", "--price", "50.00"]).status == 0)
        let li = try member("李雷", "13800000002")
        let issued = try mms(["card", "issue", "--data", dir, "--member", li, "--product", "wash-10", "--number", "P1", "--tender", "cash", "--pin", "1357", "--json"])
        try #require(issued.status == 0, "\(issued.stdout)")
        let sale = try json(mms(["sell", "--data", dir, "--card", "P1", "--item", "SV-001x2", "--item", "PR-1x1", "--tender", "punch", "--tender", "cash:rest",
                                 "--pin", "1357", "--json"]).stdout)
        let tenders = (sale["tenders"] as? [[String: Any]] ?? []).map { "\($0["kind"] ?? ""):\($0["amount"] ?? "")" }
        #expect(tenders == ["punch:136.00", "cash:50.00"], "\(sale)")
        #expect(try json(mms(["show", "--data", dir, "--card", "P1", "--json"]).stdout)["uses_left"] as? Int == 8)
        let refused = try json(mms(["sell", "--data", dir, "--card", "P1", "--item", "SV-002x1", "--tender", "punch", "--pin", "1357", "--json"]).stdout)
        #expect(refused["error"] as? String == "invalid_argument", "染发 is not a service of wash-10: \(refused)")
        try #require(mms(["return", "--data", dir, "--sale", try #require(sale["sale"] as? String)]).status == 0)
        #expect(try json(mms(["show", "--data", dir, "--card", "P1", "--json"]).stdout)["uses_left"] as? Int == 10)
    }

    /// The rules that give and move: a top-up's bonus, the welcome gift, a referral, points and
    /// coupons given to another member, companion cards, the tiers' birthday coupons.
    @Test func bonusesGiftsAndTransfersThroughTheCommandLine() throws {
        try #require(mms(["node", "init", "--data", dir, "--id", "hq", "--role", "hq"]).status == 0)
        // A [[bonus]] with a typo refuses the whole file, naming the field.
        let typo = try mms(["program", "set", "--data", dir, "--file", try write("[[bonus]]\ntopup = \"1000.00\"\nbonsu = \"100.00\"\n"), "--json"])
        let message = try json(typo.stdout)["message"] as? String ?? ""
        #expect(typo.status != 0 && message.contains("bonsu"), "\(typo.stdout)")
        try #require(mms(["program", "set", "--data", dir, "--file", try steadyDemo()]).status == 0)
        let wang = try member("王芳", "13800000001", birthday: "1990-12-01")
        let li = try json(mms(["member", "add", "--data", dir, "--name", "李雷", "--phone", "13800000002", "--referrer", wang, "--json"]).stdout)["id"] as? String ?? ""
        #expect(try mms(["member", "add", "--data", dir, "--name", "韩梅", "--phone", "13800000003", "--referrer", "hq.m404"]).status != 0, "an unknown referrer")

        // 5,000.00 in earns 800.00 of bonus beside it; the welcome gift's 200 points come with the card.
        try #require(mms(["card", "issue", "--data", dir, "--member", wang, "--type", "stored", "--number", "S1", "--pin", "1111"]).status == 0)
        let topUp = try json(mms(["topup", "--data", dir, "--card", "S1", "--amount", "5000.00", "--json"]).stdout)
        #expect(topUp["bonus"] as? String == "800.00" && topUp["bonus_balance"] as? String == "800.00" && topUp["points_balance"] as? Int == 200, "\(topUp)")
        let charge = try json(mms(["charge", "--data", dir, "--card", "S1", "--amount", "5100.00", "--pin", "1111", "--json"]).stdout)
        #expect(charge["bonus"] as? String == "100.00" && charge["balance"] as? String == "0.00" && charge["bonus_balance"] as? String == "700.00"
                && charge["points_earned"] as? Int == 6_000, "principal first; no points on the bonus; silver (one 2,000.00 top-up) ×1.2: \(charge)")

        // 李雷 pays for the first time: 王芳, who brought him, gets the referral coupon, once.
        try #require(mms(["card", "issue", "--data", dir, "--member", li, "--type", "stored", "--number", "S2", "--pin", "2222"]).status == 0)
        try #require(mms(["topup", "--data", dir, "--card", "S2", "--amount", "100.00"]).status == 0)
        #expect((try json(mms(["show", "--data", dir, "--member", wang, "--json"]).stdout)["coupons"] as? [Any])?.isEmpty == true, "a top-up alone earns nothing")
        try #require(mms(["charge", "--data", dir, "--card", "S2", "--amount", "10.00", "--pin", "2222"]).status == 0)
        try #require(mms(["charge", "--data", dir, "--card", "S2", "--amount", "10.00", "--pin", "2222"]).status == 0)
        var coupons = try json(mms(["show", "--data", dir, "--member", wang, "--json"]).stdout)["coupons"] as? [[String: Any]] ?? []
        #expect(coupons.map { $0["code"] as? String } == ["referral.\(li).\(wang)"], "\(coupons)")

        // Points and a transferable coupon go to another member; the points are not 李雷's to climb with.
        let points = try json(mms(["points", "transfer", "--data", dir, "--card", "S1", "--to", li, "--points", "1000", "--pin", "1111", "--json"]).stdout)
        #expect(points["points_balance"] as? Int == 5_200 && points["to_points_balance"] as? Int == 1_220, "his 200 welcome, 20 earned, 1,000 given: \(points)")
        #expect(try mms(["points", "transfer", "--data", dir, "--card", "S1", "--to", li, "--points", "5201", "--pin", "1111"]).status != 0)
        let code = try #require(coupons.first?["code"] as? String)
        #expect(try json(mms(["coupon", "transfer", "--data", dir, "--card", "S2", "--code", code, "--to", li, "--pin", "2222", "--json"]).stdout)["error"] as? String == "invalid_argument",
                "only its member gives it")
        #expect(try json(mms(["coupon", "transfer", "--data", dir, "--card", "S1", "--code", code, "--to", li, "--pin", "1111", "--json"]).stdout)["to"] as? String == li)
        #expect((try json(mms(["show", "--data", dir, "--member", wang, "--json"]).stdout)["coupons"] as? [Any])?.isEmpty == true, "no longer 王芳's")
        coupons = try json(mms(["show", "--data", dir, "--member", li, "--json"]).stdout)["coupons"] as? [[String: Any]] ?? []
        #expect(coupons.count == 1)

        // Gold (10,000.00 in one top-up) gives one companion card at the member's discount.
        try #require(mms(["topup", "--data", dir, "--card", "S1", "--amount", "10000.00"]).status == 0)
        let companion = try json(mms(["card", "companion", "--data", dir, "--member", wang, "--number", "F1", "--json"]).stdout)
        #expect(companion["type"] as? String == "discount" && companion["discount_percent"] as? Int == 95, "\(companion)")
        #expect(try mms(["card", "companion", "--data", dir, "--member", wang, "--number", "F2"]).status != 0, "gold gives one")

        // 生日礼: gold's birthday coupon to members born in December, once that year.
        let birthdays = try json(mms(["campaign", "birthdays", "--data", dir, "--month", "2026-12", "--json"]).stdout)
        #expect(birthdays["eligible"] as? Int == 1 && birthdays["issued"] as? Int == 1, "\(birthdays)")
        #expect(try json(mms(["campaign", "birthdays", "--data", dir, "--month", "2026-12", "--json"]).stdout)["already"] as? Int == 1)
        #expect(try json(mms(["campaign", "birthdays", "--data", dir, "--month", "2026-13", "--json"]).stdout)["error"] as? String == "invalid_argument")

        // The last card returned: the principal comes back, the bonus does not.
        let back = try json(mms(["card", "return", "--data", dir, "--card", "S1", "--pin", "1111", "--json"]).stdout)
        #expect(back["refunded"] as? String == "10000.00" && back["bonus_forfeited"] as? String == "2700.00" && back["bonus"] as? String == "0.00", "\(back)")
    }

    /// Campaign segments by spend band and join day; a stored-value card that carries a discount.
    @Test func segmentsBySpendAndJoinDayAndAStoredDiscountCard() throws {
        try #require(mms(["node", "init", "--data", dir, "--id", "hq", "--role", "hq"]).status == 0)
        let today = Sales.day(wallMillis: UInt64(Date().timeIntervalSince1970 * 1000))
        let yesterday = CardLife.day(today, plus: -1)
        let program = """
        [[card_product]]
        id = "sd"
        name = "储值折扣卡"
        type = "stored"
        discount = 90
        [[campaign]]
        id = "spenders"
        name = "消费满100"
        points = 20
        [campaign.segment]
        spend_from = "100.00"
        spend_below = "1000.00"
        [[campaign]]
        id = "new-today"
        name = "新会员"
        points = 10
        [campaign.segment]
        joined_from = "\(today)"
        joined_until = "\(today)"
        [[campaign]]
        id = "joined-before"
        name = "老会员"
        points = 10
        [campaign.segment]
        joined_until = "\(yesterday)"
        """
        try #require(mms(["program", "set", "--data", dir, "--file", try write(program)]).status == 0)
        let bad = try mms(["program", "set", "--data", dir, "--file", try write(program.replacingOccurrences(of: "spend_below = \"1000.00\"", with: "spend_below = \"50.00\"")), "--json"])
        let why = try json(bad.stdout)["message"] as? String ?? ""
        #expect(bad.status != 0 && why.contains("spend_below"), "a band upside down: \(why)")
        let a = try member("甲", "13800000021")
        _ = try member("乙", "13800000022")
        // A stored-value card with a discount: 100.00 of goods for 90.00 from the balance.
        try #require(mms(["card", "issue", "--data", dir, "--member", a, "--product", "sd", "--number", "SD1", "--topup", "500.00"]).status == 0)
        let sale = try json(mms(["sell", "--data", dir, "--card", "SD1", "--amount", "150.00", "--tender", "stored:rest", "--json"]).stdout)
        #expect(sale["total"] as? String == "135.00" && sale["balance"] as? String == "365.00", "\(sale)")
        func run(_ id: String) throws -> [String: Any] { try json(mms(["campaign", "run", "--data", dir, "--campaign", id, "--json"]).stdout) }
        #expect(try run("spenders")["eligible"] as? Int == 1, "甲 spent 135.00; 乙 nothing")
        #expect(try run("new-today")["eligible"] as? Int == 2)
        #expect(try run("joined-before")["eligible"] as? Int == 0)
    }
}
