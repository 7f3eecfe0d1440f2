/// The CRDT cells in memory: the same fold as the SQLite store, for the simulator and for tests
/// that compare the two.
public struct MemoryState: StateReader, Sendable {
    struct Key: Hashable, Sendable { let entity: String, name: String }
    private(set) var counters: [Key: [NodeID: Int64]] = [:]
    private(set) var maxRegisters: [Key: Int64] = [:]
    private(set) var registers: [Key: (value: [UInt8], stamp: LWWStamp)] = [:]
    private(set) var flags: Set<Key> = []

    public init() {}

    public mutating func apply(_ deltas: [Delta]) {
        for delta in deltas {
            switch delta {
            case .add(let entity, let name, let node, let amount):
                counters[Key(entity: entity, name: name), default: [:]][node, default: 0] += amount
            case .max(let entity, let name, let value):
                let key = Key(entity: entity, name: name)
                maxRegisters[key] = Swift.max(maxRegisters[key] ?? value, value)
            case .set(let entity, let name, let value, let stamp):
                let key = Key(entity: entity, name: name)
                if let current = registers[key], current.stamp >= stamp { continue }
                registers[key] = (value, stamp)
            case .raise(let entity, let name):
                flags.insert(Key(entity: entity, name: name))
            }
        }
    }

    public func counter(entity: String, name: String) -> [NodeID: Int64] { counters[Key(entity: entity, name: name)] ?? [:] }
    public func maxima(entity: String) -> [String: Int64] {
        Dictionary(uniqueKeysWithValues: maxRegisters.filter { $0.key.entity == entity }.map { ($0.key.name, $0.value) })
    }
    public func register(entity: String, name: String) -> [UInt8]? { registers[Key(entity: entity, name: name)]?.value }
    public func isRaised(entity: String, name: String) -> Bool { flags.contains(Key(entity: entity, name: name)) }

    /// The entities with counters whose name starts with `prefix` (e.g. every "sv:" account).
    public func counterEntities(prefix: String) -> [String] {
        Set(counters.keys.map(\.entity).filter { $0.hasPrefix(prefix) }).sorted()
    }

    /// The canonical state hash; equal to the SQLite store's for the same op set.
    public var stateHash: Digest32 {
        var hasher = StateHasher()
        for (key, slots) in counters.sorted(by: { StateHasher.less($0.key, $1.key) }) {
            for (node, value) in slots.sorted(by: { StateHasher.less($0.key.rawValue, $1.key.rawValue) }) {
                hasher.counter(entity: key.entity, name: key.name, node: node.rawValue, value: value)
            }
        }
        for (key, value) in maxRegisters.sorted(by: { StateHasher.less($0.key, $1.key) }) {
            hasher.maximum(entity: key.entity, name: key.name, value: value)
        }
        for (key, cell) in registers.sorted(by: { StateHasher.less($0.key, $1.key) }) {
            hasher.register(entity: key.entity, name: key.name, value: cell.value, hlc: cell.stamp.hlc.packed, origin: cell.stamp.origin.rawValue)
        }
        for key in flags.sorted(by: { StateHasher.less($0, $1) }) {
            hasher.flag(entity: key.entity, name: key.name)
        }
        return hasher.finalize()
    }
}

import MMSCrypto

/// Hashes the cells in canonical order (by UTF-8 bytes, as SQLite's BINARY collation sorts):
/// counters, then maxima, registers, flags. Every replica with the same op set gets the same digest.
/// Counter slots that sum to zero are included: a slot exists once any op touched it.
public struct StateHasher {
    private let blake = Blake2b()
    private var section = -1

    public init() { blake.update("mms.state.v1") }

    static func less(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
    static func less(_ a: MemoryState.Key, _ b: MemoryState.Key) -> Bool {
        a.entity == b.entity ? less(a.name, b.name) : less(a.entity, b.entity)
    }

    private mutating func enter(_ s: Int) {
        precondition(s >= section, "state cells must be hashed section by section")
        if s != section { section = s; blake.update([UInt8(s)]) }
    }

    public mutating func counter(entity: String, name: String, node: String, value: Int64) {
        enter(0)
        blake.updateField(Array(entity.utf8)); blake.updateField(Array(name.utf8)); blake.updateField(Array(node.utf8))
        blake.update(withUnsafeBytes(of: value.littleEndian) { Array($0) })
    }

    public mutating func maximum(entity: String, name: String, value: Int64) {
        enter(1)
        blake.updateField(Array(entity.utf8)); blake.updateField(Array(name.utf8))
        blake.update(withUnsafeBytes(of: value.littleEndian) { Array($0) })
    }

    public mutating func register(entity: String, name: String, value: [UInt8], hlc: UInt64, origin: String) {
        enter(2)
        blake.updateField(Array(entity.utf8)); blake.updateField(Array(name.utf8)); blake.updateField(value)
        blake.update(withUnsafeBytes(of: hlc.littleEndian) { Array($0) }); blake.updateField(Array(origin.utf8))
    }

    public mutating func flag(entity: String, name: String) {
        enter(3)
        blake.updateField(Array(entity.utf8)); blake.updateField(Array(name.utf8))
    }

    public mutating func finalize() -> Digest32 {
        enter(4)
        return try! Digest32(bytes: blake.finalize())
    }
}
