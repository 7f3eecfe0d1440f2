import Foundation
import Logging
import MMSCerts
import MMSCore
import MMSNode
import MMSServer
import MMSTopology

/// The branch network's figures: five real nodes (hq + 4 branches, the demo's shape) in this
/// process, on loopback ports the OS picks, with real mutual TLS and SQLite stores in a
/// temporary directory.
public enum NetworkBench {
    public struct Options: Sendable {
        public var gossipIntervalMillis = 1_000
        /// Top-ups whose arrival at all five nodes is timed.
        public var reachSamples = 20
        /// Ops issued while one branch is down, then timed until it has caught up.
        public var opsWhileCut = 10_000
        /// Seconds of an idle, linked chain over which gossip bytes are counted.
        public var idleSeconds = 10
        public init() {}
    }

    public struct Report: Codable, Sendable {
        public let nodes: Int
        public let gossipIntervalMs: Int
        /// From a top-up's commit at branch-1 to its arrival in every replica.
        public let reachAllFive: Timing
        public let catchUpOps: Int
        public let catchUpSeconds: Double
        /// Ops verified and stored per second by the branch catching up, over TLS.
        public let catchUpOpsPerSecond: Double
        /// Bytes on the wire (TLS included), sent plus received, per node per second, idle.
        public let idleBytesPerNodePerSecond: Double
        /// The same while `catchUpOps` ops spread from branch-1, per op delivered to one node.
        public let bytesPerOpDelivered: Double
    }

    public static func run(_ options: Options, progress: (String) -> Void) throws -> Report {
        let root = try temporaryDirectory("network")
        defer { try? FileManager.default.removeItem(at: root) }
        let topology = try Topology.parse(try demoShapedTopology(ports: Endpoint.freeLoopbackPorts(15), gossipMillis: options.gossipIntervalMillis),
                                          file: root.appendingPathComponent("bench.toml").path)
        let certificates = root.appendingPathComponent("certs")
        _ = try ChainCA.ensure(topology: topology, directory: certificates)
        try ChainProvisioning.ensure(topology: topology, directory: certificates)
        var logger = Logger(label: "mms.bench")
        logger.logLevel = .error
        func start(_ id: NodeID) throws -> NodeServer {
            let server = try NodeServer(topology: topology, id: id, paths: .init(certificates: certificates, data: DataDirectory(root.appendingPathComponent(id.rawValue).path)), logger: logger)
            try server.start()
            return server
        }
        var servers = try topology.nodes.map { try start($0.id) }
        defer { servers.forEach { $0.stop() } }
        progress("5 nodes started; waiting for every link")
        try waitUntil(30, "every link up") { servers.allSatisfy { $0.peers.connected.count >= topology.peers(of: $0.spec.id).count } }

        let branch1 = servers[1].node, origin = servers[1].spec.id
        let member = try branch1.addMember(MemberProfile(name: "压测", phone: "13900000001", birthday: "1990-01-01"))
        _ = try branch1.issueCard(number: "B1", member: member.id, type: .stored, pin: nil, discountPercent: nil, uses: nil)
        func held(_ server: NodeServer) throws -> UInt64 { try server.node.store.versionVector()[origin] }
        func everywhere(_ seq: UInt64, in nodes: [NodeServer]) throws -> Bool { try nodes.allSatisfy { try held($0) >= seq } }

        progress("timing \(options.reachSamples) top-ups from commit to all five replicas")
        var samples: [Double] = []
        let reachStart = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<options.reachSamples {
            // Tills commit at any moment, not in step with the gossip rounds.
            usleep(UInt32.random(in: 0..<50_000))
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = try branch1.topUp(card: "B1", amount: Money(fen: 100), requestKey: nil)
            let seq = try held(servers[1])
            try waitUntil(60, "a top-up reaching every node", poll: 1_000) { try everywhere(seq, in: servers) }
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        let reach = Timing(samples: samples, total: Double(DispatchTime.now().uptimeNanoseconds - reachStart) / 1e9)

        progress("counting idle gossip bytes for \(options.idleSeconds) s")
        let idleBefore = servers.map(\.metrics.wireBytes).reduce(0, +)
        Thread.sleep(forTimeInterval: Double(options.idleSeconds))
        let idleBytes = servers.map(\.metrics.wireBytes).reduce(0, +) - idleBefore

        progress("branch-4 down; \(options.opsWhileCut) top-ups at branch-1")
        let cut = servers.count - 1, cutID = servers[cut].spec.id
        servers[cut].stop()
        let spreadBefore = servers[..<cut].map(\.metrics.wireBytes).reduce(0, +)
        for _ in 0..<options.opsWhileCut { _ = try branch1.topUp(card: "B1", amount: Money(fen: 1), requestKey: nil) }
        let target = try held(servers[1])
        try waitUntil(300, "the other nodes receiving every op") { try everywhere(target, in: Array(servers[..<cut])) }
        let spreadBytes = servers[..<cut].map(\.metrics.wireBytes).reduce(0, +) - spreadBefore

        progress("branch-4 back; timing its catch-up")
        let t0 = DispatchTime.now().uptimeNanoseconds
        servers[cut] = try start(cutID)
        try waitUntil(600, "branch-4 catching up", poll: 1_000) { try held(servers[cut]) >= target }
        let catchUp = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let behind = Double(options.opsWhileCut)

        return Report(nodes: servers.count, gossipIntervalMs: options.gossipIntervalMillis, reachAllFive: reach,
                      catchUpOps: options.opsWhileCut, catchUpSeconds: catchUp, catchUpOpsPerSecond: behind / catchUp,
                      idleBytesPerNodePerSecond: Double(idleBytes) / Double(servers.count) / Double(options.idleSeconds),
                      // Three nodes received each op (hq, branch-2, branch-3); bytes are counted at both ends.
                      bytesPerOpDelivered: Double(spreadBytes) / 2 / (behind * 3))
    }

    struct Timeout: Error, CustomStringConvertible {
        let what: String
        var description: String { "timed out waiting for \(what)" }
    }

    /// Polls `condition` every `poll` µs until it holds, or throws after `seconds`.
    static func waitUntil(_ seconds: Double, _ what: String, poll: UInt32 = 10_000, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try !condition() {
            guard Date() < deadline else { throw Timeout(what: what) }
            usleep(poll)
        }
    }

    static func demoShapedTopology(ports: [Int], gossipMillis: Int) -> String {
        let nodes = [("hq", "hq", "east"), ("branch-1", "branch", "east"), ("branch-2", "branch", "east"), ("branch-3", "branch", "west"), ("branch-4", "branch", "west")]
        return "[chain]\nname = \"bench\"\n[limits]\ngossip_interval_ms = \(gossipMillis)\nrandom_peers = 0\n[escrow]\nrebalance_interval_ms = 0\n"
            + nodes.enumerated().map { i, n in
                "[[node]]\nid = \"\(n.0)\"\nrole = \"\(n.1)\"\nregion = \"\(n.2)\"\ngossip = \"127.0.0.1:\(ports[i])\"\napi = \"127.0.0.1:\(ports[5 + i])\"\nadmin = \"127.0.0.1:\(ports[10 + i])\"\n"
                    + (n.0 == "branch-2" ? "peers = [\"branch-3\"]\n" : "")
            }.joined(separator: "\n")
    }
}
