import MMSCore
import MMSCrypto
import MMSTestSupport
import Testing

@Suite struct SaleTests {
    /// A node with three products, a stored-value member (100.00) and a 95 % discount-card member.
    func shop() throws -> TestNode {
        var node = TestNode("branch-1", seed: 7)
        node.issue(.productSet(ProductSet(sku: "A", name: "面霜", kind: .goods, category: "护肤", price: Money(fen: 1_999), unit: "瓶", active: true,
                                          commission: .percent(basisPoints: 1_000))))
        node.issue(.productSet(ProductSet(sku: "B", name: "洗剪吹", kind: .service, category: "美发", price: Money(fen: 6_800), unit: "次", active: true,
                                          commission: .fixed(Money(fen: 500)))))
        node.issue(.productSet(ProductSet(sku: "C", name: "发膜", kind: .goods, category: "美发", price: Money(fen: 333), unit: "支", active: true)))
        node.issue(Sample.memberAdded())
        node.issue(Sample.storedCard())
        node.issue(.topUp(Payment(member: Sample.member, card: Sample.card, amount: Money(fen: 10_000))))
        node.issue(.cardIssued(CardIssued(number: "D1", member: Sample.member, type: .discount, pinHash: "", discountPercent: 95,
                                          punchAccount: "", punchUses: 0, replaces: "")))
        return node
    }

    @Test func aThreeLineSaleOnA95PercentCardRoundsPerLineHalfUpAsByHand() throws {
        var node = try shop()
        let body = try node.teller.sell(SaleRequest(card: "D1", items: [.init(sku: "A", quantity: 3), .init(sku: "B", quantity: 1), .init(sku: "C", quantity: 7)],
                                                    payments: [.init(kind: .cash, amount: Money(fen: 20_000))], staff: nil))
        guard case .sale(let sale) = body else { Issue.record("not a sale"); return }
        // By hand: 3 × 19.99 = 59.97 × 95 % = 56.9715 → 56.97; 68.00 × 95 % = 64.60; 7 × 3.33 = 23.31 × 95 % = 22.1445 → 22.14.
        #expect(sale.lines.map(\.amount) == [Money(fen: 5_697), Money(fen: 6_460), Money(fen: 2_214)])
        #expect(sale.lines.map(\.discount) == [Money(fen: 300), Money(fen: 340), Money(fen: 117)])
        #expect(sale.total == Money(fen: 14_371) && sale.change == Money(fen: 5_629))
        node.issue(body)
        #expect(try Stock.level("A", at: node.id, in: node.state).onHand == -3, "goods leave the books (a stocktake corrects them); services do not")
        #expect(try Stock.level("B", at: node.id, in: node.state).sold == 0)
    }

    @Test func twoTendersCommitTogetherAndAStoredTenderBeyondTheRightsRefusesTheWholeSale() throws {
        var node = try shop()
        func sale(_ payments: [SaleRequest.Payment], staff: String? = nil) throws -> OpBody {
            try node.teller.sell(SaleRequest(card: Sample.card, items: [.init(sku: "A", quantity: 1), .init(sku: "B", quantity: 1)], payments: payments, staff: staff))
        }
        // 87.99 in all; the card holds 100.00 here.
        #expect(throws: MMSError.self) { try sale([.init(kind: .stored, amount: Money(fen: 15_000)), .init(kind: .cash, amount: nil)]) }
        #expect(throws: MMSError.self) { try sale([.init(kind: .cash, amount: Money(fen: 1_000))]) }                          // short
        #expect(throws: MMSError.self) { try sale([.init(kind: .bank, amount: Money(fen: 9_000))]) }                          // over, no cash for change
        #expect(throws: MMSError.self) { try sale([.init(kind: .bank, amount: Money(fen: 8_799)), .init(kind: .cash, amount: nil)]) } // nothing left for "rest"
        #expect(throws: MMSError.self) { try sale([.init(kind: .cash, amount: nil)], staff: "nobody") }
        let body = try sale([.init(kind: .stored, amount: Money(fen: 5_000)), .init(kind: .mobile, amount: nil, reference: "WX-88")])
        guard case .sale(let s) = body else { Issue.record("not a sale"); return }
        #expect(s.tenders.map(\.amount) == [Money(fen: 5_000), Money(fen: 3_799)] && s.tenders[1].reference == "WX-88" && s.change == Money(fen: 0))
        let op = node.issue(body)
        #expect(try node.state.escrow(Cell.storedValue(member: Sample.member)).total == 5_000)
        #expect(try node.state.escrow(Cell.refundable(charge: op.id)).total == 5_000, "the stored part can be refunded like a charge")
        #expect(try OpCodec.decodeEnvelope(OpCodec.encodeEnvelope(op)) == op)
    }

    @Test func aSaleOpWhoseSumsDoNotAddUpIsMalformed() throws {
        var node = try shop()
        let line = SaleLine(sku: "A", quantity: 1, unitPrice: Money(fen: 1_999), discount: Money(fen: 0), amount: Money(fen: 1_999), commission: Money(fen: 0), goods: true)
        let forged = node.issue(.sale(Sale(member: "", card: "", staff: "", lines: [line], tenders: [Tender(kind: .bank, amount: Money(fen: 999))],
                                           total: Money(fen: 1_999), change: Money(fen: 0), pointsEarned: Points(0))))
        #expect(throws: MMSError.self) { try OpCodec.decodeEnvelope(OpCodec.encodeEnvelope(forged)) }
    }

