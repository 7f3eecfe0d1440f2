import Foundation
import MMSCore
import MMSCrypto

/// What a run reports (`mms sim --json`): one object per seed.
public struct SimulationResult: Codable, Sendable {
    public var seed: UInt64
    public var nodes: Int
    public var links: Int
    public var simulatedSeconds: Double
    public var ops: Int
    public var payments: Int
    public var paymentsAccepted: Int
    public var paymentsRefusedNoRights: Int
    public var paymentsRefusedBalance: Int
    public var paymentsRefusedOffline: Int
    public var paymentsRefusedNodeDown: Int
    public var overdrafts: Int
    public var lostAcknowledgedOps: Int
    public var converged: Bool
    public var hqMatchesSum: Bool
    public var historyMatches: Bool
    public var lostCardsBlocked: Bool
    public var couponsUsedOnce: Bool
    /// Products whose chain-wide stock does not balance: received − sold + returned ± transfers
    /// must equal on hand + in transit, and every unit sent must have arrived or be in transit.
    public var stockConservation: Int
    /// Sales whose tenders (less change) or lines do not add up to the total, and returns whose
    /// refunds do not add up to what came back.
    public var saleTenderMismatch: Int
    public var convergenceRounds: Int
    /// Payments accepted ÷ payments the same workload got accepted with no faults.
    public var availability: Double?
    public var policy: String
    public var broken: String?
    public var faults: FaultProfile
    public var partitions: Int
    public var crashes: Int
    public var linkResets: Int
    public var messages: Int
    public var traceHash: String
    public var wallSeconds: Double
    /// Simulated time ÷ wall-clock time.
    public var speedup: Double
    public var violation: Violation?
    public var ok: Bool

}

extension SimulationResult {
    /// An empty report to fill in (the live run's).
    public init(seed: UInt64, nodes: Int, policy: PaymentPolicy) {
        self.seed = seed; self.nodes = nodes; links = 0; simulatedSeconds = 0; ops = 0; payments = 0; paymentsAccepted = 0
        paymentsRefusedNoRights = 0; paymentsRefusedBalance = 0; paymentsRefusedOffline = 0; paymentsRefusedNodeDown = 0
        overdrafts = 0; lostAcknowledgedOps = 0; converged = false; hqMatchesSum = false; historyMatches = false
        lostCardsBlocked = false; couponsUsedOnce = false; stockConservation = 0; saleTenderMismatch = 0
        convergenceRounds = 0; availability = nil; self.policy = policy.rawValue
        broken = nil; faults = FaultProfile(); partitions = 0; crashes = 0; linkResets = 0; messages = 0; traceHash = ""
        wallSeconds = 0; speedup = 0; violation = nil; ok = false
    }
}

/// Every client operation and, after the final heal, every card's balance at every node — what an
/// outside checker needs to judge the run on its own (one JSON object per line).
struct HistoryRecorder {
    struct Acked { let op: OpID; let fen: Int64 }
    let enabled: Bool
    private(set) var lines: [String] = []
    /// Per member: acknowledged top-ups, charges and refunds (fen), for the bank-style check.
    private(set) var expected: [String: Int64] = [:]
    private(set) var acknowledged: [(op: OpID, hash: Digest32)] = []
    private(set) var lostCards: [String] = []
    private(set) var couponUses: [String: Int] = [:]
    private var charges: [String: [(node: NodeID, acked: Acked)]] = [:]
    /// Acknowledged sales per branch, and stock transfers with where they go.
    private(set) var sales: [NodeID: [OpID]] = [:]
    private(set) var transfers: [(id: OpID, to: NodeID)] = []

    init(enabled: Bool) { self.enabled = enabled }

