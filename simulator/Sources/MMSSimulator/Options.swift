import MMSCore

/// What one simulated run is: the chain's size, the seed every random choice comes from, how long
/// it runs in simulated time, and the rules the tills follow.
public struct SimulationOptions: Sendable {
    public var nodes = 48
    public var seed: UInt64 = 1
    /// Simulated milliseconds of trading before the final heal.
    public var durationMillis: UInt64 = 6 * 3_600_000
    /// Faults on (drawn per seed) or a fault-free run of the same workload.
    public var faults = true
    public var policy = PaymentPolicy.escrow
    /// A rule broken on purpose, to prove the checkers catch it.
    public var broken: BrokenRule?
    public var gossipIntervalMillis: UInt64 = 1_000
    /// Each branch takes a payment about this often (busy hour: every ~10 s).
    public var paymentIntervalMillis: UInt64 = 10_000
    /// Members per branch.
    public var membersPerBranch = 20
    /// Simulated seconds the liveness phase may take after the final heal before it fails.
    public var convergenceBoundRounds = 120
    public var recordHistory = false
    public var recordTrace = false
    /// Also runs the same workload without faults, for `availability`.
    public var measureAvailability = true
    /// Where each node keeps its replica: in memory (fast), or also in its real SQLite store.
    public var store = StoreKind.memory
    /// Every run partitions and crashes, often enough to matter within its duration (sweeps in tests).
    public var guaranteePartitionsAndCrashes = false
    /// The calendar time (Unix milliseconds) at simulated time 0: every node's wall clock is this
    /// plus simulated time plus its skew, and date rules read the day from it. 2026-12-31
    /// 23:57:00 China Standard Time, so every run of 3 minutes or more crosses a midnight and a year
    /// end: one-day coupons expire during the run and points fall into two years' lots.
    public var calendarStartMillis: UInt64 = 1_798_732_620_000

    public init() {}
}

public enum StoreKind: String, Sendable, CaseIterable {
    case memory, sqlite
}

/// How a till decides a stored-value payment.
public enum PaymentPolicy: String, Sendable, CaseIterable {
    /// MMS: spend only the rights held here; ask for more when short.
    case escrow
    /// Common POS systems: refuse stored-value payments while the head office is unreachable.
    case offlineRefuse = "offline-refuse"
    /// Unsafe: accept whenever the balance this replica sees covers the amount.
    case alwaysAccept = "always-accept"
}

/// Deliberately broken rules (test builds of the checkers): each must be caught within a sweep.
public enum BrokenRule: String, Sendable, CaseIterable {
    /// Charges skip the escrow rights check (overdrafts must be found).
    case chargeWithoutRights = "charge-without-rights"
    /// A crash loses the node's last few acknowledged ops (lost ops must be found).
    case dropOpsOnCrash = "drop-ops-on-crash"
    /// A receiver confirms a transfer that already arrived (stock out of nothing must be found).
    case arriveTwice = "arrive-twice"
    /// A coupon already used is redeemed again (the till skips the use check): double spends must be found.
    case couponTwice = "coupon-twice"
    /// Points of a lot past its last day are redeemed (the till ignores expiry): expired spends must be found.
    case expiredPoints = "expired-points"
}

/// The faults of one run, drawn from its seed as TigerBeetle's VOPR does ("swarm testing"): each
/// kind is on or off and has its own rate, so a sweep covers gentle and brutal runs alike.
public struct FaultProfile: Codable, Sendable, Equatable {
    /// Mean simulated seconds between partition events (0: none).
    public var partitionEverySeconds: Double = 0
    /// Mean simulated seconds between node crashes (0: none).
    public var crashEverySeconds: Double = 0
    /// Probability that a message is lost (the connection resets, as TCP would).
    public var lossRate: Double = 0
    public var duplicateRate: Double = 0
    public var reorderRate: Double = 0
    /// One-way delay per link, drawn per link up to this.
    public var maxDelayMillis: Double = 5
    /// Largest clock offset of a node, and probability per minute of a clock jump.
    public var maxSkewMillis: Double = 0
    public var clockJumpPerMinute: Double = 0
    /// Once in the run, a branch's clock set this far wrong (0: never): a cashier typing the wrong
    /// date, a dead CMOS battery. The clock check must refuse its tills once it hears its peers.
    public var wrongClockMillis: Double = 0

    static func draw(_ rng: inout SimRandom, options: SimulationOptions) -> FaultProfile {
        var f = FaultProfile()
        if rng.chance(0.8) { f.partitionEverySeconds = rng.double(in: 60...900) }
        if rng.chance(0.6) { f.crashEverySeconds = rng.double(in: 120...1_800) }
        if rng.chance(0.5) { f.lossRate = rng.double(in: 0.0001...0.01) }
        if rng.chance(0.5) { f.duplicateRate = rng.double(in: 0.001...0.05) }
        if rng.chance(0.5) { f.reorderRate = rng.double(in: 0.001...0.1) }
        f.maxDelayMillis = rng.chance(0.5) ? rng.double(in: 1...20) : rng.double(in: 20...400)
        if rng.chance(0.5) { f.maxSkewMillis = rng.double(in: 10...180_000) }
        if rng.chance(0.3) { f.clockJumpPerMinute = rng.double(in: 0.001...0.05) }
        if rng.chance(0.25) { f.wrongClockMillis = rng.double(in: 600_000...2 * 86_400_000) }
        if options.guaranteePartitionsAndCrashes {
            let seconds = Double(options.durationMillis) / 1_000
            f.partitionEverySeconds = min(f.partitionEverySeconds > 0 ? f.partitionEverySeconds : seconds, seconds / 4)
            f.crashEverySeconds = min(f.crashEverySeconds > 0 ? f.crashEverySeconds : seconds, seconds / 3)
        }
        return f
    }
}

/// The simulator's random source: SplitMix64 from one seed, with the draws a run needs.
public typealias SimRandom = SplitMix64

extension SplitMix64 {
    public mutating func chance(_ p: Double) -> Bool { p > 0 && Double.random(in: 0..<1, using: &self) < p }
    public mutating func double(in range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &self) }
    public mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &self) }
    /// An exponentially distributed wait with the given mean.
    public mutating func exponential(mean: Double) -> Double { -mean * log(max(1e-12, Double.random(in: 0..<1, using: &self))) }
    /// A derived, independent stream (workload, faults and network never share draws).
    public mutating func fork() -> SimRandom { SimRandom(seed: next()) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
