import Foundation
import MMSCore
import MMSCrypto
import MMSStore

/// One node opened from its data directory: the till's requests, each committed durably before
/// it answers. Wall clock and randomness (PII nonces) enter here, not in the core.
public final class LocalNode: Sendable {
    public let directory: DataDirectory
    public let id: NodeID
    public let role: NodeRole
    public let store: NodeStore
    private let key: SigningKey
    private let secrets: ChainSecrets
    private let clock: @Sendable () -> UInt64

    /// Creates a node: identity, signing key, chain secrets (new, or copied from `secretsFile`) and an empty store.
    @discardableResult
    /// `signingKey` is the op-signing key the chain's provisioning made for this node (`mms certs
    /// init`); without it a new one is made.
    public static func initialise(directory: DataDirectory, id: NodeID, role: NodeRole, secretsFile: String? = nil,
                                  signingKey: SigningKey? = nil) throws -> NodeInitResult {
        let secrets = try secretsFile.map { try DataDirectory.readSecrets(from: URL(fileURLWithPath: $0)) } ?? .generate()
        let key = signingKey ?? SigningKey.generate()
        let identity = try directory.create(id: id, role: role, key: key, secrets: secrets)
        let store = try NodeStore(path: directory.storePath, origin: id, role: role)
        try store.trust(origin: id, key: key.publicKey, role: role)
        return NodeInitResult(id: identity.id, role: role.rawValue, data: directory.url.path, publicKey: identity.publicKey)
    }

    public init(directory: DataDirectory, clock: @escaping @Sendable () -> UInt64 = LocalNode.wallClockMillis) throws {
        let identity = try directory.loadIdentity()
        self.directory = directory
        self.id = try NodeID(identity.id)
        self.role = identity.role
        self.key = try directory.loadKey()
        self.secrets = try directory.loadSecrets()
        guard Hex.encode(key.publicKey.bytes) == identity.publicKey else {
            throw MMSError(.storeFailure, "node.key does not match the public key in node.json.")
        }
        self.store = try NodeStore(path: directory.storePath, origin: id, role: role)
        self.clock = clock
    }

