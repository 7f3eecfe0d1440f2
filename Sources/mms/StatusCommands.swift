import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MMSCore
import MMSNode
import MMSServer
import MMSStore
import MMSTopology

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Ask every node of a topology for its health (its admin /healthz): peers connected, ops held.")
    @Option(help: "The topology file.") var topology: String
    @Flag var json = false

    func run() throws {
        try perform(json: json) {
            let t = try Topology.load(path: topology)
            return StatusResult(nodes: t.nodes.map { Self.health(of: $0) })
        }
    }

    /// GET /healthz with a 2-second limit; an unreachable node is reported as such, not as an error.
    static func health(of node: NodeSpec) -> NodeHealth {
        let unreachable = NodeHealth(id: node.id.rawValue, role: node.role.rawValue, chain: "", reachable: false, peersConnected: 0,
                                     peers: [], ops: 0, vector: [:], connectionsRefused: 0, lag: [:], escrowHeld: "0.00")
        guard let body = adminRequest(node.admin, "/healthz") else { return unreachable }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return (try? decoder.decode(NodeHealth.self, from: body)) ?? unreachable
    }
}

struct StatusResult: Encodable, TextRendered {
    let nodes: [NodeHealth]
    var text: String {
        nodes.map { n in
            n.reachable
                ? "\(n.id.padding(toLength: 10, withPad: " ", startingAt: 0)) \(n.role.padding(toLength: 7, withPad: " ", startingAt: 0)) peers \(n.peersConnected) (\(n.peers.map { "\($0) lag \(n.lag[$0] ?? 0)" }.joined(separator: ", "))), ops \(n.ops), escrow held \(n.escrowHeld)" + (n.clockTrusted == false ? ", CLOCK OFF by \((n.clockOffsetMs ?? 0) / 1_000) s: tills refused" : "")
                : "\(n.id.padding(toLength: 10, withPad: " ", startingAt: 0)) \(n.role.padding(toLength: 7, withPad: " ", startingAt: 0)) unreachable"
        }.joined(separator: "\n")
    }
}

struct ChainReport: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chain", abstract: "Chain-wide figures per branch, from one node's replica (the head office holds every op).")
    @Option(help: "The topology file.") var topology: String
    @Option(help: "The node whose replica to read.") var node: String = "hq"
    @Option(help: "That node's data directory (default: data/<chain>/<node>).") var data: String?
    @Flag var json = false

    func run() throws {
        try perform(json: json) {
            let t = try Topology.load(path: topology)
            let id = try NodeID(node)
            guard t.node(id) != nil else { throw MMSError(.invalidArgument, "\(id) is not a node of \(t.file).") }
            let local = try LocalNode(directory: DataDirectory(data ?? "data/\(t.chain)/\(id)"))
            return ReportResult(node: id.rawValue, figures: try local.store.chainFigures(), topology: t)
        }
    }
}

struct ReportResult: Encodable, TextRendered {
    struct Figures: Encodable {
        let members: Int
        let topUps, spend, refunds: String
        let pointsEarned, pointsRedeemed: Int64
        let ops: UInt64
        init(_ f: ChainFigures.Figures) {
            members = f.members; topUps = Money(fen: f.topUps).description; spend = Money(fen: f.spend).description
            refunds = Money(fen: f.refunds).description; pointsEarned = f.pointsEarned; pointsRedeemed = f.pointsRedeemed; ops = f.ops
        }
    }
    struct Chain: Encodable {
        let figures: Figures
        let liability: String
        let sumOfBalances: String
        func encode(to encoder: Encoder) throws {
            try figures.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(liability, forKey: .liability)
            try c.encode(sumOfBalances, forKey: .sumOfBalances)
        }
        enum CodingKeys: String, CodingKey { case liability, sumOfBalances }
    }
    let node: String
    let chain: Chain
    let branches: [String: Figures]

    init(node: String, figures: ChainFigures, topology: Topology) {
        self.node = node
        chain = Chain(figures: Figures(figures.chain), liability: Money(fen: figures.liabilityFen).description,
                      sumOfBalances: Money(fen: figures.sumOfBalancesFen).description)
        var branches: [String: Figures] = [:]
        for n in topology.nodes { branches[n.id.rawValue] = Figures(figures.branches[n.id.rawValue] ?? .init()) }
        self.branches = branches
    }

