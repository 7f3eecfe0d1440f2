import Foundation
import MMSCore
import Testing

/// The reports through the command line on a small day of trade whose every figure is worked out
/// by hand: sales by branch, product and category; the liability reconciled three ways; points;
/// members and their segments; a campaign's results; CSV with a byte-order mark.
@Suite struct ReportCLITests {
    let dir = temporaryNodeDirectory().url.path

    func run(_ arguments: [String]) throws -> [String: Any] {
        let out = try mms(arguments + ["--data", dir, "--json"])
        #expect(out.status == 0, "\(arguments): \(out.stdout) \(out.stderr)")
        return try json(out.stdout)
    }

    @Test func aDayOfTradeReportsWhatWasDone() throws {
        try #require(mms(["node", "init", "--data", dir, "--id", "hq", "--role", "hq"]).status == 0)
        let program = FileManager.default.temporaryDirectory.appendingPathComponent("report-program-\(UUID().uuidString).toml").path
        try """
            [[coupon_template]]
            id = "T1"
            title = "满50减10"
            kind = "amount_off"
            value = "10.00"
            min_spend = "50.00"
            valid_days = 30

            [[campaign]]
            id = "C1"
            name = "回馈"
            coupon = "T1"
            """.write(toFile: program, atomically: true, encoding: .utf8)
        _ = try run(["program", "set", "--file", program])
        _ = try run(["product", "add", "--sku", "A", "--name", "面霜", "--kind", "goods", "--category", "护肤", "--price", "50.00"])
        _ = try run(["product", "add", "--sku", "B", "--name", "洗剪吹", "--kind", "service", "--category", "美发", "--price", "80.00"])
        let m1 = try #require(try run(["member", "add", "--name", "王芳", "--phone", "13800000001"])["id"] as? String)
        let m2 = try #require(try run(["member", "add", "--name", "李雷", "--phone", "13800000002"])["id"] as? String)
        _ = try run(["card", "issue", "--member", m1, "--type", "stored", "--number", "S1"])
        _ = try run(["card", "issue", "--member", m2, "--type", "stored", "--number", "S2"])
        _ = try run(["topup", "--card", "S1", "--amount", "1000.00"])
        _ = try run(["topup", "--card", "S2", "--amount", "200.00"])
        let campaign = try run(["campaign", "run", "--campaign", "C1"])
        #expect(campaign["issued"] as? Int == 2, "\(campaign)")
        let coupon = "C1.\(m1)"
        // 100.00 charged; 2 × A (100.00) paid 10.00 by the coupon and 90.00 stored; 1 × B in cash, returned.
        _ = try run(["charge", "--card", "S1", "--amount", "100.00"])
        _ = try run(["sell", "--card", "S1", "--item", "Ax2", "--tender", "coupon:\(coupon)", "--tender", "stored:rest"])
        let sale = try #require(try run(["sell", "--card", "S2", "--item", "Bx1", "--tender", "cash:rest"])["sale"] as? String)
        _ = try run(["return", "--sale", sale])

        let today = Sales.day(wallMillis: UInt64(Date().timeIntervalSince1970 * 1_000))
        func days() -> [String] { ["--from", CardLife.day(today, plus: -1), "--to", CardLife.day(today, plus: 1)] }
        let byBranch = try run(["report", "sales"] + days() + ["--by", "branch"])
        let rows = try #require(byBranch["rows"] as? [[String: Any]])
        #expect(rows.count == 1 && rows[0]["key"] as? String == "hq" && rows[0]["sales"] as? Int == 3 && rows[0]["amount"] as? String == "280.00"
                && rows[0]["returned"] as? String == "80.00" && rows[0]["net"] as? String == "200.00", "\(rows)")
        #expect((byBranch["as_of"] as? [String: Any])?["vector"] as? [String: Int] != nil)
        let byProduct = try #require(try run(["report", "sales"] + days() + ["--by", "product"])["rows"] as? [[String: Any]])
        #expect(byProduct.map { "\($0["key"]!):\($0["quantity"]!):\($0["net"]!)" } == ["A:2:100.00", "B:0:0.00"], "\(byProduct)")
        let byCategory = try #require(try run(["report", "sales"] + days() + ["--by", "category"])["rows"] as? [[String: Any]])
        #expect(byCategory.map { "\($0["key"]!):\($0["net"]!)" } == ["护肤:100.00", "美发:0.00"])

