import MMSCore

/// A chain's topology: which nodes exist, what they are, where they listen and whom they gossip
/// with. Every node of the chain reads the same file. The format is documented in topology/README.md.
public struct Topology: Sendable, Equatable {
    public let file: String
    public let chain: String
    public let nodes: [NodeSpec]
    public let limits: NetworkLimits
    public let escrow: EscrowPolicy
    /// The chain's message gateway, if it has one (`[messaging]`).
    public var messaging: Messaging? = nil

    public func node(_ id: NodeID) -> NodeSpec? { nodes.first { $0.id == id } }

    /// Whom `id` keeps links with: the head office, the nodes of its region, the peers it names
    /// and the nodes that name it (a link runs both ways). The head office links with every node.
    public func peers(of id: NodeID) -> [NodeID] {
        guard let me = node(id) else { return [] }
        if me.role == .hq { return nodes.map(\.id).filter { $0 != id } }
        let implied = nodes.filter { $0.id != id && ($0.role == .hq || $0.region == me.region) }.map(\.id)
        let naming = nodes.filter { $0.peers.contains(id) }.map(\.id)
        var seen = Set<NodeID>()
        return (implied + me.peers + naming).filter { seen.insert($0).inserted }
    }
}

public struct NodeSpec: Sendable, Equatable {
    public let id: NodeID
    public let role: NodeRole
    public let region: String
    /// Where the node accepts gossip from its peers (mutual TLS).
    public let gossip: Endpoint
    /// Where the tills of the branch reach it.
    public let api: Endpoint
    /// Health and metrics.
    public let admin: Endpoint
    /// Peers beyond the implied ones (the region's nodes and the head office).
    public let peers: [NodeID]
}

/// A host and port, e.g. `127.0.0.1:7401`, `[::1]:7401`, `shop7.example:7401`.
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    /// 127.0.0.0/8, ::1 or localhost: reachable from this machine only.
    public var isLoopback: Bool { host.hasPrefix("127.") || host == "::1" || host == "localhost" }

    public let host: String
    public let port: UInt16

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Parses `host:port` strictly; nil for anything else.
    public init?(parsing text: String) {
        let hostPart: Substring, portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
            guard Self.isIPv6(hostPart) else { return nil }
        } else {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else { return nil }
            (hostPart, portPart) = (parts[0], parts[1])
            guard Self.isIPv4(hostPart) || Self.isHostname(hostPart) else { return nil }
        }
        guard !portPart.isEmpty, portPart.count <= 5, portPart.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = UInt16(portPart), port > 0 else { return nil }
        self.host = String(hostPart)
        self.port = port
    }

    static func isIPv4(_ s: Substring) -> Bool {
        let octets = s.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { o in
            !o.isEmpty && o.count <= 3 && o.allSatisfy { $0.isASCII && $0.isNumber } && Int(o)! <= 255
        }
    }

    static func isIPv6(_ s: Substring) -> Bool {
        let groups = s.split(separator: ":", omittingEmptySubsequences: false)
        return (3...8).contains(groups.count) && s.filter({ $0 == ":" }).count >= 2
            && groups.allSatisfy { $0.count <= 4 && $0.allSatisfy(\.isHexDigit) }
            && s.components(separatedBy: "::").count <= 2
    }

    static func isHostname(_ s: Substring) -> Bool {
        // All-digit-and-dot names are malformed IPv4 addresses, not hostnames.
        guard !s.isEmpty, s.count <= 253, !s.allSatisfy({ $0.isNumber || $0 == "." }) else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}

/// Network limits every node enforces. Each has a default and a range the file must respect.
public struct NetworkLimits: Sendable, Equatable {
    /// A frame larger than this is refused and the connection closed: bounds memory per peer.
    public var maxFrameBytes = 1 << 20
    /// Ops per replication batch.
    public var maxOpsPerBatch = Limits.maxOpsPerBatch
    /// Open peer connections, inbound and outbound together.
    public var maxConnections = 256
    /// Frames queued for one peer before the sender waits (back-pressure, not memory).
    public var sendQueueFrames = 256
    /// How often a node starts an anti-entropy round with a peer.
    public var gossipIntervalMillis = 1_000
    /// How often an idle link proves it is alive; a peer silent for three is dropped.
    public var heartbeatMillis = 2_000
    /// Extra links each node keeps to random nodes outside its implied peers, re-chosen when lost.
    public var randomPeers = 1

