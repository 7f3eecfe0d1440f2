/// The role a node plays in the chain; some op kinds are reserved to the head office.
public enum NodeRole: String, Sendable, CaseIterable, Codable {
    case branch, hq
}

/// The till's rules: given the replica's state, decides whether a request may become an op,
/// and which. Pure: state in, an op body or an `MMSError` out. The caller issues the op.
public struct Teller {
    public let state: any StateReader
    public let origin: NodeID
    public let role: NodeRole
    /// The wall clock of the op being decided (its HLC), from which every rule that depends on a
    /// date is decided, so every replica that reads the op agrees. Nil where no such rule can
    /// arise (replicas without a program, benchmarks).
    public let wallMillis: UInt64?

    public init(state: any StateReader, origin: NodeID, role: NodeRole, wallMillis: UInt64? = nil) {
        self.state = state; self.origin = origin; self.role = role; self.wallMillis = wallMillis
    }

    /// The op's day, China Standard Time.
    var today: String {
        guard let wallMillis else { preconditionFailure("a rule that depends on the date was decided without the op's time") }
        return Sales.day(wallMillis: wallMillis)
    }

    /// The slot the op's time falls in, China Standard Time (`Bookings`).
    var slotNow: Int64 {
        guard let wallMillis else { preconditionFailure("a rule that depends on the time was decided without the op's time") }
        return Bookings.slot(wallMillis: wallMillis)
    }

    // MARK: Members and cards

    public func addMember(_ added: MemberAdded) throws -> OpBody {
        guard try state.member(added.member) == nil else {
            throw MMSError(.invalidArgument, "Member \(added.member) already exists.")
        }
        if !added.referrer.isEmpty, try state.member(added.referrer) == nil {
            throw MMSError(.unknownMember, "There is no member \(added.referrer.prefix(Limits.maxIdentifierLength)) to have referred them.",
                           details: ["referrer": String(added.referrer.prefix(Limits.maxIdentifierLength))])
        }
        return .memberAdded(added)
    }

    public func issueCard(number: String, member: String, type: CardType, pinHash: String,
                          discountPercent: Int64?, punchUses: Int64?, staff: String? = nil) throws -> OpBody {
        try Identifier.validate(number, what: "card number")
        guard try state.member(member) != nil else {
            throw MMSError(.unknownMember, "There is no member \(member).", details: ["member": member])
        }
        guard try state.card(number) == nil else {
            throw MMSError(.cardExists, "Card \(number) is already issued.", details: ["card": number])
        }
        var issued = CardIssued(number: number, member: member, type: type, pinHash: pinHash, discountPercent: 0,
                                punchAccount: "", punchUses: 0, replaces: "")
        switch type {
        case .stored:
            guard punchUses == nil else { throw MMSError(.invalidArgument, "A stored-value card takes no punch uses.") }
            // With a discount, a stored-value discount card (储值折扣卡).
            if let percent = discountPercent {
                guard (1...100).contains(percent) else { throw MMSError(.invalidArgument, "--discount is the percent of the price paid (1–100, e.g. 95).") }
                issued.discountPercent = percent
            }
        case .discount:
            guard let percent = discountPercent, (1...100).contains(percent) else {
                throw MMSError(.invalidArgument, "A discount card needs --discount, the percent of the price paid (1–100, e.g. 95).")
            }
            issued.discountPercent = percent
        case .punch:
            guard let uses = punchUses, (1...Limits.maxPunchUses).contains(uses) else {
                throw MMSError(.invalidArgument, "A punch card needs --uses, from 1 to \(Limits.maxPunchUses).")
            }
            issued.punchAccount = "punch:\(number)"
            issued.punchUses = uses
        }
        issued.staff = staff ?? ""
        issued.commission = try staffCommission(staff, setting: Settings.commissionPerCard, on: Money(fen: 0))
        return .cardIssued(issued)
    }