        // 1,200.00 topped up, 190.00 spent from stored value: 1,010.00 owed, three ways.
        let liability = try run(["report", "liability", "--fold-log"])
        #expect((liability["chain"] as? [String: Any])?["principal"] as? String == "1010.00")
        let reconciliation = try #require(liability["reconciliation"] as? [String: Any])
        #expect(reconciliation["reconciled"] as? Bool == true && reconciliation["sum_of_balances"] as? String == "1010.00" && reconciliation["op_log"] as? String == "1010.00")

        // 100 + 90 earned by 王芳 (not on the coupon's 10.00); 李雷's 80 taken back with the return.
        let points = try run(["report", "points"])
        #expect(points["outstanding"] as? Int == 190 && points["expired"] as? Int == 0)
        #expect((points["branches"] as? [[String: Any]])?.first?["earned"] as? Int == 190)

        let members = try run(["report", "members", "--segments"])
        #expect(members["members"] as? Int == 2 && members["active30d"] as? Int == 2 && members["zero_spend"] as? Int == 1, "\(members)")
        let rfm = try #require((members["segments"] as? [String: Any])?["rfm"] as? [[String: Any]])
        #expect(rfm.filter { ($0["members"] as? Int ?? 0) > 0 }.map { $0["segment"] as! String }.sorted() == ["general_develop", "important_value"])

        let results = try run(["report", "campaign", "--campaign", "C1"])
        #expect(results["coupons_issued"] as? Int == 2 && results["coupons_used"] as? Int == 1 && results["revenue"] as? String == "100.00"
                && results["face_value"] as? String == "20.00", "\(results)")

        // CSV for spreadsheets: a byte-order mark, a header, a row; the same figures.
        let csv = try mms(["report", "sales", "--data", dir, "--csv"] + days() + ["--by", "branch"]).stdout
        #expect(csv.hasPrefix("\u{FEFF}branch,sales,amount,returned,net\r\nhq,3,280.00,80.00,200.00\r\n"), "\(csv)")
        // A rebuild of the store gives the same reports.
        try #require(mms(["node", "rebuild", "--data", dir]).status == 0)
        #expect(try run(["report", "sales"] + days() + ["--by", "branch"])["rows"] as? [[String: Any]] != nil)
        #expect((try run(["report", "liability"])["chain"] as? [String: Any])?["principal"] as? String == "1010.00")
    }
}

/// The tier report counts each member where the member's own view puts them: by the figures the
/// report tables keep (net spend after a refund, one top-up) and, under a tier review, member by
/// member; a rebuild keeps it.
@Suite struct TiersReportTests {
    let dir = temporaryNodeDirectory().url.path

    @discardableResult
    func run(_ arguments: [String]) throws -> [String: Any] {
        let out = try mms(arguments + ["--data", dir, "--json"])
        #expect(out.status == 0, "\(arguments): \(out.stdout) \(out.stderr)")
        return try json(out.stdout)
    }

    func program(review: Bool) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tiers-\(UUID().uuidString).toml").path
        try ("""
            [[tier]]
            tier = "silver"
            name = "白银"
            spend = "1000.00"
            single_topup = "2000.00"
            discount = 98

            [[tier]]
            tier = "gold"
            name = "黄金"
            spend = "3000.00"
            discount = 95
            """ + (review ? "\n\n[tier_review]\nyears = 1\n" : "\n")).write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func counts() throws -> [String: Int] {
        let rows = try #require(try run(["report", "tiers"])["tiers"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["tier"] as! String, $0["members"] as! Int) })
    }

