import ArgumentParser
import Foundation
import MMSCerts
import MMSCore
import MMSServer
import MMSTopology

/// The chain on one machine: every node of the topology as its own `mms node run` process.
struct Up: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every node of a topology as its own process on this machine (dev certificates made if there are none); Ctrl-C stops them all.")
    @Option(help: "The topology file.") var topology: String
    @Option(help: "The chain's certificates directory (default: certs/<chain>).") var certs: String?
    @Option(help: "Where the nodes' data directories go (default: data/<chain>).") var data: String?

    func run() throws {
        let t: Topology
        do {
            t = try Topology.load(path: topology)
            let certsDirectory = URL(fileURLWithPath: certs ?? "certs/\(t.chain)")
            let made = try ChainCA.ensure(topology: t, directory: certsDirectory)
            try ChainProvisioning.ensure(topology: t, directory: certsDirectory)
            if !made.issued.isEmpty { print("Certificates in \(certsDirectory.path): issued \(made.issued.joined(separator: ", ")).") }
        } catch let error as MMSError {
            FileHandle.standardError.write(Data("\(error.code.rawValue): \(error.message)\n".utf8))
            throw ExitCode(exitStatus(error.code))
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let dataRoot = data ?? "data/\(t.chain)"
        func launch(_ node: NodeSpec) throws -> Process {
            let p = Process()
            p.executableURL = executable
            p.arguments = ["node", "run", "--topology", topology, "--id", node.id.rawValue, "--data", "\(dataRoot)/\(node.id)"]
                + (certs.map { ["--certs", $0] } ?? [])
            try p.run()
            return p
        }
        var children: [(node: NodeSpec, process: Process, started: Date, failures: Int, restartAt: Date?)] = []
        for node in t.nodes {
            let p = try launch(node)
            children.append((node, p, Date(), 0, nil))
            print("\(node.id.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(node.role.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) gossip \(node.gossip)  api https://\(node.api)  admin \(node.admin)  data \(dataRoot)/\(node.id)  pid \(p.processIdentifier)")
        }
        print("\(children.count) nodes running; Ctrl-C stops them.")
        fflush(nil)
        // A node that dies is started again after 1 s, doubling to at most 30 s while it keeps
        // dying within a minute of its start.
        let stop = TerminationSignal()
        while !stop.received {
            for i in children.indices {
                let child = children[i]
                if let at = child.restartAt {
                    guard Date() >= at else { continue }
                    if let p = try? launch(child.node) {
                        children[i] = (child.node, p, Date(), child.failures, nil)
                        print("\(child.node.id) restarted, pid \(p.processIdentifier)")
                    }
                } else if !child.process.isRunning {
                    let failures = Date().timeIntervalSince(child.started) > 60 ? 1 : child.failures + 1
                    let delay = min(30, 1 << min(failures - 1, 5))
                    print("\(child.node.id) exited with status \(child.process.terminationStatus); restarting in \(delay) s")
                    children[i] = (child.node, child.process, child.started, failures, Date().addingTimeInterval(Double(delay)))
                }
                fflush(nil)
            }
            stop.wait(seconds: 0.5)
        }
        for child in children where child.process.isRunning { child.process.terminate() }
        for child in children where child.restartAt == nil {
            child.process.waitUntilExit()
            if child.process.terminationStatus != 0 { print("\(child.node.id) exited with status \(child.process.terminationStatus)") }
        }
        print("All nodes stopped.")
    }
}
