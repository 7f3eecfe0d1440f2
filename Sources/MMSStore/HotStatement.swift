import GRDB
import GRDBSQLite

/// A value bound to a hot statement.
enum HotValue {
    case text(String)
    case int(Int64)
    case blob([UInt8])
    case null
}

/// SQLite's "copy the bytes now" destructor, which the C macro SQLITE_TRANSIENT spells as -1.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

extension Statement {
    /// Binds and steps a statement GRDB prepared (and caches), straight through SQLite's C API.
    /// Only for the statements run once per op or per cell (op inserts, cell merges): there
    /// GRDB's per-execution bookkeeping costs more than SQLite's own work. The statement must
    /// write, return no rows, and run inside a transaction GRDB opened.
    func run(_ values: HotValue...) throws {
        let handle = try bind(values)
        let rc = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard rc == SQLITE_DONE else { throw hotError(rc) }
    }

    /// Binds and steps a read the same way, handing each row to `row` (read the columns with
    /// `text(_:)`, `int(_:)` and `blob(_:)` of `HotRow`). For the per-request reads of the till path.
    func each(_ values: HotValue..., row: (HotRow) throws -> Void) throws {
        let handle = try bind(values)
        defer { sqlite3_reset(handle) }
        while true {
            let rc = sqlite3_step(handle)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw hotError(rc) }
            try row(HotRow(handle: handle))
        }
    }

    private func bind(_ values: [HotValue]) throws -> OpaquePointer {
        let handle = sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case .text(let s): rc = sqlite3_bind_text(handle, index, s, -1, transient)
            case .int(let n): rc = sqlite3_bind_int64(handle, index, n)
            case .blob(let b): rc = b.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), transient) }
            case .null: rc = sqlite3_bind_null(handle, index)
            }
            guard rc == SQLITE_OK else { throw hotError(rc) }
        }
        return handle
    }

    private func hotError(_ rc: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(sqliteStatement))), sql: sql)
    }
}

/// The current row of a hot read; valid only inside the `each` callback.
struct HotRow {
    let handle: OpaquePointer

    func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(handle, column) else { return "" }
        return String(cString: p)
    }

    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let p = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: count))
    }
}
