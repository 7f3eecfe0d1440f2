import Foundation
import MMSCerts
import MMSCore
import MMSCrypto
import MMSServer
import MMSSimulator
import MMSTopology
import NIOPosix

/// `mms sim --live`: the topology's nodes as real `mms node run` processes with real mutual TLS
/// on loopback, every directed link through a `FaultProxy` the run cuts and heals from its seed,
/// and a workload driven through the tills' real interface (the `mms` CLI on each branch's data
/// directory). At the end every link heals and the same invariants are checked from the outside.
public enum LiveRun {
    public struct Options: Sendable {
        public var topologyPath: String
        public var seed: UInt64 = 1
        public var durationSeconds: Double = 120
        public var executable: URL
        public init(topologyPath: String, executable: URL) { self.topologyPath = topologyPath; self.executable = executable }
    }

    public static func run(_ o: Options, log: @escaping (String) -> Void) throws -> SimulationResult {
        let started = Date()
        let original = try Topology.load(path: o.topologyPath)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mms-live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        var random = SimRandom(seed: o.seed)
        let trace = Blake2b()
        func note(_ line: String) { trace.update(line); log(line) }

        // Real listen ports, one proxy per directed link, admin ports: all chosen by the OS.
        let ids = original.nodes.map(\.id), n = ids.count
        guard n >= 2, original.nodes.contains(where: { $0.role == .branch }) else {
            throw MMSError(.invalidArgument, "A live run needs a head office and at least one branch in \(original.file).")
        }
        let ports = try Endpoint.freeLoopbackPorts(n * 3 + n * (n - 1))
        let listen = Array(ports[0..<n]), api = Array(ports[n..<2 * n]), admin = Array(ports[2 * n..<3 * n])
        var proxyPort: [[Int]] = Array(repeating: Array(repeating: 0, count: n), count: n)
        var next = 3 * n
        for i in 0..<n { for j in 0..<n where i != j { proxyPort[i][j] = ports[next]; next += 1 } }

        // Each node reads its own copy of the topology: itself at its real port, every other node
        // at the proxy of the link from it. Certificates and op keys are the chain's, made once.
        var files: [String] = []
        for i in 0..<n {
            let text = render(original, gossip: (0..<n).map { j in j == i ? listen[i] : proxyPort[i][j] }, api: api, admin: admin)
            let file = root.appendingPathComponent("topology-\(ids[i]).toml").path
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            files.append(file)
        }
        let chainTopology = try Topology.load(path: files[0])
        let certs = root.appendingPathComponent("certs")
        _ = try ChainCA.ensure(topology: chainTopology, directory: certs)
        try ChainProvisioning.ensure(topology: chainTopology, directory: certs)

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        var proxies: [[FaultProxy?]] = Array(repeating: Array(repeating: nil, count: n), count: n)
        for i in 0..<n { for j in 0..<n where i != j {
            let proxy = FaultProxy(group: group, port: proxyPort[i][j], target: ("127.0.0.1", listen[j]))
            try proxy.start()
            proxies[i][j] = proxy
        } }
        defer { for row in proxies { for p in row { p?.stop() } } }

        let data = (0..<n).map { root.appendingPathComponent("data/\(ids[$0])").path }
        var processes: [Process] = []
        defer { for p in processes where p.isRunning { p.terminate(); p.waitUntilExit() } }
        for i in 0..<n {
            let p = Process()
            p.executableURL = o.executable
            p.arguments = ["node", "run", "--topology", files[i], "--id", ids[i].rawValue, "--certs", certs.path, "--data", data[i], "--log-level", "warning"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            processes.append(p)
        }
        try waitUntil(30, "every node serving") { data.allSatisfy { FileManager.default.fileExists(atPath: $0 + "/node.sock") } }
        note("live: \(n) nodes up, \(n * (n - 1)) proxied links")

        func mms(_ args: [String]) -> (ok: Bool, json: [String: Any]) {
            let p = Process(), out = Pipe()
            p.executableURL = o.executable
            p.arguments = args + ["--json"]
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            guard (try? p.run()) != nil else { return (false, [:]) }
            let bytes = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let json = (try? JSONSerialization.jsonObject(with: bytes)) as? [String: Any] ?? [:]
            return (p.terminationStatus == 0, json)
        }

        // Members at every branch, each with a stored-value card and an opening top-up.
        let branches = (0..<n).filter { original.nodes[$0].role == .branch }
        var cards: [(card: String, home: Int, expected: Int64)] = []
        var acked: [(origin: String, seq: UInt64)] = []
        var tally = (ops: 0, payments: 0, accepted: 0, noRights: 0, balance: 0)
        func ackedOp(_ json: [String: Any]) {
            guard let op = json["op"] as? String, let id = try? OpID(parsing: op) else { return }
            acked.append((id.origin.rawValue, id.seq))
            tally.ops += 1
        }
        for (k, b) in branches.enumerated() {
            for m in 0..<2 {
                let added = mms(["member", "add", "--data", data[b], "--name", "会员\(k)\(m)", "--phone", String(format: "139%08d", k * 10 + m), "--birthday", "1990-01-01"])
                guard added.ok, let member = added.json["id"] as? String else { throw MMSError(.storeFailure, "live: member add failed at \(ids[b])") }
                let card = "L\(k)x\(m)"
                guard mms(["card", "issue", "--data", data[b], "--member", member, "--type", "stored", "--number", card]).ok else {
                    throw MMSError(.storeFailure, "live: card issue failed at \(ids[b])")
                }
                let fen = Int64(random.int(200..<800)) * 100
                let topUp = mms(["topup", "--data", data[b], "--card", card, "--amount", Money(fen: fen).description])
                guard topUp.ok else { throw MMSError(.storeFailure, "live: top-up failed at \(ids[b])") }
                ackedOp(topUp.json)
                cards.append((card, b, fen))
            }
        }

        // Trading under cuts: every few seconds a link or a whole branch is cut, then healed.
        var cutUntil: [(i: Int, j: Int, until: Date)] = []
        let end = Date().addingTimeInterval(o.durationSeconds)
        var nextFault = Date().addingTimeInterval(random.double(in: 2...6))
        var partitions = 0
        while Date() < end {
            let now = Date()
            for c in cutUntil where c.until <= now {
                proxies[c.i][c.j]?.heal(); proxies[c.j][c.i]?.heal()
                note("heal \(ids[c.i])-\(ids[c.j])")
            }
            cutUntil.removeAll { $0.until <= now }
            if now >= nextFault {
                let isolate = random.chance(0.4)
                let a = random.int(0..<n)
                let others = isolate ? (0..<n).filter { $0 != a } : [({ var b = random.int(0..<n - 1); if b >= a { b += 1 }; return b })()]
                let until = now.addingTimeInterval(random.double(in: 3...15))
                for b in others {
                    proxies[a][b]?.cut(); proxies[b][a]?.cut()
                    cutUntil.append((a, b, until))
                }
                partitions += 1
                note(isolate ? "isolate \(ids[a])" : "cut \(ids[a])-\(ids[others[0]])")
                nextFault = now.addingTimeInterval(random.double(in: 3...10))
            }
            // A payment at a branch: mostly the branch's own members, sometimes a visitor.
            let b = branches[random.int(0..<branches.count)]
            let own = cards.indices.filter { cards[$0].home == b }
            let c = random.chance(0.7) && !own.isEmpty ? own[random.int(0..<own.count)] : random.int(0..<cards.count)
            let fen = Int64(random.int(1..<60)) * 100
            tally.payments += 1
            let paid = mms(["charge", "--data", data[b], "--card", cards[c].card, "--amount", Money(fen: fen).description])
            if paid.ok {
                tally.accepted += 1
                cards[c].expected -= fen
                ackedOp(paid.json)
            } else if let details = paid.json["details"] as? [String: String], details["held_elsewhere"] != nil,
                      let balance = details["balance"].flatMap(Money.init(parsing:)), balance.fen >= fen {
                tally.noRights += 1
            } else {
                tally.balance += 1
            }
            trace.update("pay \(ids[b]) \(cards[c].card) \(fen) \(paid.ok)")
        }

        // The final heal, then the liveness phase: every replica must converge within the bound.
        for row in proxies { for p in row { p?.heal() } }
        note("final heal")
        let healed = Date()
        func info(_ i: Int) -> [String: Any] { mms(["node", "info", "--data", data[i]]).json }
        var converged = false
        let deadline = healed.addingTimeInterval(60)
        while Date() < deadline {
            let infos = (0..<n).map(info)
            let vectors = infos.map { ($0["vector"] as? [String: Int]) ?? [:] }
            if Set(vectors).count == 1, Set(infos.compactMap { $0["state_hash"] as? String }).count == 1 { converged = true; break }
            usleep(200_000)
        }
        let convergenceSeconds = Date().timeIntervalSince(healed)
        let vectors = (0..<n).map { (info($0)["vector"] as? [String: Int]) ?? [:] }
        let lost = acked.filter { op in vectors.contains { UInt64($0[op.origin] ?? 0) < op.seq } }.count
        var overdrafts = 0, historyMatches = true, sum: Int64 = 0
        for card in cards {
            for i in 0..<n {
                let balance = (mms(["show", "--data", data[i], "--card", card.card]).json["balance"] as? String).flatMap(Money.init(parsing:))?.fen ?? Int64.min
                if balance < 0 { overdrafts += 1 }
                if i == 0 {
                    sum += balance
                    if balance != card.expected { historyMatches = false }
                }
            }
        }
        let report = mms(["report", "--topology", files[0], "--node", ids[0].rawValue, "--data", data[0]]).json
        let chain = report["chain"] as? [String: Any]
        let hqMatches = (chain?["liability"] as? String) == (chain?["sum_of_balances"] as? String) && (chain?["liability"] as? String) == Money(fen: sum).description
        for p in processes { p.terminate() }
        for p in processes { p.waitUntilExit() }
        let wall = Date().timeIntervalSince(started)
        var violation: Violation?
        if !converged { violation = Violation(invariant: "no_convergence", detail: "replicas still differ 60 s after the final heal") }
        else if lost > 0 { violation = Violation(invariant: "lost_acknowledged_op", detail: "\(lost) acknowledged ops missing somewhere") }
        else if overdrafts > 0 { violation = Violation(invariant: "overdraft", detail: "\(overdrafts) negative balances") }
        else if !historyMatches { violation = Violation(invariant: "history_mismatch", detail: "a balance differs from its acknowledged history") }
        else if !hqMatches { violation = Violation(invariant: "hq_sum", detail: "hq's liability differs from the sum of balances") }
        let gossip = Double(original.limits.gossipIntervalMillis) / 1_000
        var result = SimulationResult(seed: o.seed, nodes: n, policy: .escrow)
        result.links = n * (n - 1) / 2
        result.simulatedSeconds = wall
        (result.ops, result.payments, result.paymentsAccepted) = (tally.ops, tally.payments, tally.accepted)
        (result.paymentsRefusedNoRights, result.paymentsRefusedBalance) = (tally.noRights, tally.balance)
        result.overdrafts = overdrafts
        (result.lostAcknowledgedOps, result.converged, result.hqMatchesSum, result.historyMatches) = (lost, converged, hqMatches, historyMatches)
        // The live run neither reports cards lost nor uses coupons: those checks stay null.
        result.convergenceRounds = Int((convergenceSeconds / gossip).rounded(.up))
        result.partitions = partitions
        result.traceHash = Hex.encode(trace.finalize())
        (result.wallSeconds, result.speedup, result.violation, result.ok) = (wall, 1, violation, violation == nil)
        (result.wallSecondsWithTwin, result.speedupWithTwin) = (wall, 1)
        return result
    }

    static func waitUntil(_ seconds: Double, _ what: String, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else { throw MMSError(.storeFailure, "live: timed out waiting for \(what)") }
            usleep(100_000)
        }
    }

