import MMSCore
import MMSNode

/// The readable form of a result, for a person at a till or a terminal.
protocol TextRendered { var text: String { get } }

struct MemberList: Encodable, TextRendered {
    let members: [MemberResult]
    var text: String { members.isEmpty ? "No member has that phone number." : members.map(\.text).joined(separator: "\n") }
}

extension NodeInitResult: TextRendered {
    public var text: String { "Node \(id) (\(role)) created in \(data).\nPublic key: \(publicKey)" }
}

extension MemberResult: TextRendered {
    public var text: String {
        "Member \(id): \(name), phone \(phone), born \(birthday), home \(home)\n  tier \(tier), balance \(balance), points \(points)"
    }
}

extension CardResult: TextRendered {
    public var text: String {
        var s = "Card \(card) (\(type)) issued to member \(member); status \(status)."
        if let replaces { s += " It replaces card \(replaces), which no longer pays." }
        if let discountPercent { s += " Pays \(discountPercent)% of list price." }
        if let usesLeft { s += " Uses left: \(usesLeft)." }
        return s + " [op \(op)]"
    }
}

extension PaymentResult: TextRendered {
    public var text: String {
        var first: String
        switch kind {
        case "top_up": first = "Topped up \(amount ?? "")."
        case "charge": first = "Charged \(amount ?? "")."
        case "refund": first = "Refunded \(amount ?? "") to stored value."
        case "discount_sale": first = "Sale of \(amount ?? "") at discount: member pays \(paid ?? "")."
        case "points_redeemed": first = "Redeemed \(points ?? 0) points."
        case "punch_used": first = "Used \(uses ?? 0) punch\(uses == 1 ? "" : "es")."
        default: first = kind
        }
        if let pointsEarned, pointsEarned > 0 { first += " Earned \(pointsEarned) points." }
        var s = "\(first)\n  card \(card), balance \(balance), points \(pointsBalance), tier \(tier)"
        if let usesLeft { s += ", uses left \(usesLeft)" }
        s += "  [op \(op)]"
        if let unpaid { s += "\n  partial payment: \(unpaid) is left to collect by other tender" }
        if replayed { s += "\n  (a repeat of an earlier request: nothing new was charged)" }
        return s
    }
}

extension CardEventResult: TextRendered {
    public var text: String { "Card \(card) is now \(status). [op \(op)]" }
}

extension SettingResult: TextRendered {
    public var text: String { "\(key) = \(value) [op \(op)]" }
}

extension VerifyResult: TextRendered {
    public var text: String {
        "Verified \(ops) ops from \(origins) origin\(origins == 1 ? "" : "s") in \(String(format: "%.3f", seconds)) s: state equals the log.\n  state hash \(stateHash)"
    }
}

extension CouponResult: TextRendered {
    public var text: String {
        "Coupon \(code) of member \(member): \(title.isEmpty ? "" : title + ", ")value \(value), \(left > 0 ? "unused" : "used")"
            + (op.map { " [op \($0)]" } ?? "") + (replayed == true ? "\n  (a repeat of an earlier request)" : "")
    }
}

extension ShowResult: TextRendered {
    public var text: String {
        var lines: [String] = []
        if let card { lines.append("Card \(card) (\(type ?? "")) — \(status ?? "")") }
        lines.append("Member \(member): \(name), \(phone), tier \(tier)")
        lines.append("  balance \(balance) (spendable here \(balanceHere)), points \(points)")
        if rights.count > 1 { lines.append("  rights: \(rights.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))") }
        if let usesLeft { lines.append("  uses left \(usesLeft)") }
        if let discountPercent { lines.append("  pays \(discountPercent)% of list price") }
        if let pinFailures, pinFailures > 0 { lines.append("  wrong PIN entries: \(pinFailures)") }
        lines.append("  spent \(spent), topped up \(toppedUp)")
        for coupon in coupons { lines.append("  coupon \(coupon.code) \(coupon.title) \(coupon.value) — \(coupon.left > 0 ? "unused" : "used")") }
        if !history.isEmpty {
            lines.append("  history (newest first):")
            for h in history {
                var what = h.kind
                if let amount = h.amount { what += " \(amount)" }
                if let points = h.points, points > 0 { what += " \(points) pts" }
                if let uses = h.uses { what += " \(uses) uses" }
                lines.append("    \(h.at)  \(what)\(h.card.map { "  card \($0)" } ?? "")  [\(h.op)]")
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension NodeInfo: TextRendered {
    public var text: String {
        """
        Node \(id) (\(role)), \(ops) ops, state hash \(stateHash)
          holds: \(vector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
          trusts: \(trusted.joined(separator: ", "))\(forks > 0 ? "\n  FORK EVIDENCE: \(forks) ops" : "")
          public key \(publicKey)
        """
    }
}

extension TrustResult: TextRendered {
    public var text: String { "Now accepting ops from \(id) (\(role)), key \(publicKey)." }
}

extension SyncResult: TextRendered {
    public var text: String {
        "Pulled \(applied) ops from \(from) in \(batches) batch\(batches == 1 ? "" : "es"); now holding \(vector.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")).\n  state hash \(stateHash)"
    }
}

extension RightsResult: TextRendered {
    public var text: String {
        "Moved \(amount) of \(account) to \(to). Rights now: \(rights.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) [op \(op)]"
    }
}
