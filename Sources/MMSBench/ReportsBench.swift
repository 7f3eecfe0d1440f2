import Foundation
import MMSCore
import MMSCrypto
import MMSNode

/// Head office's reports over a chain's year: ops made with the real rules by several branches
/// (members join and get a card, top up, buy catalogue lines under the program, pay by card or in
/// cash, a few give a sale back), applied at head office as gossip delivers them — in batches,
/// with the report tables — and then every report read the way the command line reads it.
public struct ReportsBenchReport: Codable, Sendable {
    public let ops: Int
    public let members: Int
    public let branches: Int
    public let applySeconds: Double
    public let applyOpsPerSecond: Double
    public let storeBytes: Int
    /// Report → seconds to read it at head office (in this process, the store's caches cold).
    public let reports: [String: Double]
    /// Where the store was kept (`--keep`), for timing the command line over it.
    public let directory: String?
}

extension Benchmarks {
    public struct ReportsOptions: Sendable {
        public init() {}
        public var ops = 100_000
        public var branches = 8
        /// One member joins per this many ops.
        public var opsPerMember = 20
        public var batch = 1_024
        /// Keep head office's data directory here instead of a temporary one.
        public var keep: String?
    }

    public static func reports(_ program: Program, _ options: ReportsOptions, progress: (String) -> Void) throws -> ReportsBenchReport {
        let path = try options.keep ?? temporaryDirectory("reports").appendingPathComponent("hq").path
        let directory = DataDirectory(path)
        try LocalNode.initialise(directory: directory, id: NodeID("hq"), role: .hq)
        let node = try LocalNode(directory: directory)
        _ = try node.setProgram(program)
        let skus = (1...40).map { "SKU\($0)" }
        for (i, sku) in skus.enumerated() {
            _ = try node.addProduct(ProductSet(sku: sku, name: "商品\(i + 1)", kind: i % 5 == 4 ? .service : .goods, category: ["护肤", "彩妆", "护理", "香氛"][i % 4],
                                               price: Money(fen: Int64(990 + 1_000 * (i % 20)))))
        }
        let branches = try (1...options.branches).map { try NodeID("branch-\($0)") }
        var staff: [NodeID: [String]] = [:]
        for branch in branches {
            for s in 1...3 {
                let id = "\(branch)-s\(s)"
                _ = try node.addOperator(id: id, name: "店员\(s)", role: .cashier, branch: branch, password: "bench-password-\(s)")
                staff[branch, default: []].append(id)
            }
        }
        // The branches decide against what head office made (program, catalogue, staff) and everything they made.
        var state = MemoryState()
        for op in try node.store.opsForExport(kinds: nil, branch: nil, from: nil, to: nil) { state.apply(op.deltas) }
        var chains: [NodeID: (chain: OriginChain, key: SigningKey)] = [:]
        for branch in branches {
            let key = SigningKey.generate()
            try node.store.trust(origin: branch, key: key.publicKey, role: .branch)
            chains[branch] = (OriginChain(origin: branch, head: .genesis, clock: .zero), key)
        }

        // A year, 2026-01-01 to 2026-11-30 (China Standard Time), spread evenly over the ops.
        let start: UInt64 = 1_767_196_800_000, span: UInt64 = 334 * 86_400_000
        var rng = SplitMix64(seed: 2026)
        var cards: [NodeID: [String]] = [:], sales: [NodeID: [OpID]] = [:]
        var pending: [SignedOp] = [], made = 0, members = 0, reported = 0
        var applySeconds = 0.0
        var now: UInt64 { start + UInt64(made) * span / UInt64(max(options.ops, 1)) }
        func issue(_ body: OpBody, at branch: NodeID) {
            let op = chains[branch]!.chain.issue(body, now: now, key: chains[branch]!.key)
            state.apply(op.op.deltas)
            pending.append(op)
            made += 1
        }
        func flush() throws {
            guard !pending.isEmpty else { return }
            let batch = pending
            pending.removeAll(keepingCapacity: true)
            applySeconds += try elapsed { _ = try node.store.applyRemote(batch, now: start + span) }
        }
        progress("\(options.ops) ops from \(options.branches) branches, applied at head office in batches of \(options.batch)")
        while made < options.ops {
            let branch = branches[Int(rng.next() % UInt64(branches.count))]
            let roll = rng.next() % 1_000
            let card: String? = cards[branch]?.isEmpty == false ? cards[branch]![Int(rng.next() % UInt64(cards[branch]!.count))] : nil
            // The teller's copy of the state must be gone before `issue` mutates it (no copy-on-write).
            let body: OpBody? = {
                let teller = Teller(state: state, origin: branch, role: .branch, wallMillis: now)
                if card == nil || Int(roll) < 1_000 / options.opsPerMember { return nil }
                let seller = staff[branch]![Int(rng.next() % 3)]
                let items = (0..<Int(1 + rng.next() % 3)).map { _ in SaleRequest.Item(sku: skus[Int(rng.next() % UInt64(skus.count))], quantity: Int64(1 + rng.next() % 2)) }
                let topUp = Money(fen: 10_000 * Int64(1 + rng.next() % 10)), charge = Money(fen: 500 + Int64(rng.next() % 20_000))
                switch roll {
                case ..<200:
                    return try? teller.topUp(card: card!, amount: topUp, tender: TenderKind.mobile, staff: seller)
                case ..<600:
                    return (try? teller.sell(SaleRequest(card: card, items: items, payments: [.init(kind: .stored, amount: nil)], staff: seller)))
                        ?? (try? teller.topUp(card: card!, amount: Money(fen: 50_000), tender: TenderKind.cash, staff: seller))
                case ..<850:
                    return try? teller.sell(SaleRequest(card: nil, items: items, payments: [.init(kind: .cash, amount: nil)], staff: seller))
                case ..<990:
                    return (try? teller.charge(card: card!, amount: charge))
                        ?? (try? teller.topUp(card: card!, amount: Money(fen: 30_000), tender: TenderKind.bank, staff: seller))
                default:
                    guard let sale = sales[branch]?.popLast() else { return nil }
                    return try? teller.returnSale(sale, quantities: [:])
                }
            }()
            if let body {
                issue(body, at: branch)
                if case .sale = body, roll % 7 == 0 { sales[branch, default: []].append(pending.last!.op.id) }
            } else if made + 2 <= options.ops {
                members += 1
                let member = "\(branch).m\(members)", number = "62\(String(format: "%010d", members))"
                issue(.memberAdded(MemberAdded(member: member, sealedName: randomBytes(40), sealedPhone: randomBytes(51), sealedBirthday: randomBytes(50),
                                               phoneIndex: randomBytes(16))), at: branch)
                issue(.cardIssued(CardIssued(number: number, member: member, type: .stored, pinHash: "", discountPercent: 0, punchAccount: "", punchUses: 0,
                                             replaces: "")), at: branch)
                cards[branch, default: []].append(number)
            } else {
                break
            }
            if pending.count >= options.batch { try flush() }
            if made >= reported + 1_000_000 { reported = made / 1_000_000 * 1_000_000; progress("\(reported) ops") }
        }
        try flush()

        progress("the reports at head office")
        var reports: [String: Double] = [:]
        func time(_ name: String, _ body: () throws -> Void) throws { reports[name] = try elapsed(body) }
        for by in SalesReportGrouping.allCases {
            try time("sales by \(by.rawValue), the year") { _ = try node.salesReport(from: "2026-01-01", to: "2026-11-30", by: by) }
        }
        try time("members") { _ = try node.membersReport(segments: false) }
        try time("members with segments") { _ = try node.membersReport(segments: true) }
        try time("liability") { _ = try node.liabilityReport(foldLog: false) }
        try time("points") { _ = try node.pointsReport() }
        try time("branches, the year") { _ = try node.branchesReport(from: "2026-01-01", to: "2026-11-30") }
        try time("tiers") { _ = try node.tiersReport() }
        try time("tier movements, 11 months") { _ = try node.tierMovesReport(from: "2026-01", to: "2026-11") }
        try time("staff, a month") { _ = try node.staffReport(month: "2026-11") }
        let bytes = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasPrefix("store") }
            .reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: path + "/" + $1)[.size] as? Int) ?? 0) }
        return ReportsBenchReport(ops: made, members: members, branches: options.branches, applySeconds: applySeconds,
                                  applyOpsPerSecond: Double(made) / max(applySeconds, 1e-9), storeBytes: bytes, reports: reports,
                                  directory: options.keep)
    }
}
