/// Where a member's stored-value rights should sit *before* the next outage: mostly at the home
/// branch, a share at the branches the member visited last, and a reserve at the head office,
/// which links with every branch and so can answer any branch's request for more.
///
/// Every node computes the same targets from its replica. A node only ever gives away its own
/// rights above its own target (a transfer op it issues after checking them), so placement can
/// never create or overspend money, whatever views the nodes hold; stale views cost at most a
/// transfer that a later pass moves on.
public struct PlacementPolicy: Sendable, Equatable {
    /// Share of the balance, after the reserve, that the home branch holds.
    public var homeSharePercent = 70
    /// How many of the member's most recently visited other branches share the rest.
    public var recentBranches = 2
    /// The head-office node that keeps a reserve of every balance; nil for none.
    public var reserve: NodeID?
    /// Share of the balance the reserve holds.
    public var reservePercent = 10

    public init(homeSharePercent: Int = 70, recentBranches: Int = 2, reserve: NodeID? = nil, reservePercent: Int = 10) {
        self.homeSharePercent = homeSharePercent; self.recentBranches = recentBranches
        self.reserve = reserve; self.reservePercent = reservePercent
    }
}

public enum RightsPlacement {
    /// Target rights per node for a balance of `total`; they sum to `total`. `recent` lists the
    /// member's other branches, most recent first.
    public static func targets(total: Int64, home: NodeID, recent: [NodeID], policy: PlacementPolicy) -> [NodeID: Int64] {
        guard total > 0 else { return [:] }
        var targets: [NodeID: Int64] = [:]
        var rest = total
        if let reserve = policy.reserve, reserve != home {
            let share = total * Int64(policy.reservePercent) / 100
            targets[reserve, default: 0] += share
            rest -= share
        }
        let others = recent.filter { $0 != home && $0 != policy.reserve }.prefix(policy.recentBranches)
        if !others.isEmpty {
            let each = rest * Int64(100 - policy.homeSharePercent) / 100 / Int64(others.count)
            for other in others {
                targets[other, default: 0] += each
                rest -= each
            }
        }
        targets[home, default: 0] += rest
        return targets
    }

    /// The transfers `node` should make now: its rights above its target, given to the nodes
    /// furthest below theirs. A move smaller than `minimumMove` is not worth an op.
    public static func transfers(from node: NodeID, account: EscrowAccount, targets: [NodeID: Int64],
                                 minimumMove: Int64) -> [(to: NodeID, amount: Int64)] {
        var excess = account.rights(at: node) - (targets[node] ?? 0)
        guard excess >= minimumMove, minimumMove > 0 else { return [] }
        let deficits = targets.compactMap { target -> (node: NodeID, deficit: Int64)? in
            let deficit = target.value - Swift.max(0, account.rights(at: target.key))
            return target.key != node && deficit >= minimumMove ? (target.key, deficit) : nil
        }.sorted { ($0.deficit, $1.node) > ($1.deficit, $0.node) }
        var moves: [(to: NodeID, amount: Int64)] = []
        for (to, deficit) in deficits where excess >= minimumMove {
            let amount = Swift.min(deficit, excess)
            moves.append((to, amount))
            excess -= amount
        }
        return moves
    }

    /// Branches other than home, most recently visited first.
    public static func recentBranches(visits: [NodeID: Int64], home: String) -> [NodeID] {
        visits.filter { $0.key.rawValue != home }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
    }

    /// At most this many transfers of one member's rights in one pass of a node: one to each
    /// target the policy names (home, recent branches, the reserve) for each of the principal
    /// and the bonus, so a pass always ends.
    public static func maxTransfersPerPass(_ policy: PlacementPolicy) -> Int { 2 * (policy.recentBranches + 2) }

    /// Moves below 5 % of the balance, or below 1.00, wait for a larger imbalance.
    public static func minimumMove(total: Int64) -> Int64 { Swift.max(100, total / 20) }
}

extension Teller {
    /// The rights of a member's stored value — the principal, then the bonus beside it — this
    /// node should hand on now under `policy`, as transfer op bodies; each is checked against
    /// this node's rights as usual.
    public func placementTransfers(member: String, policy: PlacementPolicy) throws -> [OpBody] {
        var bodies: [OpBody] = []
        for name in [Cell.storedValue(member: member), Cell.bonus(member: member)] {
            let account = try state.escrow(name)
            let minimum = RightsPlacement.minimumMove(total: account.total)
            // Most passes find nothing to give: decide that before reading the member.
            guard account.rights(at: origin) >= minimum, let home = try state.texts(entity: Cell.member(member))[Cell.home] else { continue }
            let recent = RightsPlacement.recentBranches(visits: MemberView.visits(in: try state.maxima(entity: Cell.member(member))), home: home)
            let targets = RightsPlacement.targets(total: account.total, home: NodeID(stored: home), recent: recent, policy: policy)
            bodies += try RightsPlacement.transfers(from: origin, account: account, targets: targets, minimumMove: minimum)
                .map { try transferRights(account: account.account, to: $0.to, amount: $0.amount) }
        }
        return bodies
    }
}