    /// The topology as TOML, with each node's gossip port replaced.
    static func render(_ t: Topology, gossip: [Int], api: [Int], admin: [Int]) -> String {
        var lines = ["[chain]", "name = \"\(t.chain)\"", "", "[limits]",
                     "max_frame_bytes = \(t.limits.maxFrameBytes)", "max_ops_per_batch = \(t.limits.maxOpsPerBatch)",
                     "max_connections = \(t.limits.maxConnections)", "send_queue_frames = \(t.limits.sendQueueFrames)",
                     "gossip_interval_ms = \(t.limits.gossipIntervalMillis)", "heartbeat_ms = \(t.limits.heartbeatMillis)",
                     "random_peers = 0", "", "[escrow]",
                     "home_share_percent = \(t.escrow.homeSharePercent)", "recent_branches = \(t.escrow.recentBranches)",
                     "reserve_percent = \(t.escrow.reservePercent)", "rebalance_interval_ms = \(t.escrow.rebalanceIntervalMillis)"]
        if let reserve = t.escrow.reserve { lines.append("reserve = \"\(reserve)\"") }
        for (i, node) in t.nodes.enumerated() {
            lines += ["", "[[node]]", "id = \"\(node.id)\"", "role = \"\(node.role.rawValue)\"", "region = \"\(node.region)\"",
                      "gossip = \"127.0.0.1:\(gossip[i])\"", "api = \"127.0.0.1:\(api[i])\"", "admin = \"127.0.0.1:\(admin[i])\""]
            if !node.peers.isEmpty { lines.append("peers = [\(node.peers.map { "\"\($0)\"" }.joined(separator: ", "))]") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
