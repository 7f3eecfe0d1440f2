import Foundation
import MMSCore
import Testing

/// The shop floor at one node through the command line: a cash sale with change, a return in
/// cash, and the till's daily close that counts both.
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
        let close = try json(mms(["till", "close", "--data", dir, "--till", "cli", "--counted", "71.00", "--json"]).stdout)
        #expect(close["expected"] as? String == "71.33" && close["difference"] as? String == "-0.33", "\(close)")
        // Once per till and day; bad input changes nothing.
        #expect(try mms(["till", "close", "--data", dir, "--till", "cli", "--counted", "71.33"]).status != 0)
        #expect(try mms(["till", "close", "--data", dir, "--till", "till-9", "--counted", "1.00"]).status != 0, "no such till")
        #expect(try mms(["till", "close", "--data", dir, "--till", "cli", "--day", "2026-13-01", "--counted", "1.00"]).status != 0)
        #expect(try mms(["till", "close", "--data", dir, "--till", "till-9", "--counted", "1.005"]).status != 0)
        let expense = try json(mms(["expense", "add", "--data", dir, "--category", "房租", "--amount", "8000.00", "--note", "十一月", "--json"]).stdout)
        #expect(expense["month_total"] as? String == "8000.00")
        #expect(try mms(["expense", "add", "--data", dir, "--category", "房租", "--amount", "-1.00"]).status != 0)
    }
}
