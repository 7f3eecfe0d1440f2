import Foundation
import MMSCore
import Testing

/// The catalogue on real nodes: a product added at the head office reaches a branch, a branch
/// price applies only there, and bad input changes nothing.
extension NetworkTests {
    @Test func aProductAddedAtHeadOfficeReachesTheBranchesWithTheirOwnPrices() throws {
        let file = try provisionChain()
        let nodes = try ["hq", "branch-1", "branch-2"].map { try startNode($0, file: file) }
        defer { for p in nodes where p.isRunning { p.terminate() } }
        waitForStores()
        let hq = "\(root)/data/t/hq", b1 = "\(root)/data/t/branch-1", b2 = "\(root)/data/t/branch-2"
        let added = try mms(["product", "add", "--data", hq, "--sku", "PR-104", "--name", "精华液", "--kind", "goods", "--category", "护肤",
                             "--price", "298.00", "--barcode", "6901234567892", "--json"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(try mms(["price", "set", "--data", hq, "--sku", "PR-104", "--branch", "branch-2", "--price", "288.00"]).status == 0)
        func shown(_ dir: String) -> [String: Any]? { try? json(mms(["product", "show", "--data", dir, "--sku", "PR-104", "--json"]).stdout) }
        waitUntil(30) { shown(b2)?["price_here"] as? String == "288.00" && shown(b1) != nil }
        #expect(shown(b1)?["price_here"] as? String == "298.00" && shown(b2)?["price_here"] as? String == "288.00")
        let found = try json(mms(["product", "list", "--data", b1, "--query", "6901234567892", "--json"]).stdout)
        #expect((found["products"] as? [[String: Any]])?.first?["sku"] as? String == "PR-104")

        // Bad input: a clear error, nothing changed.
        let before = try json(mms(["node", "info", "--data", hq, "--json"]).stdout)["state_hash"] as? String
        for bad in [["product", "add", "--data", hq, "--sku", "PR-104", "--name", "x", "--kind", "goods", "--price", "1.00"],
                    ["product", "edit", "--data", hq, "--sku", "NOPE", "--price", "1.00"],
                    ["product", "add", "--data", hq, "--sku", "X1", "--name", "x", "--kind", "goods", "--price", "1.005"],
                    ["product", "add", "--data", hq, "--sku", "X1", "--name", "x", "--kind", "goods", "--price", "1.00", "--barcode", "6901234567891"],
                    ["price", "set", "--data", hq, "--sku", "PR-104", "--branch", "branch-9", "--price", "1.00"]] {
            let out = try mms(bad + ["--json"])
            #expect(out.status != 0 && (try? json(out.stdout))?["ok"] as? Bool == false, "\(bad): \(out.stdout)")
        }
        #expect(try json(mms(["node", "info", "--data", hq, "--json"]).stdout)["state_hash"] as? String == before)
    }
}
