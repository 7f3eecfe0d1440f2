import Foundation
import MMSCore
import MMSCrypto

/// A member signed in on their own page (手机版).
public struct MemberSession: Codable, Sendable {
    public let token: String
    public let card: String
    public let expiresAt: String
    /// Opened from a receipt's link: the page to look at; the member code, check-in and bookings ask for the PIN.
    public var viewOnly = false
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
    /// The points by lot still to spend, and the day each lot stops paying (nil: never), soonest first.
    public var pointsLots: [PointsLot] = []
    public struct PointsLot: Codable, Sendable { public let points: Int64; public let expires: String? }
    /// 签到, where head office turned it on: its points, whether done today, and the node that
    /// decides it (the member's home) when that is not this one.
    public var checkIn: CheckIn?
    /// Opened from a receipt's link rather than with the PIN: nothing on it may be done.
    public var viewOnly = false

    public struct CheckIn: Codable, Sendable {
        public let points: Int64
        public let done: Bool
        public let home: String?
    }
}

/// 会员码: what a signed-in member shows at the till instead of their card (a QR code, or typed):
/// `MC<card>.<expires, Unix seconds>.<tag>`, in the QR code's alphanumeric alphabet. The tag is
/// keyed by the chain's secret, so every node checks a code on its own, cut off or not. Whoever
/// shows it has signed in with the card's PIN, so a payment by it asks for no PIN; it lives two
/// minutes, and the card must still be active.
public struct MemberCode: Codable, Sendable, Equatable {
    public static let prefix = "MC"
    public static let lifetimeSeconds: UInt64 = 120

    public let code: String
    public let card: String
    public let expiresAt: String
    public let seconds: UInt64
}

/// A card as the till presented it: its number, and whether a member code vouched for it (its
/// holder signed in with the PIN, so none is asked) and has expired since.
public struct PresentedCard: Sendable {
    public let number: String
    public let byMemberCode: Bool
    public let expired: Bool

    /// Refuses a member code past its time.
    public func requireInTime() throws {
        guard !expired else { throw MMSError(.memberCodeExpired, "This member code has expired: ask the member to refresh it.", details: ["card": number]) }
    }
}

extension LocalNode {
    /// A fresh member code for the signed-in member's card.
    public func memberCode(session token: String) throws -> MemberCode {
        let card = try activeCard(session: token), number = card.number
        let expires = clock() / 1_000 + MemberCode.lifetimeSeconds
        let code = "\(MemberCode.prefix)\(number).\(expires).\(Hex.encode(secrets.memberCodeTag(card: number, expires: expires)).uppercased())"
        return MemberCode(code: code, card: number, expiresAt: Self.timestamp(expires * 1_000), seconds: MemberCode.lifetimeSeconds)
    }

    /// What the till read — a card number, or a member code — as the card it names. A code whose
    /// tag is wrong names no card; one past its time names its card but must not pay
    /// (`PresentedCard.requireInTime`), except that a retry of what it paid in time is answered again.
    public func cardPresented(_ text: String) throws -> PresentedCard {
        guard text.hasPrefix(MemberCode.prefix) else { return PresentedCard(number: text, byMemberCode: false, expired: false) }
        let parts = text.dropFirst(MemberCode.prefix.count).split(separator: ".", omittingEmptySubsequences: false)
        let forged = MMSError(.unknownCard, "This member code is not valid: ask the member to open it again.")
        guard parts.count == 3, let expires = UInt64(parts[1]), let tag = Hex.decode(String(parts[2]).lowercased()) else { throw forged }
        let number = String(parts[0])
        guard constantTimeEqual(tag, secrets.memberCodeTag(card: number, expires: expires)) else { throw forged }
        return PresentedCard(number: number, byMemberCode: true, expired: clock() / 1_000 >= expires)
    }

