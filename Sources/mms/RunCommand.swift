import ArgumentParser
import Dispatch
import Foundation
import MMSCore
import MMSNode
import MMSServer
import MMSTopology

extension NodeCommand {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one node of a topology: its store, its gossip server, and its links to its peers, until SIGTERM or Ctrl-C.",
            discussion: "On first run the node's data directory is made from the chain's provisioning (`mms certs init`).")
        @Option(help: "The topology file.") var topology: String
        @Option(help: "This node's id in the topology.") var id: String
        @Option(help: "The chain's certificates directory (default: certs/<chain>).") var certs: String?
        @Option(help: "This node's data directory (default: data/<chain>/<id>).") var data: String?

        func run() throws {
            do {
                let t = try Topology.load(path: topology)
                let nodeID = try NodeID(id)
                let paths = NodeServer.Paths(certificates: URL(fileURLWithPath: certs ?? "certs/\(t.chain)"),
                                             data: DataDirectory(data ?? "data/\(t.chain)/\(nodeID)"))
                let server = try NodeServer(topology: t, id: nodeID, paths: paths) { line in
                    FileHandle.standardError.write(Data("\(ISO8601DateFormatter().string(from: Date())) \(line)\n".utf8))
                }
                try server.start()
                waitForTermination()
                server.stop()
            } catch let error as MMSError {
                FileHandle.standardError.write(Data("\(error.code.rawValue): \(error.message)\n".utf8))
                throw ExitCode(exitStatus(error.code))
            }
        }
    }
}

/// Blocks until SIGINT or SIGTERM.
func waitForTermination() {
    let done = DispatchSemaphore(value: 0)
    var sources: [DispatchSourceSignal] = []
    for sig in [SIGINT, SIGTERM] {
        signal(sig, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        source.setEventHandler { done.signal() }
        source.resume()
        sources.append(source)
    }
    done.wait()
    sources.forEach { $0.cancel() }
}
