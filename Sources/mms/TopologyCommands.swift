import ArgumentParser
import Foundation
import MMSCore
import MMSTopology

struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "topology", abstract: "Chain topology files.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read and check a topology file: nodes, roles, regions, addresses, peers, limits, escrow policy.",
            discussion: "A wrong file is refused with the file, the field and the reason (invalid_topology, exit 2).")
        @Option(help: "The topology file, e.g. topology/demo.toml.") var topology: String
        @Flag var json = false

        func run() throws {
            try perform(json: json) { TopologySummary(try Topology.load(path: topology)) }
        }
    }
}

struct TopologySummary: Encodable, TextRendered {
    struct Node: Encodable {
        let id, role, region, gossip, api, admin: String
        /// Every peer the node links with: explicit, region and head office.
        let peers: [String]
    }
    let file: String
    let chain: String
    let nodes: [Node]
    let regions: [String]

    init(_ t: Topology) {
        file = t.file
        chain = t.chain
        nodes = t.nodes.map { n in
            Node(id: n.id.rawValue, role: n.role.rawValue, region: n.region, gossip: n.gossip.description, api: n.api.description,
                 admin: n.admin.description, peers: t.peers(of: n.id).map(\.rawValue))
        }
        regions = Array(Set(t.nodes.map(\.region))).sorted()
    }

    var text: String {
        var lines = ["\(file): chain \(chain), \(nodes.count) nodes in \(regions.count) region\(regions.count == 1 ? "" : "s") (\(regions.joined(separator: ", ")))"]
        for n in nodes {
            lines.append("  \(n.id.padding(toLength: 12, withPad: " ", startingAt: 0)) \(n.role.padding(toLength: 6, withPad: " ", startingAt: 0)) \(n.region.padding(toLength: 8, withPad: " ", startingAt: 0)) gossip \(n.gossip)  api \(n.api)  admin \(n.admin)  peers \(n.peers.count)")
        }
        return lines.joined(separator: "\n")
    }
}