    static var ranges: [(key: String, range: ClosedRange<Int>, path: WritableKeyPath<NetworkLimits, Int>)] { [
        ("max_frame_bytes", 1_024...(16 << 20), \.maxFrameBytes),
        ("max_ops_per_batch", 1...Limits.maxOpsPerBatch, \.maxOpsPerBatch),
        ("max_connections", 1...4_096, \.maxConnections),
        ("send_queue_frames", 1...65_536, \.sendQueueFrames),
        ("gossip_interval_ms", 10...600_000, \.gossipIntervalMillis),
        ("heartbeat_ms", 100...600_000, \.heartbeatMillis),
        ("random_peers", 0...16, \.randomPeers),
    ] }
}

/// Where escrow rights are placed ahead of payments (MMSCore.RightsPlacement; topology/README.md).
/// Where reminders go: the node that delivers the outbox, the chain's gateway (an HTTP webhook
/// in front of its SMS, WeChat or e-mail service), how fast, and when not.
public struct Messaging: Sendable, Equatable {
    public var sender: NodeID
    /// `http://` or `https://` URL the sender POSTs each message to.
    public var webhook: String
    /// A file holding the gateway's bearer token (kept out of the topology and of git), if it wants one.
    public var tokenFile: String?
    public var ratePerSecond = 20
    public var maxAttempts = 8
    /// No message goes out between these minutes of the day (China Standard Time); nil: any time.
    public var quietHours: (from: Int, until: Int)?
    /// The reminders the sender runs each day on its own, from minute `dailyAt` (China time).
    public var daily: [DailyReminder] = []
    public var dailyAt = 9 * 60

    public init(sender: NodeID, webhook: String) { self.sender = sender; self.webhook = webhook }

    public static func == (a: Messaging, b: Messaging) -> Bool {
        a.sender == b.sender && a.webhook == b.webhook && a.tokenFile == b.tokenFile && a.ratePerSecond == b.ratePerSecond
            && a.maxAttempts == b.maxAttempts && a.quietHours?.from == b.quietHours?.from && a.quietHours?.until == b.quietHours?.until
            && a.daily == b.daily && a.dailyAt == b.dailyAt
    }
}

public struct EscrowPolicy: Sendable, Equatable {
    /// Share of a balance, after the reserve, the member's home branch holds.
    public var homeSharePercent = 70
    /// How many of the member's most recently visited other branches share the rest.
    public var recentBranches = 2
    /// Share of every balance the reserve node holds.
    public var reservePercent = 10
    /// How often a node re-places the rights it holds; 0 places rights only by hand and on demand.
    public var rebalanceIntervalMillis = 2_000
    /// A head-office node that keeps a reserve of every balance, reachable from every branch.
    public var reserve: NodeID?

    static var ranges: [(key: String, range: ClosedRange<Int>, path: WritableKeyPath<EscrowPolicy, Int>)] { [
        ("home_share_percent", 0...100, \.homeSharePercent),
        ("recent_branches", 0...16, \.recentBranches),
        ("reserve_percent", 0...100, \.reservePercent),
        ("rebalance_interval_ms", 0...3_600_000, \.rebalanceIntervalMillis),
    ] }

    /// The placement rule every node of the chain applies (MMSCore.RightsPlacement).
    public var placement: PlacementPolicy {
        PlacementPolicy(homeSharePercent: homeSharePercent, recentBranches: recentBranches, reserve: reserve, reservePercent: reservePercent)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Endpoint {
    /// Ports on 127.0.0.1 the OS reports free now (bound to port 0, then let go).
    public static func freeLoopbackPorts(_ count: Int) throws -> [Int] {
        var sockets: [Int32] = [], ports: [Int] = []
        defer { sockets.forEach { close($0) } }
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
            }
            guard fd >= 0, bound else { throw MMSError(.storeFailure, "cannot find a free port on 127.0.0.1") }
            sockets.append(fd)
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }
}