    @Test func eachMemberIsCountedInTheTierTheirOwnViewShows() throws {
        try #require(mms(["node", "init", "--data", dir, "--id", "hq", "--role", "hq"]).status == 0)
        try run(["program", "set", "--file", try program(review: false)])
        func member(_ phone: String, card: String?, topUp: String?, charge: String?) throws {
            let id = try #require(try run(["member", "add", "--name", "会员", "--phone", phone])["id"] as? String)
            guard let card else { return }
            try run(["card", "issue", "--member", id, "--type", "stored", "--number", card])
            if let topUp { try run(["topup", "--card", card, "--amount", topUp]) }
            if let charge { try run(["charge", "--card", card, "--amount", charge]) }
        }
        try member("13800000001", card: "A", topUp: "2500.00", charge: nil)       // silver: one top-up of 2,000.00 or more
        try member("13800000002", card: "B", topUp: "500.00", charge: "200.00")   // standard
        try member("13800000003", card: "C", topUp: "1200.00", charge: "1100.00") // silver: spend 1,100.00
        try member("13800000004", card: nil, topUp: nil, charge: nil)             // standard
        try member("13800000005", card: "E", topUp: "1800.00", charge: nil)
        let charge = try #require(try run(["charge", "--card", "E", "--amount", "1050.00"])["op"] as? String)  // silver: spend 1,050.00
        #expect(try counts() == ["standard": 2, "silver": 3, "gold": 0])
        // The member's own view agrees, card by card.
        let shown = try ["A", "B", "C", "E"].map { try #require(try run(["show", "--card", $0])["tier"] as? String) }
        #expect(shown == ["silver", "standard", "silver", "silver"], "\(shown)")

        // 60.00 of the 1,050.00 refunded: 990.00 counts, below silver's 1,000.00.
        try run(["refund", "--card", "E", "--charge", charge, "--amount", "60.00"])
        #expect(try run(["show", "--card", "E"])["tier"] as? String == "standard")
        let expected = ["standard": 3, "silver": 2, "gold": 0]
        #expect(try counts() == expected)
        let report = try run(["report", "tiers"])
        #expect(report["basis"] as? String == "lifetime" && report["members"] as? Int == 5)
        let silver = try #require((report["tiers"] as? [[String: Any]])?.first { $0["tier"] as? String == "silver" })
        #expect(silver["spend"] as? String == "1000.00" && silver["single_topup"] as? String == "2000.00" && silver["name"] as? String == "白银")

        try #require(mms(["node", "rebuild", "--data", dir]).status == 0)
        #expect(try counts() == expected)
        // Under a tier review the report decides member by member, as the view does.
        try run(["program", "set", "--file", try program(review: true)])
        #expect(try run(["report", "tiers"])["basis"] as? String == "review")
        #expect(try counts() == expected)
        let csv = try mms(["report", "tiers", "--data", dir, "--csv"]).stdout
        #expect(csv.hasPrefix("\u{FEFF}tier,name,members,share_percent,spend,single_topup,points\r\nstandard,standard,"), "\(csv)")
    }
}

/// Two branches' trade, gathered at head office by `mms sync`, compared side by side: each
/// figure worked out by hand.
@Suite struct BranchesReportTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("mms-branches-\(UUID().uuidString)").path

    @discardableResult
    func run(_ dir: String, _ arguments: [String]) throws -> [String: Any] {
        let out = try mms(arguments + ["--data", root + "/" + dir, "--json"])
        #expect(out.status == 0, "\(arguments): \(out.stdout) \(out.stderr)")
        return try json(out.stdout)
    }

