import ArgumentParser
import Foundation
import MMSCore
import MMSNode

/// The main job for now: the ledger's walk-through on two fresh nodes, narrated.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Walk through the ledger on two fresh branches in a new directory: members, cards, payments, escrow, sync, verify.")

    @Option(help: "Where to create the two nodes (default: a new temporary directory).") var data: String?

    func run() throws {
        let root = data ?? FileManager.default.temporaryDirectory.appendingPathComponent("mms-demo-\(UUID().uuidString.prefix(8))").path
        let shop1 = DataDirectory(root + "/shop1"), shop2 = DataDirectory(root + "/shop2")
        func step(_ what: String, _ body: () throws -> String) {
            print("▸ \(what)")
            do { print("  " + (try body()).replacingOccurrences(of: "\n", with: "\n  ")) } catch let e as MMSError {
                print("  refused — \(e.code.rawValue): \(e.message)")
            } catch { print("  failed: \(error)") }
        }
        try LocalNode.initialise(directory: shop1, id: NodeID("branch-1"), role: .branch)
        try LocalNode.initialise(directory: shop2, id: NodeID("branch-2"), role: .branch, secretsFile: shop1.url.path + "/chain.secrets")
        let a = try LocalNode(directory: shop1), b = try LocalNode(directory: shop2)
        _ = try a.trust(shop2)
        _ = try b.trust(shop1)
        print("Two branches in \(root): branch-1 and branch-2, sharing the chain's secrets.\n")

        var member = ""
        step("branch-1 adds a member") { let m = try a.addMember(MemberProfile(name: "王芳", phone: "13800000001", birthday: "1990-05-01")); member = m.id; return m.text }
        step("branch-1 issues a stored-value card with PIN 2468") { try a.issueCard(number: "6200000001", member: member, type: .stored, pin: "2468", discountPercent: nil, uses: nil).text }
        step("top-up 100.00") { try a.topUp(card: "6200000001", amount: Money(fen: 10_000), requestKey: nil).text }
        step("charge 30.00 with the PIN") { try a.charge(card: "6200000001", amount: Money(fen: 3_000), pin: "2468", requestKey: "demo-1").text }
        step("the till retries the same request (same request id)") { try a.charge(card: "6200000001", amount: Money(fen: 3_000), pin: "2468", requestKey: "demo-1").text }
        step("charge 80.00: more than the balance") { try a.charge(card: "6200000001", amount: Money(fen: 8_000), pin: "2468", requestKey: nil).text }
        step("charge 1.00 with a wrong PIN") { try a.charge(card: "6200000001", amount: Money(fen: 100), pin: "9999", requestKey: nil).text }
        step("branch-2 syncs from branch-1") { try b.sync(from: a).text }
        step("the member pays 10.00 at branch-2, which holds no rights yet") { try b.charge(card: "6200000001", amount: Money(fen: 1_000), pin: "2468", requestKey: nil).text }
        step("branch-1 moves 40.00 of rights to branch-2; branch-2 syncs") {
            try a.moveRights(card: "6200000001", to: NodeID("branch-2"), amount: Money(fen: 4_000), points: nil).text + "\n" + b.sync(from: a).text
        }
        step("cut off from each other, branch-2 takes 10.00 and branch-1 takes 30.00") {
            try b.charge(card: "6200000001", amount: Money(fen: 1_000), pin: "2468", requestKey: nil).text + "\n"
                + a.charge(card: "6200000001", amount: Money(fen: 3_000), pin: "2468", requestKey: nil).text
        }
        step("heal: sync both ways") { try a.sync(from: b).text + "\n" + b.sync(from: a).text }
        step("both replicas") { try a.show(card: "6200000001", historyLimit: 0).text + "\n" + b.show(card: "6200000001", historyLimit: 0).text }
        step("verify both: each state rebuilt from its op log") { try a.verify().text + "\n" + b.verify().text }
        print("\nThe nodes stay in \(root); try `mms show --data \(shop2.url.path) --card 6200000001`.")
    }
}
