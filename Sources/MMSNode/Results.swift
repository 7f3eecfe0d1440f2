import MMSCore

/// What the node answers. Encoded as one JSON object (snake_case keys) for `--json`, and
/// rendered as a few readable lines otherwise. Money is a two-decimal string, never a float.

public struct NodeInitResult: Codable, Sendable {
    public let id: String
    public let role: String
    public let data: String
    public let publicKey: String
}

public struct MemberResult: Codable, Sendable, Equatable {
    public let id: String
    public let name: String
    public let phone: String
    public let birthday: String?
    public let home: String
    public let tier: String
    public let balance: String
    /// The bonus balance beside the principal (top-up bonuses; spent after it, never refunded).
    public var bonus: String? = nil
    public let points: Int64
    public let cards: [String]?
}

public struct CardResult: Codable, Sendable {
    public let card: String
    public let member: String
    public let type: String
    public let status: String
    public let replaces: String?
    public let discountPercent: Int64?
    public let usesLeft: Int64?
    public let op: String
}

/// An answer a retry with the same request key gets again, marked as such.
public protocol Replayable { var replayed: Bool { get set } }

/// The answer to a money, points or uses request.
public struct PaymentResult: Codable, Sendable, Replayable {
    public let op: String
    public let kind: String
    public let card: String
    public let member: String
    public let amount: String?
    public let points: Int64?
    public let uses: Int64?
    public let balance: String
    /// The part of `amount` from (a charge) or to (a top-up's bonus, a refund) the bonus balance,
    /// and that balance after the op.
    public var bonus: String? = nil
    public var bonusBalance: String? = nil
    public let pointsBalance: Int64
    public let pointsEarned: Int64?
    public let usesLeft: Int64?
    public let tier: String
    /// True when this answer was given before to the same request key; nothing new happened.
    public var replayed: Bool
    /// A partial charge: what the stored value did not cover here.
    public var unpaid: String? = nil
    /// The receipt's QR code: the member's page at `/m/r/<link>`, to look at for a day (`LocalNode.receiptLink`).
    public var memberLink: String? = nil
}

public struct CardEventResult: Codable, Sendable {
    public let op: String
    public let card: String
    public let status: String
}

public struct HistoryItem: Codable, Sendable, Equatable {
    public let op: String
    public let kind: String
    public let at: String
    public let card: String?
    public let amount: String?
    public let points: Int64?
    public let uses: Int64?
}

public struct CouponResult: Codable, Sendable, Equatable {
    public let op: String?
    public let code: String
    public let member: String
    public let value: String
    public let title: String
    /// 1 while the coupon can be used, 0 once used.
    public let left: Int64
    public var replayed: Bool?
    /// From a template: which, the spend it needs, its last day.
    public var template: String? = nil
    public var minSpend: String? = nil
    public var validUntil: String? = nil
}

public struct ShowResult: Codable, Sendable {
    public let card: String?
    public let type: String?
    public let status: String?
    public let member: String
    public let name: String
    public let phone: String
    public let tier: String
    public let balance: String
    /// The bonus balance beside it (spent after the principal, never refunded).
    public var bonus: String? = nil
    /// Stored value this node may spend now without asking another (its escrow rights).
    public let balanceHere: String
    /// Where the stored value's escrow rights sit: node → amount.
    public let rights: [String: String]
    public let points: Int64
    public let usesLeft: Int64?
    public let discountPercent: Int64?
    public let pinFailures: Int64?
    public let spent: String
    public let toppedUp: String
    public let coupons: [CouponResult]
    public let history: [HistoryItem]
}

public struct SettingResult: Codable, Sendable {
    public let op: String
    public let key: String
    public let value: String
}

public struct VerifyResult: Codable, Sendable {
    public let ok: Bool
    public let ops: Int
    public let origins: Int
    public let stateHash: String
    public let rebuiltHash: String
    public let seconds: Double
}

public struct NodeInfo: Codable, Sendable {
    public let id: String
    public let role: String
    public let publicKey: String
    public let ops: Int
    /// Origin → highest contiguous seq held (the version vector).
    public let vector: [String: UInt64]
    public let trusted: [String]
    public let stateHash: String
    public let forks: Int
}

public struct TrustResult: Codable, Sendable {
    public let id: String
    public let role: String
    public let publicKey: String
}

public struct SyncResult: Codable, Sendable {
    public let from: String
    public let applied: Int
    public let batches: Int
    public let vector: [String: UInt64]
    public let stateHash: String
}

public struct RightsResult: Codable, Sendable {
    public let op: String
    public let account: String
    public let to: String
    public let amount: String
    /// Rights per node after the move.
    public let rights: [String: String]
}

public struct OperatorResult: Codable, Sendable {
    public let `operator`: String
    public let name: String
    public let role: String
    public let branch: String
    /// active, locked (too many wrong passwords) or disabled.
    public let status: String
}

/// The operators a caller manages and this branch's tills.
public struct StaffAndTills: Codable, Sendable {
    public struct Till: Codable, Sendable { public let name: String; public let revoked: Bool }
    public let branch: String
    public let operators: [OperatorResult]
    public let tills: [Till]
}

/// A till's registration: the token is shown this once and kept only as a hash.
public struct TillRegistration: Codable, Sendable {
    public let till: String
    public let branch: String
    public let token: String
}

public struct TillRevocation: Codable, Sendable {
    public let till: String
    public let branch: String
    public let status: String
}

public struct SessionResult: Codable, Sendable {
    public let token: String
    public let `operator`: String
    public let name: String
    public let role: String
    public let branch: String
    public let till: String
    public let expiresAt: String
}

public struct AuditEntry: Codable, Sendable {
    public let op: String
    public let at: String
    public let branch: String
    /// Nil for an op the node issued on its own (rights placement, a grant to a peer).
    public let `operator`: String?
    public let till: String?
    public let kind: String
    public let member: String?
    public let card: String?
    public let amount: String?
    public let points: Int64?
    /// What a staff, till or settings op was about.
    public let subject: String?
}

public struct AuditResult: Codable, Sendable {
    public let entries: [AuditEntry]
}

public struct RightsRequestResult: Codable, Sendable {
    public let account: String
    public let needed: String
    public let rightsHere: String
    public let asked: [String]
}

public struct MemberList: Codable, Sendable {
    public let members: [MemberResult]
    public init(members: [MemberResult]) { self.members = members }
}
