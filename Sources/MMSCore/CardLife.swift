/// The card's life after issue: balance moved between members' cards, the PIN changed, the card
/// returned for its principal, renewed past its validity. Each is one op decided at one branch,
/// within that branch's escrow rights where money moves, so nothing is created or destroyed.
public struct BalanceTransfer: Equatable, Sendable {
    public var fromMember: String
    public var fromCard: String
    public var toMember: String
    public var toCard: String
    public var amount: Money
    /// The sender's bonus that goes with `amount`, in the share it bears to their principal.
    public var bonus = Money(fen: 0)
    public init(fromMember: String, fromCard: String, toMember: String, toCard: String, amount: Money) {
        self.fromMember = fromMember; self.fromCard = fromCard; self.toMember = toMember; self.toCard = toCard; self.amount = amount
    }
}

/// 退卡: the card stops for good; the member's principal comes back the way `tender` says.
public struct CardReturn: Equatable, Sendable {
    public var card: String
    public var member: String
    /// The stored value refunded (the whole balance when this was the member's last stored-value card).
    public var refunded: Money
    public var tender: TenderKind
    /// The bonus balance, which is never refunded: it goes with the member's last stored-value card.
    public var bonusForfeited = Money(fen: 0)
    public init(card: String, member: String, refunded: Money, tender: TenderKind) {
        self.card = card; self.member = member; self.refunded = refunded; self.tender = tender
    }
}

public enum CardLife {
    /// `YYYYMMDD` for a day `YYYY-MM-DD`, the form a card's last day is kept in (a max-register:
    /// a renewal and a top-up's extension made at once keep the later day).
    public static func dayNumber(_ day: String) -> Int64 { Int64(day.replacingOccurrences(of: "-", with: "")) ?? 0 }

    public static func isDayNumber(_ number: Int64) -> Bool { (19_000_101...99_991_231).contains(number) && Sales.isDayShape(dayText(number)) }

    public static func dayText(_ number: Int64) -> String {
        String(format: "%04lld-%02lld-%02lld", number / 10_000, number / 100 % 100, number % 100)
    }

    /// The day `days` after `day` (both `YYYY-MM-DD`), by the proleptic Gregorian calendar.
    public static func day(_ day: String, plus days: Int64) -> String {
        // In days throughout: no day, however early, is turned into a negative time.
        Sales.day(epochDays: epochDays(day) + days)
    }

