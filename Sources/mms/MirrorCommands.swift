import ArgumentParser
import Foundation
import Logging
import MMSCore
import MMSMirror
import MMSNode
import MMSStore
import ServiceLifecycle

struct MirrorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirror",
        abstract: "Keep a copy of a node's report tables in another database, for BI tools.",
        subcommands: [Postgres.self])

    struct Postgres: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep a PostgreSQL copy of the node's report tables current (schema mms), until SIGTERM or Ctrl-C.",
            discussion: """
                Runs beside the node (it only reads the store). Each pass copies the rows changed since the last, and records \
                how far it got in mms.mirror_state in the same transaction: stopped at any moment, it resumes there. A password \
                goes in PGPASSWORD rather than the URL. --once catches up and exits.
                """)
        @Option(help: "The node's data directory.") var data: String
        @Option(help: "postgresql://user@host[:port]/database[?sslmode=require]") var url: String
        @Flag(help: "Catch up once and exit.") var once = false
        @Option(help: "Seconds between passes.") var interval: Double = 2
        @Option(help: "Ops whose changes one PostgreSQL transaction copies.") var window: Int64 = PostgresMirror.defaultWindow
        @Flag(help: "Print JSON (one object per pass) instead of readable text.") var json = false

        func run() async throws {
            let mirror: PostgresMirror
            do {
                guard interval > 0, interval <= 3_600 else { throw MMSError(.invalidArgument, "--interval must be between 0 and 3600 seconds.") }
                guard window > 0, window <= 10_000_000 else { throw MMSError(.invalidArgument, "--window must be between 1 and 10000000 ops.") }
                let address = try PostgresAddress(url: url)
                let directory = DataDirectory(data)
                let identity = try directory.loadIdentity()
                var logger = Logger(label: "mms.mirror")
                logger.logLevel = .warning
                mirror = PostgresMirror(reader: try ReportReader(path: directory.storePath), node: identity.id, address: address, window: window, logger: logger)
            } catch let error as MMSError {
                return try perform(json: json) { () throws -> MirrorPass in throw error }
            }
            let started = Date()
            if once {
                let outcome: Result<PostgresMirror.Pass, MMSError>
                do { outcome = .success(try await mirror.catchUp()) } catch { outcome = .failure(Self.failure(error, mirror)) }
                await mirror.close()
                return try perform(json: json) { MirrorPass(mirror, try outcome.get(), seconds: Date().timeIntervalSince(started)) }
            }
            complain("mirroring node \(mirror.node) into \(mirror.address.description) every \(interval) s; Ctrl-C stops\n")
            let service = MirrorService(mirror: mirror, interval: interval) { pass in
                let line = MirrorPass(mirror, pass, seconds: Date().timeIntervalSince(started))
                say(json ? String(decoding: (try? JSONEncoder.snakeCase.encode(line)) ?? Data(), as: UTF8.self) : line.text)
            }
            let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "mms.mirror")))
            do { try await group.run() } catch {
                let failure = Self.failure(error, mirror)
                complain("\(failure.code.rawValue): \(failure.message)\n")
                throw ExitCode(exitStatus(failure.code))
            }
        }

        static func failure(_ error: any Error, _ mirror: PostgresMirror) -> MMSError {
            if let error = error as? MMSError { return error }
            return MMSError(.storeFailure, "Cannot mirror into \(mirror.address.description): \(PostgresMirror.describe(error)).")
        }
    }
}

/// The mirror as a service: passes until a graceful shutdown cancels it.
struct MirrorService: Service {
    let mirror: PostgresMirror
    let interval: Double
    let report: @Sendable (PostgresMirror.Pass) -> Void

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await mirror.run(every: .milliseconds(Int(interval * 1_000)), report: report)
            }
        } catch {
            await mirror.close()
            throw error
        }
        await mirror.close()
    }
}

/// What a pass did: how far the copy is, and how far behind the store it still is (its lag, in ops).
struct MirrorPass: Encodable, TextRendered {
    let node: String
    let database: String
    let version: Int64
    let head: Int64
    let behindOps: Int64
    let rows: Int
    let restarted: Bool
    let seconds: Double

    init(_ mirror: PostgresMirror, _ pass: PostgresMirror.Pass, seconds: Double) {
        node = mirror.node; database = mirror.address.description
        version = pass.version; head = pass.head; behindOps = max(0, pass.head - pass.version)
        rows = pass.rows; restarted = pass.restarted; self.seconds = (seconds * 1_000).rounded() / 1_000
    }

    var text: String {
        "\(node) → \(database): copied \(rows) rows\(restarted ? " (tables made anew)" : ""), up to op \(version) of \(head)"
    }
}
