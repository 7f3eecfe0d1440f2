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
    let secrets: ChainSecrets
    let clock: @Sendable () -> UInt64
    /// Who is asking: every op this view issues names them, and every use case checks their role.
    public let caller: Caller
    /// Escrow refusals at this node, by kind, for its metrics (shared by every view of the node).
    public let refusals: RefusalCounter
    /// Fired after every commit of a new op, whoever caused it: the running node's gossip listens.
    public let commits: CommitSignal
    /// This node's clock against the chain's, fed by the running node's peer sessions.
    public let clockWatch: ClockWatch

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
        self.caller = .directoryOwner
        self.refusals = RefusalCounter()
        self.commits = CommitSignal()
        self.clockWatch = ClockWatch(wall: clock)
    }

    private init(_ other: LocalNode, caller: Caller) {
        directory = other.directory; id = other.id; role = other.role; store = other.store
        key = other.key; secrets = other.secrets; clock = other.clock; refusals = other.refusals; commits = other.commits
        clockWatch = other.clockWatch
        self.caller = caller
    }

    /// The same node, acting for `caller`: a cheap view sharing the store.
    public func acting(as caller: Caller) -> LocalNode { LocalNode(self, caller: caller) }

    /// Refuses a branch's operator `what` of another branch than this node: head office's
    /// roles (and the directory owner) read any branch's.
    func requireScope(_ branch: NodeID, _ what: String) throws {
        if branch != id, let role = caller.role, !role.isChainWide {
            throw MMSError(.notPermitted, "A \(role.rawValue) reads \(what) of \(id) only.")
        }
    }

    /// Refuses unless the caller's role may take `action` (the directory owner may take any).
    func permit(_ action: Action) throws {
        if let role = caller.role { try Permissions.require(role, action) }
    }

    /// Decides and commits one op for the caller: see `NodeStore.issue`.
    func commit(request: NodeStore.RequestKey? = nil, decide: (Teller, OpID) throws -> OpBody,
                respond: (SignedOp, any StateReader) throws -> String = { op, _ in op.id.description }) throws -> NodeStore.Issued {
        // A request decided by a clock the chain disagrees with would put the wrong day on its
        // date rules for every replica; the node's own ops (rights it hands on) carry none.
        if caller != .node, let skew = MMSError.clockSkew(clockWatch.verdict()) { throw skew }
        let issued = try store.issue(request: request, now: clock(), key: key, actor: caller.actor, decide: decide, respond: respond)
        if let op = issued.op {
            commits.fire()
            giveRewards(after: op.op.body)
        }
        return issued
    }

    /// An idempotency key scoped to the caller's till, with a digest of what the request asks,
    /// keyed by the chain pepper (the parts may include a phone number).
    func fingerprint(_ parts: String..., key requestKey: String?) throws -> NodeStore.RequestKey? {
        guard let requestKey else { return nil }
        try Identifier.validate(requestKey, what: "idempotency key")
        let h = Blake2b(key: secrets.pinPepper)
        h.update("mms.request.v1")
        for part in [caller.actor.operatorID] + parts { h.updateField(Array(part.utf8)) }
        return NodeStore.RequestKey(key: caller.requestScope + requestKey, fingerprint: try Digest32(bytes: h.finalize()))
    }

    public static let wallClockMillis: @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }

    // MARK: Members and cards

    /// A new member, with the member who brought them (`referrer`: their referral reward comes
    /// when the new member first pays).
    public func addMember(_ profile: MemberProfile, referrer: String? = nil, requestKey: String? = nil) throws -> MemberResult {
        try permit(.addMember)
        let request = try fingerprint("member", profile.name, profile.phone, profile.birthday, referrer ?? "", key: requestKey)
        if let request, let prior = try store.priorResponse(request) { return try memberResult(prior) }
        let index = secrets.blindIndex(profile.phone)
        guard try store.members(phoneIndex: index).isEmpty else {
            throw MMSError(.memberExists, "A member with phone \(profile.maskedPhone) already exists.", details: ["phone": profile.maskedPhone])
        }
        let sealed = (name: secrets.seal(Array(profile.name.utf8)), phone: secrets.seal(Array(profile.phone.utf8)),
                      birthday: secrets.seal(Array(profile.birthday.utf8)))
        let issued = try commit(request: request, decide: { teller, next in
            var added = MemberAdded(member: "\(next.origin).m\(next.seq)", sealedName: sealed.name, sealedPhone: sealed.phone,
                                    sealedBirthday: sealed.birthday, phoneIndex: index)
            added.referrer = referrer ?? ""
            return try teller.addMember(added)
        }, respond: { op, _ in
            guard case .memberAdded(let added) = op.op.body else { preconditionFailure("member add issued another kind") }
            return added.member
        })
        return try memberResult(issued.response)
    }

    public func member(_ id: String) throws -> MemberResult { try permit(.lookUp); return try memberResult(id) }

    public func findMembers(phone: String) throws -> [MemberResult] {
        try permit(.lookUp)
        return try store.members(phoneIndex: secrets.blindIndex(MemberProfile.validatedPhone(phone))).map(memberResult)
    }

    public func issueCard(number: String, member: String, type: CardType, pin: String?, discountPercent: Int64?, uses: Int64?,
                          staff: String? = nil, requestKey: String? = nil) throws -> CardResult {
        try permit(.issueCard)
        let request = try fingerprint("card", number, member, type.rawValue, pin ?? "", discountPercent.map { String($0) } ?? "",
                                      uses.map { String($0) } ?? "", staff ?? "", key: requestKey)
        if let request, let prior = try store.priorResponse(request) { return try cardResult(number, op: OpID(parsing: prior)) }
        let pinHash = try pin.map(hashPIN) ?? ""
        let issued = try commit(request: request, decide: { teller, _ in
            try teller.issueCard(number: number, member: member, type: type, pinHash: pinHash, discountPercent: discountPercent, punchUses: uses, staff: staff)
        })
        return try cardResult(number, op: issued.op!.id)
    }

    public func replaceCard(old: String, new: String, pin: String?, requestKey: String? = nil) throws -> CardResult {
        try permit(.replaceCard)
        let request = try fingerprint("replace", old, new, pin ?? "", key: requestKey)
        if let request, let prior = try store.priorResponse(request) { return try cardResult(new, op: OpID(parsing: prior)) }
        let pinHash = try pin.map(hashPIN) ?? ""
        let issued = try commit(request: request, decide: { teller, _ in
            try teller.replaceCard(old: old, new: new, pinHash: pinHash)
        })
        return try cardResult(new, op: issued.op!.id)
    }

    public func reportCard(_ number: String, _ report: CardReport, requestKey: String? = nil) throws -> CardEventResult {
        try permit(report == .lost ? .reportLost : .blockCard)
        return try cardEvent(number, request: fingerprint("report", number, report.rawValue, key: requestKey)) { try $0.reportCard(number, report) }
    }

    public func unlockPIN(_ number: String, requestKey: String? = nil) throws -> CardEventResult {
        try permit(.unlockCard)
        return try cardEvent(number, request: fingerprint("unlock", number, key: requestKey)) { try $0.unlockPIN(number) }
    }

    public func setSetting(key settingKey: String, value: String) throws -> SettingResult {
        try permit(.changeSettings)
        let issued = try commit(decide: { teller, _ in
            try teller.setSetting(key: settingKey, value: value)
        })
        return SettingResult(op: issued.op!.id.description, key: settingKey, value: value)
    }

    // MARK: Money, points and uses

    /// A top-up paid by `tender` (cash goes into this till's drawer for its daily close).
    public func topUp(card: String, amount: Money, tender: TenderKind = .cash, reference: String = "", staff: String? = nil,
                      requestKey: String?) throws -> PaymentResult {
        try permit(.topUp)
        return try pay(card: card, pin: nil, checkPIN: false,
                       request: fingerprint("topup", card, amount.description, tender.rawValue, reference, staff ?? "", key: requestKey)) {
            try $0.topUp(card: card, amount: amount, tender: tender, reference: reference, staff: staff)
        }
    }

    /// With `partial`, takes what this branch may spend when that is less than `amount`;
    /// the answer's `unpaid` is the rest, for the cashier to collect otherwise.
    /// `card` may be a member code: its holder signed in with the PIN, so none is asked.
    public func charge(card presented: String, amount: Money, pin: String?, requestKey: String?, partial: Bool = false) throws -> PaymentResult {
        try permit(.charge)
        let presentedCard = try cardPresented(presented), card = presentedCard.number
        var result = try pay(card: card, pin: pin, checkPIN: !presentedCard.byMemberCode,
                             request: fingerprint("charge", card, amount.description, partial ? "partial" : "whole", key: requestKey)) {
            // After a retry's stored answer: what an old code paid in time is answered again.
            try presentedCard.requireInTime()
            return try $0.charge(card: card, amount: amount, partial: partial)
        }
        if partial, let charged = result.amount.flatMap(Money.init(parsing:)), charged < amount { result.unpaid = (amount - charged).description }
        return result
    }

    /// Asks the nodes that hold rights of `account` for `amount` of them; answers whom it asked.
    /// The running node supplies it (its peer links); the grants arrive as ops.
    public typealias RightsBroker = @Sendable (_ account: String, _ amount: Int64) throws -> [NodeID]

    /// A charge that, refused only because the rights sit at other nodes, asks `broker` for the
    /// shortfall, waits up to `wait` seconds for the grants, and tries once more. The one rule for
    /// rights on demand, for the command line and the till API alike.
    public func charge(card presented: String, amount: Money, pin: String?, requestKey: String?, broker: RightsBroker?,
                       wait: TimeInterval = Double(RightsOnDemand.waitMillis) / 1000) throws -> PaymentResult {
        let card = try cardPresented(presented).number
        return try onDemand(card: card, needed: { principal, _ in Teller.split(amount.fen, principal: principal) }, broker: broker, wait: wait) {
            try charge(card: presented, amount: amount, pin: pin, requestKey: requestKey)
        }
    }

    /// Runs `attempt`; when it is refused only because the rights to the card's member's stored
    /// value (principal or bonus) sit at other nodes, asks `broker` for the shortfall of what it
    /// `needed` of each (given the two balances), waits for the grants, and runs it once more.
    func onDemand<T>(card: String, needed: (_ principal: Int64, _ bonus: Int64) -> (principal: Int64, bonus: Int64), broker: RightsBroker?,
                     wait: TimeInterval, _ attempt: () throws -> T) throws -> T {
        do { return try attempt() } catch let refusal as MMSError where refusal.code == .insufficientFunds {
            guard let broker, let member = try store.read({ try $0.card(card)?.member }) else { throw refusal }
            let accounts = [Cell.storedValue(member: member), Cell.bonus(member: member)]
            let held = try store.read { state in try accounts.map { let a = try state.escrow($0); return (here: a.rights(at: self.id), total: a.total) } }
            let need = needed(held[0].total, held[1].total)
            var asked = false
            for (account, (have, amount)) in zip(accounts, zip(held.map(\.here), [need.principal, need.bonus])) where amount > have {
                guard RightsOnDemand.shortfall(after: refusal, amount: amount, rightsHere: have) != nil else { throw refusal }
                // A broker that cannot ask (no link, say) leaves the refusal as it was.
                if let result = try? obtainRights(account: account, needed: amount, broker: broker, wait: wait), !result.asked.isEmpty { asked = true }
            }
            guard asked else { throw refusal }
            return try attempt()
        }
    }

    /// Asks `broker` for what this node lacks of `needed` and waits (up to `wait` s) for it to arrive.
    public func obtainRights(account: String, needed: Int64, broker: RightsBroker, wait: TimeInterval) throws -> RightsRequestResult {
        func here() throws -> Int64 { try store.read { try $0.escrow(account).rights(at: self.id) } }
        var asked: [String] = []
        if try here() < needed {
            asked = try broker(account, needed - (try here())).map(\.rawValue)
            let deadline = Date().addingTimeInterval(wait)
            while !asked.isEmpty, Date() < deadline, try here() < needed { usleep(20_000) }
        }
        return RightsRequestResult(account: account, needed: Money(fen: needed).description, rightsHere: Money(fen: try here()).description, asked: asked)
    }

    public func refund(card: String, charge: OpID, amount: Money, requestKey: String?) throws -> PaymentResult {
        try permit(.refund)
        return try pay(card: card, pin: nil, checkPIN: false, request: fingerprint("refund", card, charge.description, amount.description, key: requestKey)) {
            try $0.refund(card: card, charge: charge, amount: amount)
        }
    }

    public func redeemPoints(card: String, points: Points, pin: String?, requestKey: String?) throws -> PaymentResult {
        try permit(.redeemPoints)
        return try pay(card: card, pin: pin, checkPIN: true, request: fingerprint("redeem", card, points.description, key: requestKey)) {
            try $0.redeemPoints(card: card, points: points)
        }
    }

    /// 积分兑换: a gift of the program's catalogue for its points.
    public func redeemGift(card: String, gift: String, pin: String?, requestKey: String?) throws -> PaymentResult {
        try permit(.redeemPoints)
        return try pay(card: card, pin: pin, checkPIN: true, request: fingerprint("gift", card, gift, key: requestKey)) {
            try $0.redeemGift(card: card, gift: gift)
        }
    }

    public func usePunch(card: String, uses: Int64, service: String? = nil, pin: String?, requestKey: String?) throws -> PaymentResult {
        try permit(.usePunch)
        return try pay(card: card, pin: pin, checkPIN: true, request: fingerprint("punch", card, String(uses), service ?? "", key: requestKey)) {
            try $0.usePunch(card: card, uses: uses, service: service)
        }
    }

    public func issueCoupon(code: String, member: String, value: Money, title: String, requestKey: String? = nil) throws -> CouponResult {
        try permit(.issueCoupon)
        let issued = try commit(request: fingerprint("coupon", code, member, value.description, title, key: requestKey), decide: { teller, _ in
            try teller.issueCoupon(code: code, member: member, value: value, title: title)
        })
        var result = try couponResult(code, op: OpID(parsing: issued.response))
        result.replayed = issued.replayed
        return result
    }

    public func redeemCoupon(code: String, requestKey: String?) throws -> CouponResult {
        try permit(.redeemCoupon)
        let issued = try commit(request: fingerprint("redeem-coupon", code, key: requestKey), decide: { teller, _ in
            try teller.redeemCoupon(code: code)
        })
        var result = try couponResult(code, op: OpID(parsing: issued.response))
        result.replayed = issued.replayed
        return result
    }

    /// Moves escrow rights of the card's member — stored value (`amount`) or points — to `node`,
    /// so that branch can take payments the member is expected to make there.
    public func moveRights(card: String, to node: NodeID, amount: Money?, points: Points?) throws -> RightsResult {
        try permit(.moveRights)
        guard (amount == nil) != (points == nil) else {
            throw MMSError(.invalidArgument, "Give either --amount (stored value) or --points.")
        }
        // Rights moved to a node that does not exist could never be spent or moved back.
        guard try store.trustedOrigins().contains(node) else {
            throw MMSError(.unknownOrigin, "\(node) is not a node this one knows; rights can only move to a trusted node.", details: ["node": node.rawValue])
        }
        var account = ""
        let issued = try commit(decide: { teller, _ in
            guard let view = try teller.state.card(card) else {
                throw MMSError(.unknownCard, "Card \(card.prefix(Limits.maxIdentifierLength)) is not known here.")
            }
            account = try amount != nil ? Cell.storedValue(member: view.member) : teller.pointsLotToMove(points!.value, of: view.member)
            return try teller.transferRights(account: account, to: node, amount: amount?.fen ?? points!.value)
        })
        let format: (Int64) -> String = amount != nil ? { Money(fen: $0).description } : { String($0) }
        let rights = try store.read { try $0.escrow(account) }.holders
        return RightsResult(op: issued.op!.id.description, account: account, to: node.rawValue,
                            amount: format(amount?.fen ?? points!.value),
                            rights: Dictionary(uniqueKeysWithValues: rights.map { ($0.node.rawValue, format($0.rights)) }))
    }

    /// Answers a peer's request for `amount` of rights (`RightsOnDemand.answer`): moves what this
    /// node holds of it to `peer`, and says how much is left to relay. No op when it holds none.
    public func grantRights(account: String, amount: Int64, to peer: NodeID, relayable: Bool) throws -> (op: SignedOp?, relay: Int64) {
        let held = try store.read { try $0.escrow(account).rights(at: self.id) }
        let decision = RightsOnDemand.answer(requested: amount, held: held, role: role, relayable: relayable)
        guard decision.grant > 0 else { return (nil, decision.relay) }
        let issued = try acting(as: .node).commit(decide: { teller, _ in
            try teller.transferRights(account: account, to: peer, amount: decision.grant)
        })
        return (issued.op, decision.relay)
    }

    /// Hands on this node's stored-value rights of `member` above its share under `policy`
    /// (home branch, recent branches, head-office reserve): at most a few transfer ops, each
    /// checked against the rights held here when it is issued.
    public func placeRights(member: String, policy: PlacementPolicy) throws -> [SignedOp] {
        struct NothingToPlace: Error {}
        var placed: [SignedOp] = []
        for _ in 0..<RightsPlacement.maxTransfersPerPass(policy) {
            do {
                let issued = try acting(as: .node).commit(decide: { teller, _ in
                    guard let next = try teller.placementTransfers(member: member, policy: policy).first else { throw NothingToPlace() }
                    return next
                })
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

    /// `card` may be a member code, read as the card it names.
    public func show(card presented: String, historyLimit: Int = 20) throws -> ShowResult {
        try permit(.lookUp)
        let card = try cardPresented(presented)
        try card.requireInTime()
        let number = card.number
        guard let card = try store.read({ try $0.card(number) }) else {
            throw MMSError(.unknownCard, "Card \(number.prefix(Limits.maxIdentifierLength)) is not known here.", details: ["card": String(number.prefix(Limits.maxIdentifierLength))])
        }
        return try showResult(member: card.member, card: card, historyLimit: historyLimit)
    }

    public func show(member id: String, historyLimit: Int = 20) throws -> ShowResult {
        try permit(.lookUp)
        return try showResult(member: id, card: nil, historyLimit: historyLimit)
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

    func hashPIN(_ pin: String) throws -> String {
        guard Limits.pinDigits.contains(pin.count), pin.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw MMSError(.invalidArgument, "A PIN is \(Limits.pinDigits.lowerBound)–\(Limits.pinDigits.upperBound) digits.")
        }
        return try secrets.hashPIN(pin)
    }

    /// Runs a payment-like request: the PIN check when a PIN is given (slow, outside any
    /// transaction; a wrong PIN is recorded so the lockout holds chain-wide), then the decision,
    /// op and answer in one transaction — which refuses a PIN card that was not authorised.
    private func pay(card: String, pin: String?, checkPIN: Bool, request: NodeStore.RequestKey?,
                     decide: @escaping (Teller) throws -> OpBody) throws -> PaymentResult {
        // The receipt's link is made as the answer is given (a retry gets one too), never stored with it.
        var result = try pay(card: card, pin: pin, checkPIN: checkPIN, request: request, decide: decide) { op, state in
            try Self.paymentResult(op, state: state, here: self.id)
        }
        result.memberLink = receiptLink(card: result.card, now: clock())
        return result
    }

    /// The same for any answer that says whether it was replayed (a payment, a sale); `card`
    /// is nil for a customer without one.
    func pay<Answer: Codable & Replayable>(card: String?, pin: String?, checkPIN: Bool, request: NodeStore.RequestKey?,
                                           decide: @escaping (Teller) throws -> OpBody,
                                           answer: @escaping (Op, any StateReader) throws -> Answer) throws -> Answer {
        // A retry is answered before the PIN is checked again: no second Argon2id, and a PIN
        // mistyped on the retry of a charge that went through is not counted against the card.
        if let request, let prior = try store.priorResponse(request) { return try Self.replayed(prior) }
        let authorised = checkPIN && pin != nil && card != nil ? try authorise(card: card!, pin: pin) : false
        var result: Answer?
        let issued: NodeStore.Issued
        do {
            issued = try commit(request: request, decide: { teller, _ in
                if checkPIN, !authorised, let card, let view = try teller.state.card(card), !view.pinHash.isEmpty {
                    throw MMSError(.pinRequired, "Card \(card) needs its PIN.", details: ["card": card])
                }
                return try decide(teller)
            }, respond: { op, state in
                result = try answer(op.op, state)
                return try Self.encodeResponse(result)
            })
        } catch let error as MMSError where error.code == .insufficientFunds || error.code == .insufficientPoints {
            refusals.count(error.isShortOfRightsOnly ? "rights_elsewhere" : "balance")
            throw error
        }
        guard issued.replayed else { return result! }
        return try Self.replayed(issued.response)
    }

    static func replayed<Answer: Codable & Replayable>(_ response: String) throws -> Answer {
        var replay = try JSONDecoder.snakeCase.decode(Answer.self, from: Data(response.utf8))
        replay.replayed = true
        return replay
    }

    /// Checks the PIN against the card's Argon2id hash; records a wrong one and throws.
    func authorise(card number: String, pin: String?) throws -> Bool {
        guard let card = try store.read({ try $0.card(number) }) else {
            throw MMSError(.unknownCard, "Card \(number.prefix(Limits.maxIdentifierLength)) is not known here.", details: ["card": String(number.prefix(Limits.maxIdentifierLength))])
        }
        let check = try Teller.checkPIN(card: card, pin: pin, verify: secrets.verifyPIN)
        if case .refused(let record, let error) = check {
            _ = try commit(decide: { _, _ in record })
            throw error
        }
        return true
    }

    private func cardEvent(_ number: String, request: NodeStore.RequestKey?, decide: @escaping (Teller) throws -> OpBody) throws -> CardEventResult {
        let issued = try commit(request: request, decide: { teller, _ in try decide(teller) })
        let status = try store.read { try $0.card(number)?.status.rawValue } ?? "unknown"
        return CardEventResult(op: issued.response, card: number, status: status)
    }

    func cardResult(_ number: String, op: OpID) throws -> CardResult {
        guard case .cardIssued(let issued)? = try store.op(op)?.body else { preconditionFailure("op \(op) is not the issue of card \(number)") }
        return try store.read { state in
            guard let card = try state.card(number) else { preconditionFailure("card \(number) missing right after its issue") }
            return CardResult(card: number, member: card.member, type: card.type.rawValue, status: card.status.rawValue,
                              replaces: issued.replaces.isEmpty ? nil : issued.replaces,
                              discountPercent: card.pricePercent < 100 || card.type == .discount ? card.pricePercent : nil,
                              usesLeft: card.type == .punch ? try state.escrow(card.punchAccount).total : nil,
                              op: op.description)
        }
    }

    func couponResult(_ code: String, op: OpID?) throws -> CouponResult {
        try store.read { state in
            guard let c = try state.coupon(code) else { preconditionFailure("coupon \(code) missing after its op") }
            var result = CouponResult(op: op?.description, code: code, member: c.member, value: c.value.description, title: c.title, left: c.left)
            if !c.template.isEmpty {
                result.template = c.template; result.minSpend = c.minSpend.description
                result.validUntil = c.validUntil == 0 ? nil : CardLife.dayText(c.validUntil)
            }
            return result
        }
    }

    private func memberResult(_ id: String) throws -> MemberResult {
        try store.read { state in
            guard let m = try state.member(id) else {
                throw MMSError(.unknownMember, "There is no member \(id.prefix(Limits.maxIdentifierLength)).", details: ["member": String(id.prefix(Limits.maxIdentifierLength))])
            }
            let profile = try openProfile(m)
            var result = MemberResult(id: id, name: profile.name, phone: profile.maskedPhone, birthday: profile.birthday.isEmpty ? nil : profile.birthday, home: m.home,
                                      tier: try state.tier(of: m, on: Sales.day(wallMillis: self.clock())).rawValue,
                                      balance: Money(fen: try state.escrow(Cell.storedValue(member: id)).total).description,
                                      points: try PointsLots.usable(member: id, on: Sales.day(wallMillis: self.clock()), in: state), cards: nil)
            result.bonus = try state.bonus(of: id).description
            return result
        }
    }

    func openProfile(_ m: MemberView) throws -> MemberProfile {
        do {
            func open(_ sealed: [UInt8]) throws -> String { String(decoding: try secrets.open(sealed), as: UTF8.self) }
            return try MemberProfile(name: open(m.sealedName), phone: open(m.sealedPhone), birthday: open(m.sealedBirthday))
        } catch {
            throw MMSError(.storeFailure, "Member \(m.id)'s details cannot be opened with this node's chain secrets.")
        }
    }

    func showResult(member id: String, card: CardView?, historyLimit: Int) throws -> ShowResult {
        let history = try store.history(member: id, limit: historyLimit)
        let coupons = try store.read { try $0.coupons(of: id) }.map { try couponResult($0.code, op: nil) }
        return try store.read { state in
            guard let m = try state.member(id) else {
                throw MMSError(.unknownMember, "There is no member \(id.prefix(Limits.maxIdentifierLength)).")
            }
            let profile = try openProfile(m)
            let sv = try state.escrow(Cell.storedValue(member: id))
            let punch = try card.flatMap { $0.type == .punch ? try state.escrow($0.punchAccount) : nil }
            var show = ShowResult(
                card: card?.number, type: card?.type.rawValue, status: card?.status.rawValue,
                member: id, name: profile.name, phone: profile.maskedPhone, tier: try state.tier(of: m, on: Sales.day(wallMillis: self.clock())).rawValue,
                balance: Money(fen: sv.total).description, balanceHere: Money(fen: max(0, sv.rights(at: self.id))).description,
                rights: Dictionary(uniqueKeysWithValues: sv.holders.map { ($0.node.rawValue, Money(fen: $0.rights).description) }),
                points: try PointsLots.usable(member: id, on: Sales.day(wallMillis: self.clock()), in: state),
                usesLeft: punch?.total, discountPercent: card.flatMap { $0.pricePercent < 100 || $0.type == .discount ? $0.pricePercent : nil },
                pinFailures: card?.pinFailures,
                spent: m.netSpend.description, toppedUp: Money(fen: sv.totalCredited - m.refunded.fen).description,
                coupons: coupons, history: history.map(Self.historyItem))
            show.bonus = try state.bonus(of: id).description
            return show
        }
    }

    static func historyItem(_ op: Op) -> HistoryItem {
        let at = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(op.hlc.wallMillis) / 1000))
        var card: String?, amount: Money?, points: Int64?, uses: Int64?
        switch op.body {
        case .topUp(let p): card = p.card; amount = p.amount
        case .charge(let c): card = c.card; amount = c.amount; points = c.pointsEarned.value
        case .refund(let r): card = r.card; amount = r.amount
        case .pointsRedeemed(let p): card = p.card; points = p.points.value
        case .punchUsed(let p): card = p.card; uses = p.uses
        case .cardIssued(let c): card = c.number; uses = c.punchUses > 0 ? c.punchUses : nil
        case .couponIssued(let c): amount = c.value
        case .sale(let s): card = s.card.isEmpty ? nil : s.card; amount = s.total; points = s.pointsEarned.value
        case .expenseAdded(_, let spent, _): amount = spent
        case .saleReturned(let r): amount = r.amount; points = r.points.value
        case .pointsAwarded(_, let p, _, _): points = p.value
        case .pointsTransferred(let t): points = t.points.value
        case .balanceTransferred(let t): card = t.fromCard; amount = t.amount
        case .cardReturned(let r): card = r.card; amount = r.refunded
        default: break
        }
        return HistoryItem(op: op.id.description, kind: op.body.kind, at: at, card: card, amount: amount?.description, points: points, uses: uses)
    }

    static func paymentResult(_ op: Op, state: any StateReader, here: NodeID) throws -> PaymentResult {
        var card = "", member = "", amount: Money?, points: Int64?, uses: Int64?, earned: Int64?, usesAccount: String?, bonus: Money?
        switch op.body {
        case .topUp(let p): (card, member, amount, bonus) = (p.card, p.member, p.amount, p.bonus)
        case .charge(let c): (card, member, amount, earned, bonus) = (c.card, c.member, c.amount, c.pointsEarned.value, c.bonus)
        case .refund(let r): (card, member, amount, bonus) = (r.card, r.member, r.amount, r.bonus)
        case .pointsRedeemed(let p): (card, member, points) = (p.card, p.member, p.points.value)
        case .punchUsed(let p): (card, member, uses, usesAccount) = (p.card, p.member, p.uses, p.account)
        default: preconditionFailure("\(op.body.kind) is not a payment")
        }
        guard let view = try state.member(member) else { preconditionFailure("payment for unknown member \(member)") }
        var result = PaymentResult(
            op: op.id.description, kind: op.body.kind, card: card, member: member,
            amount: amount?.description, points: points, uses: uses,
            balance: Money(fen: try state.escrow(Cell.storedValue(member: member)).total).description,
            pointsBalance: try PointsLots.usable(member: member, on: Sales.day(wallMillis: op.hlc.wallMillis), in: state),
            pointsEarned: earned, usesLeft: try usesAccount.map { try state.escrow($0).total },
            tier: try state.tier(of: view, on: Sales.day(wallMillis: op.hlc.wallMillis)).rawValue, replayed: false)
        if let bonus {
            result.bonus = bonus.description
            result.bonusBalance = try state.bonus(of: member).description
        }
        return result
    }

    static func encodeResponse<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder.snakeCase.encode(value), as: UTF8.self)
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
    public static var snakeCase: JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }
}