    /// The token a receipt's QR code carries to the member's page (`/m/r/<token>`): the card and
    /// the link's end, sealed with the chain's key — the card number cannot be read off a receipt's
    /// link or its server's log, and no token the chain did not make opens. It opens the page to
    /// look at (`signInMember(receiptLink:)`) for `receiptLinkMillis` from the sale.
    public func receiptLink(card: String, now: UInt64) -> String {
        let sealed = secrets.seal(Array("\(card).\((now + Self.receiptLinkMillis) / 1_000)".utf8), for: Self.receiptLinkPurpose)
        return Data(sealed).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
    public static let receiptLinkMillis: UInt64 = 24 * 3_600_000
    static let receiptLinkPurpose = "receipt-link"

    /// A member's page opened from their receipt: a session to look at their card (balance, points,
    /// coupons, history), never to act — a receipt left on the counter must not pay or book. The
    /// session lasts as a PIN sign-in's would, and never past the link's own end.
    public func signInMember(receiptLink token: String) throws -> MemberSession {
        let refused = MMSError(.unauthenticated, "This link is not valid: sign in with your card and PIN.")
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard token.utf8.count <= 256, let sealed = Data(base64Encoded: base64), let opened = try? secrets.open(Array(sealed), for: Self.receiptLinkPurpose),
              let text = String(bytes: opened, encoding: .utf8), let dot = text.lastIndex(of: "."),
              let ends = UInt64(text[text.index(after: dot)...]).map({ $0 * 1_000 }) else { throw refused }
        let now = clock()
        // Never longer than a link's day from now, whatever a token says (a clock set back included).
        guard now < ends, ends <= now + Self.receiptLinkMillis + 60_000 else {
            throw MMSError(.sessionExpired, "This receipt's link has expired: sign in with your card and PIN.")
        }
        let number = String(text[..<dot])
        guard let card = try store.read({ try $0.card(number) }), card.status == .active else { throw MMSError(.cardBlocked, "This card cannot be used.") }
        let token = Hex.encode(randomBytes(32)), expires = min(now + Self.memberSessionMillis, ends)
        try store.createSession(tokenHash: Self.tokenHash(token), operator: number, till: Actor.receiptTill, now: now, expires: expires)
        var session = MemberSession(token: token, card: number, expiresAt: Self.timestamp(expires))
        session.viewOnly = true
        return session
    }

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
        let (card, viewOnly) = try activeCard(viewing: token), number = card.number
        let show = try showResult(member: card.member, card: card, historyLimit: 10)
        let (ladder, review, figures) = try store.read { state in
            (try state.tierLadder(), try state.program().program.tierReview, try state.member(card.member)?.figures ?? TierFigures())
        }
        let steps = ladder.steps, here = steps.firstIndex { $0.tier.rawValue == show.tier }
        let next = here.flatMap { $0 + 1 < steps.count ? steps[$0 + 1] : nil }
        let needed = review == nil ? next?.spend.map { Money(fen: max(0, $0.fen - figures.netSpend)).description } : nil
        var page = MemberPage(card: number, type: card.type.rawValue, name: show.name, phone: show.phone, tier: show.tier,
                              tierName: here.map { steps[$0].name } ?? show.tier, nextTier: review == nil ? next?.name : nil, spendToNextTier: needed,
                              balance: show.balance, bonus: show.bonus ?? "0.00", points: show.points, usesLeft: show.usesLeft,
                              coupons: show.coupons, history: show.history)
        page.viewOnly = viewOnly
        page.pointsLots = try store.read { state in
            let today = CardLife.dayNumber(Sales.day(wallMillis: self.clock()))
            return try PointsLots.lots(member: card.member, in: state).filter { $0.left > 0 && $0.isValid(on: today) }
                .map { MemberPage.PointsLot(points: $0.left, expires: $0.expires) }
        }
        page.checkIn = try store.read { state -> MemberPage.CheckIn? in
            guard let points = try state.program().program.checkInPoints, let member = try state.member(card.member) else { return nil }
            let done = try state.flags(entity: Cell.member(card.member)).contains(Cell.campaignPrefix + Rewards.checkIn(day: Sales.day(wallMillis: self.clock())))
            return MemberPage.CheckIn(points: points, done: done, home: member.home == self.id.rawValue ? nil : member.home)
        }
        return page
    }

