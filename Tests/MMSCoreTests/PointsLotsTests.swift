import Foundation
import MMSCore
import MMSCrypto
import MMSTestSupport
import Testing

/// Points lots as escrow accounts of their own: an expired lot is never spent, even by two
/// branches cut off from each other; a spend, a return and a transfer say which lots they moved.
@Suite struct PointsLotsTests {
    static func millis(_ time: String) -> UInt64 { ProgramRuleTests.millis(time) }

    /// Branch-1 and branch-2 both hold the member; the program expires lots at the end of the
    /// next year. 500 points earned in 2025 at branch-1, 100 in 2026 at branch-2, and branch-1
    /// moves 300 of its 2025 rights to branch-2: each branch holds expired and valid rights.
    func twoBranches() throws -> (TestNode, TestNode) {
        var a = TestNode("branch-1", seed: 3), b = TestNode("branch-2", seed: 4)
        a.clock = Self.millis("2025-06-01")
        a.issue(.programSet(version: 1, document: Program().canonicalJSON()))
        a.issue(Sample.memberAdded())
        a.issue(Sample.storedCard())
        a.issue(.charge(Charge(member: Sample.member, card: Sample.card, amount: Money(fen: 0), pointsEarned: Points(500))))
        a.issue(try a.teller.transferRights(account: Cell.points(member: Sample.member, year: 2025), to: b.id, amount: 300))
        for op in a.log { b.receive(op) }
        b.clock = Self.millis("2026-03-01")
        b.issue(.pointsAwarded(member: Sample.member, points: Points(100), campaign: "c", holder: b.id))
        for op in a.missing(from: b) { a.receive(op) }
        return (a, b)
    }

    func redeem(_ node: TestNode, _ points: Int64, at time: String) throws -> OpBody {
        try Teller(state: node.state, origin: node.id, role: .branch, wallMillis: Self.millis(time)).redeemPoints(card: Sample.card, points: Points(points))
    }

    /// The case a single points account could not hold: after the 2025 lot expires, branch-1 and
    /// branch-2, cut off from each other, each see 100 valid points of 600 and hold 200 and 400
    /// rights. Each may spend only what it holds of valid lots: together never more than 100.
    @Test func twoBranchesCutOffNeverSpendAnExpiredLotBetweenThem() throws {
        var (a, b) = try twoBranches()
        #expect(try PointsLots.balance(member: Sample.member, on: 2027_01_01, in: a.state) == .init(usable: 100, expired: 500))
        let refusal = #expect(throws: MMSError.self) { try redeem(a, 1, at: "2027-01-01 09:00:00") }
        #expect(refusal?.code == .insufficientPoints && refusal?.details["expired"] == "500" && refusal?.details["held_elsewhere"] == "branch-2=100")
        #expect(refusal?.details["account"] == Cell.points(member: Sample.member, year: 2026), "the lot to ask branch-2 for")
        b.issue(try redeem(b, 100, at: "2027-01-01 09:00:00"))
        #expect(throws: MMSError.self) { try redeem(b, 1, at: "2027-01-01 09:00:01") }
        for op in a.missing(from: b) { a.receive(op) }
        #expect(try PointsLots.balance(member: Sample.member, on: 2027_01_01, in: a.state) == .init(usable: 0, expired: 500))
        // The day before, branch-1's 200 of the 2025 lot still paid; never more than it held.
        guard case .pointsRedeemed(let r) = try redeem(a, 200, at: "2026-12-31 23:59:59.999") else { Issue.record("not a redemption"); return }
        #expect(r.lots == [LotPoints(year: 2025, points: 200)])
        #expect(throws: MMSError.self) { try redeem(a, 201, at: "2026-12-31 23:59:59.999") }
    }

