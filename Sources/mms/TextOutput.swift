import Foundation
import MMSCore
import MMSNode

/// The readable form of a result, for a person at a till or a terminal.
protocol TextRendered { var text: String { get } }

extension MemberList: TextRendered {
    public var text: String { members.isEmpty ? "No member has that phone number." : members.map(\.text).joined(separator: "\n") }
}

extension NodeInitResult: TextRendered {
    public var text: String { "Node \(id) (\(role)) created in \(data).\nPublic key: \(publicKey)" }
}

extension MemberResult: TextRendered {
    public var text: String {
        "Member \(id): \(name), phone \(phone)\(birthday.map { ", born \($0)" } ?? ""), home \(home)\n  tier \(tier), balance \(balance)\(bonus.map { $0 == "0.00" ? "" : " + bonus \($0)" } ?? ""), points \(points)"
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
        case "points_redeemed": first = "Redeemed \(points ?? 0) points."
        case "punch_used": first = "Used \(uses ?? 0) punch\(uses == 1 ? "" : "es")."
        default: first = kind
        }
        if let pointsEarned, pointsEarned > 0 { first += " Earned \(pointsEarned) points." }
        if let bonus, bonus != "0.00" { first += kind == "top_up" ? " Bonus \(bonus)." : kind == "charge" ? " \(bonus) of it from the bonus." : " \(bonus) of it back to the bonus." }
        var s = "\(first)\n  card \(card), balance \(balance)\(bonusBalance.map { $0 == "0.00" ? "" : " + bonus \($0)" } ?? ""), points \(pointsBalance), tier \(tier)"
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
        lines.append("  balance \(balance) (spendable here \(balanceHere))\(bonus.map { $0 == "0.00" ? "" : ", bonus \($0)" } ?? ""), points \(points)")
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

extension OperatorResult: TextRendered {
    public var text: String { "Operator \(`operator`) (\(name)): \(role) of \(branch), \(status)." }
}

extension TillRegistration: TextRendered {
    public var text: String { "Till \(till) registered at \(branch). Its token (shown once; keep it on the till):\n\(token)" }
}

extension TillRevocation: TextRendered {
    public var text: String { "Till \(till) at \(branch) is revoked: its token and sessions no longer work." }
}

extension AuditResult: TextRendered {
    public var text: String {
        guard !entries.isEmpty else { return "No ops match." }
        let rows = entries.map { e in
            [e.at, e.op, e.operator ?? "(node)", e.till ?? "-", e.kind, e.card ?? e.member ?? e.subject ?? "", e.amount ?? e.points.map(String.init) ?? ""]
        }
        let header = ["at", "op", "operator", "till", "kind", "subject", "amount"]
        let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    /// RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled.
    var csv: String {
        let header = "at,op,branch,operator,till,kind,member,card,amount,points,subject"
        func field(_ s: String?) -> String {
            guard let s else { return "" }
            return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        return ([header] + entries.map { e in
            [e.at, e.op, e.branch, e.operator, e.till, e.kind, e.member, e.card, e.amount, e.points.map(String.init), e.subject].map(field).joined(separator: ",")
        }).joined(separator: "\n")
    }
}

extension CardLifeResult: TextRendered {
    public var text: String {
        var first: String
        switch kind {
        case "balance_transferred": first = "Moved \(amount ?? "") from card \(card) to card \(to ?? ""): \(card) holds \(balance), \(to ?? "") holds \(toBalance ?? "")."
        case "card_returned":
            first = "Card \(card) returned: refunded \(refunded ?? "0.00") (\(tender ?? "")); the member's balance is \(balance)."
            if let bonusForfeited, bonusForfeited != "0.00" { first += " The bonus \(bonusForfeited) is not refunded." }
        case "card_renewed": first = "Card \(card) renewed: it pays until \(expires ?? "-")."
        case "pin_changed": first = "Card \(card) has a new PIN."
        case "top_up": first = "Card \(card) issued\(product.map { " as \($0)" } ?? "") and topped up with \(amount ?? ""): balance \(balance)."
        default: first = "Card \(card) issued\(product.map { " as \($0)" } ?? ""): balance \(balance)."
        }
        if let expires, kind != "card_renewed" { first += " It pays until \(expires)." }
        if replayed { first += " (already done: this is its answer again)" }
        return first + " [op \(op)]"
    }
}