    /// Days since 1970 as calendar days, across a leap day, before 1970 and at the last day of 9999.
    @Test(arguments: [(0, "1970-01-01"), (59, "1970-03-01"), (11_016, "2000-02-29"), (20_000, "2024-10-04"), (-1, "1969-12-31"), (2_932_896, "9999-12-31")])
    func daysSince1970AreCalendarDays(days: Int64, day: String) {
        #expect(Sales.day(epochDays: days) == day)
    }

    @Test func commissionMonthsAreInChinaStandardTime() {
        // 2026-11-30 16:30 UTC is 2026-12-01 00:30 in Beijing.
        #expect(Sales.month(wallMillis: 1_796_056_200_000) == "2026-12")
        #expect(Sales.month(wallMillis: 1_796_052_600_000) == "2026-11")
        #expect(Sales.commission(.percent(basisPoints: 1_000), paid: Money(fen: 6_805), quantity: 1) == Money(fen: 681))
        #expect(Sales.commission(.fixed(Money(fen: 500)), paid: Money(fen: 1), quantity: 3) == Money(fen: 1_500))
    }

    @Test func returningOneLineOfATwoTenderSaleGivesTheRightAmountsBackAndASecondReturnIsRefused() throws {
        var node = try shop()
        node.issue(.operatorAdded(OperatorAdded(id: "c01", name: "李娜", role: .cashier, branch: node.id, passwordHash: "x")))
        // A ×1 (19.99, 10 % commission) and B ×1 (68.00, 5.00 commission) = 87.99: 50.00 stored, 37.99 cash.
        let sold = node.issue(try node.teller.sell(SaleRequest(card: Sample.card, items: [.init(sku: "A", quantity: 1), .init(sku: "B", quantity: 1)],
                                                               payments: [.init(kind: .stored, amount: Money(fen: 5_000)), .init(kind: .cash, amount: nil)],
                                                               staff: "c01")))
        let month = Sales.month(wallMillis: sold.op.hlc.wallMillis)
        let before = try node.state.escrow(Cell.storedValue(member: Sample.member)).total
        // Line 2 (68.00): stored value goes back first, all 50.00 of it, then 18.00 in cash.
        let returned = node.issue(try node.teller.returnSale(sold.id, quantities: [1: 1]))
        guard case .saleReturned(let r) = returned.op.body else { Issue.record("not a return"); return }
        #expect(r.refunds == [Tender(kind: .stored, amount: Money(fen: 5_000)), Tender(kind: .cash, amount: Money(fen: 1_800))])
        #expect(try node.state.escrow(Cell.storedValue(member: Sample.member)).total == before + 5_000)
        let commission = try node.state.counters(entity: Cell.commission(month: month, staff: "c01"))
        #expect(commission[Cell.commissionEarned]?[node.id] == 700 && commission[Cell.commissionReturned]?[node.id] == 500)
        #expect(throws: MMSError.self) { try node.teller.returnSale(sold.id, quantities: [1: 1]) }
        #expect(throws: MMSError.self) { try node.teller.returnSale(sold.id, quantities: [0: 2]) }
        #expect(throws: MMSError.self) { try node.teller.returnSale(sold.id, quantities: [5: 1]) }
        // The rest: line 1 goes back in cash (the stored value has all been returned); goods to the shelf.
        let rest = node.issue(try node.teller.returnSale(sold.id, quantities: [:]))
        guard case .saleReturned(let r2) = rest.op.body else { Issue.record("not a return"); return }
        #expect(r2.refunds == [Tender(kind: .cash, amount: Money(fen: 1_999))])
        #expect(try Stock.level("A", at: node.id, in: node.state).onHand == 0)
        #expect(throws: MMSError.self) { try node.teller.returnSale(sold.id, quantities: [:]) }
        #expect(try OpCodec.decodeEnvelope(OpCodec.encodeEnvelope(rest)) == rest)
    }

    @Test func partialReturnsOfALineLoseNoFenToRounding() throws {
        var node = try shop()
        // 7 × 3.33 on a 95 % card = 22.14; returned 3 + 4 must give back exactly 22.14.
        let sold = node.issue(try node.teller.sell(SaleRequest(card: "D1", items: [.init(sku: "C", quantity: 7)],
                                                               payments: [.init(kind: .cash, amount: nil)], staff: nil)))
        let first = node.issue(try node.teller.returnSale(sold.id, quantities: [0: 3]))
        let second = node.issue(try node.teller.returnSale(sold.id, quantities: [0: 4]))
        guard case .saleReturned(let a) = first.op.body, case .saleReturned(let b) = second.op.body else { Issue.record("not returns"); return }
        #expect(a.amount.fen + b.amount.fen == 2_214 && a.amount == Money(fen: 949))
    }
}
