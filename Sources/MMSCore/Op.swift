import MMSCrypto

/// What kind of card a credential is.
public enum CardType: String, Sendable, CaseIterable, Codable {
    /// 储值卡: pays from the member's stored value.
    case stored
    /// 折扣卡: the member pays by other tender at a discount, and earns points.
    case discount
    /// 计次卡: a number of prepaid uses of a service.
    case punch
}

/// A report that must stick once said anywhere: "lost wins".
public enum CardReport: String, Sendable, CaseIterable, Codable {
    case lost, blocked
}

public struct MemberAdded: Equatable, Sendable {
    public var member: String
    public var sealedName: [UInt8]
    public var sealedPhone: [UInt8]
    public var sealedBirthday: [UInt8]
    public var phoneIndex: [UInt8]
    /// The member who brought this one, or empty.
    public var referrer = ""
    public init(member: String, sealedName: [UInt8], sealedPhone: [UInt8], sealedBirthday: [UInt8], phoneIndex: [UInt8]) {
        self.member = member; self.sealedName = sealedName; self.sealedPhone = sealedPhone; self.sealedBirthday = sealedBirthday; self.phoneIndex = phoneIndex
    }
}

public struct CardIssued: Equatable, Sendable {
    public var number: String
    public var member: String
    public var type: CardType
    /// Argon2id string; empty when the card carries no PIN.
    public var pinHash: String
    /// Discount cards: percent of the list price the member pays (1–100).
    public var discountPercent: Int64
    /// Punch cards: the account holding the uses; a replacement keeps it.
    public var punchAccount: String
    /// Uses sold with this issue, credited to `punchAccount` at the origin.
    public var punchUses: Int64
    /// The card this one replaces (which is retired), or empty.
    public var replaces: String
    /// What the card may spend on its day of issue, at the issuing branch (0: no limit).
    public var firstDayCap = Money(fen: 0)
    /// The staff member credited with selling the card, and their commission for it.
    public var staff = ""
    public var commission = Money(fen: 0)
    /// The program's card product it was issued as, or empty.
    public var product = ""
    /// The last day it pays (`YYYYMMDD`), or 0 for no end.
    public var expires: Int64 = 0
    /// What the member paid for the card, and how (cash goes into the till's drawer).
    public var fee = Money(fen: 0)
    public var feeTender: TenderKind?
    /// A card bought for a fee earns no points.
    public var earnsPoints = true
    /// A companion card (副卡) of the member's tier.
    public var companion = false
    public init(number: String, member: String, type: CardType, pinHash: String, discountPercent: Int64, punchAccount: String, punchUses: Int64, replaces: String) {
        self.number = number; self.member = member; self.type = type; self.pinHash = pinHash; self.discountPercent = discountPercent; self.punchAccount = punchAccount; self.punchUses = punchUses; self.replaces = replaces
    }
}

/// A payment between a member's card and the till, in fen.
/// A top-up: the money, how it came in, and the staff member credited with it.
public struct Payment: Equatable, Sendable {
    public var member: String
    public var card: String
    public var amount: Money
    /// Cash, bank or mobile; nil where it was not recorded.
    public var tender: TenderKind?
    public var reference: String
    public var staff: String
    public var commission: Money
    /// The card's new last day (`YYYYMMDD`) when its product extends it with a top-up, or 0.
    public var extendsTo: Int64 = 0
    /// The program's top-up bonus (充值赠送), credited to the member's bonus balance beside the principal.
    public var bonus = Money(fen: 0)
    public init(member: String, card: String, amount: Money, tender: TenderKind? = nil, reference: String = "", staff: String = "", commission: Money = Money(fen: 0)) {
        self.member = member; self.card = card; self.amount = amount
        self.tender = tender; self.reference = reference; self.staff = staff; self.commission = commission
    }
}

public struct Charge: Equatable, Sendable {
    public var member: String
    public var card: String
    public var amount: Money
    public var pointsEarned: Points
    /// Spent on the card's day of issue, against its first-day share (`CardLife`).
    public var firstDay = Money(fen: 0)
    /// The part of `amount` paid from the bonus balance; the rest came from the principal.
    public var bonus = Money(fen: 0)
    public init(member: String, card: String, amount: Money, pointsEarned: Points) {
        self.member = member; self.card = card; self.amount = amount; self.pointsEarned = pointsEarned
    }
}

public struct Refund: Equatable, Sendable {
    public var member: String
    public var card: String
    public var amount: Money
    public var charge: OpID
    /// The part of `amount` that goes back to the bonus balance (the bonus the charge took comes back first).
    public var bonus = Money(fen: 0)
    public init(member: String, card: String, amount: Money, charge: OpID) {
        self.member = member; self.card = card; self.amount = amount; self.charge = charge
    }
}

