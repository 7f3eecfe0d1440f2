import Foundation

/// Whether this node's wall clock can be trusted to decide date rules (a card's last day, a
/// coupon's validity, a points lot, the member day): every op takes its day from the clock of
/// the node that decides it, so a branch whose clock is far off would decide them wrongly for
/// everyone. Peers tell each other their clocks on every sync round; a node whose clock is
/// further than `maxSkewMillis` from the chain's refuses its tills' requests until it is set
/// right.
///
/// The chain's clock is a median, so no single clock — the head office's included — can move it:
/// - each node announces its *estimate*: the median of the raw clocks it hears (its own among
///   them), as an offset from its own clock, and how many clocks it stands on;
/// - each node's *verdict* is the weighted median of its own clock (weight 1) and its peers'
///   estimates (each weighted by the clocks it stands on, less the receiver's own): a branch
///   linked only to the head office follows the head office's median of all its branches, and a
///   head office whose own clock is wrong sees every branch against it.
/// With fewer than three clocks a wrong one cannot be told from a right one; ties leave the node
/// trusted. Samples are adjusted for jumps of this node's own wall clock (measured against a
/// monotonic clock), so a clock set back while cut off is caught at once.
///
/// Pure: the shell supplies its wall and monotonic clocks, and keeps one value per node.
public struct ChainClock: Sendable, Equatable {
    /// The bound: a node does not follow a peer's clock further ahead than this (`HLC`), and a
    /// clock further than this from the chain's is not trusted.
    public static let maxSkewMillis = Int64(Limits.maxClockAheadMillis)
    /// A peer's reading counts this long (monotonic) after it was heard.
    public static let sampleLifetimeMillis: UInt64 = 24 * 3_600 * 1_000

    struct Sample: Sendable, Equatable {
        /// The peer's clock, and its estimate of the chain's, less ours when heard.
        var rawOffset: Int64
        var chainOffset: Int64
        var clocks: Int64
        var wall: UInt64
        var mono: UInt64
    }

    private var samples: [NodeID: Sample] = [:]

    public init() {}

    /// A peer's reading, heard at our `wall` and `mono` clocks.
    public mutating func heard(_ reading: ClockReading, from peer: NodeID, wall: UInt64, mono: UInt64) {
        let raw = Int64(clamping: reading.wallMillis) - Int64(clamping: wall)
        samples[peer] = Sample(rawOffset: raw, chainOffset: raw + reading.chainOffsetMillis, clocks: Int64(max(1, reading.clocks)), wall: wall, mono: mono)
    }

    /// What this node tells its peers with every hello and vector.
    public func reading(wall: UInt64, mono: UInt64) -> ClockReading {
        let live = self.live(wall: wall, mono: mono)
        let offset = Self.median([(0, 1)] + live.map { ($0.rawOffset, 1) })
        return ClockReading(wallMillis: wall, chainOffsetMillis: offset, clocks: UInt32(1 + live.count))
    }

    public enum Verdict: Equatable, Sendable {
        /// Right within the bound (or no peer heard yet: nothing to doubt it by).
        case trusted(offsetMillis: Int64, clocks: Int64)
        /// The chain's clock is `offsetMillis` from ours (positive: ours is behind).
        case skewed(offsetMillis: Int64, clocks: Int64)

        public var isTrusted: Bool { if case .trusted = self { true } else { false } }
        public var offsetMillis: Int64 { switch self { case .trusted(let offset, _), .skewed(let offset, _): offset } }
    }

    public func verdict(wall: UInt64, mono: UInt64) -> Verdict {
        let live = self.live(wall: wall, mono: mono)
        let offset = Self.median([(0, 1)] + live.map { ($0.chainOffset, max(1, $0.clocks - 1)) })
        let clocks = 1 + live.map(\.clocks).reduce(0, +)
        return abs(offset) > Self.maxSkewMillis ? .skewed(offsetMillis: offset, clocks: clocks) : .trusted(offsetMillis: offset, clocks: clocks)
    }

    /// The samples still counted, each adjusted for how far our wall clock moved against the
    /// monotonic clock since it was heard (a clock set back or forward).
    private func live(wall: UInt64, mono: UInt64) -> [Sample] {
        samples.values.compactMap { s in
            guard mono >= s.mono, mono - s.mono <= Self.sampleLifetimeMillis else { return nil }
            let jump = (Int64(clamping: wall) - Int64(clamping: s.wall)) - Int64(mono - s.mono)
            var adjusted = s
            adjusted.rawOffset -= jump; adjusted.chainOffset -= jump
            return adjusted
        }
    }

    /// The weighted median of `values`; between two middle values, the one nearer zero (our own
    /// clock), so a tie never condemns it.
    static func median(_ values: [(Int64, Int64)]) -> Int64 {
        let sorted = values.sorted { $0.0 < $1.0 }
        let total = sorted.map(\.1).reduce(0, +)
        var below: Int64 = 0
        for (i, (value, weight)) in sorted.enumerated() {
            below += weight
            if 2 * below > total { return value }
            if 2 * below == total, i + 1 < sorted.count {
                let next = sorted[i + 1].0
                return abs(value) <= abs(next) ? value : next
            }
        }
        return 0
    }
}

/// A node's clock as it sends a hello or a vector (`ChainClock`).
public struct ClockReading: Equatable, Sendable {
    public var wallMillis: UInt64
    public var chainOffsetMillis: Int64
    public var clocks: UInt32
    public init(wallMillis: UInt64, chainOffsetMillis: Int64, clocks: UInt32) {
        self.wallMillis = wallMillis; self.chainOffsetMillis = chainOffsetMillis; self.clocks = clocks
    }
}

extension MMSError {
    /// A till's request refused because this node's clock is not the chain's.
    public static func clockSkew(_ verdict: ChainClock.Verdict) -> MMSError? {
        guard case .skewed(let offset, let clocks) = verdict else { return nil }
        let minutes = Double(abs(offset)) / 60_000
        return MMSError(.clockSkew,
                        String(format: "This node's clock is %.1f minutes %@ the chain's (the median of %lld clocks); set it right before taking requests.",
                               minutes, offset > 0 ? "behind" : "ahead of", clocks),
                        details: ["offset_ms": String(offset), "clocks": String(clocks)])
    }
}
