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

extension LocalNode {
    /// Points from the card's member to another member (the program must allow it), with the card's PIN.
    public func transferPoints(card: String, to member: String, points: Points, pin: String?, requestKey: String?) throws -> PointsTransferResult {
        try permit(.redeemPoints)
        return try pay(card: card, pin: pin, checkPIN: true, request: fingerprint("points-transfer", card, member, points.description, key: requestKey),
                       decide: { try $0.transferPoints(card: card, to: member, points: points) }) { op, state in
            guard case .pointsTransferred(let t) = op.body else { preconditionFailure("a points transfer issued \(op.body.kind)") }
            return PointsTransferResult(op: op.id.description, card: card, member: t.fromMember, to: t.toMember, points: t.points.value,
                                        pointsBalance: try state.escrow(Cell.points(member: t.fromMember)).total,
                                        toPointsBalance: try state.escrow(Cell.points(member: t.toMember)).total, replayed: false)
        }
    }

    /// A transferable coupon given to another member, at the node holding its one use.
    public func transferCoupon(code: String, to member: String, requestKey: String?) throws -> CouponResult {
        try permit(.issueCoupon)
        let issued = try commit(request: fingerprint("coupon-transfer", code, member, key: requestKey), decide: { teller, _ in
            try teller.transferCoupon(code: code, to: member)
        })
        var result = try couponResult(code, op: OpID(parsing: issued.response))
        result.replayed = issued.replayed
        return result
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

    /// After an op of a member's: the gifts it may have earned them or the member who brought
    /// them (the welcome gift with a card, the referral reward with a first payment), each its
    /// own op, decided by the rules (at the member's home branch, once). A gift that cannot be
    /// given now (a coupon limit reached, say) is not: the op that earned it stands.
    func giveRewards(after body: OpBody) {
        let member: String
        switch body {
        case .cardIssued(let c): member = c.member
        case .topUp(let p): member = p.member
        case .charge(let c): member = c.member
        case .sale(let s) where !s.member.isEmpty: member = s.member
        default: return
        }
        let rules: [(Teller) throws -> OpBody?] = [{ try $0.welcomeGift(member: member) }, { try $0.referralReward(for: member) }]
        for rule in rules {
            // Looked at first on a read, so an op that earns nothing costs no write.
            let due = (try? store.read { state in try rule(Teller(state: state, origin: self.id, role: self.role, wallMillis: self.clock())) != nil }) ?? false
            guard due else { continue }
            _ = try? commit(decide: { teller, _ in
                guard let gift = try rule(teller) else { throw MMSError(.invalidArgument, "Nothing is due any more.") }
                return gift
            })
        }
    }
}
