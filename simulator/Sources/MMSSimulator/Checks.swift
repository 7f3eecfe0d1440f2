import Foundation
import MMSCore
import MMSCrypto

/// What a run reports (`mms sim --json`): one object per seed. A check that a run never reached
/// (it stopped at a violation, or never healed) is nil, written `null`: never a `false` or 0 it
/// did not find. The per-op checks (overdrafts … campaign duplicates) judge every op as it is
/// issued, so they count over the whole run however it ended.
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
    /// Members whose true stored value (every op issued, folded together) was ever below zero.
    public var overdrafts: Int
    /// Nodes whose rights in an account were ever below zero in the true state, counted per
    /// account and node (a node spent what it did not hold; the balance may still cover it).
    public var negativeRights: Int
    /// Members whose true points were ever below zero.
    public var negativePoints: Int
    /// Punch cards whose true uses left were ever below zero.
    public var negativeUses: Int
    /// Charges refunded beyond what they took.
    public var overRefunds: Int
    /// Coupon codes spent by more acknowledged ops than they were issued and given back.
    public var couponDoubleSpends: Int
    /// Acknowledged spends (charges, sales, points, uses, transfers, returns) on a card decided
    /// by a node whose version vector already covered that card's report, return or replacement.
    public var blockedCardSpends: Int
    /// Balance transfers whose debit differs from their credit, or that changed the chain's money.
    public var transferConservationBreaks: Int
    /// Card returns that refunded more than the member's true balance.
    public var cardReturnBreaks: Int
    /// Members given one campaign's gift twice, across the chain.
    public var campaignDuplicates: Int
    /// Spends (redemptions, points tenders, transfers) that took points from a lot past its last day.
    public var expiredPointsSpent: Int
    /// Requests refused because the deciding node's clock was off the chain's (`ChainClock`), and
    /// requests decided while the node's clock was truly further off than the bound (before it
    /// could tell: no peer heard since it started): both counts, not violations.
    public var requestsRefusedClockSkew: Int
    public var requestsDecidedWithClockOff: Int
    public var lostAcknowledgedOps: Int?
    public var converged: Bool?
    public var hqMatchesSum: Bool?
    /// Every replica: each member's balance is exactly what the ops issued give.
    public var historyMatches: Bool?
    public var lostCardsBlocked: Bool?
    public var couponsUsedOnce: Bool?
    /// Members whose every stored-value card is returned but whose balance is not zero after the
    /// heal (a top-up decided by a node that had not yet seen the return): owed, not a violation.
    public var returnedCardsWithBalance: Int?
    /// Products whose chain-wide stock does not balance: received − sold + returned ± transfers
    /// must equal on hand + in transit, and every unit sent must have arrived or be in transit.
    public var stockConservation: Int?
    /// Sales whose tenders (less change) or lines do not add up to the total, and returns whose
    /// refunds do not add up to what came back.
    public var saleTenderMismatch: Int?
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
    /// The run itself, and the run plus its fault-free twin (which `availability` needs).
    public var wallSeconds: Double
    public var wallSecondsWithTwin: Double
    /// Simulated time ÷ wall-clock time, of the run and of the run with its twin.
    public var speedup: Double
    public var speedupWithTwin: Double
    public var violation: Violation?
    public var ok: Bool

}

