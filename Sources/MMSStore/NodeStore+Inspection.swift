import Foundation
import GRDB
import MMSCore
import MMSCrypto

/// Reading the log and the cells for people: history, lookups, hashes; and checking them.
extension NodeStore {

    /// A member's ops, newest first.
    public func history(member: String, limit: Int) throws -> [Op] {
        try guarded {
            try db.read { db in
                try Data.fetchAll(db, sql: "SELECT bytes FROM ops WHERE member = ? ORDER BY hlc DESC LIMIT ?", arguments: [member, limit])
                    .map { try OpCodec.decode(Array($0)) }
            }
        }
    }

    public func op(_ id: OpID) throws -> Op? {
        try guarded {
            try db.read { db in
                try Data.fetchOne(db, sql: "SELECT bytes FROM ops WHERE origin = ? AND seq = ?", arguments: [id.origin.rawValue, Int64(id.seq)])
                    .map { try OpCodec.decode(Array($0)) }
            }
        }
    }

    /// Members whose blind phone index equals `index`.
    public func members(phoneIndex index: [UInt8]) throws -> [String] {
        try guarded {
            try db.read { db in
                try String.fetchAll(db, sql: "SELECT entity FROM registers WHERE name = ? AND value = ? ORDER BY entity",
                                    arguments: [Cell.phoneIndex, Data(index)])
                    .map { String($0.dropFirst(Cell.member("").count)) }
            }
        }
    }

    /// Member ids after `cursor` in id order, a page at a time (a campaign walks them all).
    public func memberIDs(after cursor: String, limit: Int) throws -> [String] {
        let prefix = Cell.member("")
        return try guarded {
            try db.read { db in
                // `+name`: SQLite would otherwise walk registers_by_value's every `home` row (one per
                // member) and sort them for each page; the key range is 500 rows.
                try String.fetchAll(db, sql: "SELECT entity FROM registers WHERE entity > ? AND entity < ? AND +name = ? ORDER BY entity LIMIT ?",
                                    arguments: [prefix + cursor, String(prefix.dropLast()) + ";", Cell.home, limit])
                    .map { String($0.dropFirst(prefix.count)) }
            }
        }
    }

    /// Members whose stored value this node was ever credited or handed rights of, after `cursor`
    /// in id order: the accounts a rebalancing pass walks, a page at a time.
    public func membersWithRights(at node: NodeID, after cursor: String, limit: Int) throws -> [String] {
        let prefix = Cell.storedValue(member: "")
        return try guarded {
            try db.read { db in
                try String.fetchAll(db.cachedStatement(sql: """
                    SELECT DISTINCT entity FROM counters
                    WHERE entity > ? AND entity < ? AND node = ? AND name IN (?, ?)
                    ORDER BY entity LIMIT ?
                    """), arguments: [prefix + cursor, prefix + "\u{10FFFF}", node.rawValue, Cell.credited, Cell.movedIn, limit])
            }
        }.map { String($0.dropFirst(prefix.count)) }
    }

    public func stateHash() throws -> Digest32 {
        try guarded { try db.read { try DatabaseState(db: $0).stateHash() } }
    }

    /// How many ops of `kind` the log holds and their mean size as stored (signed bytes).
    public func opSize(kind: String) throws -> (count: Int, meanBytes: Double) {
        try guarded {
            try db.read { db in
                let row = try Row.fetchOne(db, sql: "SELECT COUNT(*), COALESCE(AVG(LENGTH(bytes)), 0) FROM ops WHERE kind = ?", arguments: [kind])
                return (row?[0] ?? 0, row?[1] ?? 0)
            }
        }
    }

