import Foundation
import GRDB
import MMSCore
import MMSCrypto

/// The CRDT cells in SQLite, read and written inside the caller's transaction.
struct DatabaseState: StateReader {
    let db: Database

    func counter(entity: String, name: String) throws -> [NodeID: Int64] {
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT node, value FROM counters WHERE entity = ? AND name = ?"),
                                    arguments: [entity, name])
        var slots: [NodeID: Int64] = [:]
        for row in rows { slots[try NodeID(row[0] as String)] = row[1] }
        return slots
    }

    func maxima(entity: String) throws -> [String: Int64] {
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT name, value FROM maxima WHERE entity = ?"), arguments: [entity])
        return Dictionary(uniqueKeysWithValues: rows.map { ($0[0] as String, $0[1] as Int64) })
    }

    func register(entity: String, name: String) throws -> [UInt8]? {
        try Data.fetchOne(db.cachedStatement(sql: "SELECT value FROM registers WHERE entity = ? AND name = ?"),
                          arguments: [entity, name]).map { Array($0) }
    }

    func isRaised(entity: String, name: String) throws -> Bool {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM flags WHERE entity = ? AND name = ?"), arguments: [entity, name]) != nil
    }

    /// Applies an op's deltas. Each statement is the cell's merge, so order never matters.
    func apply(_ deltas: [Delta]) throws {
        for delta in deltas {
            switch delta {
            case .add(let entity, let name, let node, let amount):
                try db.cachedStatement(sql: """
                    INSERT INTO counters (entity, name, node, value) VALUES (?, ?, ?, ?)
                    ON CONFLICT (entity, name, node) DO UPDATE SET value = value + excluded.value
                    """).execute(arguments: [entity, name, node.rawValue, amount])
            case .max(let entity, let name, let value):
                try db.cachedStatement(sql: """
                    INSERT INTO maxima (entity, name, value) VALUES (?, ?, ?)
                    ON CONFLICT (entity, name) DO UPDATE SET value = max(value, excluded.value)
                    """).execute(arguments: [entity, name, value])
            case .set(let entity, let name, let value, let stamp):
                // Compare the stamp as SQLite sorts: hlc, then origin by its bytes — as LWWStamp does.
                try db.cachedStatement(sql: """
                    INSERT INTO registers (entity, name, value, hlc, origin) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (entity, name) DO UPDATE SET value = excluded.value, hlc = excluded.hlc, origin = excluded.origin
                    WHERE (excluded.hlc, excluded.origin) > (hlc, origin)
                    """).execute(arguments: [entity, name, Data(value), Int64(bitPattern: stamp.hlc.packed), stamp.origin.rawValue])
            case .raise(let entity, let name):
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO flags (entity, name) VALUES (?, ?)").execute(arguments: [entity, name])
            }
        }
    }

    /// The canonical hash of every cell: equal on every replica holding the same op set.
    func stateHash() throws -> Digest32 {
        var hasher = StateHasher()
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