    @Test func aSpendTakesTheOldestValidLotsHeldHereFirst() throws {
        var (a, _) = try twoBranches()
        a.clock = Self.millis("2026-08-01")
        a.issue(.charge(Charge(member: Sample.member, card: Sample.card, amount: Money(fen: 0), pointsEarned: Points(40))))
        // branch-1 holds 200 of 2025 and 40 of 2026 (the 100 of 2026 sit at branch-2).
        guard case .pointsRedeemed(let r) = try redeem(a, 230, at: "2026-12-01 10:00:00") else { Issue.record("not a redemption"); return }
        #expect(r.lots == [LotPoints(year: 2025, points: 200), LotPoints(year: 2026, points: 30)])
        #expect(throws: MMSError.self, "241 is more than branch-1 holds") { try redeem(a, 241, at: "2026-12-01 10:00:00") }
        let op = a.issue(.pointsRedeemed(r))
        #expect(try OpCodec.decodeEnvelope(OpCodec.encodeEnvelope(op)) == op)
        #expect(try PointsLots.lots(member: Sample.member, in: a.state).map { "\($0.year):\($0.left)" } == ["2025:300", "2026:110"])
    }

    /// A points tender records its lots; a return gives the points back to those lots, newest
    /// first, in proportion; an expired lot stays expired.
    @Test func aReturnGivesPointsBackToTheLotsTheyCameFrom() throws {
        var (a, _) = try twoBranches()
        a.clock = Self.millis("2026-08-01")
        a.issue(.charge(Charge(member: Sample.member, card: Sample.card, amount: Money(fen: 0), pointsEarned: Points(100))))
        a.issue(.productSet(ProductSet(sku: "A", name: "面霜", kind: .goods, category: "护肤", price: Money(fen: 200), unit: "瓶", active: true)))
        var teller = Teller(state: a.state, origin: a.id, role: .branch, wallMillis: Self.millis("2026-12-31 12:00:00"))
        // 2.50 in points (250: 200 of 2025, 50 of 2026) on two units of 2.00; the rest in cash.
        let sale = a.issue(try teller.sell(SaleRequest(card: Sample.card, items: [.init(sku: "A", quantity: 2)],
                                                      payments: [.init(kind: .points, amount: Money(fen: 250)), .init(kind: .cash, amount: nil)], staff: nil)))
        guard case .sale(let s) = sale.op.body else { Issue.record("not a sale"); return }
        #expect(s.tenders[0].lots == [LotPoints(year: 2025, points: 200), LotPoints(year: 2026, points: 50)])
        #expect(try OpCodec.decodeEnvelope(OpCodec.encodeEnvelope(sale)) == sale)
        // One unit back in 2027 (2.00, taken from the points first: 200 points), the newest first:
        // 50 to 2026, 150 to 2025 (expired: not usable again).
        teller = Teller(state: a.state, origin: a.id, role: .branch, wallMillis: Self.millis("2027-01-02 10:00:00"))
        let back = a.issue(try teller.returnSale(sale.id, quantities: [0: 1]))
        guard case .saleReturned(let r) = back.op.body else { Issue.record("not a return"); return }
        #expect(r.refunds.first { $0.kind == .points }?.lots == [LotPoints(year: 2026, points: 50), LotPoints(year: 2025, points: 150)])
        #expect(try OpCodec.decodeEnvelope(OpCodec.encodeEnvelope(back)) == back)
        // The second unit: the other 50 points, to the 2025 lot, and 1.50 in cash.
        teller = Teller(state: a.state, origin: a.id, role: .branch, wallMillis: Self.millis("2027-01-02 10:00:00"))
        guard case .saleReturned(let second) = try teller.returnSale(sale.id, quantities: [0: 1]) else { Issue.record("not a return"); return }
        #expect(second.refunds.first { $0.kind == .points }?.lots == [LotPoints(year: 2025, points: 50)])
    }

    /// Points given to another member keep the years of their lots (they expire when the giver's would).
    @Test func pointsGivenAwayKeepTheirLots() throws {
        var program = Program()
        program.points.transferable = true
        var a = TestNode("branch-1", seed: 3)
        a.clock = Self.millis("2025-06-01")
        a.issue(.programSet(version: 1, document: program.canonicalJSON()))
        a.issue(Sample.memberAdded())
        a.issue(Sample.storedCard())
        a.issue(Sample.memberAdded("branch-1.m9"))
        a.issue(.charge(Charge(member: Sample.member, card: Sample.card, amount: Money(fen: 0), pointsEarned: Points(100))))
        let teller = Teller(state: a.state, origin: a.id, role: .branch, wallMillis: Self.millis("2026-05-01"))
        let op = a.issue(try teller.transferPoints(card: Sample.card, to: "branch-1.m9", points: Points(60)))
        #expect(try OpCodec.decodeEnvelope(OpCodec.encodeEnvelope(op)) == op)
        #expect(try PointsLots.lots(member: "branch-1.m9", in: a.state).map { "\($0.year):\($0.left)" } == ["2025:60"])
        #expect(try PointsLots.balance(member: "branch-1.m9", on: 2027_01_01, in: a.state) == .init(usable: 0, expired: 60))
    }

