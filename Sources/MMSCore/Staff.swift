import Foundation

/// Who caused an op: the operator and the till they used. Carried inside the signed bytes of every
/// op, so the op log is the audit trail and no replica can rewrite it.
public struct Actor: Hashable, Sendable, Codable {
    /// An operator id; `os:<user>` for the owner of the data directory at the command line; empty
    /// for the node itself (rights placement, a grant to a peer).
    public var operatorID: String
    /// A till name of the issuing branch; `cli` for the command line; empty for the node itself.
    public var till: String

    public init(operatorID: String, till: String) { self.operatorID = operatorID; self.till = till }

    /// The node acting on its own (rebalancing, answering a peer's rights request).
    public static let node = Actor(operatorID: "", till: "")
    public static let commandLineTill = "cli"
    /// The browser console's operators, and members signed in on their own page: not
    /// identifiers, so no till can be registered under either; an op may name them.
    public static let consoleTill = "@console"
    public static let memberTill = "@member"
    public static let pageTills: Set = [consoleTill, memberTill]
    /// A member who opened their page from a receipt's QR code: they may look, not act, so no op names it.
    public static let receiptTill = "@receipt"

    /// The owner of the data directory at the command line: their authority is the directory's
    /// file permissions, as with a database's local socket.
    public static func directoryOwner(_ user: String) -> Actor {
        let name = String(user.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) }.prefix(48))
        return Actor(operatorID: "os:" + (name.isEmpty ? "unknown" : name), till: commandLineTill)
    }
}

/// An operator's role. What each may do is `Permissions.table`, the one place that decides it.
public enum OperatorRole: String, Sendable, CaseIterable, Codable {
    case cashier
    case manager
    case hqAdmin = "hq_admin"
    case auditor

    /// Roles that act for the whole chain; the others act for their home branch only.
    public var isChainWide: Bool { self == .hqAdmin || self == .auditor }
}

/// Everything an operator can ask of a node, by whatever way in (till API, console, CLI).
public enum Action: String, Sendable, CaseIterable {
    case lookUp = "look_up"                  // cards, members, balances, history
    case addMember = "add_member"
    case issueCard = "issue_card"
    case topUp = "top_up"
    case charge
    case refund
    case sale
    case redeemPoints = "redeem_points"
    case usePunch = "use_punch"
    case issueCoupon = "issue_coupon"
    case redeemCoupon = "redeem_coupon"
    case reportLost = "report_lost"
    case blockCard = "block_card"
    case replaceCard = "replace_card"
    case unlockCard = "unlock_card"
    case moveRights = "move_rights"
    case manageStaff = "manage_staff"        // add, disable, reset passwords (a manager: cashiers and managers of their branch)
    case manageTills = "manage_tills"        // register and revoke the branch's tills
    case readAudit = "read_audit"            // a manager: their branch's ops; auditor and hq_admin: the chain's
    case changeSettings = "change_settings"  // chain settings (head office only)
    case editCatalogue = "edit_catalogue"    // products, services and branch prices (head office only)
    case manageStock = "manage_stock"        // receive, return, transfer, count (a manager: their branch)
    case keepBooks = "keep_books"            // expenses (a manager: their branch)
    case returnSale = "return_sale"          // a cashier on the day of the sale; a manager (who may refund) after it
    case changePIN = "change_pin"            // with the old PIN (a manager resets one through unlock_card)
    case renewCard = "renew_card"
    case transferBalance = "transfer_balance" // stored value from one member's card to another's
    case returnCard = "return_card"          // 退卡: the principal refunded, the card stopped
    case runCampaign = "run_campaign"        // head office
    case readReports = "read_reports"        // a manager: their branch's; auditor and hq_admin: the chain's
    case sendReminders = "send_reminders"    // reminders to the outbox (a manager: their branch's members)
    case importMembers = "import_members"    // members from a CSV file
    case exportData = "export_data"          // members, sales, ops as CSV (personal data: hq_admin only)
}