public struct PointsRedeemed: Equatable, Sendable {
    public var member: String
    public var card: String
    public var points: Points
    /// 积分兑换: the gift of the program's catalogue the points bought, and the SKU whose stock it
    /// left at the issuing branch (empty for points redeemed without a gift).
    public var gift = ""
    public var sku = ""
    /// The lots the points came from (`PointsLots`).
    public var lots: [LotPoints] = []
    public init(member: String, card: String, points: Points) {
        self.member = member; self.card = card; self.points = points
    }
}

public struct PunchUsed: Equatable, Sendable {
    public var member: String
    public var card: String
    public var account: String
    public var uses: Int64
    /// The service (SKU) the uses paid for, where the card's product names its services.
    public var service = ""
    public init(member: String, card: String, account: String, uses: Int64) {
        self.member = member; self.card = card; self.account = account; self.uses = uses
    }
}

public struct RightsTransferred: Equatable, Sendable {
    public var account: String
    public var to: NodeID
    public var amount: Int64
    public init(account: String, to: NodeID, amount: Int64) {
        self.account = account; self.to = to; self.amount = amount
    }
}

public struct CouponIssued: Equatable, Sendable {
    public var code: String
    public var member: String
    /// Face value; zero for a coupon that is not money off (a free coffee).
    public var value: Money
    public var title: String
    /// Issued from a program template: its id, and the terms it carries from it as issued.
    public var template = ""
    public var minSpend = Money(fen: 0)
    /// The last day it may be used (`YYYYMMDD`), or 0 for no end.
    public var validUntil: Int64 = 0
    /// The campaign that gave it, or empty: a member gets a campaign's gift once.
    public var campaign = ""
    /// Where its one use may be spent: the issuing node unless said (a campaign's coupon is held
    /// at the member's home branch).
    public var holder: NodeID?
    public init(code: String, member: String, value: Money, title: String) {
        self.code = code; self.member = member; self.value = value; self.title = title
    }
}

/// The payload of an op: one change to the member store.
public enum OpBody: Equatable, Sendable {
    case memberAdded(MemberAdded)
    case cardIssued(CardIssued)
    case cardReported(card: String, report: CardReport)
    case pinFailed(card: String)
    case pinUnlocked(card: String, observedFailures: [NodeID: Int64])
    case topUp(Payment)
    case charge(Charge)
    case refund(Refund)
    case pointsRedeemed(PointsRedeemed)
    case punchUsed(PunchUsed)
    case rightsTransferred(RightsTransferred)
    case settingSet(key: String, value: String)
    case couponIssued(CouponIssued)
    case couponRedeemed(code: String, member: String)
    case operatorAdded(OperatorAdded)
    case operatorDisabled(id: String)
    case operatorPasswordSet(id: String, passwordHash: String, observedFailures: [NodeID: Int64])
    case loginFailed(id: String)
    case tillRegistered(name: String, tokenHash: [UInt8])
    case tillRevoked(name: String)
    /// Head office adds a product or changes some of its fields. Any node may carry it (a
    /// head-office operator logged in anywhere); the operator's role is the gate.
    case productSet(ProductSet)
    /// Head office sets a branch's own price for a product (nil: the list price again).
    case priceSet(sku: String, branch: NodeID, price: Money?)
    // Stock: each changes the stock of the node that issues it (`Stock`).
    case stockReceived(StockMove)
    case stockReturned(StockMove)
    case stockTransferred(StockTransfer)
    case transferArrived(transfer: OpID, sku: String, quantity: Int64)
    case stockCounted(sku: String, counted: Int64, variance: Int64)
    case stockThreshold(sku: String, below: Int64)
    /// A sale of catalogue lines paid by one or more tenders (`Sales`).
    case sale(Sale)
    /// Some or all of a sale given back, at the branch that sold (`SaleReturn`).
    case saleReturned(SaleReturn)
    /// A till's daily close at the issuing branch (`TillClose`).
    case tillClosed(TillClose)
    /// An expense of the issuing branch (`Books`).
    case expenseAdded(category: String, amount: Money, note: String)
    /// A supplier's invoice received by the issuing branch, and a payment on what it owes (`Payables`).
    case supplierInvoiced(SupplierInvoice)
    case supplierPaid(SupplierPayment)
    /// Head office's whole membership program, version `version` (`Program`).
    case programSet(version: Int64, document: String)
    // The card's life (`CardLife`).
    case balanceTransferred(BalanceTransfer)
    case pinChanged(card: String, pinHash: String)
    case cardReturned(CardReturn)
    case cardRenewed(card: String, expires: Int64)
    /// Points given to a member by a campaign (once per member per campaign), spendable at `holder`
    /// (the member's home branch: head office runs campaigns, members shop at branches).
    case pointsAwarded(member: String, points: Points, campaign: String, holder: NodeID)
    /// Points one member gives another (the program's `points.transferable`).
    case pointsTransferred(PointsTransfer)
    /// A transferable coupon given to another member.
    case couponTransferred(code: String, from: String, to: String)
    /// A message to a member queued for the chain's gateway (`Messages`), once per key.
    case messageQueued(MessageQueued)
    /// A member's consent to messages.
    case consentSet(member: String, messages: Bool)
    /// An export was made (members, sales or ops): the audit trail of who took what.
    case exportMade(what: String, rows: Int64, personalData: Bool)
    /// 预约: a member's booking of a service at a branch, and its cancellation (`Bookings`).
    case bookingMade(Booking)
    case bookingCancelled(id: String, member: String)
    /// One of head office's extra member fields, its value sealed (`MemberFields`).
    case memberFieldSet(member: String, field: String, sealedValue: [UInt8])
    /// A member's photo taken: its digest and size; the image itself stays off the log (`MemberPhotos`).
    case memberPhotoSet(member: String, digest: Digest32, size: Int64)