    /// A new card takes over from `old`: same member, type and accounts; `old` is retired everywhere.
    public func replaceCard(old: String, new: String, pinHash: String) throws -> OpBody {
        let card = try existingCard(old)
        guard card.status != .retired else {
            throw MMSError(.cardBlocked, "Card \(old) was already replaced by \(card.replacedBy ?? "another card").", details: ["card": old])
        }
        guard card.status != .returned else { throw MMSError(.cardBlocked, "Card \(old) was returned; it cannot be replaced.", details: ["card": old]) }
        try Identifier.validate(new, what: "card number")
        guard try state.card(new) == nil else {
            throw MMSError(.cardExists, "Card \(new) is already issued.", details: ["card": new])
        }
        // The new card takes over what the old one was: its product, last day and points rule.
        var issued = CardIssued(number: new, member: card.member, type: card.type, pinHash: pinHash,
                                discountPercent: card.type == .punch ? 0 : card.discountPercent,
                                punchAccount: card.punchAccount, punchUses: 0, replaces: old)
        issued.product = card.product; issued.expires = card.expires; issued.earnsPoints = card.earnsPoints
        return .cardIssued(issued)
    }

    public func reportCard(_ number: String, _ report: CardReport) throws -> OpBody {
        _ = try existingCard(number)
        return .cardReported(card: number, report: report)
    }

    /// Clears the wrong-PIN count: covers every failure this replica has seen.
    public func unlockPIN(_ number: String) throws -> OpBody {
        _ = try existingCard(number)
        return .pinUnlocked(card: number, observedFailures: try state.counter(entity: Cell.card(number), name: Cell.pinFailures))
    }

    // MARK: PIN

    public enum PINCheck: Equatable, Sendable {
        case accepted
        /// Wrong PIN: the caller records `record` (it counts towards the lockout everywhere) and refuses.
        case refused(record: OpBody, error: MMSError)
    }

    /// Checks that `card` may pay and that `pin` is right. `verify` runs the (slow) Argon2id check.
    public static func checkPIN(card: CardView, pin: String?, verify: (_ pin: String, _ hash: String) -> Bool) throws -> PINCheck {
        try requireUsable(card)
        guard !card.pinHash.isEmpty else { return .accepted }
        guard let pin, !pin.isEmpty else {
            throw MMSError(.pinRequired, "Card \(card.number) needs its PIN.", details: ["card": card.number])
        }
        if verify(pin, card.pinHash) { return .accepted }
        let left = Limits.maxPinFailures - card.pinFailures - 1
        let error = left > 0
            ? MMSError(.wrongPIN, "Wrong PIN. \(left) more wrong entr\(left == 1 ? "y" : "ies") will lock the card.",
                       details: ["card": card.number, "attempts_left": String(left)])
            : MMSError(.wrongPIN, "Wrong PIN. The card is now locked; a manager can unlock it.",
                       details: ["card": card.number, "attempts_left": "0"])
        return .refused(record: .pinFailed(card: card.number), error: error)
    }

    // MARK: Money, points and uses

    /// Money onto a stored-value card, paid in cash (into this till's drawer), by bank card or by
    /// mobile payment; the staff member credited earns head office's top-up commission.
    public func topUp(card number: String, amount: Money, tender: TenderKind? = nil, reference: String = "", staff: String? = nil) throws -> OpBody {
        let card = try payingCard(number, type: .stored)
        try Self.requireValid(amount)
        guard tender.map(TenderKind.money.contains) ?? true else { throw MMSError(.invalidArgument, "A top-up is paid in cash, by bank card or by mobile payment.") }
        try Catalogue.validateText(reference, "tender reference", max: 60, allowEmpty: true)
        var payment = Payment(member: card.member, card: number, amount: amount, tender: tender, reference: reference, staff: staff ?? "",
                              commission: try staffCommission(staff, setting: Settings.commissionPerTopUp, on: amount))
        payment.extendsTo = try validityExtension(forTopUpOf: card)
        payment.bonus = try topUpBonus(amount)
        return .topUp(payment)
    }

    /// Pays `amount` from stored value. With `partial`, when this branch's rights fall short it
    /// takes what they cover (the cashier collects the rest by other tender); refused only if none.
    public func charge(card number: String, amount: Money, partial: Bool = false) throws -> OpBody {
        let card = try payingCard(number, type: .stored)
        try Self.requireValid(amount)
        let (taken, bonus) = try spendStored(member: card.member, amount: amount, partial: partial)
        // Points are earned on the principal spent, never on the bonus.
        var charge = Charge(member: card.member, card: number, amount: taken, pointsEarned: try pointsFor(taken - bonus, member: card.member, card: card))
        charge.bonus = bonus
        charge.firstDay = try firstDaySpend(card, taken)
        return .charge(charge)
    }

