import ArgumentParser
import Dispatch
import Foundation
import Logging
import MMSCore
import MMSNode
import MMSServer
import MMSTillAPI
import MMSTopology
import ServiceLifecycle

extension NodeCommand {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one node of a topology: its store, its gossip server, and its links to its peers, until SIGTERM or Ctrl-C.",
            discussion: "On first run the node's data directory is made from the chain's provisioning (`mms certs init`). Logs go to stderr, one line per event.")
        @Option(help: "The topology file.") var topology: String
        @Option(help: "This node's id in the topology.") var id: String
        @Option(help: "The chain's certificates directory (default: certs/<chain>).") var certs: String?
        @Option(help: "This node's data directory (default: data/<chain>/<id>).") var data: String?
        @Option(help: "Lowest log level written: trace, debug, info, notice, warning, error.") var logLevel: String = "info"

        func run() async throws {
            guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error.") }
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let logger = Logger(label: "mms.node")
            let server: NodeServer
            do {
                let t = try Topology.load(path: topology)
                let nodeID = try NodeID(id)
                let paths = NodeServer.Paths(certificates: URL(fileURLWithPath: certs ?? "certs/\(t.chain)"),
                                             data: DataDirectory(data ?? "data/\(t.chain)/\(nodeID)"))
                server = try NodeServer(topology: t, id: nodeID, paths: paths, logger: logger)
            } catch let error as MMSError {
                FileHandle.standardError.write(Data("\(error.code.rawValue): \(error.message)\n".utf8))
                throw ExitCode(exitStatus(error.code))
            }
            let broker: LocalNode.RightsBroker = { account, amount in try server.requestRights(account: account, amount: amount) }
            let api = TillAPI(node: server.node, broker: broker, links: { server.links() },
                              photos: { member, digest, holders in server.requestPhoto(member: member, digest: digest, holders: holders) })
            let certificates = server.paths.certificates
            let tillServer: any Service
            do {
                tillServer = try TillServer.application(
                    api: api, host: server.spec.api.host, port: Int(server.spec.api.port),
                    certificateFile: certificates.appendingPathComponent("nodes/\(server.spec.id).pem").path,
                    keyFile: certificates.appendingPathComponent("nodes/\(server.spec.id).key").path, logger: logger)
            } catch let error as MMSError {
                FileHandle.standardError.write(Data("\(error.code.rawValue): \(error.message)\n".utf8))
                throw ExitCode(exitStatus(error.code))
            }
            let node = NodeService(server: server) { request in ServingContext.execute(request, node: server.node, broker: broker) }
            // The chain's sending node delivers the outbox to its gateway.
            let sender: [any Service] = server.topology.messaging.flatMap { $0.sender == server.spec.id ? [MessageSender(node: server.node, messaging: $0, log: logger)] : nil } ?? []
            let group = ServiceGroup(configuration: .init(services: [node, tillServer] + sender,
                                                          gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            do { try await group.run() } catch let error as MMSError {
                FileHandle.standardError.write(Data("\(error.code.rawValue): \(error.message)\n".utf8))
                throw ExitCode(exitStatus(error.code))
            } catch {
                FileHandle.standardError.write(Data("store_failure: \(id) stopped: \(error) (till API on \(server.spec.api)).\n".utf8))
                throw ExitCode(3)
            }
        }
    }
}

/// The node as a swift-service-lifecycle service: SIGTERM or SIGINT starts a graceful shutdown,
/// which stops taking connections and lets queued store work finish before the process exits.
struct NodeService: Service {
    let server: NodeServer
    let localCommands: @Sendable (LocalCommand.Request) -> LocalCommand.Reply

    func run() async throws {
        try await blocking { try server.start(localCommands: localCommands) }
        try? await gracefulShutdown()
        try await blocking { server.stop() }
    }

    /// NIO's blocking start and stop must not run on the cooperative pool.
    private func blocking(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, Error>) in
            DispatchQueue.global().async { done.resume(with: Result { try body() }) }
        }
    }
}

/// SIGINT or SIGTERM, once received.
final class TerminationSignal: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var flag = false

    init() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in lock.lock(); flag = true; lock.unlock(); done.signal() }
            source.resume()
            sources.append(source)
        }
    }

    var received: Bool { lock.lock(); defer { lock.unlock() }; return flag }

    /// Waits until a signal arrives or `seconds` pass.
    func wait(seconds: Double) { _ = done.wait(timeout: .now() + seconds) }
}
