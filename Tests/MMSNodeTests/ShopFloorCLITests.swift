import Foundation
import MMSCore
import Testing

/// The shop floor at one node through the command line: a cash sale with change, a return in
/// cash, a supplier paid in cash, and the till's daily close that counts them all.
@Suite struct ShopFloorCLITests {
    @Test func theDailyCloseCountsCashTakenLessChangeAndCashGivenBack() throws {
        let dir = temporaryNodeDirectory().url.path
        try #require(mms(["node", "init", "--data", dir, "--id", "branch-1"]).status == 0)
        try #require(mms(["product", "add", "--data", dir, "--sku", "SV-001", "--name", "洗剪吹", "--kind", "service", "--price", "68.00"]).status == 0)
        try #require(mms(["product", "add", "--data", dir, "--sku", "PR-1", "--name", "发膜", "--kind", "goods", "--price", "3.33"]).status == 0)
        // 68.00 + 2 × 3.33 = 74.66 paid with 100.00: change 25.34, so 74.66 stays in the drawer.
        let sale = try json(mms(["sell", "--data", dir, "--walk-in", "--item", "SV-001x1", "--item", "PR-1x2", "--tender", "cash:100.00", "--json"]).stdout)
        #expect(sale["total"] as? String == "74.66" && sale["change"] as? String == "25.34")
        let saleID = try #require(sale["sale"] as? String)
        // One jar comes back: 3.33 in cash.
        let back = try json(mms(["return", "--data", dir, "--sale", saleID, "--line", "2x1", "--json"]).stdout)
        #expect((back["refunds"] as? [[String: Any]])?.first?["amount"] as? String == "3.33")
        // Supplier invoices: a payment goes to the oldest due first, never beyond what is owed;
        // 10.00 paid in cash comes out of the drawer.
        try #require(mms(["supplier", "invoice", "--data", dir, "--supplier", "上海某某", "--invoice", "INV-2", "--amount", "1200.00"]).status == 0)
        try #require(mms(["supplier", "invoice", "--data", dir, "--supplier", "上海某某", "--invoice", "INV-1", "--amount", "3600.00", "--due", "2026-01-31"]).status == 0)
        #expect(try mms(["supplier", "invoice", "--data", dir, "--supplier", "上海某某", "--invoice", "INV-1", "--amount", "1.00"]).status != 0, "an invoice number is taken once")
        #expect(try mms(["supplier", "invoice", "--data", dir, "--supplier", "上海某某", "--invoice", "INV-3", "--amount", "1.00", "--due", "2026-02-30x"]).status != 0)
        let paid = try json(mms(["supplier", "pay", "--data", dir, "--supplier", "上海某某", "--amount", "4000.00", "--reference", "TX-9", "--json"]).stdout)
        let invoices = try #require(((paid["suppliers"] as? [[String: Any]])?.first?["invoices"]) as? [[String: Any]])
        #expect(invoices.map { $0["number"] as? String } == ["INV-1", "INV-2"] && invoices.map { $0["owed"] as? String } == ["0.00", "800.00"], "\(invoices)")
        #expect(paid["owed"] as? String == "800.00")
        #expect(try mms(["supplier", "pay", "--data", dir, "--supplier", "上海某某", "--amount", "800.01"]).status != 0, "never more than is owed")
        #expect(try mms(["supplier", "pay", "--data", dir, "--supplier", "别家", "--amount", "1.00"]).status != 0, "nothing is owed to them")
        let cash = try json(mms(["supplier", "pay", "--data", dir, "--supplier", "上海某某", "--invoice", "INV-2", "--amount", "10.00", "--tender", "cash",
                                 "--request-id", "pay-1", "--json"]).stdout)
        #expect(cash["owed"] as? String == "790.00")
        // The same payment retried with its key is answered, not paid again.
        let retried = try json(mms(["supplier", "pay", "--data", dir, "--supplier", "上海某某", "--invoice", "INV-2", "--amount", "10.00", "--tender", "cash",
                                    "--request-id", "pay-1", "--json"]).stdout)
        #expect(retried["owed"] as? String == "790.00" && retried["op"] as? String == cash["op"] as? String, "\(retried)")
        let close = try json(mms(["till", "close", "--data", dir, "--till", "cli", "--counted", "61.00", "--json"]).stdout)
        #expect(close["expected"] as? String == "61.33" && close["difference"] as? String == "-0.33", "\(close)")
        let days = try json(mms(["till", "days", "--data", dir, "--month", String(try #require(close["day"] as? String).prefix(7)), "--json"]).stdout)
        let day = try #require((days["days"] as? [[String: Any]])?.first)
        #expect(day["till"] as? String == "cli" && day["closed"] as? Bool == true && day["counted"] as? String == "61.00" && days["difference"] as? String == "-0.33", "\(days)")
        // Once per till and day; bad input changes nothing.
        #expect(try mms(["till", "close", "--data", dir, "--till", "cli", "--counted", "71.33"]).status != 0)
        #expect(try mms(["till", "close", "--data", dir, "--till", "till-9", "--counted", "1.00"]).status != 0, "no such till")
        #expect(try mms(["till", "close", "--data", dir, "--till", "cli", "--day", "2026-13-01", "--counted", "1.00"]).status != 0)
        #expect(try mms(["till", "close", "--data", dir, "--till", "till-9", "--counted", "1.005"]).status != 0)
        let expense = try json(mms(["expense", "add", "--data", dir, "--category", "房租", "--amount", "8000.00", "--note", "十一月", "--json"]).stdout)
        #expect(expense["month_total"] as? String == "8000.00")
        #expect(try mms(["expense", "add", "--data", dir, "--category", "房租", "--amount", "-1.00"]).status != 0)
    }

    /// Top-ups carry their tender: cash counts in the till's daily close, a bank top-up does not;
    /// the staff member credited earns head office's top-up and card commissions.
    @Test func cashTopUpsCountInTheCloseAndStaffEarnOnTopUpsAndCards() throws {
        let dir = temporaryNodeDirectory().url.path
        try #require(mms(["node", "init", "--data", dir, "--id", "hq", "--role", "hq"]).status == 0)
        try #require(mms(["settings", "set", "--data", dir, "--key", "commission.topup", "--value", "1%"]).status == 0)
        try #require(mms(["settings", "set", "--data", dir, "--key", "commission.card", "--value", "5.00"]).status == 0)
        #expect(try mms(["settings", "set", "--data", dir, "--key", "commission.card", "--value", "five"]).status != 0)
        try #require(mms(["staff", "add", "--data", dir, "--id", "c01", "--name", "小王", "--role", "cashier", "--password-stdin"], stdin: "c01-Pass!\n").status == 0)
        let member = try #require(try json(mms(["member", "add", "--data", dir, "--name", "王芳", "--phone", "13800000001", "--json"]).stdout)["id"] as? String)
        try #require(mms(["card", "issue", "--data", dir, "--member", member, "--type", "stored", "--number", "6200000001", "--staff", "c01"]).status == 0)
        try #require(mms(["topup", "--data", dir, "--card", "6200000001", "--amount", "200.00", "--staff", "c01"]).status == 0)
        try #require(mms(["topup", "--data", dir, "--card", "6200000001", "--amount", "50.00", "--tender", "bank", "--reference", "TX1", "--staff", "c01"]).status == 0)
        #expect(try mms(["topup", "--data", dir, "--card", "6200000001", "--amount", "5.00", "--tender", "stored"]).status != 0)
        #expect(try mms(["topup", "--data", dir, "--card", "6200000001", "--amount", "5.00", "--staff", "nobody"]).status != 0)
        #expect(try json(mms(["show", "--data", dir, "--card", "6200000001", "--json"]).stdout)["balance"] as? String == "250.00")
        let close = try json(mms(["till", "close", "--data", dir, "--till", "cli", "--counted", "200.00", "--json"]).stdout)
        #expect(close["expected"] as? String == "200.00" && close["difference"] as? String == "0.00", "\(close)")
        let month = String(try #require(close["day"] as? String).prefix(7))
        let statement = try json(mms(["commission", "statement", "--data", dir, "--month", month, "--json"]).stdout)
        let c01 = try #require((statement["staff"] as? [[String: Any]])?.first)
        // 5.00 for the card, 1 % of 200.00 and of 50.00.
        #expect(c01["earned"] as? String == "7.50" && c01["top_ups"] as? String == "250.00" && c01["cards"] as? Int == 1, "\(c01)")
    }
}
