import MMSCore

/// A seeded, chain-shaped workload over in-memory nodes: members topped up at one branch and
/// paying at others, rights moved between branches, refunds, points, lost cards, and gossip that
/// delivers random causally-closed prefixes between random pairs. Every op comes from the real
/// till rules (`Teller`), so refused requests issue nothing.
public struct Workload {
    public var nodes: [TestNode]
    public var rng: SeededRandom
    public private(set) var refusals: [MMSError.Code: Int] = [:]
    public private(set) var charges: [(node: Int, op: OpID, card: String)] = []
    let cards: [String]

    public init(seed: UInt64, nodeCount: Int, members: Int) {
        rng = SeededRandom(seed: seed)
        nodes = (0..<nodeCount).map { TestNode("branch-\($0 + 1)", seed: UInt8($0 + 1)) }
        var cards: [String] = []
        // Members join at random branches; everyone learns of them before trading starts.
        for m in 0..<members {
            let home = Int.random(in: 0..<nodeCount, using: &rng)
            let member = "\(nodes[home].id).m\(m)", card = "62000\(m)"
            nodes[home].issue(Sample.memberAdded(member))
            nodes[home].issue(Sample.storedCard(card, member: member))
            cards.append(card)
        }
        self.cards = cards
        gossipEverywhere()
    }

    /// Every node pulls everything from every other: after this all replicas hold the same ops.
    public mutating func gossipEverywhere() {
        for _ in 0..<2 {
            for i in nodes.indices { for j in nodes.indices where i != j { deliver(from: j, to: i, limit: .max) } }
        }
    }

    public mutating func deliver(from j: Int, to i: Int, limit: Int) {
        for op in nodes[i].missing(from: nodes[j]).prefix(limit) { nodes[i].receive(op) }
    }

    /// One random step. Returns the index of the node that acted.
    @discardableResult
    public mutating func step() -> Int {
        let i = Int.random(in: 0..<nodes.count, using: &rng)
        let card = cards.randomElement(using: &rng)!
        let amount = Money(fen: Int64.random(in: 1...20_000, using: &rng))
        let teller = nodes[i].teller
        let body: OpBody?
        do {
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<20: body = try teller.topUp(card: card, amount: amount)
            case 20..<50:
                body = try teller.charge(card: card, amount: amount)
            case 50..<58:
                let member = try nodes[i].state.card(card)!.member
                let account = Cell.storedValue(member: member)
                let to = nodes[Int.random(in: 0..<nodes.count, using: &rng)].id
                let rights = try nodes[i].state.escrow(account).rights(at: nodes[i].id)
                body = try teller.transferRights(account: account, to: to, amount: max(1, rights / 2))
            case 58..<64:
                guard let charge = charges.filter({ $0.node == i && $0.card == card }).randomElement(using: &rng) else { body = nil; break }
                body = try teller.refund(card: card, charge: charge.op, amount: Money(fen: amount.fen / 4 + 1))
            case 64..<70: body = try teller.redeemPoints(card: card, points: Points(Int64.random(in: 1...50, using: &rng)))
            case 70..<72: body = try teller.unlockPIN(card)
            default:
                let j = Int.random(in: 0..<nodes.count, using: &rng)
                if j != i { deliver(from: j, to: i, limit: Int.random(in: 1...20, using: &rng)) }
                body = nil
            }
        } catch let error as MMSError {
            refusals[error.code, default: 0] += 1
            body = nil
        } catch {
            preconditionFailure("unexpected \(error)")
        }
        if let body {
            let op = nodes[i].issue(body)
            if case .charge(let c) = body { charges.append((i, op.id, c.card)) }
        }
        return i
    }

    /// All ops issued anywhere.
    public var allOps: [SignedOp] {
        var seen = Set<OpID>()
        return nodes.flatMap(\.log).filter { seen.insert($0.id).inserted }
    }
}
