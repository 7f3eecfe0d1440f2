import Foundation
import GRDB
import MMSCore

extension NodeStore {
    /// The SKUs of products whose SKU or barcode is `query`, or whose name or SKU contains it
    /// (all products for an empty query), exact matches first, at most `limit`. The catalogue's
    /// registers are read by key range and by the (name, value) index; no op is scanned.
    public func productSKUs(matching query: String, limit: Int) throws -> [String] {
        try guarded {
            try db.read { db in
                let prefix = Cell.productPrefix
                // Every entity from "product:" up to "product;" (the character after ":").
                let range = (prefix, String(prefix.dropLast()) + ";")
                var found: [String] = []
                func add(_ entity: String) {
                    let sku = String(entity.dropFirst(prefix.count))
                    if found.count < limit, !found.contains(sku) { found.append(sku) }
                }
                if !query.isEmpty {
                    if try Bool.fetchOne(db, sql: "SELECT 1 FROM registers WHERE entity = ? AND name = ?",
                                         arguments: [Cell.product(query), Cell.productName]) == true { add(Cell.product(query)) }
                    for entity in try String.fetchAll(db, sql: "SELECT entity FROM registers WHERE name = ? AND value = ? AND entity >= ? AND entity < ?",
                                                      arguments: [Cell.productBarcode, Data(query.utf8), range.0, range.1]) { add(entity) }
                }
                // `+name`: the products' range of the primary key, not every entity's `name` (a
                // million members have one) through the index by name.
                let pattern = "%" + query.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
                for entity in try String.fetchAll(db, sql: """
                    SELECT entity FROM registers WHERE entity >= ? AND entity < ? AND +name = ?
                      AND (CAST(value AS TEXT) LIKE ? ESCAPE '\\' OR substr(entity, ?) LIKE ? ESCAPE '\\')
                    ORDER BY entity LIMIT ?
                    """, arguments: [range.0, range.1, Cell.productName, pattern, prefix.count + 1, pattern, limit]) { add(entity) }
                return found
            }
        }
    }

    /// The entities from `prefix` on (up to the next prefix) that hold the register `name`: every
    /// operator, say, or a branch's tills — read by the primary key's range, never by the index
    /// by name (a million members have a `name`).
    public func entities(prefix: String, having name: String, limit: Int = 10_000) throws -> [String] {
        try guarded {
            try db.read { db in
                try String.fetchAll(db, sql: "SELECT entity FROM registers WHERE entity >= ? AND entity < ? AND +name = ? ORDER BY entity LIMIT ?",
                                    arguments: [prefix, prefix + "\u{10FFFF}", name, limit])
            }
        }
    }
}
