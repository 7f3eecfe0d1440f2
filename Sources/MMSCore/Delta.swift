/// The state of a replica is four kinds of CRDT cell. An op's effect is a list of deltas on
/// cells; every delta merges commutatively and the op log applies each op once, so the same op
/// set in any order gives the same cells.
public enum Delta: Equatable, Sendable {
    /// Add to the grow-only counter `(entity, name)` at `node` (one slot per node: a G-counter).
    case add(entity: String, name: String, node: NodeID, amount: Int64)
    /// Raise the max-register `(entity, name)` to at least `value`.
    case max(entity: String, name: String, value: Int64)
    /// Write the last-writer-wins register `(entity, name)`; the highest `(hlc, origin)` wins.
    case set(entity: String, name: String, value: [UInt8], stamp: LWWStamp)
    /// Raise the flag `(entity, name)`; once raised it never falls ("lost wins").
    case raise(entity: String, name: String)
}

/// Orders concurrent register writes: HLC first, origin id as the tiebreak.
public struct LWWStamp: Comparable, Hashable, Sendable {
    public let hlc: HLC
    public let origin: NodeID
    public init(hlc: HLC, origin: NodeID) { self.hlc = hlc; self.origin = origin }
    public static func < (a: LWWStamp, b: LWWStamp) -> Bool { (a.hlc, a.origin) < (b.hlc, b.origin) }
}

/// Names of entities and cells. One place, so the fold and the views cannot drift apart.
public enum Cell {
    public static func member(_ id: String) -> String { "member:\(id)" }
    /// The member an entity is, or nil when it is not a member's.
    public static func memberID(_ entity: String) -> String? { entity.hasPrefix("member:") ? String(entity.dropFirst(7)) : nil }
    public static func card(_ number: String) -> String { "card:\(number)" }
    public static let settings = "settings"

    // Accounts: bounded counters with escrow.
    public static func storedValue(member: String) -> String { "sv:\(member)" }
    public static func refundable(charge: OpID) -> String { "refund:\(charge.origin.rawValue)/\(charge.seq)" }
    /// The member's bonus balance (充值赠送), an escrow account beside the principal.
    public static func bonus(member: String) -> String { "bonus:\(member)" }
    /// What a charge or sale took from the bonus and has not yet given back.
    public static func refundableBonus(charge: OpID) -> String { "refund-bonus:\(charge.origin.rawValue)/\(charge.seq)" }
    /// A single-use coupon: an account of one use, plus its registers (member, value, title).
    public static func coupon(_ code: String) -> String { "coupon:\(code)" }
    public static let couponValue = "value", couponTitle = "title"

    // Escrow counters of an account, one slot per node.
    public static let credited = "credited", debited = "debited", movedIn = "moved_in", movedOut = "moved_out"

    // Member registers, counters and maxima.
    public static let name = "name", phone = "phone", birthday = "birthday", phoneIndex = "phone_index", home = "home"
    // Top-ups and points earned or redeemed are not kept apart: they are the escrow accounts' credits and debits.
    public static let spent = "spent", refunded = "refunded", largestTopUp = "largest_topup", returnedOther = "returned_other"
    /// When the member last paid or topped up at a node (HLC wall millis): where rights should sit.
    public static let visitedPrefix = "visited:"
    public static func visited(_ node: NodeID) -> String { visitedPrefix + node.rawValue }

    // Card registers, flags and counters.
    public static let cardMember = "member", cardType = "type", pinHash = "pin_hash", discount = "discount", punchAccount = "punch_account"
    public static let pinFailures = "pin_failed"
    public static func pinUnlocked(_ node: NodeID) -> String { "pin_unlocked:\(node.rawValue)" }
    public static let retired = "retired", replacedBy = "replaced_by"
    public static func reported(_ report: CardReport) -> String { report.rawValue }

    /// A member's value of one of head office's extra fields, sealed.
    public static let memberFieldPrefix = "field:"
    /// The digest of the member's photo in force (the last taken wins).
    public static let memberPhoto = "photo"

    // Bookings: registers of the booking, a flag per booking on the branch's day and on the member.
    public static let bookingPrefix = "booking:"
    public static func booking(_ id: String) -> String { bookingPrefix + id }
    public static func bookings(branch: NodeID, day: Int64) -> String { "bookings:\(branch.rawValue):\(day)" }
    public static let bookingMember = "member", bookingBranch = "branch", bookingService = "service", bookingSlot = "slot", cancelled = "cancelled"
}

