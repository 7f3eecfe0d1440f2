import MMSCore
import MMSCrypto

/// `--history`: what an outside checker needs to judge a run on its own, one JSON object per
/// line — a header, every client request with its answer, every op any node issued (client or
/// not) with its kind's amounts and codes and the deciding node's version vector, and on every
/// run (a stopped one too) each node's final balances, points, uses and card status, then an end
/// line saying whether the run healed and converged. The format is in simulator/README.md.
struct HistoryRecorder {
    struct Acked { let op: OpID; let fen: Int64 }
    let enabled: Bool
    private(set) var lines: [String] = []
    /// Per member: the stored-value change of every op issued (fen), for the bank-style check.
    private(set) var expected: [String: Int64] = [:]
    /// Every op issued: each must be held by every node after the heal.
    private(set) var acknowledged: [(op: OpID, hash: Digest32)] = []
    private(set) var lostCards: [String] = []
    private var charges: [String: [(node: NodeID, acked: Acked)]] = [:]
    /// Acknowledged sales per branch, and stock transfers with where they go.
    private(set) var sales: [NodeID: [OpID]] = [:]
    private(set) var transfers: [(id: OpID, to: NodeID)] = []

    init(enabled: Bool) { self.enabled = enabled }

    mutating func header(_ options: SimulationOptions, nodes: [NodeID], workload: ChainWorkload) {
        guard enabled else { return }
        let members = workload.members.enumerated().map { i, m in
            "{\"member\":\"\(workload.memberID(i))\",\"home\":\"\(nodes[m.home])\",\"card\":\"\(m.card)\"" + (m.punchCard.map { ",\"punch\":\"\($0)\"" } ?? "") + "}"
        }
        lines.append("{\"header\":true,\"seed\":\(options.seed),\"nodes\":[\(nodes.map { "\"\($0)\"" }.joined(separator: ","))],\"policy\":\"\(options.policy.rawValue)\","
            + "\"broken\":\(options.broken.map { "\"\($0.rawValue)\"" } ?? "null"),\"faults\":\(options.faults),\"duration_ms\":\(options.durationMillis),"
            + "\"calendar_start_ms\":\(options.calendarStartMillis),\"members\":[\(members.joined(separator: ","))]}")
    }

    /// A client request and its answer: the op it became, or the refusal's code.
    mutating func request(_ at: UInt64, node: NodeID, card: String, kind: ChainWorkload.Kind, ack: SignedOp?, reason: String?) {
        guard enabled else { return }
        var amount: Int64?
        switch kind {
        case .topUp(let fen), .charge(let fen), .transferBalance(_, let fen): amount = fen
        default: break
        }
        if let op = ack {
            switch op.op.body {
            case .refund(let r): amount = r.amount.fen
            case .sale(let s): amount = s.total.fen
            case .saleReturned(let r): amount = r.amount.fen
            case .cardReturned(let r): amount = r.refunded.fen
            default: break
            }
        }
        var fields = ["\"t\":\(at)", "\"node\":\"\(node)\"", "\"card\":\"\(card)\"", "\"kind\":\"\(Self.name(kind))\""]
        if let amount { fields.append("\"amount\":\"\(Money(fen: amount))\"") }
        if let op = ack { fields.append("\"ack\":true,\"op\":\"\(op.id)\"") } else { fields.append("\"ack\":false,\"reason\":\(Self.quote(reason ?? ""))") }
        lines.append("{" + fields.joined(separator: ",") + "}")
    }

    /// A campaign run: how many members it gave the gift to, and the refusals by code.
    mutating func campaign(_ at: UInt64, node: NodeID, campaign: String, given: Int, refused: [String: Int]) {
        guard enabled else { return }
        let counts = refused.sorted { $0.key < $1.key }.map { "\(Self.quote($0.key)):\($0.value)" }.joined(separator: ",")
        lines.append("{\"t\":\(at),\"node\":\"\(node)\",\"kind\":\"campaign_run\",\"campaign\":\(Self.quote(campaign)),\"given\":\(given),\"refused\":{\(counts)}}")
    }

    /// Every op issued by any node, as it is issued: `seen` is the deciding node's vector when it decided.
    mutating func issued(_ at: UInt64, _ op: SignedOp, seen: VersionVector) {
        acknowledged.append((op.id, op.hash))
        for change in op.op.body.storedValueChanges { expected[change.member, default: 0] += change.fen }
        switch op.op.body {
        case .charge(let c): charges[c.member, default: []].append((op.id.origin, Acked(op: op.id, fen: c.amount.fen)))
        case .sale: sales[op.id.origin, default: []].append(op.id)
        case .stockTransferred(let t): transfers.append((op.id, t.to))
        case .cardReported(let card, _): lostCards.append(card)
        default: break
        }
        guard enabled else { return }
        let vv = seen.slots.map { "\"\($0.origin)\":\($0.seq)" }.joined(separator: ",")
        lines.append("{\"op\":\"\(op.id)\",\"t\":\(at),\"hlc\":\(op.op.hlc.wallMillis),\"node\":\"\(op.id.origin)\",\"kind\":\"\(op.op.body.kind)\""
            + Self.fields(op.op.body, origin: op.id.origin).map { "," + $0 }.joined() + ",\"vv\":{\(vv)}}")
    }

    /// The member's latest acknowledged charge taken at `node` (refunds happen where the charge was).
    func latestCharge(member: String, at node: NodeID) -> Acked? {
        charges[member]?.last { $0.node == node }?.acked
    }

    mutating func final(node: NodeID, member: String, card: String, balance: Int64, lots: [LotPoints], status: String,
                        punch: (card: String, uses: Int64, status: String)?) {
        guard enabled else { return }
        var line = "{\"final\":true,\"node\":\"\(node)\",\"member\":\"\(member)\",\"card\":\"\(card)\",\"balance\":\"\(Money(fen: balance))\""
            + ",\"points\":\(lots.map(\.points).reduce(0, +)),\(Self.lots(lots)),\"status\":\"\(status)\""
        if let punch { line += ",\"punch_card\":\"\(punch.card)\",\"uses\":\(punch.uses),\"punch_status\":\"\(punch.status)\"" }
        lines.append(line + "}")
    }

    mutating func end(healed: Bool, converged: Bool, violation: Violation?) {
        guard enabled else { return }
        lines.append("{\"end\":true,\"healed\":\(healed),\"converged\":\(converged),\"ok\":\(violation == nil),\"violation\":"
            + (violation.map { "{\"invariant\":\"\($0.invariant)\",\"detail\":\(Self.quote($0.detail)),\"at_millis\":\($0.atMillis)}" } ?? "null") + "}")
    }

    static func name(_ kind: ChainWorkload.Kind) -> String {
        switch kind {
        case .topUp: "top_up"
        case .charge: "charge"
        case .refundLatest: "refund"
        case .redeemPoints: "points_redeem"
        case .punch(let checkout): checkout ? "punch_at_checkout" : "punch"
        case .issueCoupon: "coupon_issue"
        case .redeemCoupon: "coupon_redeem"
        case .reportLost: "report_lost"
        case .setPointsPerYuan: "setting"
        case .addProduct: "product"
        case .basket: "sale"
        case .returnLatestSale: "sale_return"
        case .receiveStock: "stock_receive"
        case .transferStock: "stock_transfer"
        case .arriveTransfer: "transfer_arrive"
        case .setProgram: "program"
        case .issueTemplateCoupon: "coupon_issue_template"
        case .useMemberCoupon(let checkout): checkout ? "coupon_at_checkout" : "coupon_redeem_own"
        case .transferBalance: "balance_transfer"
        case .returnCard: "card_return"
        case .redeemGift: "gift_redeem"
        case .runCampaign: "campaign_run"
        }
    }

    /// `"lots":{"2026":30,…}`: points by the year of their lot.
    static func lots(_ lots: [LotPoints]) -> String {
        "\"lots\":{" + lots.map { "\"\($0.year)\":\($0.points)" }.joined(separator: ",") + "}"
    }

    /// The op's amounts and codes, as JSON fields: money as "12.34", points, uses and stock as integers.
    static func fields(_ body: OpBody, origin: NodeID) -> [String] {
        func m(_ money: Money) -> String { "\"\(money)\"" }
        func q(_ s: String) -> String { quote(s) }
        switch body {
        case .memberAdded(let a): return ["\"member\":\(q(a.member))"]
        case .cardIssued(let c):
            var f = ["\"card\":\(q(c.number))", "\"member\":\(q(c.member))", "\"type\":\"\(c.type.rawValue)\""]
            if c.punchUses > 0 { f += ["\"account\":\(q(c.punchAccount))", "\"uses\":\(c.punchUses)"] }
            if !c.replaces.isEmpty { f.append("\"replaces\":\(q(c.replaces))") }
            if c.expires > 0 { f.append("\"expires\":\(c.expires)") }
            return f
        case .cardReported(let card, let report): return ["\"card\":\(q(card))", "\"report\":\"\(report.rawValue)\""]
        case .topUp(let p): return ["\"member\":\(q(p.member))", "\"card\":\(q(p.card))", "\"amount\":\(m(p.amount))"]
        case .charge(let c): return ["\"member\":\(q(c.member))", "\"card\":\(q(c.card))", "\"amount\":\(m(c.amount))", "\"points_earned\":\(c.pointsEarned.value)"]
        case .refund(let r): return ["\"member\":\(q(r.member))", "\"card\":\(q(r.card))", "\"amount\":\(m(r.amount))", "\"charge\":\"\(r.charge)\""]
        case .pointsRedeemed(let p):
            return ["\"member\":\(q(p.member))", "\"card\":\(q(p.card))", "\"points\":\(p.points.value)", lots(p.lots)] + (p.gift.isEmpty ? [] : ["\"gift\":\(q(p.gift))", "\"sku\":\(q(p.sku))"])
        case .punchUsed(let p): return ["\"member\":\(q(p.member))", "\"card\":\(q(p.card))", "\"account\":\(q(p.account))", "\"uses\":\(p.uses)"]
        case .rightsTransferred(let t): return ["\"account\":\(q(t.account))", "\"to\":\"\(t.to)\"", "\"units\":\(t.amount)"]
        case .settingSet(let key, let value): return ["\"key\":\(q(key))", "\"value\":\(q(value))"]
        case .couponIssued(let c):
            var f = ["\"code\":\(q(c.code))", "\"member\":\(q(c.member))", "\"value\":\(m(c.value))", "\"holder\":\"\(c.holder ?? origin)\""]
            if !c.template.isEmpty { f += ["\"template\":\(q(c.template))", "\"min_spend\":\(m(c.minSpend))", "\"valid_until\":\(c.validUntil)"] }
            if !c.campaign.isEmpty { f.append("\"campaign\":\(q(c.campaign))") }
            return f
        case .couponRedeemed(let code, let member): return ["\"code\":\(q(code))", "\"member\":\(q(member))"]
        case .productSet(let p): return ["\"sku\":\(q(p.sku))"]
        case .stockReceived(let s), .stockReturned(let s): return ["\"sku\":\(q(s.sku))", "\"quantity\":\(s.quantity)"]
        case .stockTransferred(let t): return ["\"sku\":\(q(t.sku))", "\"quantity\":\(t.quantity)", "\"to\":\"\(t.to)\""]
        case .transferArrived(let transfer, let sku, let quantity): return ["\"transfer\":\"\(transfer)\"", "\"sku\":\(q(sku))", "\"quantity\":\(quantity)"]
        case .sale(let s):
            let lines = s.lines.map { "{\"sku\":\(q($0.sku)),\"quantity\":\($0.quantity),\"amount\":\(m($0.amount)),\"goods\":\($0.goods)}" }
            let tenders = s.tenders.map(tender)
            return ["\"member\":\(q(s.member))", "\"card\":\(q(s.card))", "\"total\":\(m(s.total))", "\"change\":\(m(s.change))", "\"stored\":\(m(s.stored))",
                    "\"points_earned\":\(s.pointsEarned.value)", "\"lines\":[\(lines.joined(separator: ","))]", "\"tenders\":[\(tenders.joined(separator: ","))]"]
        case .saleReturned(let r):
            let refunds = r.refunds.map(tender)
            return ["\"sale\":\"\(r.sale)\"", "\"member\":\(q(r.member))", "\"amount\":\(m(r.amount))", "\"stored_back\":\(m(r.storedBack))",
                    "\"points_taken_back\":\(r.points.value)", "\"refunds\":[\(refunds.joined(separator: ","))]"]
        case .programSet(let version, let document): return ["\"version\":\(version)", "\"document\":\(q(document))"]
        case .balanceTransferred(let t):
            return ["\"from_member\":\(q(t.fromMember))", "\"from_card\":\(q(t.fromCard))", "\"to_member\":\(q(t.toMember))", "\"to_card\":\(q(t.toCard))", "\"amount\":\(m(t.amount))"]
        case .cardReturned(let r): return ["\"card\":\(q(r.card))", "\"member\":\(q(r.member))", "\"refunded\":\(m(r.refunded))", "\"tender\":\"\(r.tender.rawValue)\""]
        case .cardRenewed(let card, let expires): return ["\"card\":\(q(card))", "\"expires\":\(expires)"]
        case .pointsAwarded(let member, let points, let campaign, let holder):
            return ["\"member\":\(q(member))", "\"points\":\(points.value)", "\"campaign\":\(q(campaign))", "\"holder\":\"\(holder)\""]
        case .pointsTransferred(let t):
            return ["\"from_member\":\(q(t.fromMember))", "\"from_card\":\(q(t.fromCard))", "\"to_member\":\(q(t.toMember))", "\"points\":\(t.points.value)", lots(t.lots)]
        default: return []
        }
    }

    /// A sale's tender or a return's refund: its kind, amount, code (a coupon's, a punch card's
    /// uses account), units and points lots.
    static func tender(_ t: Tender) -> String {
        "{\"kind\":\"\(t.kind.rawValue)\",\"amount\":\"\(t.amount)\"" + (t.reference.isEmpty ? "" : ",\"code\":\(quote(t.reference))")
            + (t.units > 0 ? ",\"units\":\(t.units)" : "") + (t.lots.isEmpty ? "" : "," + lots(t.lots)) + "}"
    }

    /// A JSON string literal.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
