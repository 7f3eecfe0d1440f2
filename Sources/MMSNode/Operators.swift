import Foundation
import MMSCore
import MMSCrypto
import MMSStore

/// Who is asking the application layer for something: the actor its ops will name, and the role
/// every use case checks against the one permission table.
public struct Caller: Sendable, Equatable {
    public let actor: Actor
    /// Nil for the owner of the data directory at the command line, whose authority is the
    /// directory's file permissions (as with a database's local socket): every action.
    public let role: OperatorRole?

    public init(actor: Actor, role: OperatorRole?) { self.actor = actor; self.role = role }

    /// The node acting on its own (rights placement, a grant to a peer): every action.
    public static let node = Caller(actor: .node, role: nil)

    /// The user running `mms … --data DIR`.
    public static var directoryOwner: Caller {
        Caller(actor: .directoryOwner(ProcessInfo.processInfo.environment["USER"] ?? NSUserName()), role: nil)
    }

    /// Idempotency keys are per till: two tills may both send "1" and mean different requests.
    var requestScope: String { role == nil ? "" : "\(actor.till):" }
}

/// How long a session lasts unless the node is told otherwise.
public enum SessionPolicy {
    public static let defaultLifetimeMillis: UInt64 = 8 * 3_600_000
}

extension LocalNode {
    // MARK: Operators

    /// Adds an operator. A manager adds cashiers and managers of their own branch; the head office
    /// (or hq_admin) adds anyone, and only it may add hq_admin and auditor operators.
    public func addOperator(id: String, name: String, role: OperatorRole, branch: NodeID?, password: String, requestKey: String? = nil) throws -> OperatorResult {
        try permit(.manageStaff)
        let home = branch ?? self.id
        if let mine = caller.role, mine != .hqAdmin {
            guard Permissions.mayManage(mine, role), home == self.id else {
                throw MMSError(.notPermitted, "A \(mine.rawValue) may add cashiers and managers of \(self.id) only.")
            }
        }
        try PasswordRule.validate(password)
        let request = try fingerprint("operator", id, name, role.rawValue, home.rawValue, key: requestKey)
        if let request, try store.priorResponse(request) != nil { return try operatorResult(id) }
        // Checked before the slow hash, so a typo is answered at once.
        _ = try store.read { state in
            try Teller(state: state, origin: self.id, role: self.role).addOperator(OperatorAdded(id: id, name: name, role: role, branch: home, passwordHash: "-"))
        }
        let hash = try secrets.hashPassword(password)
        _ = try commit(request: request, decide: { teller, _ in
            try teller.addOperator(OperatorAdded(id: id, name: name, role: role, branch: home, passwordHash: hash))
        })
        return try operatorResult(id)
    }

    /// Disables an operator for good: logins and open sessions stop at every node once it hears.
    public func disableOperator(_ id: String) throws -> OperatorResult {
        try permitManaging(id)
        _ = try commit(decide: { teller, _ in try teller.disableOperator(id) })
        return try operatorResult(id)
    }

    /// Sets a new password; it also lifts a lockout (the wrong passwords this node has heard of).
    public func setPassword(operator id: String, password: String) throws -> OperatorResult {
        try permitManaging(id)
        try PasswordRule.validate(password)
        let hash = try secrets.hashPassword(password)
        _ = try commit(decide: { teller, _ in try teller.setPassword(id, hash: hash) })
        return try operatorResult(id)
    }

    public func operatorResult(_ id: String) throws -> OperatorResult {
        let view = try store.read { try Teller(state: $0, origin: self.id, role: self.role).existingOperator(id) }
        return OperatorResult(operator: view.id, name: view.name, role: view.role.rawValue, branch: view.branch.rawValue, status: view.status)
    }