    /// Refunds part or all of an earlier charge back to stored value, at the branch holding the
    /// charge's refundable rights (the one that took it, unless they were moved).
    public func refund(card number: String, charge: OpID, amount: Money) throws -> OpBody {
        let card = try payingCard(number, type: .stored)
        try Self.requireValid(amount)
        let refundable = try state.escrow(Cell.refundable(charge: charge))
        guard !refundable.nodes.isEmpty else {
            throw MMSError(.invalidArgument, "There is no charge \(charge) here to refund.", details: ["charge": charge.description])
        }
        // Charges from before the payer was recorded carry no name: those are taken as they come.
        if let payer = try state.texts(entity: Cell.refundable(charge: charge))[Cell.refundMember], payer != card.member {
            throw MMSError(.invalidArgument, "Charge \(charge) was paid by another member; it is refunded to their card.",
                           details: ["charge": charge.description, "card": number])
        }
        try requireRights(refundable, amount.fen, code: .invalidAmount, unit: { Money(fen: $0).description },
                          what: "refundable amount of charge \(charge)")
        var refund = Refund(member: card.member, card: number, amount: amount, charge: charge)
        refund.bonus = try bonusBack(of: charge, amount: amount)
        return .refund(refund)
    }

    public func redeemPoints(card number: String, points: Points) throws -> OpBody {
        let card = try payingCard(number, type: nil)
        guard points.value > 0, points <= Limits.maxPoints else {
            throw MMSError(.invalidAmount, "Points to redeem must be from 1 to \(Limits.maxPoints).")
        }
        var redeemed = PointsRedeemed(member: card.member, card: number, points: points)
        redeemed.lots = try takePoints(points.value, of: card.member)
        return .pointsRedeemed(redeemed)
    }

    /// Uses of a punch card. A card of a product that names its services pays only for those:
    /// `service` names which (it may be left out when the product names just one).
    public func usePunch(card number: String, uses: Int64, service: String? = nil) throws -> OpBody {
        let card = try payingCard(number, type: .punch)
        guard (1...Limits.maxPunchUses).contains(uses) else {
            throw MMSError(.invalidAmount, "Uses must be from 1 to \(Limits.maxPunchUses).")
        }
        let services = try state.program().program.cardProduct(card.product)?.services ?? []
        let paidFor = service ?? (services.count == 1 ? services[0] : nil)
        if !services.isEmpty {
            guard let paidFor, services.contains(paidFor) else {
                throw MMSError(.invalidArgument, "Card \(number) pays for \(services.joined(separator: ", ")) only\(service.map { ", not \($0.prefix(40))" } ?? ": name the service").",
                               details: ["card": number, "services": services.joined(separator: ",")])
            }
        }
        try requireRights(try state.escrow(card.punchAccount), uses, code: .noUsesLeft, unit: { "\($0)" })
        var used = PunchUsed(member: card.member, card: number, account: card.punchAccount, uses: uses)
        used.service = services.isEmpty ? "" : paidFor ?? ""
        return .punchUsed(used)
    }

    /// Gives a member a single-use coupon; this node holds the right to redeem it.
    public func issueCoupon(code: String, member: String, value: Money, title: String) throws -> OpBody {
        try Identifier.validate(code, what: "coupon code")
        guard try state.member(member) != nil else {
            throw MMSError(.unknownMember, "There is no member \(member).", details: ["member": member])
        }
        guard try state.coupon(code) == nil else {
            throw MMSError(.couponExists, "Coupon \(code) already exists.", details: ["coupon": code])
        }
        guard value.fen >= 0, value <= Limits.maxAmount else {
            throw MMSError(.invalidAmount, "A coupon's value must be from 0.00 to \(Limits.maxAmount).")
        }
        guard title.count <= Limits.maxTextLength else { throw MMSError(.invalidArgument, "The coupon title is too long.") }
        return .couponIssued(CouponIssued(code: code, member: member, value: value, title: title))
    }

    /// Uses a coupon once; a second use anywhere is impossible (its one right can be spent once).
    public func redeemCoupon(code: String) throws -> OpBody {
        guard let coupon = try state.coupon(code) else {
            throw MMSError(.unknownCoupon, "Coupon \(code.prefix(Limits.maxIdentifierLength)) is not known here.", details: ["coupon": String(code.prefix(Limits.maxIdentifierLength))])
        }
        try requireUsable(coupon)
        try requireRights(try state.escrow(Cell.coupon(code)), 1, code: .couponUsed, unit: { "\($0)" }, what: "coupon \(code)")
        return .couponRedeemed(code: code, member: coupon.member)
    }

