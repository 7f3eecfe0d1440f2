/// The figures a member's tier is decided on — net spend, the largest single top-up, points
/// earned — folded from the member's counters and maxima. One formula for the member's view
/// (`StateReader.member`) and the report tables (`ReportFacts`), which fold the same deltas.
public struct TierFigures: Sendable, Equatable {
    public var netSpend: Int64 = 0, largestTopUp: Int64 = 0, pointsEarned: Int64 = 0
    public init() {}
    public init(netSpend: Int64, largestTopUp: Int64, pointsEarned: Int64) {
        self.netSpend = netSpend; self.largestTopUp = largestTopUp; self.pointsEarned = pointsEarned
    }

    /// Adds `amount` added to the member's counter `name`: spend less what was given back; points
    /// of the lots less what returns took back and what other members gave (never earned here).
    public mutating func add(counter name: String, amount: Int64) {
        switch name {
        case Cell.spent: netSpend += amount
        case Cell.refunded, Cell.returnedOther: netSpend -= amount
        case Cell.pointsTakenBack, Cell.pointsReceived: pointsEarned -= amount
        default: if name.hasPrefix(Cell.pointsLotPrefix) { pointsEarned += amount }
        }
    }

    /// Raises the member's max-register `name` to `value`.
    public mutating func raise(maximum name: String, to value: Int64) {
        if name == Cell.largestTopUp { largestTopUp = max(largestTopUp, value) }
    }

    /// Both figures' changes together: sums, and the larger top-up.
    public mutating func merge(_ other: TierFigures) {
        netSpend += other.netSpend; pointsEarned += other.pointsEarned; largestTopUp = max(largestTopUp, other.largestTopUp)
    }

    /// The figures an op's deltas add to each member they touch.
    public static func changes(in deltas: [Delta]) -> [String: TierFigures] {
        var changes: [String: TierFigures] = [:]
        for delta in deltas {
            switch delta {
            case .add(let entity, let name, _, let amount):
                guard let member = Cell.memberID(entity) else { continue }
                var figures = changes[member] ?? TierFigures()
                figures.add(counter: name, amount: amount)
                if figures != TierFigures() || changes[member] != nil { changes[member] = figures }
            case .max(let entity, let name, let value):
                guard name == Cell.largestTopUp, let member = Cell.memberID(entity) else { continue }
                changes[member, default: TierFigures()].raise(maximum: name, to: value)
            default: continue
            }
        }
        return changes
    }
}

/// The chain's tiers as one decision: the program's ladder when it names tiers, else the chain
/// settings' thresholds. Built once, it decides any number of members.
public struct TierLadder: Sendable {
    let rules: [TierRule]
    /// The chain settings' thresholds, read once: (tier, spend, one top-up), from the lowest.
    let thresholds: [(tier: Tier, spend: Money, topUp: Money)]

    public init(program: Program, settings: [String: String]) {
        rules = program.tiers
        thresholds = Settings.rankedTiers.map { tier in
            (tier, Money(parsing: settings[Settings.tierSpend(tier)] ?? "") ?? Limits.maxAmount,
             Money(parsing: settings[Settings.tierTopUp(tier)] ?? "") ?? Limits.maxAmount)
        }
    }

    /// The highest tier whose spend, points or single top-up threshold the figures reach.
    public func tier(_ f: TierFigures) -> Tier {
        let netSpend = Money(fen: f.netSpend), largestTopUp = Money(fen: f.largestTopUp)
        if !rules.isEmpty {
            return rules.last { rule in
                rule.tier == .standard || (rule.spend.map { netSpend >= $0 } ?? false) || (rule.singleTopup.map { largestTopUp >= $0 } ?? false)
                    || (rule.points.map { f.pointsEarned >= $0 } ?? false)
            }?.tier ?? .standard
        }
        var reached = Tier.standard
        for step in thresholds where netSpend >= step.spend || largestTopUp >= step.topUp { reached = step.tier }
        return reached
    }

    /// One step of the ladder: its name and what reaches it (nil: that way does not).
    public struct Step: Sendable {
        public let tier: Tier, name: String
        public let spend: Money?, singleTopup: Money?, points: Int64?
    }

    /// The tiers from the lowest, with the name the program gives each and their thresholds.
    public var steps: [Step] {
        let standard = Step(tier: .standard, name: Tier.standard.rawValue, spend: nil, singleTopup: nil, points: nil)
        guard rules.isEmpty else {
            // A member below every rule is standard, named or not.
            return (rules.contains { $0.tier == .standard } ? [] : [standard])
                + rules.map { Step(tier: $0.tier, name: $0.name, spend: $0.spend, singleTopup: $0.singleTopup, points: $0.points) }
        }
        return [standard] + thresholds.map { Step(tier: $0.tier, name: $0.tier.rawValue, spend: $0.spend, singleTopup: $0.topUp, points: nil) }
    }
}

/// The tier a member held at the end of a month, from what changed their figures in each month
/// (`YYYYMM`): every figure up to that month's end, or — under a tier review — only those of its
/// year and the review's years before it (what `StateReader.tier(of:on:)` decides on today).
public struct TierHistory: Sendable {
    public let ladder: TierLadder
    public let review: TierReview?
    public init(ladder: TierLadder, review: TierReview?) { self.ladder = ladder; self.review = review }

    /// `months`: the member's figures changed in each month, in any order.
    public func tier(endOf month: Int64, _ months: [(month: Int64, figures: TierFigures)]) -> Tier {
        var figures = TierFigures()
        for m in months where m.month <= month && (review?.counts(year: Int(m.month / 100), at: Int(month / 100)) ?? true) { figures.merge(m.figures) }
        return ladder.tier(figures)
    }
}

extension TierReview {
    /// Whether the figures of `year` count in the tier decided in year `at`: that year and the `years` before it.
    public func counts(year: Int, at: Int) -> Bool { (at - Int(years)...at).contains(year) }
}
