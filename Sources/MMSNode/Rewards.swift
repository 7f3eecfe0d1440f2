import Foundation
import MMSCore
import MMSStore

/// The answer to points given to another member.
public struct PointsTransferResult: Codable, Sendable, Replayable {
    public let op: String
    public let card: String
    public let member: String
    public let to: String
    public let points: Int64
    /// Each member's points after.
    public let pointsBalance: Int64
    public let toPointsBalance: Int64
    public var replayed: Bool
}

public struct CouponTransferResult: Codable, Sendable, Replayable {
    public let op: String
    public let code: String
    /// The member who gave it and the member who holds it now.
    public let from: String
    public let to: String
    public var replayed: Bool
}

extension LocalNode {
    /// Points from the card's member to another member (the program must allow it), with the card's PIN.
    public func transferPoints(card: String, to member: String, points: Points, pin: String?, requestKey: String?) throws -> PointsTransferResult {
        try permit(.redeemPoints)
        return try pay(card: card, pin: pin, checkPIN: true, request: fingerprint("points-transfer", card, member, points.description, key: requestKey),
                       decide: { try $0.transferPoints(card: card, to: member, points: points) }) { op, state in
            guard case .pointsTransferred(let t) = op.body else { preconditionFailure("a points transfer issued \(op.body.kind)") }
            return PointsTransferResult(op: op.id.description, card: card, member: t.fromMember, to: t.toMember, points: t.points.value,
                                        pointsBalance: try PointsLots.usable(member: t.fromMember, on: Sales.day(wallMillis: op.hlc.wallMillis), in: state),
                                        toPointsBalance: try PointsLots.usable(member: t.toMember, on: Sales.day(wallMillis: op.hlc.wallMillis), in: state), replayed: false)
        }
    }

    /// A transferable coupon given by its member (their card and PIN) to another member, at the
    /// node holding its one use.
    public func transferCoupon(code: String, card: String, to member: String, pin: String?, requestKey: String?) throws -> CouponTransferResult {
        try permit(.redeemCoupon)
        return try pay(card: card, pin: pin, checkPIN: true, request: fingerprint("coupon-transfer", code, card, member, key: requestKey),
                       decide: { try $0.transferCoupon(code: code, card: card, to: member) }) { op, _ in
            guard case .couponTransferred(let code, let from, let to) = op.body else { preconditionFailure("a coupon transfer issued \(op.body.kind)") }
            return CouponTransferResult(op: op.id.description, code: code, from: from, to: to, replayed: false)
        }
    }

    /// A companion card (副卡) of the member's tier, issued at their home branch.
    public func issueCompanionCard(number: String, member: String, pin: String?, requestKey: String?) throws -> CardResult {
        try permit(.issueCard)
        let pinHash = try pin.map(hashPIN) ?? ""
        let issued = try commit(request: fingerprint("companion", number, member, pin ?? "", key: requestKey), decide: { teller, _ in
            try teller.issueCompanionCard(number: number, member: member, pinHash: pinHash)
        })
        return try cardResult(number, op: OpID(parsing: issued.response))
    }

    /// After an op of a member's: the gift it may have earned them or the member who brought
    /// them (the welcome gift with their first card, the referral reward with their first
    /// spending), its own op, decided by the rules (at the member's home branch, once). A gift
    /// that cannot be given now (a coupon limit reached, say) is not: the op that earned it stands.
    func giveRewards(after body: OpBody) {
        let rule: (Teller) throws -> OpBody?
        switch body {
        case .cardIssued(let c): rule = { try $0.welcomeGift(member: c.member) }
        case .charge(let c): rule = { try $0.referralReward(for: c.member) }
        case .sale(let s) where !s.member.isEmpty: rule = { try $0.referralReward(for: s.member) }
        default: return
        }
        // Looked at first on a read, so an op that earns nothing costs no write.
        let due = (try? store.read { state in try rule(Teller(state: state, origin: self.id, role: self.role, wallMillis: self.clock())) != nil }) ?? false
        guard due else { return }
        _ = try? commit(decide: { teller, _ in
            guard let gift = try rule(teller) else { throw MMSError(.invalidArgument, "Nothing is due any more.") }
            return gift
        })
    }
}
