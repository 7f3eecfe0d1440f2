import GRDB
import MMSCore

extension NodeStore {
    /// The staff members with commission records for `month` (YYYY-MM), by key range.
    public func commissionStaff(month: String) throws -> [String] {
        let prefix = Cell.commission(month: month, staff: "")
        return try guarded {
            try db.read { db in
                try String.fetchAll(db, sql: "SELECT DISTINCT entity FROM counters WHERE entity >= ? AND entity < ? ORDER BY entity",
                                    arguments: [prefix, String(prefix.dropLast()) + ";"]).map { String($0.dropFirst(prefix.count)) }
            }
        }
    }
}

extension NodeStore {
    /// The entities of `branch`'s till drawers (one per till and day that took or closed cash).
    public func drawers(branch: NodeID) throws -> [String] {
        let prefix = Cell.tillDay(branch: branch, till: "", day: "").dropLast()
        return try guarded {
            try db.read { db in
                try String.fetchAll(db, sql: """
                    SELECT entity FROM counters WHERE entity >= ? AND entity < ?
                    UNION SELECT entity FROM flags WHERE entity >= ? AND entity < ? ORDER BY 1
                    """, arguments: [String(prefix), String(prefix.dropLast()) + ";", String(prefix), String(prefix.dropLast()) + ";"])
            }
        }
    }
}