    public static let wallClockMillis: @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }

    // MARK: Members and cards

    public func addMember(_ profile: MemberProfile) throws -> MemberResult {
        let index = secrets.blindIndex(profile.phone)
        guard try store.members(phoneIndex: index).isEmpty else {
            throw MMSError(.memberExists, "A member with phone \(profile.maskedPhone) already exists.", details: ["phone": profile.maskedPhone])
        }
        let sealed = (name: secrets.seal(Array(profile.name.utf8)), phone: secrets.seal(Array(profile.phone.utf8)),
                      birthday: secrets.seal(Array(profile.birthday.utf8)))
        let issued = try store.issue(request: nil, now: clock(), key: key, decide: { teller, next in
            try teller.addMember(MemberAdded(member: "\(next.origin).m\(next.seq)", sealedName: sealed.name, sealedPhone: sealed.phone,
                                             sealedBirthday: sealed.birthday, phoneIndex: index))
        }, respond: { _, _ in "" })
        guard case .memberAdded(let added)? = issued.op?.op.body else { preconditionFailure("member add issued another kind") }
        return try memberResult(added.member)
    }

    public func member(_ id: String) throws -> MemberResult { try memberResult(id) }

    public func findMembers(phone: String) throws -> [MemberResult] {
        try store.members(phoneIndex: secrets.blindIndex(phone.filter { $0 != " " && $0 != "-" })).map(memberResult)
    }

    public func issueCard(number: String, member: String, type: CardType, pin: String?, discountPercent: Int64?, uses: Int64?) throws -> CardResult {
        let pinHash = try pin.map(hashPIN) ?? ""
        let issued = try store.issue(request: nil, now: clock(), key: key, decide: { teller, _ in
            try teller.issueCard(number: number, member: member, type: type, pinHash: pinHash, discountPercent: discountPercent, punchUses: uses)
        }, respond: { _, _ in "" })
        return try cardResult(number, op: issued.op!)
    }

    public func replaceCard(old: String, new: String, pin: String?) throws -> CardResult {
        let pinHash = try pin.map(hashPIN) ?? ""
        let issued = try store.issue(request: nil, now: clock(), key: key, decide: { teller, _ in
            try teller.replaceCard(old: old, new: new, pinHash: pinHash)
        }, respond: { _, _ in "" })
        return try cardResult(new, op: issued.op!)
    }

    public func reportCard(_ number: String, _ report: CardReport) throws -> CardEventResult {
        try cardEvent(number) { try $0.reportCard(number, report) }
    }

    public func unlockPIN(_ number: String) throws -> CardEventResult {
        try cardEvent(number) { try $0.unlockPIN(number) }
    }

    public func setSetting(key settingKey: String, value: String) throws -> SettingResult {
        let issued = try store.issue(request: nil, now: clock(), key: key, decide: { teller, _ in
            try teller.setSetting(key: settingKey, value: value)
        }, respond: { _, _ in "" })
        return SettingResult(op: issued.op!.id.description, key: settingKey, value: value)
    }

    // MARK: Money, points and uses

    public func topUp(card: String, amount: Money, requestKey: String?) throws -> PaymentResult {
        try pay(card: card, pin: nil, checkPIN: false, request: requestKey.map { RequestFingerprint("topup", card, amount.description, key: $0) }) {
            try $0.topUp(card: card, amount: amount)
        }
    }

    /// With `partial`, takes what this branch may spend when that is less than `amount`;
    /// the answer's `unpaid` is the rest, for the cashier to collect otherwise.
    public func charge(card: String, amount: Money, pin: String?, requestKey: String?, partial: Bool = false) throws -> PaymentResult {
        var result = try pay(card: card, pin: pin, checkPIN: true,
                             request: requestKey.map { RequestFingerprint("charge", card, amount.description, partial ? "partial" : "whole", key: $0) }) {
            try $0.charge(card: card, amount: amount, partial: partial)
        }
        if partial, let charged = result.amount.flatMap(Money.init(parsing:)), charged < amount { result.unpaid = (amount - charged).description }
        return result
    }

    public func refund(card: String, charge: OpID, amount: Money, requestKey: String?) throws -> PaymentResult {
        try pay(card: card, pin: nil, checkPIN: false, request: requestKey.map { RequestFingerprint("refund", card, charge.description, amount.description, key: $0) }) {
            try $0.refund(card: card, charge: charge, amount: amount)
        }
    }

    public func discountSale(card: String, listPrice: Money, pin: String?, requestKey: String?) throws -> PaymentResult {
        try pay(card: card, pin: pin, checkPIN: true, request: requestKey.map { RequestFingerprint("sale", card, listPrice.description, key: $0) }) {
            try $0.discountSale(card: card, listPrice: listPrice)
        }
    }

    public func redeemPoints(card: String, points: Points, pin: String?, requestKey: String?) throws -> PaymentResult {
        try pay(card: card, pin: pin, checkPIN: true, request: requestKey.map { RequestFingerprint("redeem", card, points.description, key: $0) }) {
            try $0.redeemPoints(card: card, points: points)
        }
    }

    public func usePunch(card: String, uses: Int64, pin: String?, requestKey: String?) throws -> PaymentResult {
        try pay(card: card, pin: pin, checkPIN: true, request: requestKey.map { RequestFingerprint("punch", card, String(uses), key: $0) }) {
            try $0.usePunch(card: card, uses: uses)
        }
    }

    public func issueCoupon(code: String, member: String, value: Money, title: String) throws -> CouponResult {
        let issued = try store.issue(request: nil, now: clock(), key: key, decide: { teller, _ in
            try teller.issueCoupon(code: code, member: member, value: value, title: title)
        }, respond: { _, _ in "" })
        return try couponResult(code, op: issued.op?.id)
    }

    public func redeemCoupon(code: String, requestKey: String?) throws -> CouponResult {
        let request = requestKey.map { RequestFingerprint("coupon", code, key: $0) }
        let issued = try store.issue(request: request?.requestKey, now: clock(), key: key, decide: { teller, _ in
            try teller.redeemCoupon(code: code)
        }, respond: { op, _ in op.id.description })
        var result = try couponResult(code, op: OpID(parsing: issued.response))
        result.replayed = issued.replayed
        return result
    }

    /// Moves escrow rights of the card's member — stored value (`amount`) or points — to `node`,
    /// so that branch can take payments the member is expected to make there.
    public func moveRights(card: String, to node: NodeID, amount: Money?, points: Points?) throws -> RightsResult {
        guard (amount == nil) != (points == nil) else {
            throw MMSError(.invalidArgument, "Give either --amount (stored value) or --points.")
        }
        // Rights moved to a node that does not exist could never be spent or moved back.
        guard try store.trustedOrigins().contains(node) else {
            throw MMSError(.unknownOrigin, "\(node) is not a node this one knows; rights can only move to a trusted node.", details: ["node": node.rawValue])
        }
        var account = ""
        let issued = try store.issue(request: nil, now: clock(), key: key, decide: { teller, _ in
            guard let view = try teller.state.card(card) else {
                throw MMSError(.unknownCard, "Card \(card.prefix(Limits.maxIdentifierLength)) is not known here.")
            }
            account = amount != nil ? Cell.storedValue(member: view.member) : Cell.points(member: view.member)
            return try teller.transferRights(account: account, to: node, amount: amount?.fen ?? points!.value)
        }, respond: { _, _ in "" })
        let format: (Int64) -> String = amount != nil ? { Money(fen: $0).description } : { String($0) }
        let rights = try store.read { try $0.escrow(account) }.holders
        return RightsResult(op: issued.op!.id.description, account: account, to: node.rawValue,
                            amount: format(amount?.fen ?? points!.value),
                            rights: Dictionary(uniqueKeysWithValues: rights.map { ($0.node.rawValue, format($0.rights)) }))
    }

    /// Answers a peer's request for rights: moves what this node holds of `amount` (all of it if it
    /// can, else what it has) to `peer`. Nil when it holds none.
    public func grantRights(account: String, amount: Int64, to peer: NodeID) throws -> SignedOp? {
        let held = try store.read { try $0.escrow(account).rights(at: self.id) }
        guard held > 0 else { return nil }
        let issued = try store.issue(request: nil, now: clock(), key: key, decide: { teller, _ in
            try teller.transferRights(account: account, to: peer, amount: min(amount, held))
        }, respond: { _, _ in "" })
        return issued.op
    }

    /// Hands on this node's stored-value rights of `member` above its share under `policy`
    /// (home branch, recent branches, head-office reserve): at most a few transfer ops, each
    /// checked against the rights held here when it is issued.
    public func placeRights(member: String, policy: PlacementPolicy) throws -> [SignedOp] {
        struct NothingToPlace: Error {}
        var placed: [SignedOp] = []
        for _ in 0..<(policy.recentBranches + 2) {
            do {
                let issued = try store.issue(request: nil, now: clock(), key: key, decide: { teller, _ in
                    guard let next = try teller.placementTransfers(member: member, policy: policy).first else { throw NothingToPlace() }
                    return next
                }, respond: { _, _ in "" })
                placed.append(issued.op!)
            } catch is NothingToPlace { break }
        }
        return placed
    }

    // MARK: Replication between local directories

    /// Accepts ops signed by the node in `other` (its id, role and public key from its node.json).
    public func trust(_ other: DataDirectory) throws -> TrustResult {
        let identity = try other.loadIdentity()
        guard let bytes = Hex.decode(identity.publicKey), let key = try? SigningPublicKey(bytes: bytes) else {
            throw MMSError(.invalidArgument, "\(other.url.path)/node.json holds no valid public key.")
        }
        try store.trust(origin: NodeID(identity.id), key: key, role: identity.role)
        return TrustResult(id: identity.id, role: identity.role.rawValue, publicKey: identity.publicKey)
    }

    /// Pulls every op `other` holds that this node lacks, in bounded batches, as anti-entropy will
    /// over the network. Each batch is verified and applied in one transaction.
    public func sync(from other: LocalNode, batch: Int = Limits.maxOpsPerBatch) throws -> SyncResult {
        var applied = 0, batches = 0
        while true {
            let ops = try other.store.ops(after: store.versionVector(), limit: batch)
            if ops.isEmpty { break }
            let report = try store.applyRemote(ops, now: clock())
            guard report.applied > 0 else {
                throw MMSError(.brokenChain, "Sync from \(other.id) made no progress; its ops do not continue this node's chains.")
            }
            applied += report.applied
            batches += 1
        }
        let vector = try store.versionVector()
        return SyncResult(from: other.id.rawValue, applied: applied, batches: batches,
                          vector: Dictionary(uniqueKeysWithValues: vector.entries.map { ($0.key.rawValue, $0.value) }),
                          stateHash: try store.stateHash().hex)
    }

    public func info() throws -> NodeInfo {
        let vector = try store.versionVector()
        return NodeInfo(id: id.rawValue, role: role.rawValue, publicKey: Hex.encode(key.publicKey.bytes), ops: try store.opCount(),
                        vector: Dictionary(uniqueKeysWithValues: vector.entries.map { ($0.key.rawValue, $0.value) }),
                        trusted: try store.trustedOrigins().map(\.rawValue), stateHash: try store.stateHash().hex, forks: try store.forkCount())
    }

    // MARK: Reading

    public func show(card number: String, historyLimit: Int = 20) throws -> ShowResult {
        guard let card = try store.read({ try $0.card(number) }) else {
            throw MMSError(.unknownCard, "Card \(number.prefix(Limits.maxIdentifierLength)) is not known here.", details: ["card": String(number.prefix(Limits.maxIdentifierLength))])
        }
        return try showResult(member: card.member, card: card, historyLimit: historyLimit)
    }

    public func show(member id: String, historyLimit: Int = 20) throws -> ShowResult {
        try showResult(member: id, card: nil, historyLimit: historyLimit)
    }

    public func verify() throws -> VerifyResult {
        let started = Date()
        let v = try store.verify()
        let result = VerifyResult(ok: v.ok, ops: v.ops, origins: v.origins, stateHash: v.stateHash.hex, rebuiltHash: v.rebuiltHash.hex,
                                  seconds: Date().timeIntervalSince(started))
        guard v.ok else {
            throw MMSError(.verifyFailed, "The materialised state does not equal the state rebuilt from the op log.",
                           details: ["state_hash": v.stateHash.hex, "rebuilt_hash": v.rebuiltHash.hex])
        }
        return result
    }

    // MARK: - Internals

    private func hashPIN(_ pin: String) throws -> String {
        guard Limits.pinDigits.contains(pin.count), pin.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw MMSError(.invalidArgument, "A PIN is \(Limits.pinDigits.lowerBound)–\(Limits.pinDigits.upperBound) digits.")
        }
        return try secrets.hashPIN(pin)
    }

    /// Runs a payment-like request: the PIN check when a PIN is given (slow, outside any
    /// transaction; a wrong PIN is recorded so the lockout holds chain-wide), then the decision,
    /// op and answer in one transaction — which refuses a PIN card that was not authorised.
    private func pay(card: String, pin: String?, checkPIN: Bool, request: RequestFingerprint?,
                     decide: @escaping (Teller) throws -> OpBody) throws -> PaymentResult {
        let authorised = checkPIN && pin != nil ? try authorise(card: card, pin: pin) : false
        var result: PaymentResult?
        let issued: NodeStore.Issued
        do {
            issued = try store.issue(request: request?.requestKey, now: clock(), key: key, decide: { teller, _ in
                if checkPIN, !authorised, let view = try teller.state.card(card), !view.pinHash.isEmpty {
                    throw MMSError(.pinRequired, "Card \(card) needs its PIN.", details: ["card": card])
                }
                return try decide(teller)
            }, respond: { op, state in
                result = try Self.paymentResult(op.op, state: state, here: self.id)
                return try Self.encodeResponse(result)
            })
        } catch let error as MMSError where error.code == .insufficientFunds || error.code == .insufficientPoints {
            // For the node's metrics; a failure to count must not hide the refusal itself.
            try? store.countRefusal(error.isShortOfRightsOnly ? "rights_elsewhere" : "balance")
            throw error
        }
        guard issued.replayed else { return result! }
        var replay = try JSONDecoder.snakeCase.decode(PaymentResult.self, from: Data(issued.response.utf8))
        replay.replayed = true
        return replay
    }

    /// Checks the PIN against the card's Argon2id hash; records a wrong one and throws.
    private func authorise(card number: String, pin: String?) throws -> Bool {
        guard let card = try store.read({ try $0.card(number) }) else {
            throw MMSError(.unknownCard, "Card \(number.prefix(Limits.maxIdentifierLength)) is not known here.", details: ["card": String(number.prefix(Limits.maxIdentifierLength))])
        }
        let check = try Teller.checkPIN(card: card, pin: pin, verify: secrets.verifyPIN)
        if case .refused(let record, let error) = check {
            _ = try store.issue(request: nil, now: clock(), key: key, decide: { _, _ in record }, respond: { _, _ in "" })
            throw error
        }
        return true
    }

    private func cardEvent(_ number: String, decide: @escaping (Teller) throws -> OpBody) throws -> CardEventResult {
        let issued = try store.issue(request: nil, now: clock(), key: key, decide: { teller, _ in try decide(teller) }, respond: { _, _ in "" })
        let status = try store.read { try $0.card(number)?.status.rawValue } ?? "unknown"
        return CardEventResult(op: issued.op!.id.description, card: number, status: status)
    }

    private func cardResult(_ number: String, op: SignedOp) throws -> CardResult {
        try store.read { state in
            guard let card = try state.card(number) else { preconditionFailure("card \(number) missing right after its issue") }
            guard case .cardIssued(let issued) = op.op.body else { preconditionFailure("card issue produced \(op.op.body.kind)") }
            return CardResult(card: number, member: card.member, type: card.type.rawValue, status: card.status.rawValue,
                              replaces: issued.replaces.isEmpty ? nil : issued.replaces,
                              discountPercent: card.type == .discount ? card.discountPercent : nil,
                              usesLeft: card.type == .punch ? try state.escrow(card.punchAccount).total : nil,
                              op: op.id.description)
        }
    }

    private func couponResult(_ code: String, op: OpID?) throws -> CouponResult {
        try store.read { state in
            guard let c = try state.coupon(code) else { preconditionFailure("coupon \(code) missing after its op") }
            return CouponResult(op: op?.description, code: code, member: c.member, value: c.value.description, title: c.title, left: c.left)
        }
    }

    private func memberResult(_ id: String) throws -> MemberResult {
        try store.read { state in
            guard let m = try state.member(id) else {
                throw MMSError(.unknownMember, "There is no member \(id.prefix(Limits.maxIdentifierLength)).", details: ["member": String(id.prefix(Limits.maxIdentifierLength))])
            }
            let profile = try openProfile(m)
            return MemberResult(id: id, name: profile.name, phone: profile.maskedPhone, birthday: profile.birthday, home: m.home,
                                tier: m.tier.rawValue, balance: Money(fen: try state.escrow(Cell.storedValue(member: id)).total).description,
                                points: try state.escrow(Cell.points(member: id)).total, cards: nil)
        }
    }

    private func openProfile(_ m: MemberView) throws -> MemberProfile {
        do {
            func open(_ sealed: [UInt8]) throws -> String { String(decoding: try secrets.open(sealed), as: UTF8.self) }
            return try MemberProfile(name: open(m.sealedName), phone: open(m.sealedPhone), birthday: open(m.sealedBirthday))
        } catch {
            throw MMSError(.storeFailure, "Member \(m.id)'s details cannot be opened with this node's chain secrets.")
        }
    }

    private func showResult(member id: String, card: CardView?, historyLimit: Int) throws -> ShowResult {
        let history = try store.history(member: id, limit: historyLimit)
        let coupons = try store.coupons(member: id).map { try couponResult($0, op: nil) }
        return try store.read { state in
            guard let m = try state.member(id) else {
                throw MMSError(.unknownMember, "There is no member \(id.prefix(Limits.maxIdentifierLength)).")
            }
            let profile = try openProfile(m)
            let sv = try state.escrow(Cell.storedValue(member: id))
            let punch = try card.flatMap { $0.type == .punch ? try state.escrow($0.punchAccount) : nil }
            return ShowResult(
                card: card?.number, type: card?.type.rawValue, status: card?.status.rawValue,
                member: id, name: profile.name, phone: profile.maskedPhone, tier: m.tier.rawValue,
                balance: Money(fen: sv.total).description, balanceHere: Money(fen: max(0, sv.rights(at: self.id))).description,
                rights: Dictionary(uniqueKeysWithValues: sv.holders.map { ($0.node.rawValue, Money(fen: $0.rights).description) }),
                points: try state.escrow(Cell.points(member: id)).total,
                usesLeft: punch?.total, discountPercent: card?.type == .discount ? card?.discountPercent : nil,
                pinFailures: card?.pinFailures,
                spent: (m.spent - m.refunded).description, toppedUp: Money(fen: sv.totalCredited - m.refunded.fen).description,
                coupons: coupons, history: history.map(Self.historyItem))
        }
    }

    static func historyItem(_ op: Op) -> HistoryItem {
        let at = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(op.hlc.wallMillis) / 1000))
        var card: String?, amount: Money?, points: Int64?, uses: Int64?
        switch op.body {
        case .topUp(let p): card = p.card; amount = p.amount
        case .charge(let c): card = c.card; amount = c.amount; points = c.pointsEarned.value
        case .refund(let r): card = r.card; amount = r.amount
        case .discountSale(let s): card = s.card; amount = s.paid; points = s.pointsEarned.value
        case .pointsRedeemed(let p): card = p.card; points = p.points.value
        case .punchUsed(let p): card = p.card; uses = p.uses
        case .cardIssued(let c): card = c.number; uses = c.punchUses > 0 ? c.punchUses : nil
        case .couponIssued(let c): amount = c.value
        default: break
        }
        return HistoryItem(op: op.id.description, kind: op.body.kind, at: at, card: card, amount: amount?.description, points: points, uses: uses)
    }

    static func paymentResult(_ op: Op, state: any StateReader, here: NodeID) throws -> PaymentResult {
        var card = "", member = "", amount: Money?, paid: Money?, points: Int64?, uses: Int64?, earned: Int64?, usesAccount: String?
        switch op.body {
        case .topUp(let p): (card, member, amount) = (p.card, p.member, p.amount)
        case .charge(let c): (card, member, amount, earned) = (c.card, c.member, c.amount, c.pointsEarned.value)
        case .refund(let r): (card, member, amount) = (r.card, r.member, r.amount)
        case .discountSale(let s): (card, member, amount, paid, earned) = (s.card, s.member, s.listPrice, s.paid, s.pointsEarned.value)
        case .pointsRedeemed(let p): (card, member, points) = (p.card, p.member, p.points.value)
        case .punchUsed(let p): (card, member, uses, usesAccount) = (p.card, p.member, p.uses, p.account)
        default: preconditionFailure("\(op.body.kind) is not a payment")
        }
        guard let view = try state.member(member) else { preconditionFailure("payment for unknown member \(member)") }
        return PaymentResult(
            op: op.id.description, kind: op.body.kind, card: card, member: member,
            amount: amount?.description, paid: paid?.description, points: points, uses: uses,
            balance: Money(fen: try state.escrow(Cell.storedValue(member: member)).total).description,
            pointsBalance: try state.escrow(Cell.points(member: member)).total,
            pointsEarned: earned, usesLeft: try usesAccount.map { try state.escrow($0).total },
            tier: view.tier.rawValue, replayed: false)
    }

    static func encodeResponse<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder.snakeCase.encode(value), as: UTF8.self)
    }
}

/// A till request's idempotency key plus a digest of what it asks, so a reused key with
/// different content is refused rather than answered with another request's result.
struct RequestFingerprint {
    let requestKey: NodeStore.RequestKey

    init(_ parts: String..., key: String) {
        let h = Blake2b()
        for part in parts { h.updateField(Array(part.utf8)) }
        requestKey = NodeStore.RequestKey(key: key, fingerprint: try! Digest32(bytes: h.finalize()))
    }
}

extension JSONEncoder {
    public static var snakeCase: JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}

extension JSONDecoder {
    static var snakeCase: JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }
}