    mutating func client(_ at: UInt64, node: NodeID, card: String, kind: ChainWorkload.Kind, ack: SignedOp?, reason: String?) {
        var amount: Int64?
        let name: String
        switch kind {
        case .topUp(let fen): (name, amount) = ("top_up", fen)
        case .charge(let fen): (name, amount) = ("charge", fen)
        case .refundLatest: name = "refund"
        case .redeemPoints: name = "points_redeem"
        case .punch: name = "punch"
        case .issueCoupon: name = "coupon_issue"
        case .redeemCoupon: name = "coupon_redeem"
        case .reportLost: name = "report_lost"
        case .setPointsPerYuan: name = "setting"
        case .addProduct: name = "product"
        case .basket: name = "sale"
        case .returnLatestSale: name = "sale_return"
        case .receiveStock: name = "stock_receive"
        case .transferStock: name = "stock_transfer"
        case .arriveTransfer: name = "transfer_arrive"
        }
        if let op = ack {
            acknowledged.append((op.id, op.hash))
            for change in op.op.body.storedValueChanges { expected[change.member, default: 0] += change.fen }
            switch op.op.body {
            case .charge(let c):
                charges[c.member, default: []].append((op.id.origin, Acked(op: op.id, fen: c.amount.fen)))
            case .refund(let r):
                amount = r.amount.fen
            case .sale(let s):
                sales[op.id.origin, default: []].append(op.id)
                amount = s.total.fen
            case .saleReturned(let r): amount = r.amount.fen
            case .stockTransferred(let t): transfers.append((op.id, t.to))
            case .cardReported: lostCards.append(card)
            case .couponRedeemed(let code, _): couponUses[code, default: 0] += 1
            default: break
            }
        }
        guard enabled else { return }
        var fields = ["\"t\":\(at)", "\"node\":\"\(node)\"", "\"card\":\"\(card)\"", "\"kind\":\"\(name)\""]
        if let amount { fields.append("\"amount\":\"\(Money(fen: amount))\"") }
        if let op = ack { fields.append("\"ack\":true,\"op\":\"\(op.id)\"") } else { fields.append("\"ack\":false,\"reason\":\"\(reason ?? "")\"") }
        lines.append("{" + fields.joined(separator: ",") + "}")
    }

    /// The member's latest acknowledged charge taken at `node` (refunds happen where the charge was).
    func latestCharge(member: String, at node: NodeID) -> Acked? {
        charges[member]?.last { $0.node == node }?.acked
    }

    mutating func final(node: NodeID, card: String, balance: Int64) {
        guard enabled else { return }
        lines.append("{\"final\":true,\"node\":\"\(node)\",\"card\":\"\(card)\",\"balance\":\"\(Money(fen: balance))\"}")
    }
}

