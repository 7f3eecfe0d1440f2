import Foundation
import GRDB
import MMSCore
import MMSCrypto

/// The report tables of a data directory, read by a process beside its node (the PostgreSQL
/// mirror). It opens the store read-only, so the node stays the one writer of its store, and reads
/// each window of changes in one snapshot.
public final class ReportReader: @unchecked Sendable {
    public struct Column: Sendable, Equatable {
        public let name: String
        public let isText: Bool
        public let notNull: Bool
    }

    public struct Table: Sendable, Equatable {
        public let name: String
        public let columns: [Column]
        public let primaryKey: [String]
    }

    public enum Value: Sendable, Equatable {
        case int(Int64), text(String), null
    }

    /// What one snapshot of the store says: the tables' epoch (a rebuild starts a new one), the
    /// op-log position it holds, and each table's rows changed in the window asked for.
    public struct Changes: Sendable {
        public let epoch: String
        public let head: Int64
        public let upTo: Int64
        public var rows: [(table: Table, rows: [[Value]])]
    }

    private let connection: DatabaseQueue
    /// The report tables and their columns, as this store's migrations made them.
    public let tables: [Table]

    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw MMSError(.storeFailure, "There is no store at \(path); start the node once (or `mms node init`) to create it.")
        }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        do {
            connection = try DatabaseQueue(path: path, configuration: config)
            tables = try connection.read { db in
                let migrations = try String.fetchSet(db, sql: "SELECT identifier FROM grdb_migrations")
                guard migrations.contains("v4: report rows found by version") else {
                    throw MMSError(.storeFailure, "The store at \(path) predates the mirror's indexes; run its node once with this version of mms to migrate it.")
                }
                return try ReportTables.tables.map { name in
                    let columns = try Row.fetchAll(db, sql: "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid", arguments: [name])
                    return Table(name: name,
                                 columns: columns.map { Column(name: $0[0], isText: ($0[1] as String).uppercased() == "TEXT", notNull: ($0[2] as Int) != 0 || ($0[3] as Int) != 0) },
                                 primaryKey: columns.filter { ($0[3] as Int) > 0 }.sorted { ($0[3] as Int) < ($1[3] as Int) }.map { $0[0] })
                }
            }
        } catch let error as DatabaseError {
            throw MMSError(.storeFailure, "Cannot read the store at \(path): \(error.message ?? "\(error)").")
        }
    }

    /// The report tables' epoch: a rebuild of them starts a new one.
    public func epoch() throws -> String {
        do {
            return try connection.read { try String.fetchOne($0, sql: "SELECT value FROM meta WHERE key = 'report_epoch'") ?? "" }
        } catch let error as DatabaseError {
            throw MMSError(.storeFailure, "Cannot read the report tables: \(error.message ?? "\(error)").")
        }
    }

    /// The rows whose last change lies after op-log position `after` and at or before
    /// `after + window` (and the snapshot's head), read in one snapshot.
    public func changes(after: Int64, window: Int64) throws -> Changes {
        do {
            return try connection.read { db in
                let epoch = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'report_epoch'") ?? ""
                let head = try Int64.fetchOne(db, sql: "SELECT coalesce(max(rowid), 0) FROM ops") ?? 0
                let upTo = min(head, after + window)
                var changes = Changes(epoch: epoch, head: head, upTo: upTo, rows: [])
                guard upTo > after else { return changes }
                for table in tables {
                    let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM \(table.name) WHERE version > ? AND version <= ?", arguments: [after, upTo])
                    var rows: [[Value]] = []
                    while let row = try cursor.next() {
                        rows.append(row.databaseValues.map { value in
                            switch value.storage {
                            case .int64(let n): .int(n)
                            case .string(let s): .text(s)
                            case .null: .null
                            case .double(let d): .int(Int64(d))
                            case .blob(let b): .text(Hex.encode(Array(b)))
                            }
                        })
                    }
                    if !rows.isEmpty { changes.rows.append((table, rows)) }
                }
                return changes
            }
        } catch let error as DatabaseError {
            throw MMSError(.storeFailure, "Cannot read the report tables: \(error.message ?? "\(error)").")
        }
    }
}
