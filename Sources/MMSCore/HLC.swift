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
/// Kept as slots sorted by origin: gossip merges and compares vectors every round, and a merge of
/// two sorted lists costs no hashing (a chain has tens to thousands of origins).
public struct VersionVector: Hashable, Sendable, CustomStringConvertible {
    public struct Slot: Hashable, Sendable {
        public let origin: NodeID
        public var seq: UInt64
    }

    /// Sorted by origin; no slot holds 0.
    public private(set) var slots: [Slot] = []

    public init(_ entries: [NodeID: UInt64] = [:]) {
        slots = entries.filter { $0.value > 0 }.map { Slot(origin: $0.key, seq: $0.value) }.sorted { $0.origin < $1.origin }
    }

    /// Origin → seq, for reports and encoding.
    public var entries: [NodeID: UInt64] { Dictionary(uniqueKeysWithValues: slots.map { ($0.origin, $0.seq) }) }

    /// Where `origin` is, or would be inserted.
    private func position(of origin: NodeID) -> (index: Int, found: Bool) {
        var low = 0, high = slots.count
        while low < high {
            let mid = (low + high) / 2
            if slots[mid].origin < origin { low = mid + 1 } else { high = mid }
        }
        return (low, low < slots.count && slots[low].origin == origin)
    }

    public subscript(origin: NodeID) -> UInt64 {
        get {
            let p = position(of: origin)
            return p.found ? slots[p.index].seq : 0
        }
        set {
            let p = position(of: origin)
            switch (p.found, newValue) {
            case (true, 0): slots.remove(at: p.index)
            case (true, _): slots[p.index].seq = newValue
            case (false, 0): break
            case (false, _): slots.insert(Slot(origin: origin, seq: newValue), at: p.index)
            }
        }
    }

    /// True when every op in `other` is also in `self`.
    public func includes(_ other: VersionVector) -> Bool {
        var i = 0
        for slot in other.slots {
            while i < slots.count, slots[i].origin < slot.origin { i += 1 }
            guard i < slots.count, slots[i].origin == slot.origin, slots[i].seq >= slot.seq else { return false }
        }
        return true
    }

    public mutating func merge(_ other: VersionVector) {
        guard !other.slots.isEmpty else { return }
        guard !slots.isEmpty else { slots = other.slots; return }
        var merged: [Slot] = []
        merged.reserveCapacity(max(slots.count, other.slots.count))
        var i = 0, j = 0
        while i < slots.count || j < other.slots.count {
            if j == other.slots.count || (i < slots.count && slots[i].origin < other.slots[j].origin) {
                merged.append(slots[i]); i += 1
            } else if i == slots.count || other.slots[j].origin < slots[i].origin {
                merged.append(other.slots[j]); j += 1
            } else {
                merged.append(Slot(origin: slots[i].origin, seq: max(slots[i].seq, other.slots[j].seq))); i += 1; j += 1
            }
        }
        slots = merged
    }

    public var totalOps: UInt64 { slots.reduce(0) { $0 + $1.seq } }

    public var description: String { slots.map { "\($0.origin)=\($0.seq)" }.joined(separator: ",") }
}
