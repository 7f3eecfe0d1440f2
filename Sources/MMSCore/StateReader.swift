/// Read access to a replica's CRDT cells. The SQLite store and the in-memory state (simulator,
/// tests) both provide it; the typed views and the till rules are written once, on top of it.
public protocol StateReader {
    /// The per-node slots of a grow-only counter.
    func counter(entity: String, name: String) throws -> [NodeID: Int64]
    /// Every max-register of an entity, by name.
    func maxima(entity: String) throws -> [String: Int64]
    func register(entity: String, name: String) throws -> [UInt8]?
    func isRaised(entity: String, name: String) throws -> Bool
}

extension StateReader {
    public func counterTotal(entity: String, name: String) throws -> Int64 {
        try counter(entity: entity, name: name).values.reduce(0, +)
    }

    public func text(entity: String, name: String) throws -> String? {
        try register(entity: entity, name: name).map { String(decoding: $0, as: UTF8.self) }
    }

    public func setting(_ key: String) throws -> String {
        try text(entity: Cell.settings, name: key) ?? Settings.defaults[key]!
    }

    public func escrow(_ account: String) throws -> EscrowAccount {
        EscrowAccount(
            account: account,
            credited: try counter(entity: account, name: Cell.credited),
            debited: try counter(entity: account, name: Cell.debited),
            movedIn: try counter(entity: account, name: Cell.movedIn),
            movedOut: try counter(entity: account, name: Cell.movedOut))
    }
}

/// A bounded counter with escrow: `rights(i) = credited[i] + movedIn[i] − movedOut[i] − debited[i]`.
/// Only node i issues ops that lower its rights, after checking them, so the total never goes below zero.
public struct EscrowAccount: Equatable, Sendable {
    public let account: String
    public let credited, debited, movedIn, movedOut: [NodeID: Int64]

    public func rights(at node: NodeID) -> Int64 {
        (credited[node] ?? 0) + (movedIn[node] ?? 0) - (movedOut[node] ?? 0) - (debited[node] ?? 0)
    }

    /// The account's value: transfers cancel out.
    public var total: Int64 { credited.values.reduce(0, +) - debited.values.reduce(0, +) }

    public var nodes: Set<NodeID> { Set(credited.keys).union(debited.keys).union(movedIn.keys).union(movedOut.keys) }

    /// Nodes holding rights, largest first.
    public var holders: [(node: NodeID, rights: Int64)] {
        nodes.map { ($0, rights(at: $0)) }.filter { $0.1 != 0 }.sorted { ($0.1, $1.0) > ($1.1, $0.0) }
    }
}

/// What state a card is in, most severe first.
public enum CardStatus: String, Sendable {
    case active, locked, blocked, lost, retired
}

public struct CardView: Equatable, Sendable {
    public let number: String
    public let member: String
    public let type: CardType
    public let pinHash: String
    public let discountPercent: Int64
    public let punchAccount: String
    public let status: CardStatus
    public let replacedBy: String?
    /// Wrong PIN entries seen chain-wide since the last unlock.
    public let pinFailures: Int64
}

public struct MemberView: Equatable, Sendable {
    public let id: String
    public let sealedName, sealedPhone, sealedBirthday: [UInt8]
    public let home: String
    public let spent, refunded, toppedUp, largestTopUp: Money
    public let pointsEarned, pointsRedeemed: Points
    public let tier: Tier
}

extension StateReader {
    public func card(_ number: String) throws -> CardView? {
        let e = Cell.card(number)
        guard let member = try text(entity: e, name: Cell.cardMember),
              let type = try text(entity: e, name: Cell.cardType).flatMap(CardType.init(rawValue:)) else { return nil }
        let failures = try counter(entity: e, name: Cell.pinFailures)
        let unlocked = try maxima(entity: e)
        let effective = failures.reduce(Int64(0)) { sum, slot in
            sum + Swift.max(0, slot.value - (unlocked[Cell.pinUnlocked(slot.key)] ?? 0))
        }
        let status: CardStatus =
            try isRaised(entity: e, name: Cell.retired) ? .retired
            : try isRaised(entity: e, name: Cell.reported(.lost)) ? .lost
            : try isRaised(entity: e, name: Cell.reported(.blocked)) ? .blocked
            : effective >= Limits.maxPinFailures ? .locked : .active
        return CardView(
            number: number, member: member, type: type,
            pinHash: try text(entity: e, name: Cell.pinHash) ?? "",
            discountPercent: Int64(try text(entity: e, name: Cell.discount) ?? "") ?? 100,
            punchAccount: try text(entity: e, name: Cell.punchAccount) ?? "",
            status: status,
            replacedBy: try text(entity: e, name: Cell.replacedBy),
            pinFailures: effective)
    }

    public func member(_ id: String) throws -> MemberView? {
        let e = Cell.member(id)
        guard let home = try text(entity: e, name: Cell.home) else { return nil }
        let spent = try counterTotal(entity: e, name: Cell.spent), refunded = try counterTotal(entity: e, name: Cell.refunded)
        let largestTopUp = try maxima(entity: e)[Cell.largestTopUp] ?? 0
        return MemberView(
            id: id,
            sealedName: try register(entity: e, name: Cell.name) ?? [],
            sealedPhone: try register(entity: e, name: Cell.phone) ?? [],
            sealedBirthday: try register(entity: e, name: Cell.birthday) ?? [],
            home: home,
            spent: Money(fen: spent), refunded: Money(fen: refunded),
            toppedUp: Money(fen: try counterTotal(entity: e, name: Cell.toppedUp)),
            largestTopUp: Money(fen: largestTopUp),
            pointsEarned: Points(try counterTotal(entity: e, name: Cell.pointsEarned)),
            pointsRedeemed: Points(try counterTotal(entity: e, name: Cell.pointsRedeemed)),
            tier: try tier(netSpend: Money(fen: spent - refunded), largestTopUp: Money(fen: largestTopUp)))
    }

    /// The highest tier whose spend or single top-up threshold the member has reached.
    public func tier(netSpend: Money, largestTopUp: Money) throws -> Tier {
        var reached = Tier.standard
        for tier in Settings.rankedTiers {
            let spend = Money(parsing: try setting(Settings.tierSpend(tier))) ?? Limits.maxAmount
            let topUp = Money(parsing: try setting(Settings.tierTopUp(tier))) ?? Limits.maxAmount
            if netSpend >= spend || largestTopUp >= topUp { reached = tier }
        }
        return reached
    }
}