    @Test func theBranchesAreRankedByNetSalesWithTheirShareAndMembers() throws {
        try #require(mms(["node", "init", "--data", root + "/hq", "--id", "hq", "--role", "hq"]).status == 0)
        for branch in ["branch-1", "branch-2"] {
            try #require(mms(["node", "init", "--data", root + "/" + branch, "--id", branch, "--chain-secrets", root + "/hq/chain.secrets"]).status == 0)
            try mms(["node", "trust", "--data", root + "/hq", "--node", root + "/" + branch])
        }
        // branch-1: two members join, one tops up 500.00 and pays 100.00 and 50.00 from it.
        let a = try #require(try run("branch-1", ["member", "add", "--name", "王芳", "--phone", "13800000001"])["id"] as? String)
        try run("branch-1", ["member", "add", "--name", "李雷", "--phone", "13800000002"])
        try run("branch-1", ["card", "issue", "--member", a, "--type", "stored", "--number", "S1"])
        try run("branch-1", ["topup", "--card", "S1", "--amount", "500.00"])
        try run("branch-1", ["charge", "--card", "S1", "--amount", "100.00"])
        try run("branch-1", ["charge", "--card", "S1", "--amount", "50.00"])
        // branch-2: one member tops up 200.00 and pays 30.00.
        let b = try #require(try run("branch-2", ["member", "add", "--name", "韩梅", "--phone", "13800000003"])["id"] as? String)
        try run("branch-2", ["card", "issue", "--member", b, "--type", "stored", "--number", "S2"])
        try run("branch-2", ["topup", "--card", "S2", "--amount", "200.00"])
        try run("branch-2", ["charge", "--card", "S2", "--amount", "30.00"])
        for branch in ["branch-1", "branch-2"] { try run("hq", ["sync", "--from", root + "/" + branch]) }

        let today = Sales.day(wallMillis: UInt64(Date().timeIntervalSince1970 * 1_000))
        let period = ["--from", CardLife.day(today, plus: -1), "--to", CardLife.day(today, plus: 1)]
        let report = try run("hq", ["report", "branches"] + period)
        let rows = try #require(report["branches"] as? [[String: Any]])
        func line(_ r: [String: Any]) -> String {
            ["branch", "rank", "sales", "net", "share", "average_ticket", "topups", "topup_count", "new_members", "active_members", "members", "owed"]
                .map { "\(r[$0] ?? "nil")" }.joined(separator: " ")
        }
        #expect(rows.map(line) == ["branch-1 1 2 150.00 83.3 75.00 500.00 1 2 1 2 350.00",
                                   "branch-2 2 1 30.00 16.7 30.00 200.00 1 1 1 1 170.00"], "\(rows)")
        #expect(report["branch"] == nil || report["branch"] is NSNull)
        // At a branch, a node reads its own replica: branch-2 knows only its own trade.
        let own = try #require(try run("branch-2", ["report", "branches"] + period)["branches"] as? [[String: Any]])
        #expect(own.map(line) == ["branch-2 1 1 30.00 100 30.00 200.00 1 1 1 1 170.00"], "\(own)")
        let csv = try mms(["report", "branches", "--data", root + "/hq", "--csv"] + period).stdout
        #expect(csv.hasPrefix("\u{FEFF}branch,rank,sales,net,share_percent,") && csv.contains("\r\nbranch-1,1,2,150.00,83.3,75.00,"), "\(csv)")
    }
}

/// Members from a spreadsheet: the good rows go in, each bad one is reported with its line and
/// field (a bad phone, a duplicate, a bad date, a line not in UTF-8), a dry run adds nothing, and
/// the same file again adds nothing. An export is recorded in the audit trail.
@Suite struct ImportCLITests {
    let dir = temporaryNodeDirectory().url.path