    /// A coupon not used yet and within its days (the one use's rights are checked apart).
    func requireUsable(_ coupon: CouponView) throws {
        guard coupon.left > 0 else { throw MMSError(.couponUsed, "Coupon \(coupon.code) was already used.", details: ["coupon": coupon.code]) }
        if coupon.validUntil != 0, CardLife.dayNumber(today) > coupon.validUntil {
            throw MMSError(.couponExpired, "Coupon \(coupon.code) could be used until \(CardLife.dayText(coupon.validUntil)).",
                           details: ["coupon": coupon.code, "valid_until": CardLife.dayText(coupon.validUntil)])
        }
    }

    /// Moves escrow rights of `account` from this node to `to`.
    public func transferRights(account: String, to: NodeID, amount: Int64) throws -> OpBody {
        guard to != origin else { throw MMSError(.invalidArgument, "Rights cannot be moved to the node that holds them.") }
        // Every replica refuses an op naming an account that is not an identifier: never issue one.
        try Identifier.validate(account, what: "account")
        guard amount > 0, amount <= Limits.maxAmount.fen else { throw MMSError(.invalidAmount, "Transfer amount out of range.") }
        try requireRights(try state.escrow(account), amount, code: .insufficientFunds, unit: { "\($0)" })
        return .rightsTransferred(RightsTransferred(account: account, to: to, amount: amount))
    }

    public func setSetting(key: String, value: String) throws -> OpBody {
        guard role == .hq else { throw MMSError(.notPermitted, "Only the head office can change chain settings.") }
        try Settings.validate(key: key, value: value)
        return .settingSet(key: key, value: value)
    }

    // MARK: The catalogue (head-office operators, at any node: `Action.editCatalogue`)

    /// A new product (`isNew`), complete, under a SKU not yet used; or a change to some fields
    /// of a product the replica knows.
    public func setProduct(_ change: ProductSet, isNew: Bool) throws -> OpBody {
        let existing = try Catalogue.product(change.sku, in: state)
        if isNew, existing != nil {
            throw MMSError(.productExists, "Product \(change.sku) already exists; change it with `product edit`.", details: ["sku": change.sku])
        }
        if !isNew, existing == nil { throw MMSError(.unknownProduct, "There is no product \(change.sku).", details: ["sku": change.sku]) }
        try Catalogue.validate(change, isNew: isNew)
        return .productSet(change)
    }

    /// A branch's own price for a product (nil: back to the list price).
    public func setBranchPrice(sku: String, branch: NodeID, price: Money?) throws -> OpBody {
        guard try Catalogue.product(sku, in: state) != nil else {
            throw MMSError(.unknownProduct, "There is no product \(sku).", details: ["sku": sku])
        }
        if let price, price > Limits.maxAmount { throw MMSError(.invalidAmount, "The price must be from 0.00 to \(Limits.maxAmount).") }
        return .priceSet(sku: sku, branch: branch, price: price)
    }

    // MARK: Rules shared by the requests above

    public static func requireValid(_ amount: Money) throws {
        guard amount.fen > 0 else { throw MMSError(.invalidAmount, "The amount must be more than 0.00.", details: ["amount": amount.description]) }
        guard amount <= Limits.maxAmount else {
            throw MMSError(.invalidAmount, "The amount is over the limit of \(Limits.maxAmount) per transaction.",
                           details: ["amount": amount.description, "limit": Limits.maxAmount.description])
        }
    }

