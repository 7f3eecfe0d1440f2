/// Chain settings, set by the head office (LWW registers) and read by every replica alike,
/// so every replica derives the same tier and points from the same state.
public enum Tier: String, Sendable, CaseIterable, Comparable {
    case standard, silver, gold, platinum
    public static func < (a: Tier, b: Tier) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

public enum Settings {
    /// Points earned per whole yuan paid.
    public static let pointsPerYuan = "points.per_yuan"
    public static func tierSpend(_ tier: Tier) -> String { "tier.\(tier.rawValue).spend" }
    public static func tierTopUp(_ tier: Tier) -> String { "tier.\(tier.rawValue).topup" }
    /// What the staff member credited with a top-up earns: a percent of it or a fixed sum.
    public static let commissionPerTopUp = "commission.topup"
    /// What the staff member credited with selling a card earns.
    public static let commissionPerCard = "commission.card"

    public static let rankedTiers: [Tier] = [.silver, .gold, .platinum]

    public static let defaults: [String: String] = {
        var d = [pointsPerYuan: "1", commissionPerTopUp: "0%", commissionPerCard: "0.00"]
        let thresholds: [(Tier, String, String)] = [
            (.silver, "1000.00", "500.00"), (.gold, "5000.00", "2000.00"), (.platinum, "20000.00", "10000.00"),
        ]
        for (tier, spend, topUp) in thresholds {
            d[tierSpend(tier)] = spend
            d[tierTopUp(tier)] = topUp
        }
        return d
    }()

    public static func isKnown(_ key: String) -> Bool { defaults[key] != nil }

    /// Checks a value for `key` before it becomes an op.
    public static func validate(key: String, value: String) throws {
        guard isKnown(key) else {
            throw MMSError(.invalidArgument, "Unknown setting “\(key.prefix(40))”. Known: \(defaults.keys.sorted().joined(separator: ", ")).")
        }
        if key == commissionPerTopUp || key == commissionPerCard {
            _ = try CommissionRule(parsing: value)
        } else if key == pointsPerYuan {
            guard let n = Int64(value), (0...100).contains(n) else {
                throw MMSError(.invalidArgument, "points.per_yuan must be a whole number from 0 to 100.")
            }
        } else {
            guard Money(parsing: value) != nil else {
                throw MMSError(.invalidAmount, "\(key) must be an amount like 1000.00.")
            }
        }
    }
}
