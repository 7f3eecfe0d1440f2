import Foundation
import Logging
import MMSCore
import MMSCrypto
import MMSStore
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// Where the mirror writes: a `postgresql://user[:password]@host[:port]/database[?sslmode=…]`
/// address. A password may come from `PGPASSWORD` instead, so it stays out of the process list.
public struct PostgresAddress: Sendable {
    public let host: String, port: Int, user: String, database: String
    let password: String?
    let requireTLS: Bool

    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func refuse(_ why: String) -> MMSError {
            MMSError(.invalidArgument, "--url \(why); write it as postgresql://user@host[:port]/database.", details: ["url": PostgresAddress.masked(text)])
        }
        guard let url = URLComponents(string: text), ["postgresql", "postgres"].contains(url.scheme ?? "") else { throw refuse("is not a postgresql:// address") }
        guard let host = url.host, !host.isEmpty else { throw refuse("names no host") }
        guard let user = url.user, !user.isEmpty else { throw refuse("names no user") }
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw refuse("names no database") }
        let mode = url.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        guard ["disable", "require"].contains(mode) else { throw refuse("has sslmode=\(mode.prefix(20)) (disable or require)") }
        self.host = host; self.port = url.port ?? 5432; self.user = user; self.database = database
        password = url.password ?? environment["PGPASSWORD"]
        requireTLS = mode == "require"
    }

    /// The address with its password hidden, for messages and logs.
    public static func masked(_ text: String) -> String {
        guard var url = URLComponents(string: text), url.password != nil else { return text }
        url.password = "***"
        return url.string ?? text
    }

    public var description: String { "postgresql://\(user)@\(host):\(port)/\(database)" }
}

/// Keeps a PostgreSQL copy of one node's report tables (`ReportReader`) in the schema `mms`: the
/// same tables and columns, the same rows. Each pass copies the rows changed since the op-log
/// position recorded in `mms.mirror_state`, and moves that position in the same PostgreSQL
/// transaction, so a mirror or a server stopped at any moment resumes where it was and never
/// counts a row twice (a row is written whole, never added to). A rebuilt store, or a new version
/// of the tables, starts the copy again from nothing.
public final class PostgresMirror: @unchecked Sendable {
    public struct Pass: Codable, Sendable {
        /// Op-log position copied up to, and the store's own at the time.
        public let version: Int64
        public let head: Int64
        public let rows: Int
        public let restarted: Bool
    }

    public static let schema = "mms"
    /// Ops per window: one PostgreSQL transaction copies the rows changed by this many ops.
    public static let defaultWindow: Int64 = 50_000
    /// Values per INSERT statement (PostgreSQL takes at most 65,535 parameters).
    static let valuesPerStatement = 30_000

    let reader: ReportReader
    public let node: String
    public let address: PostgresAddress
    let window: Int64
    let logger: Logger
    private var connection: PostgresConnection?

    public init(reader: ReportReader, node: String, address: PostgresAddress, window: Int64 = defaultWindow, logger: Logger) {
        precondition(window > 0, "a window of \(window) ops")
        self.reader = reader; self.node = node; self.address = address; self.window = window; self.logger = logger
    }

    /// The tables' definition as PostgreSQL reads it; its digest tells a mirror made by another
    /// version of mms (whose tables must be made again).
    var definition: String {
        reader.tables.map { table in
            let columns = table.columns.map { "\($0.name) \($0.isText ? "text" : "bigint")\($0.notNull ? " NOT NULL" : "")" }
            return "CREATE TABLE \(Self.schema).\(table.name) (\(columns.joined(separator: ", ")), PRIMARY KEY (\(table.primaryKey.joined(separator: ", "))))"
        }.joined(separator: ";\n")
    }

    var definitionDigest: String { String(Blake2b.hash(Array(definition.utf8)).hex.prefix(16)) }

    // MARK: Passes

    /// Copies every change the store holds now, a window at a time; answers the last pass.
    public func catchUp() async throws -> Pass {
        var total = 0, restarted = false
        while true {
            let pass = try await step()
            total += pass.rows
            restarted = restarted || pass.restarted
            if pass.version >= pass.head { return Pass(version: pass.version, head: pass.head, rows: total, restarted: restarted) }
        }
    }

    /// One window: read the rows changed after the recorded position from one snapshot of the
    /// store, write them and the new position in one transaction.
    func step() async throws -> Pass {
        let connection = try await connected()
        let recorded = try await self.state(connection), epoch = try reader.epoch()
        let state: State, restarted: Bool
        if let recorded, recorded.definition == definitionDigest, recorded.epoch == epoch {
            (state, restarted) = (recorded, false)
        } else {
            (state, restarted) = (try await restart(connection), true)
        }
        let from = state.version
        let changes = try reader.changes(after: from, window: window)
        guard changes.epoch == state.epoch else { return try await step() }   // rebuilt between the two reads
        var rows = 0
        try await connection.withTransaction(logger: logger) { connection in
            let position = try await connection.query("SELECT version FROM mms.mirror_state WHERE node = \(node) FOR UPDATE", logger: logger)
            var locked: [Int64] = []
            for try await version in position.decode(Int64.self) { locked.append(version) }
            guard locked == [from] else {
                throw MMSError(.storeFailure, "Another mirror of node \(node) is writing to this database (its position moved from \(from)); run one mirror per node.")
            }
            for (table, tableRows) in changes.rows {
                try await upsert(table, tableRows, on: connection)
                rows += tableRows.count
            }
            try await connection.query("""
                UPDATE mms.mirror_state SET version = \(changes.upTo), head = \(changes.head), updated_at = now() WHERE node = \(node)
                """, logger: logger)
        }
        return Pass(version: changes.upTo, head: changes.head, rows: rows, restarted: restarted)
    }