    /// The operators a caller manages (a manager: their branch's; head office: everyone) and
    /// this branch's tills, registered or revoked.
    public func staffAndTills() throws -> StaffAndTills {
        try permit(.manageStaff)
        let chainWide = caller.role.map(\.isChainWide) ?? true
        let ids = try store.entities(prefix: Cell.operator(""), having: Cell.operatorRole).map { String($0.dropFirst(Cell.operator("").count)) }
        let operators = try ids.map(operatorResult).filter { chainWide || $0.branch == id.rawValue }
        let tillPrefix = Cell.till(branch: id, name: "")
        let names = try store.entities(prefix: tillPrefix, having: Cell.tokenHash).map { String($0.dropFirst(tillPrefix.count)) }
        let tills = try store.read { state in try names.compactMap { try state.till(branch: self.id, name: $0) } }
        return StaffAndTills(branch: id.rawValue, operators: operators, tills: tills.map { .init(name: $0.name, revoked: $0.revoked) })
    }

    private func permitManaging(_ id: String) throws {
        try permit(.manageStaff)
        guard let mine = caller.role, mine != .hqAdmin else { return }
        let target = try store.read { try Teller(state: $0, origin: self.id, role: self.role).existingOperator(id) }
        guard Permissions.mayManage(mine, target.role), target.branch == self.id else {
            throw MMSError(.notPermitted, "A \(mine.rawValue) manages the cashiers and managers of \(self.id) only.")
        }
    }

    // MARK: Tills

    /// Registers a till of this branch. The token is returned once; only its hash is kept.
    public func registerTill(name: String) throws -> TillRegistration {
        try permit(.manageTills)
        let token = "\(name).\(Hex.encode(randomBytes(32)))"
        _ = try commit(decide: { teller, _ in try teller.registerTill(name: name, tokenHash: Self.tokenHash(token)) })
        return TillRegistration(till: name, branch: id.rawValue, token: token)
    }

    public func revokeTill(name: String) throws -> TillRevocation {
        try permit(.manageTills)
        _ = try commit(decide: { teller, _ in try teller.revokeTill(name: name) })
        return TillRevocation(till: name, branch: id.rawValue, status: "revoked")
    }

    // MARK: Sessions

    /// Logs an operator in at one of this branch's tills: the till proves itself with its token,
    /// the operator with their password (a wrong one counts towards the chain-wide lockout).
    public func login(tillToken: String, operator operatorID: String, password: String,
                      lifetimeMillis: UInt64 = SessionPolicy.defaultLifetimeMillis) throws -> SessionResult {
        let till = try authenticateTill(tillToken)
        return try openSession(operator: operatorID, password: password, till: till.name, lifetimeMillis: lifetimeMillis)
    }

    /// Logs an operator in at the browser console this node serves: their password alone, the
    /// same lockout. Their ops name the till `Actor.consoleTill`.
    public func loginToConsole(operator operatorID: String, password: String,
                               lifetimeMillis: UInt64 = SessionPolicy.defaultLifetimeMillis) throws -> SessionResult {
        try openSession(operator: operatorID, password: password, till: Actor.consoleTill, lifetimeMillis: lifetimeMillis)
    }

    private func openSession(operator operatorID: String, password: String, till: String, lifetimeMillis: UInt64) throws -> SessionResult {
        guard password.count <= PasswordRule.length.upperBound, operatorID.utf8.count <= Limits.maxIdentifierLength else {
            throw MMSError(.wrongPassword, "Unknown operator or wrong password.")
        }
        let check: Teller.LoginCheck
        do {
            check = try store.read { try Teller(state: $0, origin: self.id, role: self.role).checkLogin(operator: operatorID, password: password, verify: secrets.verifyPassword) }
        } catch let error as MMSError where error.code == .wrongPassword {
            // An unknown operator costs the same time as a known one: the answer does not tell who exists.
            _ = secrets.verifyPassword(password, hash: Self.decoyHash)
            throw error
        }
        switch check {
        case .refused(let record, let error):
            _ = try acting(as: Caller(actor: Actor(operatorID: operatorID, till: till), role: nil)).commit(decide: { _, _ in record })
            throw error
        case .accepted(let op):
            let token = Hex.encode(randomBytes(32))
            let now = clock()
            try store.createSession(tokenHash: Self.tokenHash(token), operator: op.id, till: till, now: now, expires: now + lifetimeMillis)
            return SessionResult(token: token, operator: op.id, name: op.name, role: op.role.rawValue, branch: id.rawValue, till: till,
                                 expiresAt: Self.timestamp(now + lifetimeMillis))
        }
    }

