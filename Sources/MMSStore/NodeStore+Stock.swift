import Foundation
import GRDB
import MMSCore

extension NodeStore {
    /// The SKUs `branch` holds stock records of (any movement or threshold), by key range.
    public func stockedSKUs(at branch: NodeID) throws -> [String] {
        let prefix = Cell.stock(branch: branch, sku: "")
        let end = String(prefix.dropLast()) + ";"
        return try guarded {
            try db.read { db in
                let entities = try String.fetchAll(db, sql: """
                    SELECT DISTINCT entity FROM counters WHERE entity >= ? AND entity < ?
                    UNION SELECT DISTINCT entity FROM registers WHERE entity >= ? AND entity < ? ORDER BY 1
                    """, arguments: [prefix, end, prefix, end])
                return entities.map { String($0.dropFirst(prefix.count)) }
            }
        }
    }

    /// Transfers sent by `branch` (outgoing) and to it (incoming), as op ids.
    public func transfers(of branch: NodeID) throws -> (outgoing: [OpID], incoming: [OpID]) {
        func id(_ entity: String) -> OpID? { try? OpID(parsing: String(entity.dropFirst(Cell.transferPrefix.count))) }
        return try guarded {
            try db.read { db in
                let sent = Cell.transferPrefix + branch.rawValue + "/"
                let outgoing = try String.fetchAll(db, sql: "SELECT entity FROM registers WHERE entity >= ? AND entity < ? AND name = ?",
                                                   arguments: [sent, String(sent.dropLast()) + "0", Cell.transferSKU])
                let incoming = try String.fetchAll(db, sql: "SELECT entity FROM registers WHERE name = ? AND value = ? AND entity >= ? AND entity < ?",
                                                   arguments: [Cell.transferTo, Data(branch.rawValue.utf8), Cell.transferPrefix, "transfer;"])
                return (outgoing.compactMap(id), incoming.compactMap(id))
            }
        }
    }
}
