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