    /// Points for `paid`, per whole yuan (the program's rate, else the chain setting's; a sale's
    /// `lines` of a category with its own rate earn by it, each on its share of `paid`), times the
    /// member's tier multiplier and the day's (member day, events), rounded down.
    func pointsFor(_ paid: Money, member: String, card: CardView, lines: [SaleLine] = []) throws -> Points {
        guard card.earnsPoints, paid.fen > 0 else { return Points(0) }
        let (version, program) = try state.program()
        let rule = program.points
        var base: Int64
        if version == 0 {
            base = paid.fen / 100 * (Int64(try state.setting(Settings.pointsPerYuan)) ?? 0)
        } else if rule.categories.isEmpty || lines.isEmpty {
            base = paid.fen / 100 * rule.perYuan
        } else {
            // Each line's share of what was paid, in whole yuan, at its category's rate.
            let total = lines.map(\.amount.fen).reduce(0, +)
            base = 0
            for line in lines where total > 0 {
                let category = line.sku.isEmpty ? nil : try Catalogue.product(line.sku, in: state)?.category
                base += line.amount.fen * paid.fen / total / 100 * rule.perYuan(category: category)
            }
        }
        let tier = try tierRule(member)?.pointsMultiplier ?? 100
        let day = rule.memberDay == nil && rule.events.isEmpty ? 100 : rule.multiplier(on: today)
        // The largest rates together could pass what one op may carry: it carries the most it may.
        return Points(min(base * tier / 100 * day / 100, Limits.maxPoints.value))
    }

    /// The program's rule for the member's tier, if the program names tiers.
    func tierRule(_ member: String) throws -> TierRule? {
        guard let view = try state.member(member) else { return nil }
        let program = try state.program().program
        // Without a review the tier needs no date (so rules without one decide without the op's time).
        return program.tier(program.tierReview == nil ? view.tier : try state.tier(of: view, on: today))
    }

    func existingCard(_ number: String) throws -> CardView {
        guard let card = try state.card(number) else {
            throw MMSError(.unknownCard, "Card \(number.prefix(Limits.maxIdentifierLength)) is not known here.", details: ["card": String(number.prefix(Limits.maxIdentifierLength))])
        }
        return card
    }

    func payingCard(_ number: String, type: CardType?) throws -> CardView {
        let card = try existingCard(number)
        try Self.requireUsable(card)
        // Checked only for a card that has a last day, so only ops decided with their time reach `today`.
        if card.expires != 0, CardLife.dayNumber(today) > card.expires {
            throw MMSError(.cardExpired, "Card \(number) expired on \(CardLife.dayText(card.expires)); renew it to pay (its balance is kept).",
                           details: ["card": number, "expired": CardLife.dayText(card.expires)])
        }
        if let type, card.type != type {
            throw MMSError(.wrongCardType, "Card \(number) is a \(card.type.rawValue) card; this needs a \(type.rawValue) card.",
                           details: ["card": number, "type": card.type.rawValue])
        }
        return card
    }

    static func requireUsable(_ card: CardView) throws {
        let details = ["card": card.number, "status": card.status.rawValue]
        switch card.status {
        case .active: return
        case .locked: throw MMSError(.pinLocked, "Card \(card.number) is locked after too many wrong PINs; a manager can unlock it.", details: details)
        case .blocked: throw MMSError(.cardBlocked, "Card \(card.number) is blocked.", details: details)
        case .lost: throw MMSError(.cardBlocked, "Card \(card.number) was reported lost and is blocked.", details: details)
        case .retired:
            throw MMSError(.cardBlocked, "Card \(card.number) was replaced by card \(card.replacedBy ?? "?") and no longer pays.", details: details)
        case .returned: throw MMSError(.cardBlocked, "Card \(card.number) was returned and no longer pays.", details: details)
        }
    }

    /// Refuses with the numbers when this node's escrow rights cannot cover `amount`.
    func requireRights(_ account: EscrowAccount, _ amount: Int64, code: MMSError.Code,
                               unit: (Int64) -> String, what: String? = nil) throws {
        let here = account.rights(at: origin)
        guard here < amount else { return }
        let elsewhere = account.holders.filter { $0.node != origin && $0.rights > 0 }
        var details = ["requested": unit(amount), "balance": unit(account.total), "rights_here": unit(Swift.max(0, here))]
        if !elsewhere.isEmpty {
            details["held_elsewhere"] = elsewhere.map { "\($0.node)=\(unit($0.rights))" }.joined(separator: ",")
        }
        let subject = what ?? "balance"
        let message = account.total < amount
            ? "Not enough: the \(subject) is \(unit(account.total)), \(unit(amount)) was asked."
            : "Only \(unit(Swift.max(0, here))) of the \(subject) \(unit(account.total)) can be used at this branch now; the rest is held at \(elsewhere.map(\.node.rawValue).joined(separator: ", "))."
        throw MMSError(code, message, details: details)
    }
}
