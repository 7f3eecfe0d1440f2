import GRDB
import MMSCore

/// Node-local counts that are not replicated state: what this node's tills were refused. Kept in
/// the store because tills run in their own processes; the node's /metrics reads them back.
extension NodeStore {
    /// Counts one escrow refusal of `kind` (`rights_elsewhere`: the balance sufficed but the rights
    /// sat at other nodes; `balance`: the balance itself was short).
    public func countRefusal(_ kind: String) throws {
        _ = try write { db in
            try db.execute(sql: """
                INSERT INTO meta (key, value) VALUES (?, '1')
                ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
                """, arguments: ["refused:" + kind])
        }
    }

    /// Escrow refusals so far, by kind.
    public func refusals() throws -> [String: Int] {
        try guarded {
            try db.read { db in
                let rows = try Row.fetchAll(db, sql: "SELECT key, value FROM meta WHERE key LIKE 'refused:%'")
                return Dictionary(uniqueKeysWithValues: rows.map { row -> (String, Int) in
                    let key: String = row[0], value: String = row[1]
                    return (String(key.dropFirst("refused:".count)), Int(value) ?? 0)
                })
            }
        }
    }
}