    /// A short stable name, used in history and logs.
    public var kind: String {
        switch self {
        case .memberAdded: "member_added"
        case .cardIssued: "card_issued"
        case .cardReported: "card_reported"
        case .pinFailed: "pin_failed"
        case .pinUnlocked: "pin_unlocked"
        case .topUp: "top_up"
        case .charge: "charge"
        case .refund: "refund"
        case .pointsRedeemed: "points_redeemed"
        case .punchUsed: "punch_used"
        case .rightsTransferred: "rights_transferred"
        case .settingSet: "setting_set"
        case .couponIssued: "coupon_issued"
        case .couponRedeemed: "coupon_redeemed"
        case .operatorAdded: "operator_added"
        case .operatorDisabled: "operator_disabled"
        case .operatorPasswordSet: "operator_password_set"
        case .loginFailed: "login_failed"
        case .tillRegistered: "till_registered"
        case .tillRevoked: "till_revoked"
        case .productSet: "product_set"
        case .priceSet: "price_set"
        case .stockReceived: "stock_received"
        case .stockReturned: "stock_returned"
        case .stockTransferred: "stock_transferred"
        case .transferArrived: "transfer_arrived"
        case .stockCounted: "stock_counted"
        case .stockThreshold: "stock_threshold"
        case .sale: "sale"
        case .saleReturned: "sale_returned"
        case .expenseAdded: "expense_added"
        case .tillClosed: "till_closed"
        case .supplierInvoiced: "supplier_invoiced"
        case .supplierPaid: "supplier_paid"
        case .programSet: "program_set"
        case .balanceTransferred: "balance_transferred"
        case .pinChanged: "pin_changed"
        case .cardReturned: "card_returned"
        case .cardRenewed: "card_renewed"
        case .pointsAwarded: "points_awarded"
        case .pointsTransferred: "points_transferred"
        case .couponTransferred: "coupon_transferred"
        case .messageQueued: "message_queued"
        case .consentSet: "consent_set"
        case .exportMade: "export_made"
        case .bookingMade: "booking_made"
        case .bookingCancelled: "booking_cancelled"
        case .memberFieldSet: "member_field_set"
        case .memberPhotoSet: "member_photo_set"
        }
    }

    /// The op kinds that change a member's stored value (the liability the chain owes).
    public static let storedValueKinds = ["top_up", "charge", "refund", "sale", "sale_returned", "balance_transferred", "card_returned"]

    /// How this op changes a member's stored value (the principal the member paid in), in fen:
    /// the one fold that reports and the simulator reconcile balances with.
    public var storedValueChanges: [(member: String, fen: Int64)] {
        switch self {
        case .topUp(let p): [(p.member, p.amount.fen)]
        case .charge(let c): [(c.member, -(c.amount - c.bonus).fen)]
        case .refund(let r): [(r.member, (r.amount - r.bonus).fen)]
        case .sale(let s) where s.stored.fen > s.bonus.fen: [(s.member, -(s.stored - s.bonus).fen)]
        case .saleReturned(let r) where r.storedBack.fen > r.bonusBack.fen: [(r.member, (r.storedBack - r.bonusBack).fen)]
        case .balanceTransferred(let t): [(t.fromMember, -t.amount.fen), (t.toMember, t.amount.fen)]
        case .cardReturned(let r) where r.refunded.fen > 0: [(r.member, -r.refunded.fen)]
        default: []
        }
    }