    /// `end_of_year`: points earned in a year stop paying on its last day, to the millisecond.
    @Test func endOfYearExpiresALotAtItsOwnYearEnd() throws {
        var program = Program()
        program.points.expiry = .endOfYear
        var a = TestNode("branch-1", seed: 3)
        a.clock = Self.millis("2026-12-31 23:00:00")
        a.issue(.programSet(version: 1, document: program.canonicalJSON()))
        a.issue(Sample.memberAdded())
        a.issue(Sample.storedCard())
        a.issue(.charge(Charge(member: Sample.member, card: Sample.card, amount: Money(fen: 0), pointsEarned: Points(10))))
        #expect(throws: Never.self) { try redeem(a, 10, at: "2026-12-31 23:59:59.999") }
        #expect(throws: MMSError.self) { try redeem(a, 1, at: "2027-01-01 00:00:00") }
        #expect(PointsLots.lastDay(ofLot: 2026, .endOfYear) == 2026_12_31 && PointsLots.lastDay(ofLot: 2026, .endOfNextYear) == 2027_12_31)
        #expect(PointsLots.lastDay(ofLot: 2026, .never) == nil)
    }

    @Test func forgedLotsAreMalformed() throws {
        var node = TestNode("branch-1", seed: 1)
        for lots in [[LotPoints(year: 2026, points: 3)], [LotPoints(year: 2026, points: 5), LotPoints(year: 2026, points: 0)],
                     [LotPoints(year: 2025, points: 2), LotPoints(year: 2025, points: 3)], [LotPoints(year: 12_026, points: 5)]] {
            var r = PointsRedeemed(member: Sample.member, card: Sample.card, points: Points(5))
            r.lots = lots
            let op = node.issue(.pointsRedeemed(r))
            #expect(throws: MMSError.self, "\(lots)") { try OpCodec.decode(op.bytes) }
        }
    }
}

/// Punch cards (计次卡) pay a sale's service lines with their uses: one use a unit, only the
/// services their product names, no points on what uses paid; a return gives the uses back.
@Suite struct PunchTenderTests {
    func shop() throws -> TestNode {
        var program = Program()
        program.cardProducts = [CardProduct(id: "cut-10", name: "洗剪吹十次", type: .punch, minFirstTopup: nil, fee: Money(fen: 50_000), earnsPoints: true,
                                             validityDays: nil, extendOnTopup: false, firstDayShare: nil, discount: nil, uses: 10, services: ["SV-1"])]
        var node = TestNode("branch-1", seed: 3)
        node.clock = ProgramRuleTests.millis("2026-11-25 10:00:00")
        node.issue(.programSet(version: 1, document: program.canonicalJSON()))
        node.issue(Sample.memberAdded())
        node.issue(.productSet(ProductSet(sku: "SV-1", name: "洗剪吹", kind: .service, category: "美发", price: Money(fen: 6_800), unit: "次", active: true)))
        node.issue(.productSet(ProductSet(sku: "SV-2", name: "染发", kind: .service, category: "美发", price: Money(fen: 30_000), unit: "次", active: true)))
        node.issue(.productSet(ProductSet(sku: "PR-1", name: "洗发水", kind: .goods, category: "美发", price: Money(fen: 5_000), unit: "瓶", active: true)))
        var card = CardIssued(number: "P1", member: Sample.member, type: .punch, pinHash: "", discountPercent: 0, punchAccount: "punch:P1", punchUses: 3, replaces: "")
        card.product = "cut-10"
        node.issue(.cardIssued(card))
        return node
    }

