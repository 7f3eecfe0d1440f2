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
        var children: [(String, Process)] = []
        for node in t.nodes {
            let p = Process()
            p.executableURL = executable
            p.arguments = ["node", "run", "--topology", topology, "--id", node.id.rawValue, "--data", "\(dataRoot)/\(node.id)"]
                + (certs.map { ["--certs", $0] } ?? [])
            try p.run()
            children.append((node.id.rawValue, p))
            print("\(node.id.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(node.role.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) gossip \(node.gossip)  api \(node.api)  admin \(node.admin)  data \(dataRoot)/\(node.id)  pid \(p.processIdentifier)")
        }
        print("\(children.count) nodes running; Ctrl-C stops them.")
        fflush(nil)
        waitForTermination()
        for (_, p) in children where p.isRunning { p.terminate() }
        for (id, p) in children {
            p.waitUntilExit()
            if p.terminationStatus != 0 { print("\(id) exited with status \(p.terminationStatus)") }
        }
        print("All nodes stopped.")
    }
}
