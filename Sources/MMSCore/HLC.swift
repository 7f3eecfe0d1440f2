/// A hybrid logical clock stamp: physical milliseconds plus a logical counter, packed so that
/// integer order is causal order. Wall time is an argument, never read here.
public struct HLC: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let logicalBits: UInt64 = 16
    public let packed: UInt64

    public init(packed: UInt64) { self.packed = packed }
    public init(wallMillis: UInt64, logical: UInt16) {
        packed = (wallMillis << Self.logicalBits) | UInt64(logical)
    }

    public static let zero = HLC(packed: 0)
    public var wallMillis: UInt64 { packed >> Self.logicalBits }
    public var logical: UInt16 { UInt16(truncatingIfNeeded: packed) }

    public static func < (a: HLC, b: HLC) -> Bool { a.packed < b.packed }

    /// The stamp for a local event at wall time `now`: strictly after `self`.
    public func tick(now wallMillis: UInt64) -> HLC {
        if wallMillis > self.wallMillis { return HLC(wallMillis: wallMillis, logical: 0) }
        return HLC(packed: packed + 1)
    }

    /// The clock after seeing a remote stamp: after both, and not behind the wall clock. A stamp
    /// more than `Limits.maxClockAheadMillis` ahead of our wall clock comes from a broken clock;
    /// following it would let that node's writes win every register for as long, so it is not followed.
    public func receive(_ remote: HLC, now wallMillis: UInt64) -> HLC {
        guard remote.wallMillis <= wallMillis + Limits.maxClockAheadMillis else { return tick(now: wallMillis) }
        let latest = max(self, remote)
        if wallMillis > latest.wallMillis { return HLC(wallMillis: wallMillis, logical: 0) }
        return HLC(packed: latest.packed + 1)
    }

    public var description: String { "\(wallMillis).\(logical)" }
}

/// What a replica holds: for each origin, the highest seq it has contiguously from 1.
public struct VersionVector: Hashable, Sendable, CustomStringConvertible {
    public private(set) var entries: [NodeID: UInt64]

    public init(_ entries: [NodeID: UInt64] = [:]) { self.entries = entries.filter { $0.value > 0 } }

    public subscript(origin: NodeID) -> UInt64 {
        get { entries[origin] ?? 0 }
        set { entries[origin] = newValue == 0 ? nil : newValue }
    }

    /// True when every op in `other` is also in `self`.
    public func includes(_ other: VersionVector) -> Bool {
        other.entries.allSatisfy { self[$0.key] >= $0.value }
    }

    public mutating func merge(_ other: VersionVector) {
        for (origin, seq) in other.entries where seq > self[origin] { self[origin] = seq }
    }

    public var totalOps: UInt64 { entries.values.reduce(0, +) }

    public var description: String {
        entries.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}