    public func opCount() throws -> Int {
        try guarded { try db.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM ops") ?? 0 } }
    }


    public struct Verification: Sendable {
        public let ops: Int
        public let origins: Int
        public let stateHash: Digest32
        public let rebuiltHash: Digest32
        public var ok: Bool { stateHash == rebuiltHash }
    }

    /// Checks every origin's chain (links and the head's signature), that the heads match the
    /// log, that folding the log alone gives exactly the materialised state, and that the
    /// branches' running sums agree with the members' report rows.
    public func verify() throws -> Verification {
        try guarded {
            try db.read { db in
                var rebuilt = MemoryState()
                var count = 0
                let origins = try Row.fetchAll(db, sql: "SELECT origin, seq, hash FROM heads ORDER BY origin")
                for row in origins {
                    let origin = try NodeID(row[0] as String)
                    guard let (key, role) = try trusted(origin, db) else {
                        throw MMSError(.verifyFailed, "The log holds ops of \(origin), which is not a trusted origin.")
                    }
                    var chain = ChainHead.genesis
                    var last: SignedOp?
                    let cursor = try Row.fetchCursor(db, sql: "SELECT bytes, signature, seq, hash FROM ops WHERE origin = ? ORDER BY seq", arguments: [origin.rawValue])
                    while let r = try cursor.next() {
                        let op = SignedOp(op: try OpCodec.decode(Array(r[0] as Data)), bytes: Array(r[0] as Data), signature: Array(r[1] as Data))
                        guard op.id.seq == UInt64(r[2] as Int64), op.hash.bytes == Array(r[3] as Data),
                              op.id.seq == chain.seq + 1, op.op.prevHash == chain.hash else {
                            throw MMSError(.verifyFailed, "The chain of \(origin) is broken at seq \(chain.seq + 1).")
                        }
                        try ChainVerifier.requirePermitted(op.op, role: role)
                        rebuilt.apply(op.op.deltas)
                        chain = ChainHead(seq: op.id.seq, hash: op.hash)
                        last = op
                        count += 1
                    }
                    guard chain.seq == UInt64(row[1] as Int64), chain.hash.bytes == Array(row[2] as Data) else {
                        throw MMSError(.verifyFailed, "The head recorded for \(origin) does not match its log.")
                    }
                    if let last, !key.isValidSignature(last.signature, for: last.bytes) {
                        throw MMSError(.verifyFailed, "The last op of \(origin) does not carry a valid signature.")
                    }
                }
                // The branches' running sums (kept by triggers) must be what the members' rows add up to.
                func sums(_ sql: String) throws -> [[DatabaseValue]] { try Row.fetchAll(db, sql: sql).map { Array($0.databaseValues) } }
                let summed = try sums("SELECT coalesce(home, ''), count(*), SUM(principal), SUM(bonus) FROM report_members GROUP BY 1 ORDER BY 1")
                let kept = try sums("SELECT home, members, principal, bonus FROM report_homes WHERE members != 0 OR principal != 0 OR bonus != 0 ORDER BY home")
                guard summed == kept else {
                    throw MMSError(.verifyFailed, "The branches' running sums of what their members are owed do not match the members' report rows.")
                }
                return Verification(ops: count, origins: origins.count, stateHash: try DatabaseState(db: db).stateHash(), rebuiltHash: rebuilt.stateHash)
            }
        }
    }

    /// Recomputes the materialised cells from the op log alone, in one transaction.
    public func rebuild() throws {
        try write(weight: .max) { db in
            for table in Schema.cellTables { try db.execute(sql: "DELETE FROM \(table)") }
            let state = DatabaseState(db: db)
            let cursor = try Data.fetchCursor(db, sql: "SELECT bytes FROM ops")
            var chunk: [Delta] = []
            while let bytes = try cursor.next() {
                chunk += try OpCodec.decode(Array(bytes)).deltas
                if chunk.count >= 50_000 { try state.apply(Delta.coalesce(chunk)); chunk.removeAll(keepingCapacity: true) }
            }
            try state.apply(Delta.coalesce(chunk))
            try ReportTables(db: db).rebuild()
        }
    }
}
