/// Read access to a replica's CRDT cells, one entity at a time (a card, a member, an account):
/// the SQLite store answers each with one query. The SQLite store and the in-memory state
/// (simulator, tests) both provide it; the typed views and the till rules are written once, on top.
public protocol StateReader {
    /// Every grow-only counter of an entity: name → per-node slots.
    func counters(entity: String) throws -> [String: [NodeID: Int64]]
    /// Every max-register of an entity, by name.
    func maxima(entity: String) throws -> [String: Int64]
    /// Every last-writer-wins register of an entity, by name.
    func registers(entity: String) throws -> [String: [UInt8]]
    /// The names of an entity's raised flags.
    func flags(entity: String) throws -> Set<String>
}

extension StateReader {
    public func counter(entity: String, name: String) throws -> [NodeID: Int64] {
        try counters(entity: entity)[name] ?? [:]
    }

    public func texts(entity: String) throws -> [String: String] {
        try registers(entity: entity).mapValues { String(decoding: $0, as: UTF8.self) }
    }

    public func settings() throws -> [String: String] {
        Settings.defaults.merging(try texts(entity: Cell.settings).filter { Settings.isKnown($0.key) }) { $1 }
    }

    public func setting(_ key: String) throws -> String { try settings()[key]! }

    public func escrow(_ account: String) throws -> EscrowAccount {
        let c = try counters(entity: account)
        return EscrowAccount(account: account, credited: c[Cell.credited] ?? [:], debited: c[Cell.debited] ?? [:],
                             movedIn: c[Cell.movedIn] ?? [:], movedOut: c[Cell.movedOut] ?? [:])
    }
}

/// A bounded counter with escrow: `rights(i) = credited[i] + movedIn[i] − movedOut[i] − debited[i]`.
/// Only node i issues ops that lower its rights, after checking them, so the total never goes below zero.
public struct EscrowAccount: Equatable, Sendable {
    public let account: String
    public let credited, debited, movedIn, movedOut: [NodeID: Int64]

    public init(account: String, credited: [NodeID: Int64], debited: [NodeID: Int64], movedIn: [NodeID: Int64], movedOut: [NodeID: Int64]) {
        self.account = account; self.credited = credited; self.debited = debited; self.movedIn = movedIn; self.movedOut = movedOut
    }

    public func rights(at node: NodeID) -> Int64 {
        (credited[node] ?? 0) + (movedIn[node] ?? 0) - (movedOut[node] ?? 0) - (debited[node] ?? 0)
    }

    /// Everything ever credited (top-ups and refunds; points earned; uses sold).
    public var totalCredited: Int64 { credited.values.reduce(0, +) }

    /// The account's value: transfers cancel out.
    public var total: Int64 { credited.values.reduce(0, +) - debited.values.reduce(0, +) }

    public var nodes: Set<NodeID> { Set(credited.keys).union(debited.keys).union(movedIn.keys).union(movedOut.keys) }

    /// Nodes holding rights, largest first.
    public var holders: [(node: NodeID, rights: Int64)] {
        nodes.map { ($0, rights(at: $0)) }.filter { $0.1 != 0 }.sorted { ($0.1, $1.0) > ($1.1, $0.0) }
    }
}

public struct CouponView: Equatable, Sendable {
    public let code: String
    public let member: String
    public let value: Money
    public let title: String
    /// 1 until redeemed, then 0.
    public let left: Int64
    /// From a template: which, the spend it needs, its last day (`YYYYMMDD`, 0: none).
    public let template: String
    public let minSpend: Money
    public let validUntil: Int64
}

/// What state a card is in, most severe first.
public enum CardStatus: String, Sendable {
    case active, locked, blocked, lost, retired, returned
}

public struct CardView: Equatable, Sendable {
    public let number: String
    public let member: String
    public let type: CardType
    /// The percent of the price a sale on this card pays: a discount card's, or a stored-value
    /// card's that carries one; 100 otherwise.
    public var pricePercent: Int64 { type != .punch && (1...100).contains(discountPercent) ? discountPercent : 100 }
    public let pinHash: String
    public let discountPercent: Int64
    public let punchAccount: String
    public let status: CardStatus
    public let replacedBy: String?
    /// Wrong PIN entries seen chain-wide since the last unlock.
    public let pinFailures: Int64
    /// The program's card product it was issued as (or empty), its last day (`YYYYMMDD`, 0: none),
    /// and whether it earns points.
    public let product: String
    public let expires: Int64
    public let earnsPoints: Bool
    /// A first-day share: where and when (`YYYYMMDD`) the card was issued, its cap, what was spent that day.
    public let issuedBy: String
    public let issuedDay: Int64
    public let firstDayCap: Money
    public let firstDaySpent: Money
}

public struct MemberView: Equatable, Sendable {
    public let id: String
    public let sealedName, sealedPhone, sealedBirthday: [UInt8]
    public let home: String
    public let spent, refunded, largestTopUp: Money
    /// What returns gave back other than to stored value (cash, bank, mobile, points, coupon).
    public let returnedOther: Money
    /// What the tier is decided on (`TierFigures`: its one fold of the member's cells).
    public let figures: TierFigures
    /// Spend that counts for tiers: what was spent less everything given back.
    public var netSpend: Money { Money(fen: figures.netSpend) }
    /// Points earned (lots, less what returns took back and what other members gave).
    public var pointsEarned: Int64 { figures.pointsEarned }
    /// The tier by every figure ever (a program with a tier review decides by `StateReader.tier(of:on:)`).
    public let tier: Tier
    /// When the member last paid or topped up at each node (HLC wall millis).
    public let visits: [NodeID: Int64]
    /// The figures of each year, for a tier review.
    public var years: [Int: MemberYear] = [:]
    /// The day they joined (`YYYYMMDD`), or 0 for members added before it was kept.
    public var joined: Int64 = 0

