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

    /// Stock moves only at its own branch; a transfer sent while the receiver is down is in
    /// transit until the receiver, back and caught up, confirms it.
    @Test func aStockTransferToABranchThatIsDownArrivesWhenItConfirms() throws {
        let file = try provisionChain()
        var nodes = try ["hq", "branch-1", "branch-2"].reduce(into: [String: Process]()) { $0[$1] = try startNode($1, file: file) }
        defer { for p in nodes.values where p.isRunning { p.terminate() } }
        waitForStores()
        let hq = "\(root)/data/t/hq", b1 = "\(root)/data/t/branch-1", b2 = "\(root)/data/t/branch-2"
        try #require(mms(["product", "add", "--data", hq, "--sku", "PR-104", "--name", "精华液", "--kind", "goods", "--price", "298.00"]).status == 0)
        waitUntil(30) { (try? mms(["stock", "receive", "--data", b1, "--sku", "PR-104", "--qty", "24", "--supplier", "上海某某", "--cost", "150.00"]).status) == 0 }
        nodes["branch-2"]?.terminate(); nodes["branch-2"]?.waitUntilExit()
        let sent = try json(mms(["stock", "transfer", "--data", b1, "--sku", "PR-104", "--qty", "5", "--to", "branch-2", "--json"]).stdout)
        let transfer = try #require(sent["transfer"] as? String)
        #expect(sent["on_hand"] as? Int == 19)
        let outgoing = try json(mms(["stock", "show", "--data", b1, "--json"]).stdout)["outgoing"] as? [[String: Any]]
        #expect(outgoing?.first?["status"] as? String == "in_transit")

        nodes["branch-2"] = try startNode("branch-2", file: file)
        waitForStores(["branch-2"])
        waitUntil(30) { ((try? json(mms(["stock", "show", "--data", b2, "--json"]).stdout))?["incoming"] as? [Any])?.count == 1 }
        let arrived = try json(mms(["stock", "arrive", "--data", b2, "--transfer", transfer, "--json"]).stdout)
        #expect(((arrived["moves"] as? [[String: Any]])?.first?["on_hand"]) as? Int == 5)
        #expect(try mms(["stock", "arrive", "--data", b2, "--transfer", transfer]).status != 0, "a transfer arrives once")
        waitUntil(30) { ((try? json(mms(["stock", "show", "--data", b1, "--json"]).stdout))?["outgoing"] as? [[String: Any]])?.first?["status"] as? String == "arrived" }
        let items = try json(mms(["stock", "show", "--data", b1, "--json"]).stdout)["items"] as? [[String: Any]]
        #expect(items?.first?["on_hand"] as? Int == 19)
        #expect(try mms(["stock", "transfer", "--data", b1, "--sku", "PR-104", "--qty", "1", "--to", "branch-9"]).status != 0)
    }
}
