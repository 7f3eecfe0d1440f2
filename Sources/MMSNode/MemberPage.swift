import Foundation
import MMSCore
import MMSCrypto

/// A member signed in on their own page (手机版).
public struct MemberSession: Codable, Sendable {
    public let token: String
    public let card: String
    public let expiresAt: String
}

/// What a member sees of their own card: balances, points, tier and the way to the next,
/// coupons, uses left, recent history. Their own name; the phone masked as everywhere.
public struct MemberPage: Codable, Sendable {
    public let card: String
    public let type: String
    public let name: String
    public let phone: String
    public let tier: String
    public let tierName: String
    /// The next tier up and the spend still needed to reach it (nil at the top, or under a tier review).
    public let nextTier: String?
    public let spendToNextTier: String?
    public let balance: String
    public let bonus: String
    public let points: Int64
    public let usesLeft: Int64?
    public let coupons: [CouponResult]
    public let history: [HistoryItem]
}

extension LocalNode {
    /// How long a member's sign-in lasts.
    public static let memberSessionMillis: UInt64 = 30 * 60_000

    /// Signs a member in with their card and its PIN, checked as at the till: a wrong PIN counts
    /// towards the card's chain-wide lockout. A card without a PIN cannot sign in (anyone holding
    /// its number could): the till sets one first.
    public func signInMember(card number: String, pin: String) throws -> MemberSession {
        let refused = MMSError(.wrongPIN, "The card number or the PIN is wrong.")
        guard number.utf8.count <= Limits.maxIdentifierLength, Limits.pinDigits.contains(pin.count),
              let card = try store.read({ try $0.card(number) }) else { throw refused }
        guard card.status == .active else { throw MMSError(.cardBlocked, "This card cannot be used (\(card.status.rawValue)).") }
        guard !card.pinHash.isEmpty else { throw MMSError(.pinRequired, "This card has no PIN yet: ask at the till to set one.") }
        _ = try acting(as: Caller(actor: Actor(operatorID: "", till: Actor.memberTill), role: nil)).authorise(card: number, pin: pin)
        let token = Hex.encode(randomBytes(32)), now = clock()
        try store.createSession(tokenHash: Self.tokenHash(token), operator: number, till: Actor.memberTill, now: now, expires: now + Self.memberSessionMillis)
        return MemberSession(token: token, card: number, expiresAt: Self.timestamp(now + Self.memberSessionMillis))
    }

    /// The signed-in member's page; a card reported lost or blocked since ends the session.
    public func memberPage(session token: String) throws -> MemberPage {
        let number = try memberCard(session: token)
        guard let card = try store.read({ try $0.card(number) }), card.status == .active else {
            throw MMSError(.unauthenticated, "This card can no longer be used here: sign in again.")
        }
        let show = try showResult(member: card.member, card: card, historyLimit: 10)
        let (ladder, review, figures) = try store.read { state in
            (try state.tierLadder(), try state.program().program.tierReview, try state.member(card.member)?.figures ?? TierFigures())
        }
        let steps = ladder.steps, here = steps.firstIndex { $0.tier.rawValue == show.tier }
        let next = here.flatMap { $0 + 1 < steps.count ? steps[$0 + 1] : nil }
        let needed = review == nil ? next?.spend.map { Money(fen: max(0, $0.fen - figures.netSpend)).description } : nil
        return MemberPage(card: number, type: card.type.rawValue, name: show.name, phone: show.phone, tier: show.tier,
                          tierName: here.map { steps[$0].name } ?? show.tier, nextTier: review == nil ? next?.name : nil, spendToNextTier: needed,
                          balance: show.balance, bonus: show.bonus ?? "0.00", points: show.points, usesLeft: show.usesLeft,
                          coupons: show.coupons, history: show.history)
    }

    public func signOutMember(session token: String) throws {
        _ = try memberCard(session: token)
        try store.endSession(tokenHash: Self.tokenHash(token))
    }

    /// The card a member's session was opened with, while it lasts.
    private func memberCard(session token: String) throws -> String {
        guard token.utf8.count == 64, let session = try store.session(tokenHash: Self.tokenHash(token)), session.till == Actor.memberTill else {
            throw MMSError(.unauthenticated, "Sign in with your card and PIN.")
        }
        guard clock() < session.expires else { throw MMSError(.sessionExpired, "You were signed out after 30 minutes: sign in again.") }
        return session.operatorID
    }
}
