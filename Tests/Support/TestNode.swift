import MMSCore
import MMSCrypto

/// Every generated scenario replays from its seed.
public typealias SeededRandom = SplitMix64

/// A node in a pure test: its own chain, key and in-memory replica, and the ops it holds.
public struct TestNode {
    public let id: NodeID
    public let key: SigningKey
    public var chain: OriginChain
    public var state = MemoryState()
    /// Every op this replica holds, in the order it got them (a causal order).
    public private(set) var log: [SignedOp] = []
    public private(set) var held: Set<OpID> = []
    public var clock: UInt64 = 1_000

    public init(_ name: String, seed: UInt8) {
        id = try! NodeID(name)
        key = try! SigningKey(seed: [UInt8](repeating: seed, count: 32))
        chain = OriginChain(origin: id, head: .genesis, clock: .zero)
    }

    public var teller: Teller { Teller(state: state, origin: id, role: .branch) }

    /// Issues `body` locally: signs it and applies it to this node's replica.
    @discardableResult
    public mutating func issue(_ body: OpBody, actor: Actor = .node) -> SignedOp {
        clock += 1
        let op = chain.issue(body, now: clock, key: key, actor: actor)
        state.apply(op.op.deltas)
        log.append(op)
        held.insert(op.id)
        return op
    }

    /// Applies a remote op once; a duplicate is ignored, as the store ignores it.
    public mutating func receive(_ op: SignedOp) {
        guard held.insert(op.id).inserted else { return }
        chain.observe(op.op.hlc, now: clock)
        state.apply(op.op.deltas)
        log.append(op)
    }

    /// The ops `other` holds that this node lacks, in HLC order: any prefix of it is causally closed.
    public func missing(from other: TestNode) -> [SignedOp] {
        other.log.filter { !held.contains($0.id) }.sorted { ($0.op.hlc, $0.id) < ($1.op.hlc, $1.id) }
    }
}

public enum Sample {
    public static let member = "branch-1.m1"
    public static let card = "6200000001"

    public static func memberAdded(_ id: String = member) -> OpBody {
        .memberAdded(MemberAdded(member: id, sealedName: [1], sealedPhone: [2], sealedBirthday: [3], phoneIndex: [UInt8](repeating: 9, count: 16)))
    }

    public static func storedCard(_ number: String = card, member: String = member) -> OpBody {
        .cardIssued(CardIssued(number: number, member: member, type: .stored, pinHash: "", discountPercent: 0,
                               punchAccount: "", punchUses: 0, replaces: ""))
    }
}