    /// 签到 for the signed-in member: the program's points, once a day, at their home node.
    public func checkIn(session token: String) throws -> Int64 {
        let card = try activeCard(session: token), number = card.number
        let issued = try acting(as: Caller(actor: Actor(operatorID: number, till: Actor.memberTill), role: nil))
            .commit(decide: { teller, _ in try teller.checkIn(member: card.member) })
        guard case .pointsAwarded(_, let points, _, _) = issued.op!.op.body else { preconditionFailure("a check-in issued \(issued.op!.op.body.kind)") }
        return points.value
    }

    public func signOutMember(session token: String) throws {
        _ = try memberCard(session: token, viewing: true)
        try store.endSession(tokenHash: Self.tokenHash(token))
    }

    /// The signed-in member's card, while it can be used: one reported lost or blocked since ends
    /// the session. A session opened from a receipt does not act (`activeCard(viewing:)` looks).
    func activeCard(session token: String) throws -> CardView {
        try card(of: try memberCard(session: token))
    }

    /// The card of a member's session to look at, and whether the session only looks (a receipt's link).
    func activeCard(viewing token: String) throws -> (card: CardView, viewOnly: Bool) {
        let session = try memberSession(token)
        return (try card(of: session.card), session.viewOnly)
    }

    /// The card a member's session was opened with, while it lasts; with `viewing`, a receipt's session too.
    func memberCard(session token: String, viewing: Bool = false) throws -> String {
        let session = try memberSession(token)
        guard viewing || !session.viewOnly else {
            throw MMSError(.notPermitted, "Opened from a receipt: sign in with your card and PIN to do this.", details: ["reason": "view_only"])
        }
        return session.card
    }

    private func card(of number: String) throws -> CardView {
        guard let card = try store.read({ try $0.card(number) }), card.status == .active else {
            throw MMSError(.unauthenticated, "This card can no longer be used here: sign in again.")
        }
        return card
    }

    private func memberSession(_ token: String) throws -> (card: String, viewOnly: Bool) {
        guard token.utf8.count == 64, let session = try store.session(tokenHash: Self.tokenHash(token)),
              session.till == Actor.memberTill || session.till == Actor.receiptTill else {
            throw MMSError(.unauthenticated, "Sign in with your card and PIN.")
        }
        guard clock() < session.expires else { throw MMSError(.sessionExpired, "You were signed out after 30 minutes: sign in again.") }
        return (session.operatorID, session.till == Actor.receiptTill)
    }
}

/// A member's values of head office's extra fields, opened for an operator's screen.
public struct MemberFieldValues: Codable, Sendable, Equatable {
    public let member: String
    /// In the program's order; a field never set is empty.
    public let fields: [Field]
    public struct Field: Codable, Sendable, Equatable { public let name: String; public let value: String }
}

extension LocalNode {
    /// The member's extra fields (an operator who looks members up reads them: they serve the member).
    public func memberFields(member: String) throws -> MemberFieldValues {
        try permit(.lookUp)
        let (names, registers) = try store.read { state in (try state.program().program.memberFields, try state.registers(entity: Cell.member(member))) }
        return MemberFieldValues(member: member, fields: try names.map { name in
            let value = try registers[Cell.memberFieldPrefix + name].map { sealed in
                do { return String(decoding: try secrets.open(sealed), as: UTF8.self) } catch {
                    throw MMSError(.storeFailure, "Member \(member)'s \(name) cannot be opened with this node's chain secrets.")
                }
            }
            return .init(name: name, value: value ?? "")
        })
    }

    /// Sets the member's extra fields that changed (sealed before they are written); an empty value clears one.
    public func setMemberFields(member: String, _ values: [String: String]) throws -> MemberFieldValues {
        try permit(.addMember)
        let current = Dictionary(uniqueKeysWithValues: try memberFields(member: member).fields.map { ($0.name, $0.value) })
        for (field, value) in values.sorted(by: { $0.key < $1.key }) where current[field] != value {
            try MemberFields.validate(value: value, field: field)
            let sealed = secrets.seal(Array(value.utf8))
            _ = try commit(decide: { teller, _ in try teller.setMemberField(member: member, field: field, sealedValue: sealed) })
        }
        return try memberFields(member: member)
    }
}
