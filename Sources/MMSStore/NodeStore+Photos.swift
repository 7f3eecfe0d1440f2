import Foundation
import GRDB
import MMSCore
import MMSCrypto

/// Members' photos kept at this node (`MemberPhotos`): by digest, sealed with the chain's key.
/// Node-local, like the outbox's delivery rows: the op log says which photo is a member's, this
/// table whether this node holds its image. Never part of the state hash or a rebuild.
extension NodeStore {
    static let photosSchema = """
        CREATE TABLE photos (digest BLOB PRIMARY KEY, sealed BLOB NOT NULL, kept INTEGER NOT NULL) WITHOUT ROWID;
        """

    public func keepPhoto(digest: Digest32, sealed: [UInt8], now: UInt64) throws {
        try write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO photos (digest, sealed, kept) VALUES (?, ?, ?)", arguments: [Data(digest.bytes), Data(sealed), Int64(now)])
        }
    }

    /// The sealed image with this digest, if this node keeps it.
    public func photo(digest: Digest32) throws -> [UInt8]? {
        try guarded {
            try db.read { db in try Data.fetchOne(db, sql: "SELECT sealed FROM photos WHERE digest = ?", arguments: [Data(digest.bytes)]).map(Array.init) }
        }
    }

    /// Members whose photo in force this node does not keep — of `home`'s members, or every
    /// member's (head office) — at most `limit`, picked at random so that a photo no peer can give
    /// never keeps the others from being asked for. The index by name reads only photo registers.
    public func photosNotKept(home: String?, limit: Int) throws -> [(member: String, digest: Digest32, origin: String)] {
        let prefix = Cell.member("")
        return try guarded {
            try db.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT r.entity, r.value, r.origin FROM registers r WHERE r.name = ? AND r.entity >= ? AND r.entity < ?
                    AND NOT EXISTS (SELECT 1 FROM photos p WHERE p.digest = r.value)
                    AND (? IS NULL OR EXISTS (SELECT 1 FROM report_members m WHERE m.member = substr(r.entity, ?) AND m.home = ?))
                    ORDER BY random() LIMIT ?
                    """, arguments: [Cell.memberPhoto, prefix, prefix + "\u{10FFFF}", home, prefix.count + 1, home, limit]).compactMap { row in
                    guard let digest = try? Digest32(bytes: Array(row[1] as Data)) else { return nil }
                    return (String((row[0] as String).dropFirst(prefix.count)), digest, row[2])
                }
            }
        }
    }

    /// The node whose op set a register's value (for a photo: the node that took it, which keeps it).
    public func registerOrigin(entity: String, name: String) throws -> String? {
        try guarded {
            try db.read { db in try String.fetchOne(db, sql: "SELECT origin FROM registers WHERE entity = ? AND name = ?", arguments: [entity, name]) }
        }
    }
}
