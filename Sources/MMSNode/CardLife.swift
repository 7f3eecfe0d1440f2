import Foundation
import MMSCore
import MMSStore

/// A card's state after a change to its life: what it holds, whether and until when it pays.
public struct CardLifeResult: Codable, Sendable, Equatable, Replayable {
    public let op: String
    public let kind: String
    public let card: String
    public let member: String
    public let status: String
    public let product: String?
    /// The last day it pays, or nil for no end.
    public let expires: String?
    /// The member's stored value after the change.
    public let balance: String
    /// A transfer: the amount and the receiving card with its member's balance after.
    public let amount: String?
    public let to: String?
    public let toBalance: String?
    /// A return: the principal refunded, and how.
    public let refunded: String?
    public let tender: String?
    public var replayed: Bool
    /// The member's bonus balance after the change; a return: the bonus forfeited (never refunded).
    public var bonus: String? = nil
    public var bonusForfeited: String? = nil
}

extension LocalNode {
    /// A card issued as one of the program's card products, with its first top-up (required when
    /// the product sets a minimum), paid by `tender`.
    public func issueCard(number: String, member: String, product: String, pin: String?, firstTopUp: Money?, tender: TenderKind,
                          staff: String?, requestKey: String? = nil) throws -> CardLifeResult {
        try permit(.issueCard)
        if firstTopUp != nil { try permit(.topUp) }
        let pinHash = try pin.map(hashPIN) ?? ""
        let request = try fingerprint("card-product", number, member, product, pin ?? "", firstTopUp?.description ?? "", tender.rawValue, staff ?? "", key: requestKey)
        if let request, let prior = try store.priorResponse(request) { return try Self.replayed(prior) }
        func respond(_ op: SignedOp, _ state: any StateReader) throws -> String {
            try Self.encodeResponse(try Self.cardLifeResult(number, op: op.op, state: state))
        }
        // The issue, then the first top-up, each under the request key (the issue's marked as
        // such): a retry after both is answered as the first time, and a retry after the issue
        // alone finds it done and goes on to the top-up.
        let issueRequest = firstTopUp == nil ? request : request.map { NodeStore.RequestKey(key: $0.key + "#issue", fingerprint: $0.fingerprint) }
        let issued = try commit(request: issueRequest, decide: { teller, _ in
            try teller.issueCard(number: number, member: member, product: product, pinHash: pinHash, firstTopUp: firstTopUp, feeTender: tender, staff: staff)
        }, respond: respond)
        guard let firstTopUp else { return try Self.replayedIfSo(issued) }
        return try Self.replayedIfSo(try commit(request: request, decide: { teller, _ in
            try teller.topUp(card: number, amount: firstTopUp, tender: tender, reference: "", staff: staff)
        }, respond: respond))
    }

    static func replayedIfSo<Answer: Codable & Replayable>(_ issued: NodeStore.Issued) throws -> Answer {
        var answer: Answer = try replayed(issued.response)
        answer.replayed = issued.replayed
        return answer
    }

    /// Moves stored value from one member's card to another member's, with the first card's PIN.
    public func transferBalance(from: String, to: String, amount: Money, pin: String?, requestKey: String?, broker: RightsBroker? = nil,
                                wait: TimeInterval = Double(RightsOnDemand.waitMillis) / 1000) throws -> CardLifeResult {
        try permit(.transferBalance)
        return try onDemand(card: from, needed: { principal, bonus in (amount.fen, Teller.bonusShare(amount.fen, principal: principal, bonus: bonus)) }, broker: broker, wait: wait) { try pay(card: from, pin: pin, checkPIN: true, request: fingerprint("transfer", from, to, amount.description, key: requestKey),
                       decide: { try $0.transferBalance(from: from, to: to, amount: amount) },
                       answer: { op, state in try Self.cardLifeResult(from, op: op, state: state) }) }
    }

    /// A new PIN: with the old one, or (a manager, `old` nil) a reset.
    public func changePIN(card: String, old: String?, new: String, requestKey: String?) throws -> CardLifeResult {
        try permit(old == nil ? .unlockCard : .changePIN)
        let hash = try hashPIN(new)
        return try pay(card: card, pin: old, checkPIN: old != nil, request: fingerprint("pin", card, old == nil ? "reset" : "change", hash.isEmpty ? "" : new, key: requestKey),
                       decide: { try $0.changePIN(card: card, pinHash: hash) },
                       answer: { op, state in try Self.cardLifeResult(card, op: op, state: state) })
    }

    /// 退卡 with the card's PIN: the card stops everywhere; its principal comes back by `tender`.
    public func returnCard(_ card: String, pin: String?, tender: TenderKind, requestKey: String?, broker: RightsBroker? = nil,
                           wait: TimeInterval = Double(RightsOnDemand.waitMillis) / 1000) throws -> CardLifeResult {
        try permit(.returnCard)
        return try onDemand(card: card, needed: { principal, bonus in (principal, bonus) }, broker: broker, wait: wait) { try pay(card: card, pin: pin, checkPIN: true, request: fingerprint("return-card", card, tender.rawValue, key: requestKey),
                       decide: { try $0.returnCard(card, tender: tender) },
                       answer: { op, state in try Self.cardLifeResult(card, op: op, state: state) }) }
    }

    /// 续卡: the card runs again for its product's validity.
    public func renewCard(_ card: String, requestKey: String?) throws -> CardLifeResult {
        try permit(.renewCard)
        return try pay(card: card, pin: nil, checkPIN: false, request: fingerprint("renew", card, key: requestKey),
                       decide: { try $0.renewCard(card) },
                       answer: { op, state in try Self.cardLifeResult(card, op: op, state: state) })
    }

    func cardLifeResult(_ card: String, op: Op) throws -> CardLifeResult {
        try store.read { try Self.cardLifeResult(card, op: op, state: $0) }
    }

    static func cardLifeResult(_ number: String, op: Op, state: any StateReader) throws -> CardLifeResult {
        guard let card = try state.card(number) else { preconditionFailure("card \(number) missing after its op") }
        func balance(_ member: String) throws -> String { Money(fen: try state.escrow(Cell.storedValue(member: member)).total).description }
        var amount: Money?, to: String?, toBalance: String?, refunded: Money?, tender: String?
        switch op.body {
        case .balanceTransferred(let t): (amount, to, toBalance) = (t.amount, t.toCard, try balance(t.toMember))
        case .cardReturned(let r): (refunded, tender) = (r.refunded, r.tender.rawValue)
        case .topUp(let p): amount = p.amount
        default: break
        }
        var result = CardLifeResult(op: op.id.description, kind: op.body.kind, card: number, member: card.member, status: card.status.rawValue,
                                    product: card.product.isEmpty ? nil : card.product, expires: card.expires == 0 ? nil : CardLife.dayText(card.expires),
                                    balance: try balance(card.member), amount: amount?.description, to: to, toBalance: toBalance,
                                    refunded: refunded?.description, tender: tender, replayed: false)
        result.bonus = try state.bonus(of: card.member).description
        if case .cardReturned(let r) = op.body { result.bonusForfeited = r.bonusForfeited.description }
        return result
    }
}
