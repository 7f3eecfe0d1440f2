import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import MMSCerts
import MMSCore
import MMSNode
import MMSTillAPI
import MMSTopology
import NIOCore
import NIOHTTP1
import NIOSSL

/// `mms bench api`: charges through the till API over HTTPS with 1, 4 and 16 tills at once, each
/// on its own keep-alive connection, beside the one-at-a-time rate of the direct ledger in the
/// same run; the cost of a login (Argon2id) and of a card look-up. One node, in this process, on
/// a loopback port, with its chain certificate.
public enum APIBench {
    public struct Options: Sendable {
        public var chargesPerTill = 400
        public var directCharges = 2_000
        public var tills = [1, 4, 16]
        /// Sales each till makes in the sales round (16 tills; 5-line baskets, two tenders).
        public var salesPerTill = 100
        /// Sales in the log when the commission statement is timed.
        public var statementSales = 100_000
        public init() {}
    }

    public struct Row: Codable, Sendable {
        public let tills: Int
        public let charges: Timing
        public let overDirect: Double
    }

    public struct Report: Codable, Sendable {
        public let directLedger: Timing
        public let api: [Row]
        public let login: Timing
        public let lookUp: Timing
        /// 16 tills at once, 5-line baskets paid from stored value and in cash, over HTTPS.
        public let sales: Timing
        public let saleOpBytes: Double
        /// A month's commission statement, with `statementSales` sales in the log.
        public let commissionStatement: Timing
        public let statementSales: Int
    }