    /// How this op changes a member's bonus balance (given with top-ups, never refunded), in fen.
    public var bonusChanges: [(member: String, fen: Int64)] {
        switch self {
        case .topUp(let p) where p.bonus.fen > 0: [(p.member, p.bonus.fen)]
        case .charge(let c) where c.bonus.fen > 0: [(c.member, -c.bonus.fen)]
        case .refund(let r) where r.bonus.fen > 0: [(r.member, r.bonus.fen)]
        case .sale(let s) where s.bonus.fen > 0: [(s.member, -s.bonus.fen)]
        case .saleReturned(let r) where r.bonusBack.fen > 0: [(r.member, r.bonusBack.fen)]
        case .balanceTransferred(let t) where t.bonus.fen > 0: [(t.fromMember, -t.bonus.fen), (t.toMember, t.bonus.fen)]
        case .cardReturned(let r) where r.bonusForfeited.fen > 0: [(r.member, -r.bonusForfeited.fen)]
        default: []
        }
    }

    /// The member whose history this op belongs to, if any.
    public var member: String? {
        switch self {
        case .memberAdded(let m): m.member
        case .cardIssued(let c): c.member
        case .topUp(let p): p.member
        case .charge(let c): c.member
        case .refund(let r): r.member
        case .pointsRedeemed(let p): p.member
        case .punchUsed(let p): p.member
        case .couponIssued(let c): c.member
        case .couponRedeemed(_, let member): member
        case .sale(let s): s.member.isEmpty ? nil : s.member
        case .saleReturned(let r): r.member.isEmpty ? nil : r.member
        case .balanceTransferred(let t): t.fromMember
        case .pointsAwarded(let member, _, _, _): member
        case .pointsTransferred(let t): t.fromMember
        case .couponTransferred(_, let from, _): from
        case .cardReturned(let r): r.member
        case .messageQueued(let m): m.member
        case .consentSet(let member, _): member
        case .bookingMade(let b): b.member
        case .bookingCancelled(_, let member): member
        case .memberFieldSet(let member, _, _): member
        case .memberPhotoSet(let member, _, _): member
        case .exportMade,
             .cardReported, .pinFailed, .pinUnlocked, .rightsTransferred, .settingSet, .programSet, .pinChanged, .cardRenewed,
             .operatorAdded, .operatorDisabled, .operatorPasswordSet, .loginFailed, .tillRegistered, .tillRevoked,
             .productSet, .priceSet, .expenseAdded, .tillClosed, .supplierInvoiced, .supplierPaid, .stockReceived, .stockReturned, .stockTransferred, .transferArrived, .stockCounted, .stockThreshold: nil
        }
    }

    /// The kinds of op an origin of `role` may issue: chain settings and chain-wide operators
    /// (hq_admin, auditor) come only from the head office; a branch adds operators of its own.
    public func isPermitted(origin: NodeID, role: NodeRole) -> Bool {
        switch self {
        case .settingSet, .programSet: return role == .hq
        // Campaigns are head office's; a branch gives only the welcome gift and referral rewards.
        case .pointsAwarded(let member, _, let campaign, let holder):
            return role == .hq || (Rewards.isBranchReward(campaign) && holder == origin && campaign != Rewards.referral(of: member))
        case .operatorAdded(let added): return role == .hq || (!added.role.isChainWide && added.branch == origin)
        default: return true
        }
    }
}

/// An op: immutable once issued. `(id.origin, id.seq)` is unique; `prevHash` links it to the
/// origin's previous op, so an origin's ops form a hash chain.
public struct Op: Equatable, Sendable {
    public static let formatVersion: UInt32 = 1
    public var id: OpID
    public var hlc: HLC
    public var prevHash: Digest32
    /// Who caused it: signed with the rest, so no replica can rewrite it.
    public var actor: Actor
    public var body: OpBody

    public init(id: OpID, hlc: HLC, prevHash: Digest32, actor: Actor = .node, body: OpBody) {
        self.id = id; self.hlc = hlc; self.prevHash = prevHash; self.actor = actor; self.body = body
    }
}

/// An op with the exact bytes that were signed, its signature and its hash.
/// The bytes are kept as issued: the hash chain and signature cover them, never a re-encoding.
public struct SignedOp: Equatable, Sendable {
    public let op: Op
    public let bytes: [UInt8]
    public let signature: [UInt8]
    /// BLAKE2b-256 of `bytes`: the next op's `prevHash`.
    public let hash: Digest32

    public init(op: Op, bytes: [UInt8], signature: [UInt8]) {
        self.op = op
        self.bytes = bytes
        self.signature = signature
        self.hash = Blake2b.hash(bytes)
    }

    public var id: OpID { op.id }
}
