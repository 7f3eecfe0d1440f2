/// The one error type the outside world sees. `code` is stable and documented in the README;
/// `message` is a sentence a cashier understands; `details` carries the numbers.
public struct MMSError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        // Till refusals.
        case insufficientFunds = "insufficient_funds"
        case insufficientPoints = "insufficient_points"
        case noUsesLeft = "no_uses_left"
        case couponUsed = "coupon_used"
        case couponExpired = "coupon_expired"
        case unknownCoupon = "unknown_coupon"
        case couponExists = "coupon_exists"
        case unknownProduct = "unknown_product"
        case productExists = "product_exists"
        case unknownTransfer = "unknown_transfer"
        case unknownSale = "unknown_sale"
        case wrongPIN = "wrong_pin"
        case pinLocked = "pin_locked"
        case pinRequired = "pin_required"
        case cardBlocked = "card_blocked"
        case cardExpired = "card_expired"
        /// A member code (会员码) shown after its two minutes.
        case memberCodeExpired = "member_code_expired"
        /// A booking's slot has no place left.
        case slotFull = "slot_full"
        case unknownCard = "unknown_card"
        case unknownMember = "unknown_member"
        case cardExists = "card_exists"
        case memberExists = "member_exists"
        case wrongCardType = "wrong_card_type"
        case invalidAmount = "invalid_amount"
        case invalidArgument = "invalid_argument"
        case idempotencyConflict = "idempotency_conflict"
        /// A program saved over a version other than the one its editor opened.
        case programChanged = "program_changed"
        case notPermitted = "not_permitted"
        // Operators, tills and sessions.
        case unauthenticated = "unauthenticated"
        case sessionExpired = "session_expired"
        case unknownTill = "unknown_till"
        case tillExists = "till_exists"
        case tillRevoked = "till_revoked"
        case wrongPassword = "wrong_password"
        case operatorLocked = "operator_locked"
        case operatorDisabled = "operator_disabled"
        case unknownOperator = "unknown_operator"
        case operatorExists = "operator_exists"
        case notFound = "not_found"
        case bodyTooLarge = "body_too_large"
        // Node and store.
        case notInitialised = "not_initialised"
        case alreadyInitialised = "already_initialised"
        case storeFailure = "store_failure"
        case verifyFailed = "verify_failed"
        case invalidTopology = "invalid_topology"
        /// This node's clock is too far from the chain's to decide date rules (`ChainClock`).
        case clockSkew = "clock_skew"
        // Replication input.
        case malformedOp = "malformed_op"
        case badSignature = "bad_signature"
        case brokenChain = "broken_chain"
        case fork = "fork"
        case unknownOrigin = "unknown_origin"
        case batchTooLarge = "batch_too_large"
    }

    public var code: Code
    public var message: String
    public var details: [String: String]

    public init(_ code: Code, _ message: String, details: [String: String] = [:]) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

extension MMSError {
    /// A refusal whose numbers show the balance covered the request: only this node's escrow
    /// rights fell short, and the rest sits at other nodes (ask them, or take a partial payment).
    public var isShortOfRightsOnly: Bool {
        guard details["held_elsewhere"] != nil, let balance = details["balance"], let requested = details["requested"] else { return false }
        if let b = Money(parsing: balance), let r = Money(parsing: requested) { return b >= r }
        if let b = Int64(balance), let r = Int64(requested) { return b >= r }
        return false
    }
}