    /// The caller a session token stands for, checked against the replicated state on every request:
    /// an expired session, a revoked till and a disabled or locked operator all stop here.
    public func authenticate(session token: String) throws -> LocalNode {
        guard token.utf8.count == 64 else { throw MMSError(.unauthenticated, "No session: log in first.") }
        let (session, till, op) = try store.read(session: Self.tokenHash(token)) { session, state in
            (session, try session.flatMap { $0.till == Actor.consoleTill ? nil : try state.till(branch: self.id, name: $0.till) },
             try session.flatMap { try state.operatorView($0.operatorID) })
        }
        // A member's session (signed in, or opened from a receipt) is no operator's.
        guard let session, session.till != Actor.memberTill, session.till != Actor.receiptTill else { throw MMSError(.unauthenticated, "No session: log in first.") }
        guard clock() < session.expires else { throw MMSError(.sessionExpired, "The session has expired: log in again.") }
        if session.till != Actor.consoleTill {
            guard let till, !till.revoked else { throw MMSError(.tillRevoked, "Till \(session.till) was revoked; its sessions have ended.") }
        }
        guard let op, !op.disabled, !op.locked else {
            throw MMSError(.unauthenticated, "Operator \(session.operatorID) may no longer act (disabled or locked); the session has ended.")
        }
        return acting(as: Caller(actor: Actor(operatorID: op.id, till: session.till), role: op.role))
    }

    public func logout(session token: String) throws {
        guard token.utf8.count == 64, try store.session(tokenHash: Self.tokenHash(token)) != nil else {
            throw MMSError(.unauthenticated, "No such session.")
        }
        try store.endSession(tokenHash: Self.tokenHash(token))
    }

    /// The till a token belongs to, if it is registered here and not revoked.
    private func authenticateTill(_ token: String) throws -> TillView {
        let unknown = MMSError(.unknownTill, "The till's token is not one this branch registered.")
        let parts = token.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, (try? Identifier.validate(String(parts[0]), what: "till")) != nil,
              let till = try store.read({ try $0.till(branch: self.id, name: String(parts[0])) }) else { throw unknown }
        guard constantTimeEqual(till.tokenHash, Self.tokenHash(token)) else { throw unknown }
        guard !till.revoked else { throw MMSError(.tillRevoked, "Till \(till.name) was revoked.") }
        return till
    }

    static func tokenHash(_ token: String) -> [UInt8] {
        let h = Blake2b()
        h.update("mms.token.v1")
        h.update(token)
        return h.finalize()
    }

    /// A valid Argon2id string of no one's password, for the decoy check.
    private static let decoyHash = (try? ChainSecrets.generate().hashPassword("decoy-password")) ?? ""