    /// Branches other than home, most recently visited first.
    public var recentBranches: [NodeID] { RightsPlacement.recentBranches(visits: visits, home: home) }

    /// The visits recorded among a member's max-registers.
    static func visits(in maxima: [String: Int64]) -> [NodeID: Int64] {
        var visits: [NodeID: Int64] = [:]
        for (name, millis) in maxima where name.hasPrefix(Cell.visitedPrefix) {
            if let node = try? NodeID(String(name.dropFirst(Cell.visitedPrefix.count))) { visits[node] = millis }
        }
        return visits
    }
}

extension StateReader {
    public func card(_ number: String) throws -> CardView? {
        let e = Cell.card(number)
        let text = try texts(entity: e)
        guard let member = text[Cell.cardMember], let type = text[Cell.cardType].flatMap(CardType.init(rawValue:)) else { return nil }
        let failures = try counter(entity: e, name: Cell.pinFailures)
        let unlocked = try maxima(entity: e)
        let effective = failures.reduce(Int64(0)) { sum, slot in
            sum + Swift.max(0, slot.value - (unlocked[Cell.pinUnlocked(slot.key)] ?? 0))
        }
        let raised = try flags(entity: e)
        let status: CardStatus =
            raised.contains(Cell.retired) ? .retired
            : raised.contains(Cell.cardReturned) ? .returned
            : raised.contains(Cell.reported(.lost)) ? .lost
            : raised.contains(Cell.reported(.blocked)) ? .blocked
            : effective >= Limits.maxPinFailures ? .locked : .active
        return CardView(
            number: number, member: member, type: type,
            pinHash: text[Cell.pinHash] ?? "",
            discountPercent: Int64(text[Cell.discount] ?? "") ?? 100,
            punchAccount: text[Cell.punchAccount] ?? "",
            status: status,
            replacedBy: text[Cell.replacedBy],
            pinFailures: effective,
            product: text[Cell.cardProduct] ?? "",
            expires: unlocked[Cell.cardExpires] ?? 0,
            earnsPoints: text[Cell.cardNoPoints] != "1",
            issuedBy: text[Cell.cardIssuedBy] ?? "",
            issuedDay: unlocked[Cell.cardIssuedDay] ?? 0,
            firstDayCap: Money(fen: unlocked[Cell.cardFirstDayCap] ?? 0),
            firstDaySpent: Money(fen: try counter(entity: e, name: Cell.cardFirstDaySpent).values.reduce(0, +)))
    }

    public func coupon(_ code: String) throws -> CouponView? {
        let e = Cell.coupon(code)
        let text = try texts(entity: e)
        guard let member = text[Cell.cardMember] else { return nil }
        return CouponView(code: code, member: member, value: Money(fen: Int64(text[Cell.couponValue] ?? "") ?? 0),
                          title: text[Cell.couponTitle] ?? "", left: try escrow(e).total,
                          template: text[Cell.couponTemplate] ?? "", minSpend: Money(fen: Int64(text[Cell.couponMinSpend] ?? "") ?? 0),
                          validUntil: try maxima(entity: e)[Cell.couponValidUntil] ?? 0)
    }

    public func member(_ id: String) throws -> MemberView? {
        let e = Cell.member(id)
        let registers = try registers(entity: e)
        guard let home = registers[Cell.home].map({ String(decoding: $0, as: UTF8.self) }) else { return nil }
        let counters = try counters(entity: e)
        func total(_ name: String) -> Int64 { counters[name]?.values.reduce(0, +) ?? 0 }
        let spent = total(Cell.spent), refunded = total(Cell.refunded), returnedOther = total(Cell.returnedOther)
        let maxima = try maxima(entity: e)
        let largestTopUp = maxima[Cell.largestTopUp] ?? 0
        var figures = TierFigures()
        for (name, slots) in counters { figures.add(counter: name, amount: slots.values.reduce(0, +)) }
        figures.raise(maximum: Cell.largestTopUp, to: largestTopUp)
        return MemberView(
            id: id,
            sealedName: registers[Cell.name] ?? [],
            sealedPhone: registers[Cell.phone] ?? [],
            sealedBirthday: registers[Cell.birthday] ?? [],
            home: home,
            spent: Money(fen: spent), refunded: Money(fen: refunded),
            largestTopUp: Money(fen: largestTopUp), returnedOther: Money(fen: returnedOther),
            figures: figures,
            tier: try tierLadder().tier(figures),
            visits: MemberView.visits(in: maxima), years: MemberYear.years(counters: counters, maxima: maxima), joined: maxima[Cell.joined] ?? 0)
    }

    /// The member's tier on `day`: by every figure ever, or — when the program reviews tiers —
    /// by the figures of that day's year and the `years` before it.
    public func tier(of view: MemberView, on day: String) throws -> Tier {
        guard let review = try program().program.tierReview, let year = Int(day.prefix(4)) else { return view.tier }
        let window = view.years.filter { review.counts(year: $0.key, at: year) }.values
        let points = window.map(\.points).reduce(0, +)
        return try tierLadder().tier(TierFigures(netSpend: window.map { $0.spent - $0.givenBack }.reduce(0, +),
                                                 largestTopUp: window.map(\.largestTopUp).max() ?? 0, pointsEarned: points))
    }

    /// The chain's tiers as they stand: head office's program when it names tiers, else the chain settings.
    public func tierLadder() throws -> TierLadder { TierLadder(program: try program().program, settings: try settings()) }
}