    @Test func goodRowsGoInBadOnesAreReportedAndASecondRunAddsNothing() throws {
        try #require(mms(["node", "init", "--data", dir, "--id", "hq", "--role", "hq"]).status == 0)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("members-\(UUID().uuidString).csv").path
        var bytes = Array("\u{FEFF}name,phone,birthday\n张三,13900000001,1985-02-03\n李四,139000000XX,1986-03-04\n\"赵,六\",13900000003,\n王五,13900000001,1988-01-01\n钱七,13900000007,1988-13-01\n".utf8)
        bytes += [0xD6, 0xDC, 0xB0, 0xCB] + Array(",13900000008,1990-01-01\r\n".utf8)   // 周八 in GBK
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let dry = try json(mms(["import", "members", "--data", dir, "--file", file, "--dry-run", "--json"]).stdout)
        let errors = try #require(dry["errors"] as? [[String: Any]]).map { "\($0["line"]!):\($0["field"]!)" }
        #expect(errors == ["3:phone", "5:phone", "6:birthday", "7:encoding"] && dry["added"] as? Int == 2 && dry["rows"] as? Int == 6, "\(dry)")
        #expect(try mms(["member", "find", "--data", dir, "--phone", "13900000001", "--json"]).stdout.contains("\"members\":[]"), "a dry run adds nothing")
        let first = try json(mms(["import", "members", "--data", dir, "--file", file, "--json"]).stdout)
        #expect(first["added"] as? Int == 2 && (first["members"] as? [String])?.count == 2)
        let second = try json(mms(["import", "members", "--data", dir, "--file", file, "--json"]).stdout)
        #expect(second["added"] as? Int == 0 && second["skipped"] as? Int == 2)
        let found = try json(mms(["member", "find", "--data", dir, "--phone", "13900000003", "--json"]).stdout)
        #expect((found["members"] as? [[String: Any]])?.first?["name"] as? String == "赵,六", "a quoted field keeps its comma")
        let refused = try mms(["import", "members", "--data", dir, "--file", file + ".missing", "--json"])
        let error = try json(refused.stdout)["error"] as? String
        #expect(refused.status == 2 && error == "invalid_argument")

        let export = try mms(["export", "members", "--data", dir])
        #expect(export.status == 0 && export.stdout.hasPrefix("\u{FEFF}member,home,joined,name,phone") && export.stdout.contains("13900000001"),
                "the directory's owner exports personal data")
        let audit = try mms(["audit", "--data", dir, "--kind", "export_made", "--json"]).stdout
        #expect(audit.contains("members: 2 rows, with personal data"), "\(audit)")
    }
}

