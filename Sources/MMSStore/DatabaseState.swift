import Foundation
import GRDB
import MMSCore
import MMSCrypto

/// The CRDT cells in SQLite, read and written inside the caller's transaction.
struct DatabaseState: StateReader {
    let db: Database

    // The four entity reads run on every till request: hot statements (see HotStatement.swift).

    func counters(entity: String) throws -> [String: [NodeID: Int64]] {
        var cells: [String: [NodeID: Int64]] = [:]
        try db.cachedStatement(sql: "SELECT name, node, value FROM counters WHERE entity = ?").each(.text(entity)) { row in
            cells[row.text(0), default: [:]][NodeID(stored: row.text(1))] = row.int(2)
        }
        return cells
    }

    func maxima(entity: String) throws -> [String: Int64] {
        var cells: [String: Int64] = [:]
        try db.cachedStatement(sql: "SELECT name, value FROM maxima WHERE entity = ?").each(.text(entity)) { row in
            cells[row.text(0)] = row.int(1)
        }
        return cells
    }

    func registers(entity: String) throws -> [String: [UInt8]] {
        var cells: [String: [UInt8]] = [:]
        try db.cachedStatement(sql: "SELECT name, value FROM registers WHERE entity = ?").each(.text(entity)) { row in
            cells[row.text(0)] = row.blob(1)
        }
        return cells
    }

    func flags(entity: String) throws -> Set<String> {
        var names: Set<String> = []
        try db.cachedStatement(sql: "SELECT name FROM flags WHERE entity = ?").each(.text(entity)) { names.insert($0.text(0)) }
        return names
    }

    /// Applies deltas. Each statement is the cell's merge, so order never matters; the four
    /// statements are looked up once per call, not once per delta.
    func apply(_ deltas: [Delta]) throws {
        let add = try db.cachedStatement(sql: """
            INSERT INTO counters (entity, name, node, value) VALUES (?, ?, ?, ?)
            ON CONFLICT (entity, name, node) DO UPDATE SET value = value + excluded.value
            """)
        let max = try db.cachedStatement(sql: """
            INSERT INTO maxima (entity, name, value) VALUES (?, ?, ?)
            ON CONFLICT (entity, name) DO UPDATE SET value = max(value, excluded.value)
            """)
        // Compare the stamp as SQLite sorts: hlc, then origin by its bytes — as LWWStamp does.
        let set = try db.cachedStatement(sql: """
            INSERT INTO registers (entity, name, value, hlc, origin) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (entity, name) DO UPDATE SET value = excluded.value, hlc = excluded.hlc, origin = excluded.origin
            WHERE (excluded.hlc, excluded.origin) > (hlc, origin)
            """)
        let raise = try db.cachedStatement(sql: "INSERT OR IGNORE INTO flags (entity, name) VALUES (?, ?)")
        for delta in deltas {
            switch delta {
            case .add(let entity, let name, let node, let amount):
                try add.run(.text(entity), .text(name), .text(node.rawValue), .int(amount))
            case .max(let entity, let name, let value):
                try max.run(.text(entity), .text(name), .int(value))
            case .set(let entity, let name, let value, let stamp):
                try set.run(.text(entity), .text(name), .blob(value), .int(Int64(bitPattern: stamp.hlc.packed)), .text(stamp.origin.rawValue))
            case .raise(let entity, let name):
                try raise.run(.text(entity), .text(name))
            }
        }
    }

    /// The canonical hash of every cell: equal on every replica holding the same op set.
    func stateHash() throws -> Digest32 {
        let hasher = StateHasher()
        let c1 = try Row.fetchCursor(db, sql: "SELECT entity, name, node, value FROM counters ORDER BY entity, name, node")
        while let row = try c1.next() {
            hasher.counter(entity: row[0], name: row[1], node: row[2], value: row[3])
        }
        let c2 = try Row.fetchCursor(db, sql: "SELECT entity, name, value FROM maxima ORDER BY entity, name")
        while let row = try c2.next() {
            hasher.maximum(entity: row[0], name: row[1], value: row[2])
        }
        let c3 = try Row.fetchCursor(db, sql: "SELECT entity, name, value, hlc, origin FROM registers ORDER BY entity, name")
        while let row = try c3.next() {
            hasher.register(entity: row[0], name: row[1], value: Array(row[2] as Data), hlc: UInt64(bitPattern: row[3]), origin: row[4])
        }
        let c4 = try Row.fetchCursor(db, sql: "SELECT entity, name FROM flags ORDER BY entity, name")
        while let row = try c4.next() {
            hasher.flag(entity: row[0], name: row[1])
        }
        return hasher.finalize()
    }
}
