import MMSCore
import MMSTestSupport
import PropertyBased
import Testing

/// The rebalancing policy: targets add up to the balance, a node only gives what it holds above
/// its target, and passes at every node (with gossip between) settle near the targets.
@Suite struct PlacementTests {
    let policy = PlacementPolicy(homeSharePercent: 70, recentBranches: 2, reserve: try! NodeID("hq"), reservePercent: 10)
    func id(_ s: String) -> NodeID { try! NodeID(s) }

    @Test func targetsSplitTheBalanceBetweenReserveHomeAndRecentBranches() {
        let t = RightsPlacement.targets(total: 10_000, home: id("b1"), recent: [id("b3"), id("b2"), id("b4")], policy: policy)
        // 10 % reserve; of the 9,000 left, 30 % over the two most recent others; home the rest.
        #expect(t == [id("hq"): 1_000, id("b3"): 1_350, id("b2"): 1_350, id("b1"): 6_300])
        #expect(RightsPlacement.targets(total: 10_001, home: id("b1"), recent: [id("b2")], policy: policy).values.reduce(0, +) == 10_001)
        #expect(RightsPlacement.targets(total: 500, home: id("b1"), recent: [], policy: policy) == [id("hq"): 50, id("b1"): 450])
        #expect(RightsPlacement.targets(total: 0, home: id("b1"), recent: [], policy: policy).isEmpty)
    }

    @Test func aNodeGivesOnlyItsExcessAndNothingSmallerThanTheMinimum() {
        let account = EscrowAccount(account: "sv:m", credited: [id("b1"): 10_000], debited: [:], movedIn: [:], movedOut: [:])
        let targets = RightsPlacement.targets(total: 10_000, home: id("b1"), recent: [id("b2")], policy: policy)
        let moves = RightsPlacement.transfers(from: id("b1"), account: account, targets: targets, minimumMove: 500)
        #expect(moves.map(\.to) == [id("b2"), id("hq")] && moves.map(\.amount) == [2_700, 1_000])
        #expect(RightsPlacement.transfers(from: id("b2"), account: account, targets: targets, minimumMove: 500).isEmpty)
        #expect(RightsPlacement.transfers(from: id("b1"), account: account, targets: targets, minimumMove: 5_000).isEmpty)
    }

    /// Random balances, spending and visits at four nodes; every node runs its pass against its
    /// own replica between gossip rounds. Rights never go negative, money is neither made nor lost,
    /// and once gossip has settled every node is within one minimum move of its target.
    @Test func passesAtEveryNodeSettleNearTheTargets() async {
        await propertyCheck(count: 30, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var random = SeededRandom(seed: seed)
            let names = ["hq", "branch-1", "branch-2", "branch-3"]
            var nodes = names.enumerated().map { TestNode($1, seed: UInt8($0 + 1)) }
            func gossip() { for i in nodes.indices { for j in nodes.indices where i != j { for op in nodes[j].missing(from: nodes[i]) { nodes[j].receive(op) } } } }
            for body in [Sample.memberAdded(), Sample.storedCard()] { let op = nodes[1].issue(body); for j in nodes.indices { nodes[j].receive(op) } }
            _ = nodes[1].issue(try! nodes[1].teller.topUp(card: Sample.card, amount: Money(fen: Int64.random(in: 1_000...500_000, using: &random))))
            gossip()
            for _ in 0..<6 {
                // A visit: a small charge at a random branch, within what it holds.
                let at = Int.random(in: 1...3, using: &random)
                if let body = try? nodes[at].teller.charge(card: Sample.card, amount: Money(fen: Int64.random(in: 1...2_000, using: &random))) {
                    _ = nodes[at].issue(body)
                }
                for _ in 0..<3 {
                    for i in nodes.indices {
                        for body in try! nodes[i].teller.placementTransfers(member: Sample.member, policy: policy).prefix(1) { _ = nodes[i].issue(body) }
                    }
                    if Bool.random(using: &random) { gossip() }
                }
            }
            for _ in 0..<6 {
                gossip()
                for i in nodes.indices {
                    while let body = try! nodes[i].teller.placementTransfers(member: Sample.member, policy: policy).first { _ = nodes[i].issue(body) }
                }
            }
            gossip()
            let account = try! nodes[0].state.escrow(Cell.storedValue(member: Sample.member))
            let view = try! nodes[0].state.member(Sample.member)!
            let targets = RightsPlacement.targets(total: account.total, home: NodeID(stored: view.home), recent: view.recentBranches, policy: policy)
            let slack = RightsPlacement.minimumMove(total: account.total)
            #expect(Set(nodes.map(\.state.stateHash)).count == 1, "seed \(seed): replicas differ")
            for name in names.map(id) {
                #expect(account.rights(at: name) >= 0, "seed \(seed): negative rights at \(name)")
                #expect(abs(account.rights(at: name) - (targets[name] ?? 0)) < slack * Int64(names.count - 1),
                        "seed \(seed): \(name) holds \(account.rights(at: name)), target \(targets[name] ?? 0)")
            }
        }
    }
}