/// Each staff member's month at each branch, from two branches gathered at head office: sales
/// and returns, the top-ups and cards they are credited with, their commission; payments no one
/// was credited with on a line of their own. Every figure worked out by hand.
@Suite struct StaffReportTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("mms-staff-\(UUID().uuidString)").path

    @discardableResult
    func run(_ dir: String, _ arguments: [String], stdin: String? = nil) throws -> [String: Any] {
        let out = try mms(arguments + ["--data", root + "/" + dir, "--json"], stdin: stdin)
        #expect(out.status == 0, "\(arguments): \(out.stdout) \(out.stderr)")
        return try json(out.stdout)
    }

    @Test func staffAreRankedByNetSalesWithTheirTopUpsCardsAndCommission() throws {
        try #require(mms(["node", "init", "--data", root + "/hq", "--id", "hq", "--role", "hq"]).status == 0)
        try run("hq", ["settings", "set", "--key", "commission.topup", "--value", "1%"])
        try run("hq", ["settings", "set", "--key", "commission.card", "--value", "5.00"])
        try run("hq", ["product", "add", "--sku", "P1", "--name", "精华液", "--kind", "goods", "--category", "护肤", "--price", "100.00", "--commission", "10%"])
        try run("hq", ["staff", "add", "--id", "c01", "--name", "小王", "--role", "cashier", "--branch", "branch-1", "--password-stdin"], stdin: "c01-Pass!\n")
        try run("hq", ["staff", "add", "--id", "c02", "--name", "小李", "--role", "cashier", "--branch", "branch-2", "--password-stdin"], stdin: "c02-Pass!\n")
        for branch in ["branch-1", "branch-2"] {
            try #require(mms(["node", "init", "--data", root + "/" + branch, "--id", branch, "--chain-secrets", root + "/hq/chain.secrets"]).status == 0)
            try mms(["node", "trust", "--data", root + "/hq", "--node", root + "/" + branch])
            try mms(["node", "trust", "--data", root + "/" + branch, "--node", root + "/hq"])
            try run(branch, ["sync", "--from", root + "/hq"])
        }
        // branch-1: c01 sells a card (5.00), takes a top-up of 500.00 (5.00), sells 2 × P1 from
        // the card (200.00, 20.00) and 1 × P1 for cash (100.00, 10.00), which comes back; a
        // charge of 50.00 is nobody's.
        let a = try #require(try run("branch-1", ["member", "add", "--name", "王芳", "--phone", "13800000001"])["id"] as? String)
        try run("branch-1", ["card", "issue", "--member", a, "--type", "stored", "--number", "S1", "--staff", "c01"])
        try run("branch-1", ["topup", "--card", "S1", "--amount", "500.00", "--staff", "c01"])
        try run("branch-1", ["sell", "--card", "S1", "--item", "P1x2", "--tender", "stored:rest", "--staff", "c01"])
        let walkIn = try #require(try run("branch-1", ["sell", "--walk-in", "--item", "P1x1", "--tender", "cash:rest", "--staff", "c01"])["sale"] as? String)
        try run("branch-1", ["return", "--sale", walkIn])
        try run("branch-1", ["charge", "--card", "S1", "--amount", "50.00"])
        // branch-2: c02 takes a top-up of 200.00 (2.00) and sells 1 × P1 from the card (10.00).
        let b = try #require(try run("branch-2", ["member", "add", "--name", "韩梅", "--phone", "13800000003"])["id"] as? String)
        try run("branch-2", ["card", "issue", "--member", b, "--type", "stored", "--number", "S2"])
        try run("branch-2", ["topup", "--card", "S2", "--amount", "200.00", "--staff", "c02"])
        try run("branch-2", ["sell", "--card", "S2", "--item", "P1x1", "--tender", "stored:rest", "--staff", "c02"])
        for branch in ["branch-1", "branch-2"] { try run("hq", ["sync", "--from", root + "/" + branch]) }

        let month = String(Sales.day(wallMillis: UInt64(Date().timeIntervalSince1970 * 1_000)).prefix(7))
        let report = try run("hq", ["report", "staff", "--month", month])
        let rows = try #require(report["staff"] as? [[String: Any]])
        func line(_ r: [String: Any]) -> String {
            ["rank", "staff", "name", "branch", "sales", "amount", "returns", "returned", "net", "average_ticket", "topups", "cards", "commission"]
                .map { "\(r[$0] ?? "nil")" }.joined(separator: " ")
        }
        #expect(rows.map(line) == ["1 c01 小王 branch-1 2 300.00 1 100.00 200.00 100.00 500.00 1 30.00",
                                   "2 c02 小李 branch-2 1 100.00 0 0.00 100.00 100.00 200.00 0 12.00",
                                   "3 -  branch-1 1 50.00 0 0.00 50.00 50.00 0.00 0 0.00"], "\(rows)")
        #expect(report["net"] as? String == "350.00" && report["commission"] as? String == "42.00", "\(report)")
        // A branch reads its own replica: branch-2 knows only its own staff's trade.
        let own = try #require(try run("branch-2", ["report", "staff", "--month", month])["staff"] as? [[String: Any]])
        #expect(own.map(line) == ["1 c02 小李 branch-2 1 100.00 0 0.00 100.00 100.00 200.00 0 12.00"], "\(own)")
        let csv = try mms(["report", "staff", "--data", root + "/hq", "--month", month, "--csv"]).stdout
        #expect(csv.hasPrefix("\u{FEFF}rank,staff,name,branch,sales,") && csv.contains("\r\n1,c01,小王,branch-1,2,300.00,"), "\(csv)")
        let bad = try mms(["report", "staff", "--data", root + "/hq", "--month", "2026-13", "--json"])
        #expect(try bad.status == 2 && json(bad.stdout)["error"] as? String == "invalid_argument")
    }
}

/// Tier movements month by month, from ops made on three months' days (the node's wall clock
/// moved back by the clock shim): a member climbs to silver, then gold, and a refund drops them
/// back; the report counts each move in its month, agrees with the tier report, and survives a rebuild.
@Suite struct TierMovesReportTests {
    let dir = temporaryNodeDirectory().url.path