extension SimulationResult {
    /// Every field, a check never reached as `null` (the synthesized encoder would leave it out).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seed, forKey: .seed)
        try c.encode(nodes, forKey: .nodes)
        try c.encode(links, forKey: .links)
        try c.encode(simulatedSeconds, forKey: .simulatedSeconds)
        try c.encode(ops, forKey: .ops)
        try c.encode(payments, forKey: .payments)
        try c.encode(paymentsAccepted, forKey: .paymentsAccepted)
        try c.encode(paymentsRefusedNoRights, forKey: .paymentsRefusedNoRights)
        try c.encode(paymentsRefusedBalance, forKey: .paymentsRefusedBalance)
        try c.encode(paymentsRefusedOffline, forKey: .paymentsRefusedOffline)
        try c.encode(paymentsRefusedNodeDown, forKey: .paymentsRefusedNodeDown)
        try c.encode(overdrafts, forKey: .overdrafts)
        try c.encode(negativeRights, forKey: .negativeRights)
        try c.encode(negativePoints, forKey: .negativePoints)
        try c.encode(negativeUses, forKey: .negativeUses)
        try c.encode(overRefunds, forKey: .overRefunds)
        try c.encode(couponDoubleSpends, forKey: .couponDoubleSpends)
        try c.encode(blockedCardSpends, forKey: .blockedCardSpends)
        try c.encode(transferConservationBreaks, forKey: .transferConservationBreaks)
        try c.encode(cardReturnBreaks, forKey: .cardReturnBreaks)
        try c.encode(campaignDuplicates, forKey: .campaignDuplicates)
        try c.encode(expiredPointsSpent, forKey: .expiredPointsSpent)
        try c.encode(requestsRefusedClockSkew, forKey: .requestsRefusedClockSkew)
        try c.encode(requestsDecidedWithClockOff, forKey: .requestsDecidedWithClockOff)
        try c.encode(lostAcknowledgedOps, forKey: .lostAcknowledgedOps)
        try c.encode(converged, forKey: .converged)
        try c.encode(hqMatchesSum, forKey: .hqMatchesSum)
        try c.encode(historyMatches, forKey: .historyMatches)
        try c.encode(lostCardsBlocked, forKey: .lostCardsBlocked)
        try c.encode(couponsUsedOnce, forKey: .couponsUsedOnce)
        try c.encode(returnedCardsWithBalance, forKey: .returnedCardsWithBalance)
        try c.encode(stockConservation, forKey: .stockConservation)
        try c.encode(saleTenderMismatch, forKey: .saleTenderMismatch)
        try c.encode(convergenceRounds, forKey: .convergenceRounds)
        try c.encode(availability, forKey: .availability)
        try c.encode(policy, forKey: .policy)
        try c.encode(broken, forKey: .broken)
        try c.encode(faults, forKey: .faults)
        try c.encode(partitions, forKey: .partitions)
        try c.encode(crashes, forKey: .crashes)
        try c.encode(linkResets, forKey: .linkResets)
        try c.encode(messages, forKey: .messages)
        try c.encode(traceHash, forKey: .traceHash)
        try c.encode(wallSeconds, forKey: .wallSeconds)
        try c.encode(wallSecondsWithTwin, forKey: .wallSecondsWithTwin)
        try c.encode(speedup, forKey: .speedup)
        try c.encode(speedupWithTwin, forKey: .speedupWithTwin)
        try c.encode(violation, forKey: .violation)
        try c.encode(ok, forKey: .ok)
    }
}

extension SimulationResult {
    /// An empty report to fill in (the live run's).
    public init(seed: UInt64, nodes: Int, policy: PaymentPolicy) {
        self.seed = seed; self.nodes = nodes; links = 0; simulatedSeconds = 0; ops = 0; payments = 0; paymentsAccepted = 0
        paymentsRefusedNoRights = 0; paymentsRefusedBalance = 0; paymentsRefusedOffline = 0; paymentsRefusedNodeDown = 0
        overdrafts = 0; negativeRights = 0; negativePoints = 0; negativeUses = 0; overRefunds = 0; couponDoubleSpends = 0
        blockedCardSpends = 0; transferConservationBreaks = 0; cardReturnBreaks = 0; campaignDuplicates = 0
        expiredPointsSpent = 0; requestsRefusedClockSkew = 0; requestsDecidedWithClockOff = 0
        lostAcknowledgedOps = nil; converged = nil; hqMatchesSum = nil; historyMatches = nil
        lostCardsBlocked = nil; couponsUsedOnce = nil; returnedCardsWithBalance = nil; stockConservation = nil; saleTenderMismatch = nil
        convergenceRounds = 0; availability = nil; self.policy = policy.rawValue
        broken = nil; faults = FaultProfile(); partitions = 0; crashes = 0; linkResets = 0; messages = 0; traceHash = ""
        wallSeconds = 0; wallSecondsWithTwin = 0; speedup = 0; speedupWithTwin = 0; violation = nil; ok = false
    }
}

