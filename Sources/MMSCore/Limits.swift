/// Every quantity that grows with input or time has a named bound here.
public enum Limits {
    /// Largest single top-up, charge or refund: 50,000.00 yuan. Keeps a typo from moving a fortune
    /// and keeps every sum far from Int64 overflow.
    public static let maxAmount = Money(fen: 5_000_000)
    /// Largest points quantity in one op, for the same reasons as `maxAmount`.
    public static let maxPoints = Points(100_000_000)
    /// Largest number of uses sold on one punch card.
    public static let maxPunchUses: Int64 = 1_000
    /// How far ahead of our wall clock a remote op's stamp may be and still move our clock (5 min).
    public static let maxClockAheadMillis: UInt64 = 5 * 60 * 1000
    /// Wrong PIN entries, counted chain-wide since the last unlock, after which a card is locked.
    public static let maxPinFailures: Int64 = 5
    /// Wrong passwords, counted chain-wide since the last password change, after which an operator is locked.
    public static let maxLoginFailures: Int64 = 5
    /// An encoded op larger than this is malformed: bounds memory per op and per batch.
    public static let maxOpBytes = 16 * 1024
    /// Ops per replication batch (request or response).
    public static let maxOpsPerBatch = 4_096
    /// Out-of-order remote ops held while waiting for the gap before them to fill.
    public static let maxPendingOps = 65_536
    /// Length of identifiers: node ids, member ids, card numbers, idempotency keys.
    public static let maxIdentifierLength = 64
    /// Length of a free-text profile field (a name).
    public static let maxTextLength = 200
    /// PIN length in digits.
    public static let pinDigits = 4...6
}