    struct State { let epoch: String; let definition: String; let version: Int64 }

    /// This node's row of `mms.mirror_state` (nil before its first copy). A database holds one
    /// node's copy: another node's row is refused.
    func state(_ connection: PostgresConnection) async throws -> State? {
        try await connection.query("CREATE SCHEMA IF NOT EXISTS mms", logger: logger)
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS mms.mirror_state (
                node text PRIMARY KEY, epoch text NOT NULL, definition text NOT NULL, version bigint NOT NULL, head bigint NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        var mine: State?
        let rows = try await connection.query("SELECT node, epoch, definition, version FROM mms.mirror_state", logger: logger)
        for try await (owner, epoch, definition, version) in rows.decode((String, String, String, Int64).self) {
            guard owner == node else {
                throw MMSError(.invalidArgument, "The database \(address.database) already mirrors node \(owner); give node \(node) its own database.",
                               details: ["node": owner])
            }
            mine = State(epoch: epoch, definition: definition, version: version)
        }
        return mine
    }

    /// Makes the tables again, empty, and records position 0 of the store's current epoch.
    func restart(_ connection: PostgresConnection) async throws -> State {
        let epoch = try reader.epoch()
        logger.info("mirror: (re)making the tables of node \(node) in \(address.description)", metadata: ["epoch": "\(epoch)"])
        try await connection.withTransaction(logger: logger) { connection in
            for table in reader.tables {
                try await connection.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(Self.schema).\(table.name)"), logger: logger)
            }
            for statement in definition.components(separatedBy: ";\n") {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query("""
                INSERT INTO mms.mirror_state (node, epoch, definition, version, head) VALUES (\(node), \(epoch), \(definitionDigest), 0, 0)
                ON CONFLICT (node) DO UPDATE SET epoch = excluded.epoch, definition = excluded.definition, version = 0, head = 0, updated_at = now()
                """, logger: logger)
        }
        return State(epoch: epoch, definition: definitionDigest, version: 0)
    }

    /// Writes `rows` whole into `table`: a row already there is replaced, so copying a row twice
    /// leaves it as once.
    func upsert(_ table: ReportReader.Table, _ rows: [[ReportReader.Value]], on connection: PostgresConnection) async throws {
        let width = table.columns.count
        let names = table.columns.map(\.name)
        let updates = names.filter { !table.primaryKey.contains($0) }.map { "\($0) = excluded.\($0)" }
        let perStatement = max(1, Self.valuesPerStatement / width)
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + perStatement)]
            var binds = PostgresBindings(capacity: chunk.count * width)
            var tuples: [String] = []
            tuples.reserveCapacity(chunk.count)
            for (r, row) in chunk.enumerated() {
                precondition(row.count == width, "a row of \(table.name) has \(row.count) values for \(width) columns")
                tuples.append("(" + (0..<width).map { "$\(r * width + $0 + 1)" }.joined(separator: ",") + ")")
                for value in row {
                    switch value {
                    case .int(let n): binds.append(n)
                    case .text(let s): binds.append(s)
                    case .null: binds.appendNull()
                    }
                }
            }
            let sql = "INSERT INTO \(Self.schema).\(table.name) (\(names.joined(separator: ", "))) VALUES \(tuples.joined(separator: ",")) "
                + "ON CONFLICT (\(table.primaryKey.joined(separator: ", "))) DO UPDATE SET \(updates.joined(separator: ", "))"
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            start += perStatement
        }
    }

    /// Catches up every `interval` until cancelled, reporting each pass that copied something. A
    /// lost connection (PostgreSQL restarting, say) is opened again after a back-off of 1 s doubling
    /// to 30 s; what cannot heal by waiting (another node's database) ends the run.
    public func run(every interval: Duration, report: (Pass) -> Void) async throws {
        var backOff = 1.0
        while !Task.isCancelled {
            do {
                let pass = try await catchUp()
                if pass.rows > 0 || pass.restarted { report(pass) }
                backOff = 1
                try await Task.sleep(for: interval)
            } catch let error as MMSError where error.code == .invalidArgument {
                throw error
            } catch is CancellationError {
                return
            } catch {
                logger.warning("mirror: \(Self.describe(error)); trying again in \(Int(backOff)) s")
                await close()
                try? await Task.sleep(for: .seconds(backOff))
                backOff = min(backOff * 2, 30)
            }
        }
    }

    // MARK: The connection

    private func connected() async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        let tls: PostgresConnection.Configuration.TLS = address.requireTLS
            ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable
        let configuration = PostgresConnection.Configuration(host: address.host, port: address.port, username: address.user,
                                                             password: address.password, database: address.database, tls: tls)
        let made = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        connection = made
        return made
    }

    /// Closes the connection (a pass under way is rolled back by the server).
    public func close() async {
        try? await connection?.close()
        connection = nil
    }

    /// What went wrong, in words: PostgreSQL's own message when the server sent one.
    public static func describe(_ error: any Error) -> String {
        if let error = error as? MMSError { return error.message }
        if let error = error as? PostgresTransactionError {
            return describe(error.closureError ?? error.commitError ?? error.beginError ?? error.rollbackError ?? error)
        }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return "PostgreSQL: \(message)" }
            if let underlying = error.underlying { return "PostgreSQL: \(error.code): \(underlying)" }
            return "PostgreSQL: \(error.code)"
        }
        return "\(error)"
    }
}