    @Test func eachMoveIsCountedInTheMonthItHappened() throws {
        let shim = try ClockShim.build(in: FileManager.default.temporaryDirectory.path)
        // The 15th of two months ago, of last month, and now.
        let now = Date()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 8 * 3_600)!
        let thisMonth = calendar.date(from: calendar.dateComponents([.year, .month], from: now))!
        let days = [-2, -1].map { calendar.date(byAdding: .day, value: 14, to: calendar.date(byAdding: .month, value: $0, to: thisMonth)!)! } + [now]
        let months = days.map { String(Sales.day(wallMillis: UInt64($0.timeIntervalSince1970 * 1_000)).prefix(7)) }
        @discardableResult
        func run(_ on: Int, _ arguments: [String]) throws -> [String: Any] {
            let offset = Int64((days[on].timeIntervalSince1970 - Date().timeIntervalSince1970) * 1_000)
            let out = try mms(arguments + ["--data", dir, "--json"], environment: ["LD_PRELOAD": shim, "CLOCK_SHIM_OFFSET_MS": String(offset)])
            #expect(out.status == 0, "\(arguments): \(out.stdout) \(out.stderr)")
            return try json(out.stdout)
        }
        try #require(mms(["node", "init", "--data", dir, "--id", "hq", "--role", "hq"]).status == 0)
        let program = FileManager.default.temporaryDirectory.appendingPathComponent("moves-\(UUID().uuidString).toml").path
        try """
            [[tier]]
            tier = "silver"
            name = "白银"
            spend = "1000.00"

            [[tier]]
            tier = "gold"
            name = "黄金"
            spend = "3000.00"
            """.write(toFile: program, atomically: true, encoding: .utf8)
        try run(0, ["program", "set", "--file", program])
        for (card, phone) in [("X", "13800000001"), ("Y", "13800000002")] {
            let id = try #require(try run(0, ["member", "add", "--name", "会员", "--phone", phone])["id"] as? String)
            try run(0, ["card", "issue", "--member", id, "--type", "stored", "--number", card])
            try run(0, ["topup", "--card", card, "--amount", "5000.00"])
        }
        try run(0, ["charge", "--card", "X", "--amount", "1200.00"])                                   // X: standard → silver
        try run(0, ["charge", "--card", "Y", "--amount", "100.00"])                                    // Y stays standard
        let charge = try #require(try run(1, ["charge", "--card", "X", "--amount", "2000.00"])["op"] as? String)  // X: silver → gold
        try run(1, ["charge", "--card", "Y", "--amount", "1000.00"])                                   // Y: standard → silver
        try run(2, ["refund", "--card", "X", "--charge", charge, "--amount", "300.00"])                // X: 2,900.00, gold → silver

        func moves() throws -> [String] {
            let report = try run(2, ["report", "tier-moves", "--from", months[0], "--to", months[2]])
            #expect(report["basis"] as? String == "lifetime")
            return try #require(report["months"] as? [[String: Any]]).map { m in
                "\(m["month"]!) up \(m["up"]!) down \(m["down"]!): " + ((m["moves"] as? [[String: Any]]) ?? []).map { "\($0["from"]!)→\($0["to"]!) \($0["members"]!)" }.joined(separator: ", ")
            }
        }
        let expected = ["\(months[0]) up 1 down 0: standard→白银 1", "\(months[1]) up 2 down 0: standard→白银 1, 白银→黄金 1", "\(months[2]) up 0 down 1: 黄金→白银 1"]
        #expect(try moves() == expected)
        let tiers = try #require(try run(2, ["report", "tiers"])["tiers"] as? [[String: Any]])
        #expect(tiers.map { "\($0["tier"]!) \($0["members"]!)" } == ["standard 0", "silver 2", "gold 0"], "\(tiers)")
        try #require(mms(["node", "rebuild", "--data", dir]).status == 0)
        #expect(try moves() == expected)
        let csv = try mms(["report", "tier-moves", "--data", dir, "--from", months[0], "--to", months[2], "--csv"]).stdout
        #expect(csv == "\u{FEFF}month,from,to,members\r\n\(months[0]),standard,白银,1\r\n\(months[1]),standard,白银,1\r\n\(months[1]),白银,黄金,1\r\n\(months[2]),黄金,白银,1\r\n", "\(csv)")
        #expect(try mms(["report", "tier-moves", "--data", dir, "--from", months[2], "--to", months[0]]).status == 2)
    }
}