/// Counts escrow refusals by kind (`rights_elsewhere`: the balance sufficed but the rights sat at
/// other nodes; `balance`: the balance itself was short). In memory: every till of a running node
/// goes through its process, so the count needs no store.
public final class RefusalCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    public init() {}
    public func count(_ kind: String) { lock.lock(); counts[kind, default: 0] += 1; lock.unlock() }
    public var snapshot: [String: Int] { lock.lock(); defer { lock.unlock() }; return counts }
}

/// This node's clock against the chain's (`ChainClock`): its peer sessions record what the peers
/// say, and the node stamps its own reading on what it sends. Shared by every view of the node.
public final class ClockWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var clock = ChainClock()
    private let wall: @Sendable () -> UInt64
    /// Milliseconds of a clock that never jumps (the system's uptime), to tell a wall clock that was set.
    public static let monotonicMillis: @Sendable () -> UInt64 = { DispatchTime.now().uptimeNanoseconds / 1_000_000 }

    public init(wall: @escaping @Sendable () -> UInt64) { self.wall = wall }

    public func heard(_ reading: ClockReading, from peer: NodeID) {
        let (wall, mono) = (wall(), Self.monotonicMillis())
        lock.lock(); clock.heard(reading, from: peer, wall: wall, mono: mono); lock.unlock()
    }

    public func reading() -> ClockReading {
        let (wall, mono) = (wall(), Self.monotonicMillis())
        lock.lock(); defer { lock.unlock() }
        return clock.reading(wall: wall, mono: mono)
    }

    public func verdict() -> ChainClock.Verdict {
        let (wall, mono) = (wall(), Self.monotonicMillis())
        lock.lock(); defer { lock.unlock() }
        return clock.verdict(wall: wall, mono: mono)
    }
}

/// Tells the running node's gossip layer that this node committed an op, in process: no one
/// polls the store.
public final class CommitSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var listener: (@Sendable () -> Void)?
    public init() {}
    public func listen(_ listener: @escaping @Sendable () -> Void) { lock.lock(); self.listener = listener; lock.unlock() }
    func fire() { lock.lock(); let listener = self.listener; lock.unlock(); listener?() }
}