    func sell(_ node: TestNode, _ items: [SaleRequest.Item], _ payments: [SaleRequest.Payment]) throws -> OpBody {
        try Teller(state: node.state, origin: node.id, role: .branch, wallMillis: node.clock + 1)
            .sell(SaleRequest(card: "P1", items: items, payments: payments, staff: nil))
    }

    @Test func usesPayTheServiceLinesAndTheRestIsPaidOtherwise() throws {
        var node = try shop()
        let body = try sell(node, [.init(sku: "SV-1", quantity: 2), .init(sku: "PR-1", quantity: 1)],
                            [.init(kind: .punch, amount: nil), .init(kind: .cash, amount: nil)])
        guard case .sale(let s) = body else { Issue.record("not a sale"); return }
        #expect(s.lines.map(\.punch) == [true, false])
        #expect(s.tenders.map(\.kind) == [.punch, .cash] && s.tenders[0].units == 2 && s.tenders[0].amount == Money(fen: 13_600))
        #expect(s.tenders[0].reference == "punch:P1" && s.tenders[1].amount == Money(fen: 5_000))
        #expect(s.pointsEarned == Points(50), "points on the shampoo paid in cash, none on the cuts the uses paid")
        let sale = node.issue(body)
        #expect(try OpCodec.decodeEnvelope(OpCodec.encodeEnvelope(sale)) == sale)
        #expect(try node.state.escrow("punch:P1").total == 1)
        // Two more cuts: one use left, refused whole.
        let refusal = #expect(throws: MMSError.self) { try sell(node, [.init(sku: "SV-1", quantity: 2)], [.init(kind: .punch, amount: nil)]) }
        #expect(refusal?.code == .noUsesLeft)
        // A return of one cut gives its use back, and the shampoo's cash back.
        let back = try Teller(state: node.state, origin: node.id, role: .branch, wallMillis: node.clock + 1).returnSale(sale.id, quantities: [:])
        guard case .saleReturned(let r) = back else { Issue.record("not a return"); return }
        #expect(r.refunds.map(\.kind) == [.punch, .cash] && r.refunds[0].units == 2 && r.refunds[1].amount == Money(fen: 5_000))
        let returned = node.issue(back)
        #expect(try OpCodec.decodeEnvelope(OpCodec.encodeEnvelope(returned)) == returned)
        #expect(try node.state.escrow("punch:P1").total == 3)
    }

    @Test func aPunchTenderIsRefusedWhereItPaysNothing() throws {
        var node = try shop()
        #expect(throws: MMSError.self, "the card's product covers SV-1 only") {
            try sell(node, [.init(sku: "SV-2", quantity: 1)], [.init(kind: .punch, amount: nil), .init(kind: .cash, amount: nil)])
        }
        #expect(throws: MMSError.self, "a punch tender names no amount") {
            try sell(node, [.init(sku: "SV-1", quantity: 1)], [.init(kind: .punch, amount: Money(fen: 6_800))])
        }
        node.issue(Sample.storedCard())
        #expect(throws: MMSError.self, "a stored-value card has no uses") {
            try Teller(state: node.state, origin: node.id, role: .branch, wallMillis: node.clock + 1)
                .sell(SaleRequest(card: Sample.card, items: [.init(sku: "SV-1", quantity: 1)], payments: [.init(kind: .punch, amount: nil)], staff: nil))
        }
    }

    @Test func aForgedPunchTenderIsMalformed() throws {
        var node = TestNode("branch-1", seed: 1)
        var line = SaleLine(sku: "SV-1", quantity: 2, unitPrice: Money(fen: 100), discount: Money(fen: 0), amount: Money(fen: 200), commission: Money(fen: 0), goods: false)
        line.punch = true
        for (units, punchLine) in [(Int64(3), true), (2, false)] {
            var l = line
            l.punch = punchLine
            let sale = Sale(member: Sample.member, card: "P1", staff: "", lines: [l], tenders: [Tender(kind: .punch, amount: Money(fen: 200), reference: "punch:P1", units: units)],
                            total: Money(fen: 200), change: Money(fen: 0), pointsEarned: Points(0))
            let op = node.issue(.sale(sale))
            #expect(throws: MMSError.self) { try OpCodec.decode(op.bytes) }
        }
    }
}