extension Simulation {
    /// The checkers after the liveness phase, and the run's report.
    func finish(converged: Bool, rounds: Int, healed: Bool, wallSeconds: Double) -> SimulationResult {
        var lost = 0, hqMatches = false, historyMatches = false, lostBlocked = false, couponsOnce = false
        var stockMismatches = 0, tenderMismatches = 0
        if violation == nil, healed {
            if !converged { record(.init(invariant: "no_convergence", detail: "replicas still differ \(rounds) rounds after the final heal")) }
            let hashes = Set(replicas.map(\.state.stateHash))
            for replica in replicas {
                if let stored = try? replica.storeStateHash(), stored != replica.state.stateHash {
                    record(.init(invariant: "sqlite_differs", detail: "\(replica.id)'s SQLite store differs from its in-memory fold"))
                }
            }
            if converged, hashes.count != 1 { record(.init(invariant: "replicas_differ", detail: "\(hashes.count) different state hashes with equal version vectors")) }
            for (op, hash) in recorder.acknowledged {
                if let missing = replicas.first(where: { !$0.holds(op, hash: hash) }) {
                    lost += 1
                    record(.init(invariant: "lost_acknowledged_op", detail: "acknowledged op \(op) is not held by \(missing.id) after the heal"))
                }
            }
            let hq = replicas[0]
            // Bank-style: each balance is exactly the acknowledged top-ups − charges + refunds.
            historyMatches = true
            var sumOfBalances: Int64 = 0
            for (i, member) in workload.members.enumerated() {
                let id = workload.memberID(i)
                let balance = (try? hq.state.escrow(Cell.storedValue(member: id)).total) ?? 0
                sumOfBalances += balance
                if balance != recorder.expected[id, default: 0] {
                    historyMatches = false
                    record(.init(invariant: "history_mismatch", detail: "\(id): balance \(Money(fen: balance)), acknowledged history gives \(Money(fen: recorder.expected[id, default: 0]))"))
                }
                for replica in replicas {
                    recorder.final(node: replica.id, card: member.card, balance: (try? replica.state.escrow(Cell.storedValue(member: id)).total) ?? 0)
                }
            }
            // The head office's liability, folded from its op log, against the sum of balances.
            var liability: Int64 = 0
            for op in hq.log.values.joined() { liability += op.op.body.storedValueChanges.map(\.fen).reduce(0, +) }
            hqMatches = liability == sumOfBalances
            if !hqMatches { record(.init(invariant: "hq_sum", detail: "hq liability \(Money(fen: liability)) ≠ sum of balances \(Money(fen: sumOfBalances))")) }
            lostBlocked = recorder.lostCards.allSatisfy { card in replicas.allSatisfy { (try? $0.state.card(card)?.status) == .lost } }
            if !lostBlocked { record(.init(invariant: "lost_card_spendable", detail: "a card reported lost is not blocked everywhere after the heal")) }
            couponsOnce = recorder.couponUses.values.allSatisfy { $0 <= 1 }
            if !couponsOnce { record(.init(invariant: "coupon_used_twice", detail: "a single-use coupon was acknowledged twice")) }
            (stockMismatches, tenderMismatches) = shopFloorMismatches(hq)
            if stockMismatches > 0 { record(.init(invariant: "stock_conservation", detail: "\(stockMismatches) product(s): received − sold + returned ± transfers ≠ on hand + in transit")) }
            if tenderMismatches > 0 { record(.init(invariant: "sale_tender_mismatch", detail: "\(tenderMismatches) sale(s) or return(s) whose tenders do not add up to the total")) }
        }
        let simulated = Double(now) / 1_000
        return SimulationResult(
            seed: options.seed, nodes: replicas.count, links: linkCount, simulatedSeconds: simulated, ops: tally.ops, payments: tally.payments,
            paymentsAccepted: tally.paymentsAccepted, paymentsRefusedNoRights: tally.refusedNoRights, paymentsRefusedBalance: tally.refusedBalance,
            paymentsRefusedOffline: tally.refusedOffline, paymentsRefusedNodeDown: tally.refusedNodeDown,
            overdrafts: tally.overdrawnAccounts.count, lostAcknowledgedOps: lost, converged: converged && violation?.invariant != "replicas_differ",
            hqMatchesSum: hqMatches, historyMatches: historyMatches, lostCardsBlocked: lostBlocked, couponsUsedOnce: couponsOnce,
            stockConservation: stockMismatches, saleTenderMismatch: tenderMismatches,
            convergenceRounds: rounds, availability: nil, policy: options.policy.rawValue, broken: options.broken?.rawValue, faults: faults,
            partitions: tally.partitions, crashes: tally.crashes, linkResets: tally.linkResets, messages: tally.messages,
            traceHash: Hex.encode(traceDigest()), wallSeconds: wallSeconds, speedup: wallSeconds > 0 ? simulated / wallSeconds : 0,
            violation: violation, ok: violation == nil)
    }
}

extension Simulation {
    /// After the heal, on the head office's replica: the shop floor's two conservation laws.
    func shopFloorMismatches(_ hq: SimReplica) -> (stock: Int, tenders: Int) {
        var tenders = 0
        var transfers: [(OpID, StockTransfer)] = []
        for op in hq.log.values.joined() {
            switch op.op.body {
            case .sale(let s):
                let paid = s.tenders.map(\.amount.fen).reduce(0, +) - s.change.fen
                if paid != s.total.fen || s.lines.map(\.amount.fen).reduce(0, +) != s.total.fen { tenders += 1 }
            case .saleReturned(let r):
                if r.refunds.map(\.amount.fen).reduce(0, +) != r.amount.fen { tenders += 1 }
            case .stockTransferred(let t): transfers.append((op.id, t))
            default: break
            }
        }
        var stock = 0
        for product in ChainWorkload.catalogue {
            var onHand: Int64 = 0, net: Int64 = 0, sent: Int64 = 0, arrived: Int64 = 0
            for replica in replicas {
                guard let l = try? Stock.level(product.sku, at: replica.id, in: hq.state) else { stock += 1; continue }
                onHand += l.onHand
                net += l.received - l.returnedToSupplier - l.sold + l.returnedByCustomers + l.countedUp - l.countedDown
                sent += l.transferredOut; arrived += l.transferredIn
            }
            let inTransit = transfers.filter { $0.1.sku == product.sku }
                .filter { (try? Stock.transfer($0.0, in: hq.state))??.arrived == false }.map(\.1.quantity).reduce(0, +)
            if onHand + inTransit != net || sent != arrived + inTransit { stock += 1 }
        }
        return (stock, tenders)
    }
}
