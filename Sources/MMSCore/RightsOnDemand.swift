/// Rights on demand: when a till is refused only because a balance's escrow rights sit at other
/// nodes, its node asks for them, and a node asked answers. One set of rules, pure, that the node
/// server and the simulator both execute — each with its own transport and clock.
public enum RightsOnDemand {
    /// How long a till waits for asked-for rights before its one retry.
    public static let waitMillis: UInt64 = 3_000

    /// After a refusal: how much to ask for (the shortfall here, at most one op's worth), or nil
    /// when asking cannot help (the balance itself is short, or the refusal is of another kind).
    public static func shortfall(after refusal: MMSError, amount: Int64, rightsHere: Int64) -> Int64? {
        guard refusal.isShortOfRightsOnly else { return nil }
        return max(1, min(amount - max(0, rightsHere), Limits.maxAmount.fen))
    }

    /// One request to send: ask `to` to move `amount` of its rights to this node (or, relaying,
    /// to `beneficiary`).
    public struct Request: Equatable, Sendable {
        public let to: NodeID
        public let amount: Int64
        public let beneficiary: NodeID?
    }

    /// Whom to ask for `amount` of `account`: the linked holders, largest first, each for what it
    /// holds; then a branch asks the head office for the rest (it holds a reserve and relays what
    /// it cannot cover). `isLinked` says which nodes this node has a link to now. No request ever
    /// asks more than one op may move.
    public static func plan(account: EscrowAccount, amount: Int64, me: NodeID, role: NodeRole, beneficiary: NodeID?,
                            headOffices: [NodeID], isLinked: (NodeID) -> Bool) -> [Request] {
        let amount = min(amount, Limits.maxAmount.fen)
        let asker = beneficiary ?? me
        let offices = beneficiary == nil && role == .branch ? headOffices : []
        var requests: [Request] = [], covered: Int64 = 0
        for holder in account.holders where covered < amount {
            guard holder.node != me, holder.node != asker, holder.rights > 0, !offices.contains(holder.node), isLinked(holder.node) else { continue }
            let want = min(amount - covered, holder.rights)
            requests.append(Request(to: holder.node, amount: want, beneficiary: beneficiary))
            covered += want
        }
        for office in offices where covered < amount && isLinked(office) {
            requests.append(Request(to: office, amount: amount - covered, beneficiary: nil))
            covered = amount
        }
        return requests
    }

    /// Answering a request for `requested`: grant what this node holds of it (within one op), and
    /// — at the head office, for a request it may relay — ask its own linked holders for the rest,
    /// once, naming the asker.
    public static func answer(requested: Int64, held: Int64, role: NodeRole, relayable: Bool) -> (grant: Int64, relay: Int64) {
        let grant = max(0, min(requested, held, Limits.maxAmount.fen))
        let relay = relayable && role == .hq ? max(0, requested - grant) : 0
        return (grant, relay)
    }
}

/// Who pushes what between gossip rounds.
public enum PushPolicy {
    /// The head office is the hub, linked with every branch: it pushes what it applied from a peer
    /// as well as its own; a branch pushes only what it committed itself.
    public static func forwardsAppliedOps(role: NodeRole) -> Bool { role == .hq }
}