    /// Days from 1970-01-01 to `day` (`YYYY-MM-DD`, checked), by Howard Hinnant's days-from-civil.
    public static func epochDays(_ day: String) -> Int64 {
        let parts = day.split(separator: "-").compactMap { Int64($0) }
        precondition(parts.count == 3, "a day that was checked is YYYY-MM-DD")
        let (y, m, d) = (parts[1] <= 2 ? parts[0] - 1 : parts[0], parts[1], parts[2])
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

extension Cell {
    public static let cardProduct = "product", cardExpires = "expires", cardNoPoints = "no_points", cardReturned = "returned"
    /// A card with a first-day share: the branch and day of its issue, the cap, and what was spent that day.
    public static let cardIssuedBy = "issued_by", cardIssuedDay = "issued_day", cardFirstDayCap = "first_day_cap", cardFirstDaySpent = "first_day_spent"
    /// On a member's entity, one raise-once flag per card issued to them.
    public static let memberCardPrefix = "card:"
}

extension StateReader {
    /// Every card issued to `member` that this replica knows.
    public func cards(of member: String) throws -> [CardView] {
        try flags(entity: Cell.member(member)).filter { $0.hasPrefix(Cell.memberCardPrefix) }.sorted()
            .compactMap { try card(String($0.dropFirst(Cell.memberCardPrefix.count))) }
    }
}

extension Teller {
    /// A card issued as one of the program's card products: its type, discount or uses and
    /// validity from the product; a stored-value product's minimum first top-up is checked here
    /// (the top-up itself follows as its own op).
    public func issueCard(number: String, member: String, product id: String, pinHash: String, firstTopUp: Money?,
                          feeTender: TenderKind?, staff: String?) throws -> OpBody {
        let program = try state.program().program
        guard let product = program.cardProduct(id) else {
            throw MMSError(.invalidArgument, "The program has no card product “\(id.prefix(40))”.", details: ["product": String(id.prefix(40))])
        }
        if let minimum = product.minFirstTopup {
            guard let first = firstTopUp, first >= minimum else {
                throw MMSError(.invalidAmount, "A \(product.name) card is issued with a first top-up of at least \(minimum).",
                               details: ["product": id, "minimum": minimum.description])
            }
        }
        if firstTopUp != nil, product.type != .stored { throw MMSError(.invalidArgument, "Only a stored-value card takes a first top-up.") }
        // The first top-up follows as its own op: what would refuse it refuses the issue too.
        if let firstTopUp { try Self.requireValid(firstTopUp) }
        guard feeTender.map(TenderKind.money.contains) ?? true else { throw MMSError(.invalidArgument, "A card's fee is paid in cash, by bank card or by mobile payment.") }
        guard case .cardIssued(var issued) = try issueCard(number: number, member: member, type: product.type, pinHash: pinHash,
                                                           discountPercent: product.discount, punchUses: product.uses, staff: nil) else {
            preconditionFailure("issueCard issues a card")
        }
        issued.product = id
        // Valid for `validityDays` days counting the day of issue.
        issued.expires = product.validityDays.map { CardLife.dayNumber(CardLife.day(today, plus: $0 - 1)) } ?? 0
        issued.fee = product.fee ?? Money(fen: 0)
        issued.feeTender = product.fee == nil ? nil : feeTender ?? .cash
        issued.earnsPoints = product.earnsPoints
        if let share = product.firstDayShare, let firstTopUp { issued.firstDayCap = Sales.percentOf(firstTopUp, percent: share) }
        issued.staff = staff ?? ""
        issued.commission = try staffCommission(staff, setting: Settings.commissionPerCard, on: issued.fee)
        return .cardIssued(issued)
    }

    /// Moves `amount` of stored value from one member's card to another's, within what this
    /// branch may spend of the first. Never to a blocked or returned card, never to the same member.
    public func transferBalance(from: String, to: String, amount: Money) throws -> OpBody {
        let source = try payingCard(from, type: .stored)
        let target = try payingCard(to, type: .stored)
        try Self.requireValid(amount)
        guard source.member != target.member else {
            throw MMSError(.invalidArgument, "Cards \(from) and \(to) belong to the same member and share one balance.")
        }
        let principal = try state.escrow(Cell.storedValue(member: source.member))
        try requireRights(principal, amount.fen, code: .insufficientFunds, unit: { Money(fen: $0).description })
        // The bonus goes with the principal it came with: moving the principal alone would let the
        // other member have it refunded while this one keeps spending the bonus.
        let bonusAccount = try state.escrow(Cell.bonus(member: source.member))
        let bonus = Self.bonusShare(amount.fen, principal: principal.total, bonus: bonusAccount.total)
        if bonus > 0 { try requireRights(bonusAccount, bonus, code: .insufficientFunds, unit: Self.money, what: "bonus") }
        // A new card's first-day share covers what it gives away too.
        guard try firstDaySpend(source, amount).fen == 0 else {
            throw MMSError(.notPermitted, "Card \(from) cannot give its balance away on its day of issue.", details: ["card": from])
        }
        var transfer = BalanceTransfer(fromMember: source.member, fromCard: from, toMember: target.member, toCard: to, amount: amount)
        transfer.bonus = Money(fen: bonus)
        return .balanceTransferred(transfer)
    }

    /// A new PIN hash for a card (the old PIN was checked by the caller, or a manager resets it).
    public func changePIN(card number: String, pinHash: String) throws -> OpBody {
        _ = try payingCard(number, type: nil)
        return .pinChanged(card: number, pinHash: pinHash)
    }

    /// 退卡: the card stops paying everywhere. When it is the member's last stored-value card in
    /// use, the whole balance comes back (it must all be spendable here); otherwise the balance
    /// stays with the member's other cards.
    public func returnCard(_ number: String, tender: TenderKind) throws -> OpBody {
        let card = try payingCard(number, type: nil)
        guard TenderKind.money.contains(tender) else { throw MMSError(.invalidArgument, "A returned card's money goes back in cash, by bank or by mobile payment.") }
        var refunded = Money(fen: 0), forfeited = Money(fen: 0)
        if card.type == .stored, try !otherActiveStoredCard(of: card.member, besides: number) {
            let account = try state.escrow(Cell.storedValue(member: card.member))
            refunded = Money(fen: max(0, account.total))
            if refunded.fen > 0 { try requireRights(account, refunded.fen, code: .insufficientFunds, unit: { Money(fen: $0).description }) }
            // The bonus is never refunded: it goes with the last card, so all of it must be here too.
            forfeited = try state.bonus(of: card.member)
            if forfeited.fen > 0 { try requireRights(try state.escrow(Cell.bonus(member: card.member)), forfeited.fen, code: .insufficientFunds, unit: Self.money, what: "bonus") }
        }
        var returned = CardReturn(card: number, member: card.member, refunded: refunded, tender: tender)
        returned.bonusForfeited = forfeited
        return .cardReturned(returned)
    }

    /// 续卡: a card with a validity runs again for its product's days from today (or from its last
    /// day, if that is later). A card without one is refused: it never stops.
    public func renewCard(_ number: String) throws -> OpBody {
        guard let card = try state.card(number) else {
            throw MMSError(.unknownCard, "Card \(number.prefix(Limits.maxIdentifierLength)) is not known here.")
        }
        try Self.requireUsable(card)
        guard let product = try state.program().program.cardProduct(card.product), let days = product.validityDays else {
            throw MMSError(.invalidArgument, "Card \(number) has no validity to renew: it does not expire.", details: ["card": number])
        }
        // From today (counted) or, when it still runs, from the day after its last.
        let last = card.expires == 0 ? "" : CardLife.dayText(card.expires)
        let expires = last >= today ? CardLife.day(last, plus: days) : CardLife.day(today, plus: days - 1)
        return .cardRenewed(card: number, expires: CardLife.dayNumber(expires))
    }

    /// On a card's day of issue, stored value pays only at the branch that issued it and only up
    /// to its first-day share: the part of `amount` that counts against it (0 on any other day).
    /// One branch, one counter: the cap holds even if that day the network is down.
    func firstDaySpend(_ card: CardView, _ amount: Money) throws -> Money {
        guard card.firstDayCap.fen > 0, CardLife.dayNumber(today) == card.issuedDay else { return Money(fen: 0) }
        let details = ["card": card.number, "cap": card.firstDayCap.description, "spent": card.firstDaySpent.description]
        guard origin.rawValue == card.issuedBy else {
            throw MMSError(.notPermitted, "Card \(card.number) pays only at \(card.issuedBy) on its day of issue.", details: details)
        }
        guard card.firstDaySpent.fen + amount.fen <= card.firstDayCap.fen else {
            throw MMSError(.invalidAmount, "On its day of issue card \(card.number) may spend \(card.firstDayCap) in all; \(card.firstDaySpent) is spent.",
                           details: details)
        }
        return amount
    }

    func otherActiveStoredCard(of member: String, besides number: String) throws -> Bool {
        try state.cards(of: member).contains { $0.number != number && $0.type == .stored && $0.status == .active }
    }

    /// How far a top-up extends the card's validity, per its product (0: not at all).
    func validityExtension(forTopUpOf card: CardView) throws -> Int64 {
        guard let product = try state.program().program.cardProduct(card.product), product.extendOnTopup, let days = product.validityDays else { return 0 }
        return CardLife.dayNumber(CardLife.day(today, plus: days - 1))
    }
}
