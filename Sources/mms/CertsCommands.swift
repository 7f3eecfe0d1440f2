import ArgumentParser
import Foundation
import MMSCerts
import MMSCore
import MMSNode
import MMSServer
import MMSTopology

struct CertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "certs", abstract: "The chain's CA and node certificates.", subcommands: [Init.self])

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the chain CA (if there is none) and a key and certificate for every node of the topology that lacks one.",
            discussion: "Keys are written 0600. Adding a branch: add it to the topology and run this again. Rotating: --rotate <id>.")
        @Option(help: "The topology file.") var topology: String
        @Option(help: "Where the CA and node certificates live (default: certs/<chain name>).") var out: String?
        @Option(help: "Re-issue this node's key and certificate (repeatable).") var rotate: [String] = []
        @Option(help: "Where the nodes' data directories go (default: data/<chain name>); each is prepared so operators can be added before `up`.")
        var data: String?
        @Flag var json = false

        func run() throws {
            try perform(json: json) {
                let t = try Topology.load(path: topology)
                let directory = URL(fileURLWithPath: out ?? "certs/\(t.chain)")
                let result = try ChainCA.ensure(topology: t, directory: directory, rotate: Set(rotate.map(NodeID.init)))
                try ChainProvisioning.ensure(topology: t, directory: directory)
                for node in t.nodes {
                    _ = try ChainProvisioning.openNode(topology: t, id: node.id, certificates: directory,
                                                       data: DataDirectory(data ?? "data/\(t.chain)").appending(node.id.rawValue))
                }
                return result
            }
        }
    }
}

extension CertsInitResult: TextRendered {
    public var text: String {
        var lines = ["Chain CA in \(directory)\(caCreated ? " (new)" : "")."]
        if !issued.isEmpty { lines.append("Issued: \(issued.joined(separator: ", ")).") }
        if !kept.isEmpty { lines.append("Kept (valid): \(kept.joined(separator: ", ")).") }
        return lines.joined(separator: "\n")
    }
}
