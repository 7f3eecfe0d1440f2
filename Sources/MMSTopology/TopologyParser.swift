import Foundation
import MMSCore
import TOMLKit

extension Topology {
    /// Reads and checks a topology file. Any fault is `invalid_topology` naming the file, the
    /// field and the reason; nothing half-read is returned.
    public static func load(path: String) throws -> Topology {
        try parse(try TOMLFile.text(path: path, code: .invalidTopology), file: path)
    }

    public static func parse(_ text: String, file: String) throws -> Topology {
        let root = try TOMLFile.table(text, file: file, maxBytes: maxFileBytes, code: .invalidTopology)
        do { return try TopologyReader(file: file).read(root) } catch let fault as FileFault { throw fault.error }
    }

    /// A topology file larger than this is refused (a 1,000-branch chain needs about 200 KiB).
    public static let maxFileBytes = 4 << 20
    /// Nodes in one chain.
    public static let maxNodes = 10_000
}


/// Walks the TOML tables by hand rather than through Codable, so that an unknown or misspelt
/// field is an error naming it, not silently ignored.
private struct TopologyReader: TOMLReading {
    let file: String

    func fault(_ field: String, _ reason: String) -> FileFault { FileFault(code: .invalidTopology, file: file, field: field, reason: reason) }

    func read(_ root: TOMLTable) throws -> Topology {
        try allowOnly(root, ["chain", "limits", "escrow", "node", "messaging"], at: "")
        guard let chainTable = root["chain"]?.table else { throw fault("chain", "missing: the file needs a [chain] table with a name") }
        try allowOnly(chainTable, ["name"], at: "chain")
        let chain = try identifier(chainTable, "name", at: "chain")

        var limits = NetworkLimits()
        if let table = try optionalTable(root, "limits") {
            try allowOnly(table, NetworkLimits.ranges.map(\.key), at: "limits")
            for (key, range, path) in NetworkLimits.ranges {
                if let value = try integer(table, key, at: "limits", in: range) { limits[keyPath: path] = value }
            }
        }

        guard let nodeArray = root["node"]?.array else { throw fault("node", "missing: list the nodes as [[node]] tables") }
        guard nodeArray.count <= Topology.maxNodes else { throw fault("node", "more than \(Topology.maxNodes) nodes") }
        var nodes: [NodeSpec] = []
        var rawPeers: [[(String, String)]] = []
        for (i, value) in nodeArray.enumerated() {
            let at = "node[\(i)]"
            guard let table = value.table else { throw fault(at, "each node must be a table") }
            try allowOnly(table, ["id", "role", "region", "gossip", "api", "admin", "admin_network", "peers"], at: at)
            let id = try NodeID(identifier(table, "id", at: at))
            let at2 = "node \(id)"
            guard !nodes.contains(where: { $0.id == id }) else { throw fault("\(at).id", "duplicate node id \(id)") }
            let roleText = try string(table, "role", at: at2)
            guard let role = NodeRole(rawValue: roleText) else { throw fault("\(at2).role", "“\(roleText)” is not branch or hq") }
            let region = try identifier(table, "region", at: at2)
            var peers: [(String, String)] = []
            if let list = table["peers"] {
                guard let array = list.array else { throw fault("\(at2).peers", "must be a list of node ids") }
                for (j, peer) in array.enumerated() {
                    guard let name = peer.string else { throw fault("\(at2).peers[\(j)]", "must be a node id") }
                    peers.append(("\(at2).peers[\(j)]", name))
                }
            }
            let admin = try endpoint(table, "admin", at: at2)
            // The admin port has no authentication: loopback only, unless the topology says the
            // address is on a management network that only operators reach.
            let adminNetwork = try table["admin_network"].map { value -> String in
                guard value.string == "management" else { throw fault("\(at2).admin_network", "the only value is \"management\"") }
                return "management"
            }
            guard admin.isLoopback || adminNetwork != nil else {
                throw fault("\(at2).admin", "\(admin) is not a loopback address; the admin port has no authentication. Use 127.0.0.1, or mark a management network with admin_network = \"management\"")
            }
            nodes.append(NodeSpec(id: id, role: role, region: region,
                                  gossip: try endpoint(table, "gossip", at: at2), api: try endpoint(table, "api", at: at2),
                                  admin: admin, peers: []))
            rawPeers.append(peers)
        }
        guard nodes.contains(where: { $0.role == .hq }) else { throw fault("node", "no node has role = \"hq\": the chain needs a head office") }

        var seenEndpoints: [Endpoint: String] = [:]
        for node in nodes {
            for (name, endpoint) in [("gossip", node.gossip), ("api", node.api), ("admin", node.admin)] {
                if let other = seenEndpoints[endpoint] {
                    throw fault("node \(node.id).\(name)", "\(endpoint) is already used by \(other)")
                }
                seenEndpoints[endpoint] = "node \(node.id).\(name)"
            }
        }

        let ids = Set(nodes.map(\.id))
        nodes = try zip(nodes, rawPeers).map { node, peers in
            let resolved = try peers.map { field, name -> NodeID in
                guard let peer = try? NodeID(name), ids.contains(peer) else { throw fault(field, "“\(name)” is not a node of this topology") }
                guard peer != node.id else { throw fault(field, "a node cannot be its own peer") }
                return peer
            }
            return NodeSpec(id: node.id, role: node.role, region: node.region, gossip: node.gossip, api: node.api, admin: node.admin, peers: resolved)
        }

        var escrow = EscrowPolicy()
        if let table = try optionalTable(root, "escrow") {
            try allowOnly(table, EscrowPolicy.ranges.map(\.key) + ["reserve"], at: "escrow")
            for (key, range, path) in EscrowPolicy.ranges {
                if let value = try integer(table, key, at: "escrow", in: range) { escrow[keyPath: path] = value }
            }
            if table["reserve"] != nil {
                let reserve = try NodeID(identifier(table, "reserve", at: "escrow"))
                guard nodes.first(where: { $0.id == reserve })?.role == .hq else {
                    throw fault("escrow.reserve", "“\(reserve)” is not a head-office node of this topology")
                }
                escrow.reserve = reserve
            }
        }
        var topology = Topology(file: file, chain: chain, nodes: nodes, limits: limits, escrow: escrow)
        if let table = try optionalTable(root, "messaging") {
            try allowOnly(table, ["sender", "webhook", "token_file", "rate_per_second", "max_attempts", "quiet_hours", "daily", "daily_at"], at: "messaging")
            let sender = try NodeID(identifier(table, "sender", at: "messaging"))
            guard nodes.contains(where: { $0.id == sender }) else { throw fault("messaging.sender", "“\(sender)” is not a node of this topology") }
            let webhook = try string(table, "webhook", at: "messaging")
            guard let url = URLParts(webhook), ["http", "https"].contains(url.scheme) else {
                throw fault("messaging.webhook", "“\(webhook.prefix(80))” is not an http:// or https:// URL")
            }
            var messaging = Messaging(sender: sender, webhook: webhook)
            messaging.tokenFile = try optionalString(table, "token_file", at: "messaging")
            if let n = try integer(table, "rate_per_second", at: "messaging", in: 1...1_000) { messaging.ratePerSecond = n }
            if let n = try integer(table, "max_attempts", at: "messaging", in: 1...50) { messaging.maxAttempts = n }
            if let quiet = try optionalString(table, "quiet_hours", at: "messaging") {
                do { messaging.quietHours = try Messages.quietHours(quiet) } catch let e as MMSError { throw fault("messaging.quiet_hours", e.message) }
            }
            do { messaging.daily = try strings(table, "daily", at: "messaging").map(DailyReminder.init) } catch let e as MMSError where e.code == .invalidArgument {
                throw fault("messaging.daily", e.message)
            }
            if let at = try optionalString(table, "daily_at", at: "messaging") {
                do { messaging.dailyAt = try Messages.timeOfDay(at) } catch let e as MMSError { throw fault("messaging.daily_at", e.message) }
            }
            topology.messaging = messaging
        }
        return topology
    }

    /// A URL's scheme and host, enough to check a webhook: `scheme://host[:port]/…`.
    struct URLParts {
        let scheme: String
        init?(_ text: String) {
            guard let sep = text.range(of: "://"), text.count <= 500 else { return nil }
            scheme = String(text[..<sep.lowerBound]).lowercased()
            let rest = text[sep.upperBound...]
            guard let host = rest.split(separator: "/", maxSplits: 1).first, !host.isEmpty, !host.contains(" ") else { return nil }
        }
    }

    func endpoint(_ table: TOMLTable, _ key: String, at: String) throws -> Endpoint {
        let s = try string(table, key, at: at)
        guard let e = Endpoint(parsing: s) else { throw fault("\(at).\(key)", "“\(s)” is not host:port (port 1–65535)") }
        return e
    }
}
