import Foundation
import MMSCore
import MMSTestSupport
import Testing

/// A real PostgreSQL server for a test: its own cluster in a temporary directory, made with the
/// Debian package's `initdb` (installed by `scripts/install-test-deps.sh`), listening on a free
/// port of 127.0.0.1, trusting the user `mms`. The test stops, crashes and starts it at will.
/// PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user.
final class PostgresServer {
    let port: Int
    let directory: String
    private let bin: String

    var url: String { "postgresql://mms@127.0.0.1:\(port)/mms" }

    init() throws {
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).compactMap(Int.init).sorted()
        guard let version = versions.last else {
            throw MMSError(.storeFailure, "PostgreSQL is not installed (/usr/lib/postgresql/*/bin); run scripts/install-test-deps.sh.")
        }
        bin = "/usr/lib/postgresql/\(version)/bin"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mms-pg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = try freePorts(1)[0]
        if getuid() == 0 { try Self.run("/bin/chown", ["postgres", directory]) }
        try serverCommand("initdb", ["-D", directory + "/data", "-U", "mms", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        try start()
        try psql("CREATE DATABASE mms", database: "postgres")
    }

    /// Through `runDetached`: the server `pg_ctl` leaves running must not hold what the test waits on.
    func start() throws {
        let arguments = ["-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "60", "start",
                         "-o", "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off"]
        let output = directory + "/pg_ctl.out"
        let status = getuid() == 0 ? runDetached("/usr/sbin/runuser", ["-u", "postgres", "--", "\(bin)/pg_ctl"] + arguments, output: output)
                                   : runDetached("\(bin)/pg_ctl", arguments, output: output)
        guard status == 0 else {
            throw MMSError(.storeFailure, "pg_ctl start failed (\(status.map(String.init) ?? "not started")): \((try? String(contentsOfFile: output, encoding: .utf8))?.suffix(600) ?? "")")
        }
    }

    /// `immediate`: the server dies as in a crash and recovers from its WAL when started again.
    func stop(mode: String = "fast") throws {
        try serverCommand("pg_ctl", ["-D", directory + "/data", "-w", "-t", "60", "stop", "-m", mode])
    }

    /// Runs `sql` through psql (not through our code) and answers its rows, columns split by `|`.
    @discardableResult
    func psql(_ sql: String, database: String = "mms") throws -> [String] {
        let out = try Self.run("/usr/bin/env", ["psql", "-X", "-q", "-At", "-F", "|", "-v", "ON_ERROR_STOP=1",
                                                 "-h", "127.0.0.1", "-p", String(port), "-U", "mms", "-d", database, "-c", sql])
        return out.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    func remove() {
        try? stop(mode: "immediate")
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func serverCommand(_ tool: String, _ arguments: [String]) throws {
        if getuid() == 0 {
            try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", "\(bin)/\(tool)"] + arguments)
        } else {
            try Self.run("\(bin)/\(tool)", arguments)
        }
    }

    /// Runs a tool to completion; its standard output, or an error with what it printed.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: "/tmp")
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw MMSError(.storeFailure, "\(tool) \(arguments.prefix(6).joined(separator: " ")) failed: \(String(decoding: stderr, as: UTF8.self).prefix(600))")
        }
        return String(decoding: stdout, as: UTF8.self)
    }
}