    var text: String {
        var lines = ["From \(node)'s replica: \(chain.figures.members) members, \(chain.figures.ops) ops.",
                     "  stored-value liability \(chain.liability) (sum of balances \(chain.sumOfBalances))",
                     "  top-ups \(chain.figures.topUps), spend \(chain.figures.spend), refunds \(chain.figures.refunds), points earned \(chain.figures.pointsEarned), redeemed \(chain.figures.pointsRedeemed)"]
        for (id, f) in branches.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(id.padding(toLength: 10, withPad: " ", startingAt: 0)) members \(f.members), top-ups \(f.topUps), spend \(f.spend), ops \(f.ops)")
        }
        return lines.joined(separator: "\n")
    }
}

extension RightsCommand {
    struct Request: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask the running node's peers for stored-value rights of a card's member (on demand), and wait for them to arrive.",
            discussion: "The node must be running (`mms up` or `mms node run`); its peers holding rights answer with a transfer op.")
        @Option(help: "The topology file.") var topology: String
        @Option(help: "The node short of rights.") var id: String
        @Option(help: "Its data directory (default: data/<chain>/<id>).") var data: String?
        @Option(help: "Any card of the member.") var card: String
        @Option(help: "The stored value this node needs to be able to spend, in yuan.") var amount: String
        @Option(help: "How long to wait for the grants, in seconds (at most 60).") var wait: Double = 5
        @Flag var json = false

        func run() throws {
            let t: Topology, nodeID: NodeID
            do {
                t = try Topology.load(path: topology)
                nodeID = try NodeID(id)
            } catch let error as MMSError {
                complain("\(error.code.rawValue): \(error.message)\n")
                throw ExitCode(exitStatus(error.code))
            }
            let directory = data ?? "data/\(t.chain)/\(nodeID)"
            try forwardIfServed(directory)
            try perform(json: json) {
                guard t.node(nodeID) != nil else { throw MMSError(.invalidArgument, "\(nodeID) is not a node of \(t.file).") }
                let needed = try money(amount)
                let local = try ServingContext.current?.node ?? LocalNode(directory: DataDirectory(directory))
                guard let view = try local.store.read({ try $0.card(card) }) else {
                    throw MMSError(.unknownCard, "Card \(card.prefix(Limits.maxIdentifierLength)) is not known here.")
                }
                let account = Cell.storedValue(member: view.member)
                guard let broker = ServingContext.current?.broker else {
                    throw MMSError(.storeFailure, "No node is running on \(local.directory.url.path); start it with `mms up` or `mms node run`.")
                }
                let result = try local.obtainRights(account: account, needed: needed.fen, broker: broker, wait: min(max(wait, 0), 60))
                guard try local.store.read({ try $0.escrow(account).rights(at: nodeID) }) >= needed.fen else {
                    throw MMSError(.insufficientFunds, "Peers did not move enough rights here in time: \(result.rightsHere) of \(result.needed) can be spent at \(nodeID).",
                                   details: ["rights_here": result.rightsHere, "needed": result.needed, "asked": result.asked.joined(separator: ",")])
                }
                return result
            }
        }
    }
}

extension RightsRequestResult: TextRendered {
    var text: String { "\(rightsHere) of \(account) can now be spent here (needed \(needed))" + (asked.isEmpty ? "." : "; asked \(asked.joined(separator: ", ")).") }
}

/// One request to a node's admin endpoint, bounded to 2 s; the body of a 200 answer, else nil.
func adminRequest(_ admin: Endpoint, _ path: String) -> Data? {
    guard let url = URL(string: "http://\(admin)\(path)") else { return nil }
    var request = URLRequest(url: url)
    request.timeoutInterval = 2
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var body: Data?
    URLSession.shared.dataTask(with: request) { data, response, _ in
        if (response as? HTTPURLResponse)?.statusCode == 200 { body = data }
        done.signal()
    }.resume()
    guard done.wait(timeout: .now() + 3) == .success else { return nil }
    return body
}