extension Simulation {
    /// The checkers after the liveness phase, the final lines of the history (on every run), and
    /// the run's report.
    func finish(converged: Bool, rounds: Int, healed: Bool) -> SimulationResult {
        var result = SimulationResult(seed: options.seed, nodes: replicas.count, policy: options.policy)
        if healed {
            if !converged { record(.init(invariant: "no_convergence", detail: "replicas still differ \(rounds) rounds after the final heal")) }
            result.converged = converged
            let hashes = Set(replicas.map(\.state.stateHash))
            for replica in replicas {
                if let stored = try? replica.storeStateHash(), stored != replica.state.stateHash {
                    record(.init(invariant: "sqlite_differs", detail: "\(replica.id)'s SQLite store differs from its in-memory fold"))
                }
            }
            if converged, hashes.count != 1 {
                result.converged = false
                record(.init(invariant: "replicas_differ", detail: "\(hashes.count) different state hashes with equal version vectors"))
            }
            var lost = 0
            for (op, hash) in recorder.acknowledged {
                if let missing = replicas.first(where: { !$0.holds(op, hash: hash) }) {
                    lost += 1
                    record(.init(invariant: "lost_acknowledged_op", detail: "acknowledged op \(op) is not held by \(missing.id) after the heal"))
                }
            }
            result.lostAcknowledgedOps = lost
            // Bank-style, at every replica: each balance is exactly what the ops issued give.
            var historyMatches = true
            for replica in replicas {
                for i in workload.members.indices {
                    let id = workload.memberID(i)
                    let balance = (try? replica.state.escrow(Cell.storedValue(member: id)).total) ?? 0
                    if balance != recorder.expected[id, default: 0] {
                        if historyMatches {
                            record(.init(invariant: "history_mismatch", detail: "\(id) at \(replica.id): balance \(Money(fen: balance)), the ops issued give \(Money(fen: recorder.expected[id, default: 0]))"))
                        }
                        historyMatches = false
                    }
                }
            }
            result.historyMatches = historyMatches
            // The head office's liability, folded from its op log, against the sum of its balances.
            let hq = replicas[0]
            let sumOfBalances = workload.members.indices.map { (try? hq.state.escrow(Cell.storedValue(member: workload.memberID($0))).total) ?? 0 }.reduce(0, +)
            var liability: Int64 = 0
            for op in hq.log.values.joined() { liability += op.op.body.storedValueChanges.map(\.fen).reduce(0, +) }
            result.hqMatchesSum = liability == sumOfBalances
            if liability != sumOfBalances { record(.init(invariant: "hq_sum", detail: "hq liability \(Money(fen: liability)) ≠ sum of balances \(Money(fen: sumOfBalances))")) }
            let lostBlocked = recorder.lostCards.allSatisfy { card in replicas.allSatisfy { (try? $0.state.card(card)?.status) == .lost } }
            result.lostCardsBlocked = lostBlocked
            if !lostBlocked { record(.init(invariant: "lost_card_spendable", detail: "a card reported lost is not blocked everywhere after the heal")) }
            // Every coupon's uses, in every replica's state: none below zero.
            let couponsOnce = replicas.allSatisfy { r in r.state.counterEntities(prefix: Cell.coupon("")).allSatisfy { ((try? r.state.escrow($0).total) ?? 0) >= 0 } }
            result.couponsUsedOnce = couponsOnce
            if !couponsOnce { record(.init(invariant: "coupon_used_twice", detail: "a coupon's uses are below zero after the heal")) }
            result.returnedCardsWithBalance = workload.members.indices.filter { i in
                let id = workload.memberID(i)
                guard let cards = try? hq.state.cards(of: id), cards.contains(where: { $0.type == .stored && $0.status == .returned }),
                      !cards.contains(where: { $0.type == .stored && $0.status == .active }) else { return false }
                return ((try? hq.state.escrow(Cell.storedValue(member: id)).total) ?? 0) != 0
            }.count
            let (stockMismatches, tenderMismatches) = shopFloorMismatches(hq)
            (result.stockConservation, result.saleTenderMismatch) = (stockMismatches, tenderMismatches)
            if stockMismatches > 0 { record(.init(invariant: "stock_conservation", detail: "\(stockMismatches) product(s): received − sold + returned ± transfers ≠ on hand + in transit")) }
            if tenderMismatches > 0 { record(.init(invariant: "sale_tender_mismatch", detail: "\(tenderMismatches) sale(s) or return(s) whose tenders do not add up to the total")) }
        }
        writeFinalLines(healed: healed, converged: result.converged ?? false)
        let simulated = Double(now) / 1_000
        result.links = linkCount; result.simulatedSeconds = simulated; result.ops = tally.ops; result.payments = tally.payments
        result.paymentsAccepted = tally.paymentsAccepted; result.paymentsRefusedNoRights = tally.refusedNoRights
        result.paymentsRefusedBalance = tally.refusedBalance; result.paymentsRefusedOffline = tally.refusedOffline
        result.paymentsRefusedNodeDown = tally.refusedNodeDown
        result.overdrafts = tally.overdrawnMembers.count; result.negativeRights = tally.negativeRights.count
        result.negativePoints = tally.negativePoints.count; result.negativeUses = tally.negativeUses.count; result.overRefunds = tally.overRefunds.count
        result.couponDoubleSpends = tally.couponDoubleSpends; result.blockedCardSpends = tally.blockedCardSpends
        result.transferConservationBreaks = tally.transferConservationBreaks; result.cardReturnBreaks = tally.cardReturnBreaks
        result.campaignDuplicates = tally.campaignDuplicates; result.expiredPointsSpent = tally.expiredPointsSpent
        result.requestsRefusedClockSkew = tally.refusedClockSkew; result.requestsDecidedWithClockOff = tally.decidedWithClockOff
        result.convergenceRounds = rounds; result.broken = options.broken?.rawValue; result.faults = faults
        result.partitions = tally.partitions; result.crashes = tally.crashes; result.linkResets = tally.linkResets; result.messages = tally.messages
        result.traceHash = Hex.encode(traceDigest())
        result.violation = violation; result.ok = violation == nil
        return result
    }