extension Op {
    /// The deterministic effect of this op on the state cells.
    public var deltas: [Delta] {
        let origin = id.origin
        let stamp = LWWStamp(hlc: hlc, origin: origin)
        func escrow(_ account: String, _ name: String, _ node: NodeID, _ amount: Int64) -> Delta {
            .add(entity: account, name: name, node: node, amount: amount)
        }
        func text(_ s: String) -> [UInt8] { Array(s.utf8) }
        /// The op's year, China Standard Time: the year points and figures count in.
        func year() -> String { String(Sales.day(wallMillis: hlc.wallMillis).prefix(4)) }
        /// Points credited to the member's lot of `lotYear` (the op's year for points earned now)
        /// at `node`, and counted there: the lot expires by the year it was earned in.
        func credited(_ member: String, _ points: Int64, lot lotYear: Int? = nil, at node: NodeID? = nil) -> [Delta] {
            let lotYear = lotYear ?? Int(year())!
            return [escrow(Cell.points(member: member, year: lotYear), Cell.credited, node ?? origin, points),
                    .add(entity: Cell.member(member), name: Cell.pointsLot(year: lotYear), node: origin, amount: points)]
        }
        /// Points spent from the lots the deciding node took them from. An op from before lots were
        /// recorded took its points from the lot of its own year.
        func debited(_ member: String, _ lots: [LotPoints], total: Int64) -> [Delta] {
            (lots.isEmpty ? [LotPoints(year: Int(year())!, points: total)] : lots)
                .map { escrow(Cell.points(member: member, year: $0.year), Cell.debited, origin, $0.points) }
        }
        /// A staff member's commission for a top-up or a card, in the month of the op.
        func credit(_ staff: String, _ commission: Money, _ counter: String, _ amount: Int64) -> [Delta] {
            let e = Cell.commission(month: Sales.month(wallMillis: hlc.wallMillis), staff: staff)
            return [.add(entity: e, name: Cell.commissionEarned, node: origin, amount: commission.fen), .add(entity: e, name: counter, node: origin, amount: amount)]
        }
        /// This op's till and day: where its cash counts for the daily close.
        func tillDay() -> String { Cell.tillDay(branch: origin, till: actor.till, day: Sales.day(wallMillis: hlc.wallMillis)) }
        func visit(_ member: String) -> Delta { .max(entity: Cell.member(member), name: Cell.visited(origin), value: Int64(hlc.wallMillis)) }
        /// Stored value spent by this op: its principal and bonus parts, each refundable here later.
        func storedSpend(_ member: String, _ amount: Money, bonus: Money) -> [Delta] {
            var d = [escrow(Cell.refundable(charge: id), Cell.credited, origin, amount.fen),
                     // Whose it was: a refund goes back to the member who paid, never to another's card.
                     .set(entity: Cell.refundable(charge: id), name: Cell.refundMember, value: text(member), stamp: stamp)]
            if amount.fen > bonus.fen { d.append(escrow(Cell.storedValue(member: member), Cell.debited, origin, (amount - bonus).fen)) }
            if bonus.fen > 0 {
                d += [escrow(Cell.bonus(member: member), Cell.debited, origin, bonus.fen),
                      escrow(Cell.refundableBonus(charge: id), Cell.credited, origin, bonus.fen)]
            }
            return d
        }
        /// Stored value given back for what `spend` took: `bonus` of it to the bonus balance.
        func storedBack(_ member: String, _ amount: Money, bonus: Money, of spend: OpID) -> [Delta] {
            var d = [escrow(Cell.refundable(charge: spend), Cell.debited, origin, amount.fen)]
            if amount.fen > bonus.fen { d.append(escrow(Cell.storedValue(member: member), Cell.credited, origin, (amount - bonus).fen)) }
            if bonus.fen > 0 {
                d += [escrow(Cell.refundableBonus(charge: spend), Cell.debited, origin, bonus.fen),
                      escrow(Cell.bonus(member: member), Cell.credited, origin, bonus.fen)]
            }
            return d
        }

        switch body {
        case .memberAdded(let m):
            let e = Cell.member(m.member)
            return [
                .set(entity: e, name: Cell.name, value: m.sealedName, stamp: stamp),
                .set(entity: e, name: Cell.phone, value: m.sealedPhone, stamp: stamp),
                .set(entity: e, name: Cell.birthday, value: m.sealedBirthday, stamp: stamp),
                .set(entity: e, name: Cell.phoneIndex, value: m.phoneIndex, stamp: stamp),
                .set(entity: e, name: Cell.home, value: text(origin.rawValue), stamp: stamp),
                .max(entity: e, name: Cell.joined, value: CardLife.dayNumber(Sales.day(wallMillis: hlc.wallMillis))),
            ] + (m.referrer.isEmpty ? [] : [.set(entity: e, name: Cell.referrer, value: text(m.referrer), stamp: stamp)])
        case .cardIssued(let c):
            let e = Cell.card(c.number)
            var d: [Delta] = [
                .set(entity: e, name: Cell.cardMember, value: text(c.member), stamp: stamp),
                .set(entity: e, name: Cell.cardType, value: text(c.type.rawValue), stamp: stamp),
                .set(entity: e, name: Cell.pinHash, value: text(c.pinHash), stamp: stamp),
                .set(entity: e, name: Cell.discount, value: text(String(c.discountPercent)), stamp: stamp),
                .set(entity: e, name: Cell.punchAccount, value: text(c.punchAccount), stamp: stamp),
            ]
            if c.punchUses > 0 { d.append(escrow(c.punchAccount, Cell.credited, origin, c.punchUses)) }
            d.append(.raise(entity: Cell.member(c.member), name: Cell.memberCardPrefix + c.number))
            if !c.product.isEmpty { d.append(.set(entity: e, name: Cell.cardProduct, value: text(c.product), stamp: stamp)) }
            if c.firstDayCap.fen > 0 {
                d += [.set(entity: e, name: Cell.cardIssuedBy, value: text(origin.rawValue), stamp: stamp),
                      .max(entity: e, name: Cell.cardIssuedDay, value: CardLife.dayNumber(Sales.day(wallMillis: hlc.wallMillis))),
                      .max(entity: e, name: Cell.cardFirstDayCap, value: c.firstDayCap.fen)]
            }
            if c.expires > 0 { d.append(.max(entity: e, name: Cell.cardExpires, value: c.expires)) }
            if !c.earnsPoints { d.append(.set(entity: e, name: Cell.cardNoPoints, value: text("1"), stamp: stamp)) }
            if c.companion { d.append(.raise(entity: Cell.member(c.member), name: Cell.companionPrefix + c.number)) }
            if c.feeTender == .cash { d.append(.add(entity: tillDay(), name: Cell.tillCashIn, node: origin, amount: c.fee.fen)) }
            if !c.staff.isEmpty { d += credit(c.staff, c.commission, Cell.commissionCards, 1) }
            if !c.replaces.isEmpty {
                d.append(.raise(entity: Cell.card(c.replaces), name: Cell.retired))
                d.append(.set(entity: Cell.card(c.replaces), name: Cell.replacedBy, value: text(c.number), stamp: stamp))
            }
            return d
        case .cardReported(let card, let report):
            return [.raise(entity: Cell.card(card), name: Cell.reported(report))]
        case .pinFailed(let card):
            return [.add(entity: Cell.card(card), name: Cell.pinFailures, node: origin, amount: 1)]
        case .pinUnlocked(let card, let observed):
            return observed.sorted { $0.key < $1.key }.map { .max(entity: Cell.card(card), name: Cell.pinUnlocked($0.key), value: $0.value) }
        case .topUp(let p):
            let m = Cell.member(p.member)
            var d: [Delta] = [
                escrow(Cell.storedValue(member: p.member), Cell.credited, origin, p.amount.fen),
                .max(entity: m, name: Cell.largestTopUp, value: p.amount.fen),
                .max(entity: m, name: Cell.yearly(Cell.largestTopUp, year()), value: p.amount.fen),
                visit(p.member),
            ]
            if p.tender == .cash { d.append(.add(entity: tillDay(), name: Cell.tillCashIn, node: origin, amount: p.amount.fen)) }
            if p.extendsTo > 0 { d.append(.max(entity: Cell.card(p.card), name: Cell.cardExpires, value: p.extendsTo)) }
            if p.bonus.fen > 0 { d.append(escrow(Cell.bonus(member: p.member), Cell.credited, origin, p.bonus.fen)) }
            if !p.staff.isEmpty { d += credit(p.staff, p.commission, Cell.commissionTopUps, p.amount.fen) }
            return d
        case .charge(let c):
            let m = Cell.member(c.member)
            let firstDay: [Delta] = c.firstDay.fen > 0 ? [.add(entity: Cell.card(c.card), name: Cell.cardFirstDaySpent, node: origin, amount: c.firstDay.fen)] : []
            var d: [Delta] = storedSpend(c.member, c.amount, bonus: c.bonus) + [
                .add(entity: m, name: Cell.spent, node: origin, amount: c.amount.fen),
                .add(entity: m, name: Cell.yearly(Cell.spent, year()), node: origin, amount: c.amount.fen),
                visit(c.member),
            ] + firstDay
            if c.pointsEarned.value > 0 { d += credited(c.member, c.pointsEarned.value) }
            return d
        case .refund(let r):
            return storedBack(r.member, r.amount, bonus: r.bonus, of: r.charge) + [
                .add(entity: Cell.member(r.member), name: Cell.refunded, node: origin, amount: r.amount.fen),
                .add(entity: Cell.member(r.member), name: Cell.yearly(Cell.givenBack, year()), node: origin, amount: r.amount.fen),
            ]
        case .pointsRedeemed(let p):
            var d = debited(p.member, p.lots, total: p.points.value)
            // A gift leaves this branch's shelf like a sold unit.
            if !p.sku.isEmpty { d.append(escrow(Cell.stock(branch: origin, sku: p.sku), Cell.stockSold, origin, 1)) }
            return d
        case .punchUsed(let p):
            return [escrow(p.account, Cell.debited, origin, p.uses), visit(p.member)]
        case .rightsTransferred(let t):
            return [escrow(t.account, Cell.movedOut, origin, t.amount), escrow(t.account, Cell.movedIn, t.to, t.amount)]
        case .settingSet(let key, let value):
            return [.set(entity: Cell.settings, name: key, value: text(value), stamp: stamp)]
        case .productSet(let p):
            let e = Cell.product(p.sku)
            func field(_ name: String, _ value: String?) -> Delta? { value.map { .set(entity: e, name: name, value: text($0), stamp: stamp) } }
            return [
                field(Cell.productName, p.name), field(Cell.productKind, p.kind?.rawValue), field(Cell.productCategory, p.category),
                field(Cell.productPrice, p.price.map { String($0.fen) }), field(Cell.productBarcode, p.barcode), field(Cell.productUnit, p.unit),
                field(Cell.productActive, p.active.map { $0 ? "1" : "0" }), field(Cell.productCommission, p.commission?.description),
            ].compactMap { $0 }
        case .sale(let s):
            var d: [Delta] = []
            if !s.member.isEmpty {
                d += [.add(entity: Cell.member(s.member), name: Cell.spent, node: origin, amount: s.total.fen), visit(s.member),
                      .add(entity: Cell.member(s.member), name: Cell.yearly(Cell.spent, year()), node: origin, amount: s.total.fen)]
                if s.pointsEarned.value > 0 { d += credited(s.member, s.pointsEarned.value) }
            }
            if s.firstDay.fen > 0 { d.append(.add(entity: Cell.card(s.card), name: Cell.cardFirstDaySpent, node: origin, amount: s.firstDay.fen)) }
            if s.stored.fen > 0 {
                // The stored-value part can be refunded like a charge's, at this branch.
                d += storedSpend(s.member, s.stored, bonus: s.bonus)
            }
            for line in s.lines where line.goods {
                d.append(escrow(Cell.stock(branch: origin, sku: line.sku), Cell.stockSold, origin, line.quantity))
            }
            for tender in s.tenders {
                if tender.kind == .coupon { d.append(escrow(Cell.coupon(tender.reference), Cell.debited, origin, 1)) }
                if tender.kind == .points { d += debited(s.member, tender.lots, total: tender.units) }
                // A punch card's uses pay its service lines: the tender names the card's uses account.
                if tender.kind == .punch { d.append(escrow(tender.reference, Cell.debited, origin, tender.units)) }
            }
            // The drawer: the cash this till took, less the change it gave.
            let cash = s.tenders.filter { $0.kind == .cash }.map(\.amount.fen).reduce(0, +) - s.change.fen
            if cash > 0 { d.append(.add(entity: tillDay(), name: Cell.tillCashIn, node: origin, amount: cash)) }
            // The sale's own record, for returns: its lines and tenders, and the month it counts in.
            let month = Sales.month(wallMillis: hlc.wallMillis)
            d += [.set(entity: Cell.sale(id), name: Cell.saleBody, value: text(SaleCells.encode(s)), stamp: stamp),
                  .set(entity: Cell.sale(id), name: Cell.saleMonth, value: text(month), stamp: stamp),
                  .set(entity: Cell.sale(id), name: Cell.saleDay, value: text(Sales.day(wallMillis: hlc.wallMillis)), stamp: stamp)]
            if !s.staff.isEmpty {
                let e = Cell.commission(month: month, staff: s.staff)
                d += [.add(entity: e, name: Cell.commissionEarned, node: origin, amount: s.lines.map(\.commission.fen).reduce(0, +)),
                      .add(entity: e, name: Cell.commissionSales, node: origin, amount: s.total.fen),
                      .add(entity: e, name: Cell.commissionCount, node: origin, amount: 1)]
            }
            return d
        case .saleReturned(let r):
            let e = Cell.sale(r.sale)
            let saleYear = Int(r.month.prefix(4))!
            var d: [Delta] = []
            for line in r.lines {
                d.append(.add(entity: e, name: Cell.saleReturnedLine(line.index), node: origin, amount: line.quantity))
                if line.goods { d.append(escrow(Cell.stock(branch: origin, sku: line.sku), Cell.stockReturnedIn, origin, line.quantity)) }
            }
            for refund in r.refunds {
                d.append(.add(entity: e, name: Cell.saleRefunded(refund.kind), node: origin, amount: refund.amount.fen))
                switch refund.kind {
                case .stored: d += storedBack(r.member, refund.amount, bonus: refund.bonus, of: r.sale)
                // The member's points come back to the lots they came from (an expired lot stays
                // expired); the coupon too, once all it paid is returned (and it has not expired);
                // a punch card's uses for the lines it paid.
                case .points where refund.units > 0:
                    d += (refund.lots.isEmpty ? [LotPoints(year: saleYear, points: refund.units)] : refund.lots)
                        .map { escrow(Cell.points(member: r.member, year: $0.year), Cell.credited, origin, $0.points) }
                case .punch where refund.units > 0: d.append(escrow(refund.reference, Cell.credited, origin, refund.units))
                case .coupon where refund.units > 0: d.append(escrow(Cell.coupon(refund.reference), Cell.credited, origin, 1))
                default: break
                }
            }
            if !r.member.isEmpty {
                // Like a refund: `refunded` counts stored value given back (cash back is not the member's balance).
                if r.storedBack.fen > 0 { d.append(.add(entity: Cell.member(r.member), name: Cell.refunded, node: origin, amount: r.storedBack.fen)) }
                // The rest of what came back lowers the spend that counts for tiers too.
                let other = r.amount.fen - r.storedBack.fen
                if other > 0 { d.append(.add(entity: Cell.member(r.member), name: Cell.returnedOther, node: origin, amount: other)) }
                // Counted back in the year of the return, for the tier review.
                d.append(.add(entity: Cell.member(r.member), name: Cell.yearly(Cell.givenBack, year()), node: origin, amount: r.amount.fen))
                if r.points.value > 0 {
                    // They were earned in the lot of the sale's year.
                    d.append(escrow(Cell.points(member: r.member, year: saleYear), Cell.debited, origin, r.points.value))
                    // Points taken back were not earned after all: the tier by points counts without them.
                    d.append(.add(entity: Cell.member(r.member), name: Cell.pointsTakenBack, node: origin, amount: r.points.value))
                    // Counted in the year of the sale (its month), whose lot they were earned in.
                    d.append(.add(entity: Cell.member(r.member), name: Cell.yearly(Cell.pointsTakenBack, String(r.month.prefix(4))), node: origin, amount: r.points.value))
                }
            }
            let cashBack = r.refunds.filter { $0.kind == .cash }.map(\.amount.fen).reduce(0, +)
            if cashBack > 0 { d.append(.add(entity: tillDay(), name: Cell.tillCashOut, node: origin, amount: cashBack)) }
            let commission = r.lines.map(\.commission.fen).reduce(0, +)
            if !r.staff.isEmpty, commission > 0 {
                d.append(.add(entity: Cell.commission(month: r.month, staff: r.staff), name: Cell.commissionReturned, node: origin, amount: commission))
            }
            return d
        case .tillClosed(let c):
            let e = Cell.tillDay(branch: origin, till: c.till, day: c.day)
            return [.raise(entity: e, name: Cell.tillClosed),
                    .set(entity: e, name: Cell.tillCounted, value: text(String(c.counted.fen)), stamp: stamp),
                    .set(entity: e, name: Cell.tillExpected, value: text(String(c.expected.fen)), stamp: stamp)]
        case .balanceTransferred(let t):
            var d = [escrow(Cell.storedValue(member: t.fromMember), Cell.debited, origin, t.amount.fen),
                     escrow(Cell.storedValue(member: t.toMember), Cell.credited, origin, t.amount.fen)]
            if t.bonus.fen > 0 {
                d += [escrow(Cell.bonus(member: t.fromMember), Cell.debited, origin, t.bonus.fen),
                      escrow(Cell.bonus(member: t.toMember), Cell.credited, origin, t.bonus.fen)]
            }
            return d
        case .pinChanged(let card, let pinHash):
            return [.set(entity: Cell.card(card), name: Cell.pinHash, value: text(pinHash), stamp: stamp)]
        case .cardReturned(let r):
            var d: [Delta] = [.raise(entity: Cell.card(r.card), name: Cell.cardReturned)]
            if r.refunded.fen > 0 {
                d.append(escrow(Cell.storedValue(member: r.member), Cell.debited, origin, r.refunded.fen))
                if r.tender == .cash { d.append(.add(entity: tillDay(), name: Cell.tillCashOut, node: origin, amount: r.refunded.fen)) }
            }
            if r.bonusForfeited.fen > 0 { d.append(escrow(Cell.bonus(member: r.member), Cell.debited, origin, r.bonusForfeited.fen)) }
            return d
        case .pointsAwarded(let member, let points, let campaign, let holder):
            return credited(member, points.value, at: holder) + [.raise(entity: Cell.member(member), name: Cell.campaignPrefix + campaign)]
        case .pointsTransferred(let t):
            // Received points keep their lots (they expire when the giver's would have) but were
            // not earned: the tier by points does not count them.
            let lots = t.lots.isEmpty ? [LotPoints(year: Int(year())!, points: t.points.value)] : t.lots
            return debited(t.fromMember, lots, total: t.points.value)
                + lots.flatMap { lot in
                    credited(t.toMember, lot.points, lot: lot.year)
                        + [.add(entity: Cell.member(t.toMember), name: Cell.yearly(Cell.pointsReceived, String(lot.year)), node: origin, amount: lot.points)]
                }
                + [.add(entity: Cell.member(t.toMember), name: Cell.pointsReceived, node: origin, amount: t.points.value)]
        case .couponTransferred(let code, _, let to):
            return [.set(entity: Cell.coupon(code), name: Cell.cardMember, value: text(to), stamp: stamp),
                    .raise(entity: Cell.member(to), name: Cell.memberCouponPrefix + code)]
        case .messageQueued(let m):
            return [.raise(entity: Cell.member(m.member), name: Cell.messagePrefix + m.key)]
        case .consentSet(let member, let messages):
            return [.set(entity: Cell.member(member), name: Cell.messageConsent, value: text(messages ? "1" : "0"), stamp: stamp)]
        case .exportMade:
            return []
        case .bookingMade(let b):
            let e = Cell.booking(b.id)
            return [.set(entity: e, name: Cell.bookingMember, value: text(b.member), stamp: stamp),
                    .set(entity: e, name: Cell.bookingBranch, value: text(b.branch.rawValue), stamp: stamp),
                    .set(entity: e, name: Cell.bookingService, value: text(b.service), stamp: stamp),
                    .set(entity: e, name: Cell.bookingSlot, value: text(String(b.slot)), stamp: stamp),
                    // Indexes the views read by: the branch's day, the member's bookings.
                    .raise(entity: Cell.bookings(branch: b.branch, day: b.slot / 10_000), name: b.id),
                    .raise(entity: Cell.member(b.member), name: Cell.bookingPrefix + b.id)]
        case .bookingCancelled(let id, _):
            return [.raise(entity: Cell.booking(id), name: Cell.cancelled)]
        case .memberFieldSet(let member, let field, let sealedValue):
            return [.set(entity: Cell.member(member), name: Cell.memberFieldPrefix + field, value: sealedValue, stamp: stamp)]
        case .memberPhotoSet(let member, let digest, _):
            return [.set(entity: Cell.member(member), name: Cell.memberPhoto, value: digest.bytes, stamp: stamp)]
        case .cardRenewed(let card, let expires):
            return [.max(entity: Cell.card(card), name: Cell.cardExpires, value: expires)]
        case .programSet(let version, let document):
            return [.set(entity: Cell.program, name: Cell.programDocument, value: text(document), stamp: stamp),
                    .max(entity: Cell.program, name: Cell.programVersion, value: version)]
        case .supplierInvoiced(let i):
            let e = Cell.payables(branch: origin)
            return [.set(entity: e, name: Cell.invoice(supplier: i.supplier, number: i.number), value: text("\(i.amount.fen)|\(i.due)|\(i.note)"), stamp: stamp)]
        case .supplierPaid(let p):
            let e = Cell.payables(branch: origin)
            var d: [Delta] = p.allocations.map { .add(entity: e, name: Cell.invoicePaid(supplier: p.supplier, number: $0.invoice), node: origin, amount: $0.amount.fen) }
            // Cash paid out of a till's drawer comes off what its daily close expects.
            if p.tender == .cash { d.append(.add(entity: tillDay(), name: Cell.tillCashOut, node: origin, amount: p.amount.fen)) }
            return d
        case .expenseAdded(let category, let amount, _):
            return [.add(entity: Cell.books(branch: origin, month: Sales.month(wallMillis: hlc.wallMillis)), name: Cell.expense(category), node: origin, amount: amount.fen)]
        case .stockReceived(let m):
            return [escrow(Cell.stock(branch: origin, sku: m.sku), Cell.stockReceived, origin, m.quantity)]
        case .stockReturned(let m):
            return [escrow(Cell.stock(branch: origin, sku: m.sku), Cell.stockReturnedOut, origin, m.quantity)]
        case .stockTransferred(let t):
            let e = Cell.transfer(id)
            return [
                escrow(Cell.stock(branch: origin, sku: t.sku), Cell.stockTransferredOut, origin, t.quantity),
                .set(entity: e, name: Cell.transferSKU, value: text(t.sku), stamp: stamp),
                .set(entity: e, name: Cell.transferQuantity, value: text(String(t.quantity)), stamp: stamp),
                .set(entity: e, name: Cell.transferTo, value: text(t.to.rawValue), stamp: stamp),
            ]
        case .transferArrived(let transfer, let sku, let quantity):
            return [escrow(Cell.stock(branch: origin, sku: sku), Cell.stockTransferredIn, origin, quantity),
                    .raise(entity: Cell.transfer(transfer), name: Cell.transferArrived)]
        case .stockCounted(let sku, _, let variance):
            guard variance != 0 else { return [] }
            return [escrow(Cell.stock(branch: origin, sku: sku), variance > 0 ? Cell.stockCountedUp : Cell.stockCountedDown, origin, Int64(variance.magnitude))]
        case .stockThreshold(let sku, let below):
            return [.set(entity: Cell.stock(branch: origin, sku: sku), name: Cell.stockLow, value: text(String(below)), stamp: stamp)]
        case .priceSet(let sku, let branch, let price):
            // An empty register means "no branch price": the list price applies again.
            return [.set(entity: Cell.product(sku), name: Cell.branchPrice(branch), value: text(price.map { String($0.fen) } ?? ""), stamp: stamp)]
        case .couponIssued(let c):
            let e = Cell.coupon(c.code)
            return [
                .set(entity: e, name: Cell.cardMember, value: text(c.member), stamp: stamp),
                .set(entity: e, name: Cell.couponValue, value: text(String(c.value.fen)), stamp: stamp),
                .set(entity: e, name: Cell.couponTitle, value: text(c.title), stamp: stamp),
                escrow(e, Cell.credited, c.holder ?? origin, 1),
                .raise(entity: Cell.member(c.member), name: Cell.memberCouponPrefix + c.code),
            ] + (c.template.isEmpty ? [] : [
                .set(entity: e, name: Cell.couponTemplate, value: text(c.template), stamp: stamp),
                .set(entity: e, name: Cell.couponMinSpend, value: text(String(c.minSpend.fen)), stamp: stamp),
                .max(entity: e, name: Cell.couponValidUntil, value: c.validUntil),
            ]) + (c.campaign.isEmpty ? [] : [.raise(entity: Cell.member(c.member), name: Cell.campaignPrefix + c.campaign)])
        case .couponRedeemed(let code, _):
            return [escrow(Cell.coupon(code), Cell.debited, origin, 1)]
        case .operatorAdded(let o):
            let e = Cell.operator(o.id)
            return [
                .set(entity: e, name: Cell.operatorName, value: text(o.name), stamp: stamp),
                .set(entity: e, name: Cell.operatorRole, value: text(o.role.rawValue), stamp: stamp),
                .set(entity: e, name: Cell.operatorBranch, value: text(o.branch.rawValue), stamp: stamp),
                .set(entity: e, name: Cell.passwordHash, value: text(o.passwordHash), stamp: stamp),
            ]
        case .operatorDisabled(let id):
            return [.raise(entity: Cell.operator(id), name: Cell.disabled)]
        case .operatorPasswordSet(let id, let hash, let observed):
            let e = Cell.operator(id)
            return [.set(entity: e, name: Cell.passwordHash, value: text(hash), stamp: stamp)]
                + observed.sorted { $0.key < $1.key }.map { .max(entity: e, name: Cell.loginCleared($0.key), value: $0.value) }
        case .loginFailed(let id):
            return [.add(entity: Cell.operator(id), name: Cell.loginFailures, node: origin, amount: 1)]
        case .tillRegistered(let name, let hash):
            return [.set(entity: Cell.till(branch: origin, name: name), name: Cell.tokenHash, value: hash, stamp: stamp)]
        case .tillRevoked(let name):
            return [.raise(entity: Cell.till(branch: origin, name: name), name: Cell.revoked)]
        }
    }
}

