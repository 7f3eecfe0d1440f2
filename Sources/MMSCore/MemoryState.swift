/// The CRDT cells in memory: the same fold as the SQLite store, for the simulator and for tests
/// that compare the two.
public struct MemoryState: StateReader, Sendable {
    struct Register: Sendable { var value: [UInt8]; var stamp: LWWStamp }
    // Each kind of cell keyed by entity first: the views read an entity's cells together.
    private(set) var counterCells: [String: [String: [NodeID: Int64]]] = [:]
    private(set) var maxCells: [String: [String: Int64]] = [:]
    private(set) var registerCells: [String: [String: Register]] = [:]
    private(set) var flagCells: [String: Set<String>] = [:]

    public init() {}

    public mutating func apply(_ deltas: [Delta]) {
        for delta in deltas {
            switch delta {
            case .add(let entity, let name, let node, let amount):
                counterCells[entity, default: [:]][name, default: [:]][node, default: 0] += amount
            case .max(let entity, let name, let value):
                maxCells[entity, default: [:]][name] = Swift.max(maxCells[entity]?[name] ?? value, value)
            case .set(let entity, let name, let value, let stamp):
                if let current = registerCells[entity]?[name], current.stamp >= stamp { continue }
                registerCells[entity, default: [:]][name] = Register(value: value, stamp: stamp)
            case .raise(let entity, let name):
                flagCells[entity, default: []].insert(name)
            }
        }
    }

    public func counters(entity: String) -> [String: [NodeID: Int64]] { counterCells[entity] ?? [:] }
    public func maxima(entity: String) -> [String: Int64] { maxCells[entity] ?? [:] }
    public func registers(entity: String) -> [String: [UInt8]] { registerCells[entity]?.mapValues(\.value) ?? [:] }
    public func flags(entity: String) -> Set<String> { flagCells[entity] ?? [] }

    /// The entities with counters whose name starts with `prefix` (e.g. every "sv:" account).
    public func counterEntities(prefix: String) -> [String] {
        counterCells.keys.filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// The canonical state hash; equal to the SQLite store's for the same op set.
    public var stateHash: Digest32 {
        let hasher = StateHasher()
        func sorted<V>(_ d: [String: V]) -> [(key: String, value: V)] { d.sorted { StateHasher.less($0.key, $1.key) } }
        for (entity, names) in sorted(counterCells) {
            for (name, slots) in sorted(names) {
                for (node, value) in slots.sorted(by: { StateHasher.less($0.key.rawValue, $1.key.rawValue) }) {
                    hasher.counter(entity: entity, name: name, node: node.rawValue, value: value)
                }
            }
        }
        for (entity, names) in sorted(maxCells) {
            for (name, value) in sorted(names) { hasher.maximum(entity: entity, name: name, value: value) }
        }
        for (entity, names) in sorted(registerCells) {
            for (name, cell) in sorted(names) {
                hasher.register(entity: entity, name: name, value: cell.value, hlc: cell.stamp.hlc.packed, origin: cell.stamp.origin.rawValue)
            }
        }
        for (entity, names) in sorted(flagCells) {
            for name in names.sorted(by: StateHasher.less) { hasher.flag(entity: entity, name: name) }
        }
        return hasher.finalize()
    }
}

import MMSCrypto

/// Hashes the cells in canonical order (by UTF-8 bytes, as SQLite's BINARY collation sorts):
/// counters, then maxima, registers, flags. Every replica with the same op set gets the same digest.
/// Counter slots that sum to zero are included: a slot exists once any op touched it.
public final class StateHasher {
    private let blake = Blake2b()
    private var section = -1

    public init() { blake.update("mms.state.v1") }

    static func less(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    private func enter(_ s: Int) {
        precondition(s >= section, "state cells must be hashed section by section")
        if s != section { section = s; blake.update([UInt8(s)]) }
    }

    public func counter(entity: String, name: String, node: String, value: Int64) {
        enter(0)
        blake.updateField(Array(entity.utf8)); blake.updateField(Array(name.utf8)); blake.updateField(Array(node.utf8))
        blake.update(withUnsafeBytes(of: value.littleEndian) { Array($0) })
    }

    public func maximum(entity: String, name: String, value: Int64) {
        enter(1)
        blake.updateField(Array(entity.utf8)); blake.updateField(Array(name.utf8))
        blake.update(withUnsafeBytes(of: value.littleEndian) { Array($0) })
    }

    public func register(entity: String, name: String, value: [UInt8], hlc: UInt64, origin: String) {
        enter(2)
        blake.updateField(Array(entity.utf8)); blake.updateField(Array(name.utf8)); blake.updateField(value)
        blake.update(withUnsafeBytes(of: hlc.littleEndian) { Array($0) }); blake.updateField(Array(origin.utf8))
    }

    public func flag(entity: String, name: String) {
        enter(3)
        blake.updateField(Array(entity.utf8)); blake.updateField(Array(name.utf8))
    }

    public func finalize() -> Digest32 {
        enter(4)
        return try! Digest32(bytes: blake.finalize())
    }
}