    /// Each member's balance, points, punch uses and card status as every node holds them, then
    /// the end line: on every run, however it ended.
    private func writeFinalLines(healed: Bool, converged: Bool) {
        guard recorder.enabled else { return }
        for replica in replicas {
            for (i, member) in workload.members.enumerated() {
                let id = workload.memberID(i), state = replica.state
                let status = ((try? state.card(member.card)) ?? nil)?.status.rawValue ?? "unknown"
                let punch = member.punchCard.map { card -> (String, Int64, String) in
                    let view = (try? state.card(card)) ?? nil
                    return (card, view.map { (try? state.escrow($0.punchAccount).total) ?? 0 } ?? 0, view?.status.rawValue ?? "unknown")
                }
                recorder.final(node: replica.id, member: id, card: member.card, balance: (try? state.escrow(Cell.storedValue(member: id)).total) ?? 0,
                               lots: ((try? PointsLots.lots(member: id, in: state)) ?? []).map { LotPoints(year: $0.year, points: $0.left) }, status: status, punch: punch)
            }
        }
        recorder.end(healed: healed, converged: converged, violation: violation)
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
        for product in ChainWorkload.catalogue.map(\.sku) + [ChainWorkload.giftSKU] {
            var onHand: Int64 = 0, net: Int64 = 0, sent: Int64 = 0, arrived: Int64 = 0
            for replica in replicas {
                guard let l = try? Stock.level(product, at: replica.id, in: hq.state) else { stock += 1; continue }
                onHand += l.onHand
                net += l.received - l.returnedToSupplier - l.sold + l.returnedByCustomers + l.countedUp - l.countedDown
                sent += l.transferredOut; arrived += l.transferredIn
            }
            let inTransit = transfers.filter { $0.1.sku == product }
                .filter { (try? Stock.transfer($0.0, in: hq.state))??.arrived == false }.map(\.1.quantity).reduce(0, +)
            if onHand + inTransit != net || sent != arrived + inTransit { stock += 1 }
        }
        return (stock, tenders)
    }
}