private struct CellKey: Hashable { let entity: String, name: String }
private struct SlotKey: Hashable { let entity: String, name: String, node: NodeID }

extension Delta {
    /// Merges deltas on the same cell into one (counter amounts add, maxima and registers keep the
    /// winner, flags dedupe). Applying the result equals applying the input in any order. A rebuild
    /// folds the whole log, where members recur, so it writes each touched cell once per chunk;
    /// a replication batch touches mostly distinct cells, where merging costs more than it saves.
    public static func coalesce<S: Sequence>(_ deltas: S) -> [Delta] where S.Element == Delta {
        var counters: [SlotKey: Int64] = [:], counterOrder: [SlotKey] = []
        var maxima: [CellKey: Int64] = [:], maximaOrder: [CellKey] = []
        var registers: [CellKey: ([UInt8], LWWStamp)] = [:], registerOrder: [CellKey] = []
        var flags: Set<CellKey> = [], flagOrder: [CellKey] = []
        for delta in deltas {
            switch delta {
            case .add(let entity, let name, let node, let amount):
                let key = SlotKey(entity: entity, name: name, node: node)
                if counters[key] == nil { counterOrder.append(key) }
                counters[key, default: 0] += amount
            case .max(let entity, let name, let value):
                let key = CellKey(entity: entity, name: name)
                if let current = maxima[key] { maxima[key] = Swift.max(current, value) } else { maxima[key] = value; maximaOrder.append(key) }
            case .set(let entity, let name, let value, let stamp):
                let key = CellKey(entity: entity, name: name)
                if let current = registers[key] {
                    if stamp > current.1 { registers[key] = (value, stamp) }
                } else {
                    registers[key] = (value, stamp); registerOrder.append(key)
                }
            case .raise(let entity, let name):
                let key = CellKey(entity: entity, name: name)
                if flags.insert(key).inserted { flagOrder.append(key) }
            }
        }
        return counterOrder.map { .add(entity: $0.entity, name: $0.name, node: $0.node, amount: counters[$0]!) }
            + maximaOrder.map { .max(entity: $0.entity, name: $0.name, value: maxima[$0]!) }
            + registerOrder.map { .set(entity: $0.entity, name: $0.name, value: registers[$0]!.0, stamp: registers[$0]!.1) }
            + flagOrder.map { .raise(entity: $0.entity, name: $0.name) }
    }
}