public enum Permissions {
    /// The permission table: which role may take which action. Documented in docs/operators.md.
    public static let table: [OperatorRole: Set<Action>] = {
        let counter: Set<Action> = [.lookUp, .addMember, .issueCard, .topUp, .charge, .sale, .redeemPoints, .usePunch, .redeemCoupon, .reportLost,
                                    .returnSale, .changePIN, .renewCard]
        let manager = counter.union([.refund, .issueCoupon, .blockCard, .replaceCard, .unlockCard, .moveRights, .manageStaff, .manageTills, .readAudit,
                                     .manageStock, .keepBooks, .transferBalance, .returnCard, .readReports, .sendReminders,
                                     .importMembers, .exportData])
        return [
            .cashier: counter,
            .manager: manager,
            .hqAdmin: Set(Action.allCases),
            .auditor: [.lookUp, .readAudit, .readReports, .exportData],
        ]
    }()

    public static func allows(_ role: OperatorRole, _ action: Action) -> Bool { table[role]?.contains(action) ?? false }

    /// Refuses with `not_permitted` unless `role` may take `action`.
    public static func require(_ role: OperatorRole, _ action: Action) throws {
        guard allows(role, action) else {
            throw MMSError(.notPermitted, "A \(role.rawValue) may not \(action.rawValue.replacingOccurrences(of: "_", with: " ")).",
                           details: ["role": role.rawValue, "action": action.rawValue])
        }
    }

    /// The roles an operator of `role` may create or manage: a manager, the staff of their branch.
    public static func mayManage(_ role: OperatorRole, _ target: OperatorRole) -> Bool {
        switch role {
        case .hqAdmin: true
        case .manager: target == .cashier || target == .manager
        case .cashier, .auditor: false
        }
    }
}

public struct OperatorAdded: Equatable, Sendable {
    public var id: String
    public var name: String
    public var role: OperatorRole
    public var branch: NodeID
    public var passwordHash: String
    public init(id: String, name: String, role: OperatorRole, branch: NodeID, passwordHash: String) {
        self.id = id; self.name = name; self.role = role; self.branch = branch; self.passwordHash = passwordHash
    }
}

/// An operator as a replica knows them.
public struct OperatorView: Equatable, Sendable {
    public let id: String
    public let name: String
    public let role: OperatorRole
    public let branch: NodeID
    public let passwordHash: String
    public let disabled: Bool
    /// Wrong passwords seen chain-wide since the last password change.
    public let failures: Int64
    public var locked: Bool { failures >= Limits.maxLoginFailures }
    public var status: String { disabled ? "disabled" : locked ? "locked" : "active" }
}

/// A till of a branch as a replica knows it.
public struct TillView: Equatable, Sendable {
    public let branch: NodeID
    public let name: String
    public let tokenHash: [UInt8]
    public let revoked: Bool
}

extension Cell {
    public static func `operator`(_ id: String) -> String { "operator:\(id)" }
    public static func till(branch: NodeID, name: String) -> String { "till:\(branch.rawValue)/\(name)" }
    public static let operatorName = "name", operatorRole = "role", operatorBranch = "branch", passwordHash = "password_hash"
    public static let disabled = "disabled", loginFailures = "login_failed", tokenHash = "token_hash", revoked = "revoked"
    public static func loginCleared(_ node: NodeID) -> String { "login_cleared:\(node.rawValue)" }
}

extension StateReader {
    public func operatorView(_ id: String) throws -> OperatorView? {
        let e = Cell.operator(id)
        let text = try texts(entity: e)
        guard let name = text[Cell.operatorName], let role = text[Cell.operatorRole].flatMap(OperatorRole.init(rawValue:)),
              let branch = text[Cell.operatorBranch] else { return nil }
        let failures = try counter(entity: e, name: Cell.loginFailures)
        let cleared = try maxima(entity: e)
        let effective = failures.reduce(Int64(0)) { $0 + Swift.max(0, $1.value - (cleared[Cell.loginCleared($1.key)] ?? 0)) }
        return OperatorView(id: id, name: name, role: role, branch: NodeID(stored: branch), passwordHash: text[Cell.passwordHash] ?? "",
                            disabled: try flags(entity: e).contains(Cell.disabled), failures: effective)
    }

    public func till(branch: NodeID, name: String) throws -> TillView? {
        let e = Cell.till(branch: branch, name: name)
        guard let hash = try registers(entity: e)[Cell.tokenHash] else { return nil }
        return TillView(branch: branch, name: name, tokenHash: hash, revoked: try flags(entity: e).contains(Cell.revoked))
    }
}

/// Checks a typed password against the rules, before it is hashed.
public enum PasswordRule {
    public static let length = 8...128

    public static func validate(_ password: String) throws {
        guard length.contains(password.count), !password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw MMSError(.invalidArgument, "A password is \(length.lowerBound)–\(length.upperBound) characters, without control characters.")
        }
    }
}