    public static func run(_ options: Options, progress: @escaping @Sendable (String) -> Void) async throws -> Report {
        let served = try ServedNode(label: "api")
        defer { served.remove() }
        let (node, port, certs) = (served.node, served.port, served.certs)
        let maxTills = options.tills.max() ?? 1

        progress("setting up \(maxTills) tills, operators and cards")
        let member = try node.addMember(MemberProfile(name: "压测", phone: "13000000000")).id
        var tillTokens: [String] = []
        for t in 0..<maxTills {
            tillTokens.append(try node.registerTill(name: "till-\(t)").token)
            _ = try node.addOperator(id: "op\(t)", name: "压测 \(t)", role: .cashier, branch: nil, password: "bench-pass-\(t)")
            _ = try node.issueCard(number: "B\(t)", member: member, type: .stored, pin: nil, discountPercent: nil, uses: nil)
        }
        _ = try node.issueCard(number: "D0", member: member, type: .stored, pin: nil, discountPercent: nil, uses: nil)
        // 1.00 per charge and 100.00 of stored value per sale.
        let needed = Int64(options.chargesPerTill * options.tills.count + options.directCharges + 10 + options.salesPerTill * 100) * 100
        for card in (0..<maxTills).map({ "B\($0)" }) + ["D0"] {
            var left = needed
            while left > 0 {
                let amount = min(left, Limits.maxAmount.fen)
                _ = try node.topUp(card: card, amount: Money(fen: amount), requestKey: nil)
                left -= amount
            }
        }

        for (i, price) in [1_250, 6_800, 29_800, 333, 4_500].enumerated() {
            _ = try node.addProduct(ProductSet(sku: "P\(i)", name: "压测\(i)", kind: i % 2 == 0 ? .goods : .service, price: Money(fen: Int64(price)),
                                               commission: .percent(basisPoints: 500)))
        }

        progress("direct ledger: \(options.directCharges) charges one at a time")
        let direct = try measure(options.directCharges) { _ in _ = try node.charge(card: "D0", amount: Money(fen: 100), pin: nil, requestKey: nil) }

        let server = try served.serve()
        defer { server.cancel() }

        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try NIOSSLCertificate(file: certs.appendingPathComponent("ca.pem").path, format: .pem)])
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maxTills)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let base = "https://127.0.0.1:\(port)/v1"

        func send(_ method: HTTPMethod, _ path: String, token: String, key: String? = nil, body: String? = nil) async throws -> (UInt, ByteBuffer) {
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Content-Type", value: "application/json")
            if let key { request.headers.add(name: "Idempotency-Key", value: key) }
            if let body { request.body = .bytes(ByteBuffer(string: body)) }
            let response = try await client.execute(request, timeout: .seconds(30))
            return (response.status.code, try await response.body.collect(upTo: 1 << 20))
        }

        // The server is up once a request gets an answer.
        for _ in 0..<100 {
            if (try? await send(.GET, "/openapi.json", token: "-")) != nil { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }

        progress("logging in \(maxTills) operators")
        var sessions: [String] = [], loginSamples: [Double] = []
        let loginStart = DispatchTime.now().uptimeNanoseconds
        for t in 0..<maxTills {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let (status, body) = try await send(.POST, "/sessions", token: tillTokens[t], body: #"{"operator":"op\#(t)","password":"bench-pass-\#(t)"}"#)
            loginSamples.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            guard status == 201, let json = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any], let token = json["token"] as? String else {
                throw MMSError(.storeFailure, "bench login failed with HTTP \(status)")
            }
            sessions.append(token)
        }
        let login = Timing(samples: loginSamples, total: Double(DispatchTime.now().uptimeNanoseconds - loginStart) / 1e9)

        var rows: [Row] = []
        for (round, tills) in options.tills.enumerated() {
            progress("\(tills) till(s) × \(options.chargesPerTill) charges over HTTPS")
            let start = DispatchTime.now().uptimeNanoseconds
            let samples = try await withThrowingTaskGroup(of: [Double].self) { group in
                for t in 0..<tills {
                    let session = sessions[t]
                    group.addTask {
                        var mine: [Double] = []
                        for n in 0..<options.chargesPerTill {
                            let t0 = DispatchTime.now().uptimeNanoseconds
                            let (status, _) = try await send(.POST, "/charges", token: session, key: "r\(round)-\(n)", body: #"{"card":"B\#(t)","amount":"1.00"}"#)
                            guard status == 201 else { throw MMSError(.storeFailure, "bench charge failed with HTTP \(status)") }
                            mine.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                        }
                        return mine
                    }
                }
                var all: [Double] = []
                for try await part in group { all += part }
                return all
            }
            let timing = Timing(samples: samples, total: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            rows.append(Row(tills: tills, charges: timing, overDirect: timing.perSecond / max(direct.perSecond, 1)))
        }

        progress("\(maxTills) tills × \(options.salesPerTill) sales (5 lines, stored value + cash) over HTTPS")
        let basket = #"[{"sku":"P0","quantity":2},{"sku":"P1","quantity":1},{"sku":"P2","quantity":1},{"sku":"P3","quantity":3},{"sku":"P4","quantity":1}]"#
        let salesStart = DispatchTime.now().uptimeNanoseconds
        let saleSamples = try await withThrowingTaskGroup(of: [Double].self) { group in
            for t in 0..<maxTills {
                let session = sessions[t]
                group.addTask {
                    var mine: [Double] = []
                    for n in 0..<options.salesPerTill {
                        let body = #"{"card":"B\#(t)","items":\#(basket),"tenders":[{"kind":"stored","amount":"100.00"},{"kind":"cash"}],"staff":"op\#(t)"}"#
                        let t0 = DispatchTime.now().uptimeNanoseconds
                        let (status, _) = try await send(.POST, "/sales", token: session, key: "s-\(n)", body: body)
                        guard status == 201 else { throw MMSError(.storeFailure, "bench sale failed with HTTP \(status)") }
                        mine.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                    }
                    return mine
                }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all
        }
        let sales = Timing(samples: saleSamples, total: Double(DispatchTime.now().uptimeNanoseconds - salesStart) / 1e9)
        let saleBytes = try node.saleOpSize().meanBytes

        let already = try node.saleOpSize().count
        if options.statementSales > already {
            progress("filling the log to \(options.statementSales) sales for the commission statement")
            let items = (0..<5).map { SaleRequest.Item(sku: "P\($0)", quantity: 1) }
            for n in already..<options.statementSales {
                _ = try node.sell(SaleRequest(card: nil, items: items, payments: [.init(kind: .cash, amount: nil)], staff: "op\(n % maxTills)"),
                                  pin: nil, requestKey: nil)
            }
        }
        let month = Sales.month(wallMillis: UInt64(Date().timeIntervalSince1970 * 1_000))
        let statement = try measure(50) { _ in _ = try node.commissionStatement(month: month) }

        progress("card look-ups")
        var lookUpSamples: [Double] = []
        let lookUpStart = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<200 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = try await send(.GET, "/cards/B0?history=5", token: sessions[0])
            lookUpSamples.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        let lookUp = Timing(samples: lookUpSamples, total: Double(DispatchTime.now().uptimeNanoseconds - lookUpStart) / 1e9)
        try await client.shutdown()
        return Report(directLedger: direct, api: rows, login: login, lookUp: lookUp,
                      sales: sales, saleOpBytes: saleBytes, commissionStatement: statement, statementSales: max(options.statementSales, already))
    }
}

/// One node in this process for a benchmark: a fresh data directory, the chain CA, and its till
/// API on a free loopback port with its chain certificate.
struct ServedNode {
    let root: URL
    let node: LocalNode
    let port: Int
    let certs: URL

    init(label: String) throws {
        root = try temporaryDirectory(label)
        port = try Endpoint.freeLoopbackPorts(1)[0]
        let topology = try Topology.parse("""
            [chain]
            name = "bench"
            [[node]]
            id = "hq"
            role = "hq"
            region = "r"
            gossip = "127.0.0.1:1"
            api = "127.0.0.1:\(port)"
            admin = "127.0.0.1:2"
            """, file: "bench.toml")
        certs = root.appendingPathComponent("certs")
        _ = try ChainCA.ensure(topology: topology, directory: certs)
        let directory = DataDirectory(root.appendingPathComponent("hq").path)
        try LocalNode.initialise(directory: directory, id: NodeID("hq"), role: .hq)
        node = try LocalNode(directory: directory)
    }

    /// Runs the till API until the returned task is cancelled.
    func serve() throws -> Task<Void, Error> {
        var logger = Logger(label: "mms.bench")
        // The run ends by cancelling the server; its shutdown messages are not findings.
        logger.logLevel = .critical
        let app = try TillServer.application(api: TillAPI(node: node), host: "127.0.0.1", port: port,
                                             certificateFile: certs.appendingPathComponent("nodes/hq.pem").path,
                                             keyFile: certs.appendingPathComponent("nodes/hq.key").path, logger: logger)
        return Task { try await app.runService() }
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}