    static func timestamp(_ millis: UInt64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    // MARK: Audit

    /// Who did what, where, when: the op log, newest first. A manager sees their branch's ops;
    /// an auditor or hq_admin (or the directory's owner) the chain's, as far as this replica holds.
    public func audit(_ filter: NodeStore.AuditFilter) throws -> AuditResult {
        try permit(.readAudit)
        var filter = filter
        filter.limit = min(max(filter.limit, 1), 10_000)
        if let role = caller.role, !role.isChainWide {
            guard filter.branch == nil || filter.branch == id else {
                throw MMSError(.notPermitted, "A \(role.rawValue) reads the audit trail of \(id) only.")
            }
            filter.branch = id
        }
        let entries = try store.audit(filter).map { op in
            let item = Self.historyItem(op)
            return AuditEntry(op: item.op, at: item.at, branch: op.id.origin.rawValue,
                              operator: op.actor.operatorID.isEmpty ? nil : op.actor.operatorID,
                              till: op.actor.till.isEmpty ? nil : op.actor.till,
                              kind: item.kind, member: op.body.member, card: item.card, amount: item.amount, points: item.points,
                              subject: Self.auditSubject(op.body))
        }
        return AuditResult(entries: entries)
    }

    /// A bound of an audit query as a person types it: a date (2026-11-24, midnight UTC) or an
    /// ISO 8601 time; HLC wall milliseconds. One reading for the command line and the till API.
    public static func auditTime(_ text: String, field: String) throws -> UInt64 {
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX"); day.timeZone = TimeZone(identifier: "UTC"); day.dateFormat = "yyyy-MM-dd"
        guard let date = ISO8601DateFormatter().date(from: text) ?? day.date(from: text) else {
            throw MMSError(.invalidArgument, "\(field) “\(text.prefix(40))” is not a date (2026-11-24) or an ISO 8601 time.")
        }
        return UInt64(max(0, date.timeIntervalSince1970 * 1000))
    }

    /// What a staff or till op was about, for the audit trail.
    private static func auditSubject(_ body: OpBody) -> String? {
        switch body {
        case .operatorAdded(let o): "\(o.id) (\(o.role.rawValue), \(o.branch))"
        case .operatorDisabled(let id), .operatorPasswordSet(let id, _, _), .loginFailed(let id): id
        case .tillRegistered(let name, _), .tillRevoked(let name): name
        case .settingSet(let key, let value): "\(key)=\(value)"
        case .rightsTransferred(let t): "\(t.account) → \(t.to)"
        case .cardReported(let card, let report): "\(card) \(report.rawValue)"
        case .productSet(let p): p.sku
        case .tillClosed(let c): "\(c.till) \(c.day): counted \(c.counted), expected \(c.expected)"
        case .saleReturned(let r): "\(r.sale): \(r.lines.map { "\($0.sku)×\($0.quantity)" }.joined(separator: ", "))"
        case .expenseAdded(let category, _, let note): note.isEmpty ? category : "\(category): \(note)"
        case .supplierInvoiced(let i): "\(i.supplier) \(i.number) \(i.amount)"
        case .supplierPaid(let p): "\(p.supplier) \(p.amount) (\(p.tender.rawValue)) on \(p.allocations.map(\.invoice).joined(separator: ", "))"
        case .stockReceived(let m), .stockReturned(let m): "\(m.sku) ×\(m.quantity)\(m.supplier.isEmpty ? "" : " \(m.supplier)")"
        case .stockTransferred(let t): "\(t.sku) ×\(t.quantity) → \(t.to)"
        case .transferArrived(let transfer, let sku, let quantity): "\(sku) ×\(quantity) from \(transfer)"
        case .stockCounted(let sku, let counted, let variance): "\(sku) counted \(counted) (variance \(variance))"
        case .stockThreshold(let sku, let below): "\(sku) low below \(below)"
        case .priceSet(let sku, let branch, let price): "\(sku) @ \(branch) = \(price?.description ?? "list price")"
        case .exportMade(let what, let rows, let personalData): "\(what): \(rows) rows\(personalData ? ", with personal data" : "")"
        case .bookingMade(let b): "\(b.service) at \(b.branch.rawValue) \(Bookings.text(b.slot))"
        case .bookingCancelled(let id, _): id
        case .memberFieldSet(_, let field, _): field
        case .messageQueued(let m): m.key
        case .consentSet(let member, let messages): "\(member) messages \(messages ? "on" : "off")"
        default: nil
        }
    }
}