extension Teller {
    // MARK: Operators and tills

    public func addOperator(_ added: OperatorAdded) throws -> OpBody {
        try Identifier.validate(added.id, what: "operator id")
        guard !added.id.hasPrefix("os:") else { throw MMSError(.invalidArgument, "Operator ids starting with “os:” are reserved for the command line.") }
        try Self.validateName(added.name, what: "operator's name")
        guard try state.operatorView(added.id) == nil else {
            throw MMSError(.operatorExists, "Operator \(added.id) already exists.", details: ["operator": added.id])
        }
        let op = OpBody.operatorAdded(added)
        try ChainVerifier.requirePermitted(op, origin: origin, role: role)
        return op
    }

    public func disableOperator(_ id: String) throws -> OpBody {
        _ = try existingOperator(id)
        return .operatorDisabled(id: id)
    }

    /// A new password hash; clears every wrong-password failure this replica has seen.
    public func setPassword(_ id: String, hash: String) throws -> OpBody {
        _ = try existingOperator(id)
        return .operatorPasswordSet(id: id, passwordHash: hash, observedFailures: try state.counter(entity: Cell.operator(id), name: Cell.loginFailures))
    }

    public func existingOperator(_ id: String) throws -> OperatorView {
        guard let view = try state.operatorView(id) else {
            throw MMSError(.unknownOperator, "There is no operator \(id.prefix(Limits.maxIdentifierLength)).", details: ["operator": String(id.prefix(Limits.maxIdentifierLength))])
        }
        return view
    }

    public enum LoginCheck: Equatable, Sendable {
        case accepted(OperatorView)
        /// Wrong password: the caller records `record` (it counts towards the lockout everywhere) and refuses.
        case refused(record: OpBody, error: MMSError)
    }

    /// Decides a login at this node. `verify` runs the (slow) Argon2id check. Unknown operators and
    /// wrong passwords get the same answer, so a login form does not tell who exists.
    public func checkLogin(operator id: String, password: String, verify: (_ password: String, _ hash: String) -> Bool) throws -> LoginCheck {
        let refused = MMSError(.wrongPassword, "Unknown operator or wrong password.")
        guard let op = try state.operatorView(id) else { throw refused }
        guard !op.disabled else { throw MMSError(.operatorDisabled, "Operator \(id) is disabled.", details: ["operator": id]) }
        guard !op.locked else {
            throw MMSError(.operatorLocked, "Operator \(id) is locked after \(Limits.maxLoginFailures) wrong passwords; a manager can set a new password.",
                           details: ["operator": id])
        }
        guard op.role.isChainWide || op.branch == origin else {
            throw MMSError(.notPermitted, "Operator \(id) is a \(op.role.rawValue) of \(op.branch) and acts only there.",
                           details: ["operator": id, "branch": op.branch.rawValue])
        }
        guard verify(password, op.passwordHash) else {
            let left = Limits.maxLoginFailures - op.failures - 1
            var error = refused
            if left <= 0 { error = MMSError(.wrongPassword, "Wrong password. Operator \(id) is now locked.", details: ["attempts_left": "0"]) }
            return .refused(record: .loginFailed(id: id), error: error)
        }
        return .accepted(op)
    }

    public func registerTill(name: String, tokenHash: [UInt8]) throws -> OpBody {
        try Identifier.validate(name, what: "till name")
        guard try state.till(branch: origin, name: name) == nil else {
            throw MMSError(.tillExists, "Till \(name) is already registered at \(origin); revoke it or choose another name.", details: ["till": name])
        }
        return .tillRegistered(name: name, tokenHash: tokenHash)
    }

    public func revokeTill(name: String) throws -> OpBody {
        guard try state.till(branch: origin, name: name) != nil else {
            throw MMSError(.unknownTill, "There is no till \(name.prefix(Limits.maxIdentifierLength)) at \(origin).", details: ["till": String(name.prefix(Limits.maxIdentifierLength))])
        }
        return .tillRevoked(name: name)
    }

    public static func validateName(_ name: String, what: String) throws {
        guard !name.isEmpty, name == name.trimmingCharacters(in: .whitespaces), name.count <= Limits.maxTextLength,
              !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw MMSError(.invalidArgument, "The \(what) must be 1–\(Limits.maxTextLength) characters, without line breaks or other control characters.")
        }
    }
}
