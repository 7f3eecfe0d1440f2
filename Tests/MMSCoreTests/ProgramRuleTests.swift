import Foundation
import MMSCore
import MMSCrypto
import MMSTestSupport
import Testing

/// The program's rules decided by the core at a chosen time: top-up bonuses, the day's points
/// multipliers and category rates, points expiry, coupon stacking and transfer, points transfer,
/// the welcome gift, referral rewards and companion cards.
@Suite struct ProgramRuleTests {
    /// Milliseconds at `time` (`YYYY-MM-DD HH:mm:ss.SSS`) in China Standard Time.
    static func millis(_ time: String) -> UInt64 {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(secondsFromGMT: 8 * 3_600)
        f.dateFormat = time.count > 19 ? "yyyy-MM-dd HH:mm:ss.SSS" : time.count > 10 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd"
        return UInt64(f.date(from: time)!.timeIntervalSince1970 * 1_000)
    }

    /// A branch holding `program` (version 1), a member with a stored-value card, at 2026-11-25 10:00.
    func branch(_ program: Program) -> TestNode {
        var node = TestNode("branch-1", seed: 3)
        node.clock = Self.millis("2026-11-25 10:00:00")
        node.issue(.programSet(version: 1, document: program.canonicalJSON()))
        node.issue(Sample.memberAdded())
        node.issue(Sample.storedCard())
        return node
    }

    /// Decides at `time` (the op's clock) and issues what was decided.
    @discardableResult
    func decide(_ node: inout TestNode, at time: String? = nil, _ rule: (Teller) throws -> OpBody) throws -> SignedOp {
        if let time { node.clock = Self.millis(time) - 1 }
        let body = try rule(Teller(state: node.state, origin: node.id, role: .branch, wallMillis: node.clock + 1))
        let op = node.issue(body)
        #expect(try OpCodec.decodeEnvelope(OpCodec.encodeEnvelope(op)) == op, "\(op.op.body.kind) survives the wire")
        return op
    }

    func principal(_ node: TestNode, _ member: String = Sample.member) throws -> Int64 { try node.state.escrow(Cell.storedValue(member: member)).total }
    func bonus(_ node: TestNode, _ member: String = Sample.member) throws -> Int64 { try node.state.escrow(Cell.bonus(member: member)).total }
    /// Every lot's points, expired or not.
    func points(_ node: TestNode, _ member: String = Sample.member) throws -> Int64 { try PointsLots.lots(member: member, in: node.state).map(\.left).reduce(0, +) }
    /// The lots holding points, as `year:left`.
    func lots(_ node: TestNode) throws -> [String] { try PointsLots.lots(member: Sample.member, in: node.state).filter { $0.left != 0 }.map { "\($0.year):\($0.left)" } }

    /// The one fold reports use (`storedValueChanges`, `bonusChanges`) equals the balances.
    func expectFoldsMatch(_ node: TestNode) throws {
        let principal = node.log.flatMap(\.op.body.storedValueChanges).filter { $0.member == Sample.member }.map(\.fen).reduce(0, +)
        let bonus = node.log.flatMap(\.op.body.bonusChanges).filter { $0.member == Sample.member }.map(\.fen).reduce(0, +)
        let (p, b) = (try self.principal(node), try self.bonus(node))
        #expect(principal == p && bonus == b)
    }

    static func bonusProgram() -> Program {
        var program = Program()
        program.bonuses = [TopUpBonus(topup: Money(fen: 100_000), bonus: Money(fen: 10_000)),
                           TopUpBonus(topup: Money(fen: 500_000), bonus: Money(fen: 80_000), from: "2026-12-01", until: "2026-12-31")]
        return program
    }

    @Test func aTopUpBonusIsItsOwnBalanceSpentAfterThePrincipalGivenBackFirstAndNeverRefunded() throws {
        let program = Self.bonusProgram()
        #expect(program.bonus(forTopUp: Money(fen: 99_999), on: "2026-12-10") == Money(fen: 0), "one fen short of the threshold")
        #expect(program.bonus(forTopUp: Money(fen: 100_000), on: "2026-11-25") == Money(fen: 10_000))
        #expect(program.bonus(forTopUp: Money(fen: 500_000), on: "2026-11-30") == Money(fen: 10_000), "the December rule is not yet in force")
        #expect(program.bonus(forTopUp: Money(fen: 500_000), on: "2026-12-31") == Money(fen: 80_000), "its last day counts")
        #expect(program.bonus(forTopUp: Money(fen: 500_000), on: "2027-01-01") == Money(fen: 10_000))

        var node = branch(program)
        try decide(&node) { try $0.topUp(card: Sample.card, amount: Money(fen: 100_000)) }
        #expect(try principal(node) == 100_000 && bonus(node) == 10_000)
        // 1,050.00: all 1,000.00 of principal first, then 50.00 of bonus; points on the principal only.
        let charge = try decide(&node) { try $0.charge(card: Sample.card, amount: Money(fen: 105_000)) }
        guard case .charge(let c) = charge.op.body else { Issue.record("not a charge"); return }
        #expect(c.bonus == Money(fen: 5_000) && c.pointsEarned == Points(1_000))
        #expect(try principal(node) == 0 && bonus(node) == 5_000)
        // More than principal and bonus together is refused, naming both.
        #expect(throws: MMSError.self) { try Teller(state: node.state, origin: node.id, role: .branch, wallMillis: node.clock).charge(card: Sample.card, amount: Money(fen: 5_001)) }
        // 60.00 back: the 50.00 of bonus it took first, then 10.00 of principal; a second refund is all principal.
        let refund = try decide(&node) { try $0.refund(card: Sample.card, charge: charge.id, amount: Money(fen: 6_000)) }
        guard case .refund(let r) = refund.op.body else { Issue.record("not a refund"); return }
        #expect(r.bonus == Money(fen: 5_000))
        #expect(try principal(node) == 1_000 && bonus(node) == 10_000)
        try decide(&node) { try $0.refund(card: Sample.card, charge: charge.id, amount: Money(fen: 2_000)) }
        #expect(try principal(node) == 3_000 && bonus(node) == 10_000)
        // Never to another member's card: the charge was this member's.
        node.issue(Sample.memberAdded("branch-1.m8"))
        node.issue(Sample.storedCard("C8", member: "branch-1.m8"))
        #expect(throws: MMSError.self) { try Teller(state: node.state, origin: node.id, role: .branch, wallMillis: node.clock).refund(card: "C8", charge: charge.id, amount: Money(fen: 100)) }
        try expectFoldsMatch(node)
        // A sale's stored tender splits the same way, and its return gives the bonus back first.
        node.issue(.productSet(ProductSet(sku: "A", name: "面霜", kind: .goods, category: "护肤", price: Money(fen: 5_000), unit: "瓶", active: true)))
        let sale = try decide(&node) { try $0.sell(SaleRequest(card: Sample.card, items: [.init(sku: "A", quantity: 1)],
                                                               payments: [.init(kind: .stored, amount: nil)], staff: nil)) }
        guard case .sale(let s) = sale.op.body else { Issue.record("not a sale"); return }
        #expect(s.bonus == Money(fen: 2_000) && s.pointsEarned == Points(30), "30.00 of principal earns 30 points; the 20.00 of bonus none")
        #expect(try principal(node) == 0 && bonus(node) == 8_000)
        let back = try decide(&node) { try $0.returnSale(sale.id, quantities: [:]) }
        guard case .saleReturned(let sr) = back.op.body else { Issue.record("not a return"); return }
        #expect(sr.bonusBack == Money(fen: 2_000) && sr.storedBack == Money(fen: 5_000))
        #expect(try principal(node) == 3_000 && bonus(node) == 10_000)
        try expectFoldsMatch(node)
        // The member's last card returned: the principal refunded, the bonus forfeited.
        // Principal moved to another member takes its share of the bonus with it: 30.00 of 30.00
        // principal carries all 100.00; the other member's return refunds the principal only.
        node.issue(Sample.memberAdded("branch-1.m9"))
        node.issue(Sample.storedCard("C9", member: "branch-1.m9"))
        let moved = try decide(&node) { try $0.transferBalance(from: Sample.card, to: "C9", amount: Money(fen: 1_500)) }
        guard case .balanceTransferred(let t) = moved.op.body else { Issue.record("not a transfer"); return }
        #expect(t.bonus == Money(fen: 5_000), "half the principal, half the bonus")
        #expect(try bonus(node) == 5_000 && bonus(node, "branch-1.m9") == 5_000)
        try expectFoldsMatch(node)
        try decide(&node) { try $0.transferBalance(from: "C9", to: Sample.card, amount: Money(fen: 1_500)) }
        let returned = try decide(&node) { try $0.returnCard(Sample.card, tender: .cash) }
        guard case .cardReturned(let cr) = returned.op.body else { Issue.record("not a card return"); return }
        #expect(cr.refunded == Money(fen: 3_000) && cr.bonusForfeited == Money(fen: 10_000))
        #expect(try principal(node) == 0 && bonus(node) == 0)
        try expectFoldsMatch(node)
    }

    @Test func aPartialChargeTakesNoBonusWhilePrincipalIsHeldElsewhere() throws {
        var node = branch(Self.bonusProgram())
        try decide(&node) { try $0.topUp(card: Sample.card, amount: Money(fen: 100_000)) }
        // 900.00 of the principal's rights move to head office: 100.00 of principal and the 100.00 bonus stay here.
        try decide(&node) { try $0.transferRights(account: Cell.storedValue(member: Sample.member), to: try NodeID("hq"), amount: 90_000) }
        let partial = try decide(&node) { try $0.charge(card: Sample.card, amount: Money(fen: 50_000), partial: true) }
        guard case .charge(let c) = partial.op.body else { Issue.record("not a charge"); return }
        #expect(c.amount == Money(fen: 10_000) && c.bonus == Money(fen: 0), "the bonus waits until the principal is spent")
        let refusal = #expect(throws: MMSError.self) {
            try Teller(state: node.state, origin: node.id, role: .branch, wallMillis: node.clock).charge(card: Sample.card, amount: Money(fen: 50_000))
        }
        #expect(refusal?.isShortOfRightsOnly == true, "the balance covers it: rights can be asked for")
        #expect(Teller.split(50_000, principal: 90_000) == (50_000, 0) && Teller.split(100_000, principal: 90_000) == (90_000, 10_000))
    }

    @Test func theBonusRightsArePlacedLikeThePrincipals() throws {
        var node = branch(Self.bonusProgram())
        try decide(&node) { try $0.topUp(card: Sample.card, amount: Money(fen: 100_000)) }
        // The member's home is branch-1 (where they were added); head office keeps 10 % of each in reserve.
        let policy = PlacementPolicy(homeSharePercent: 70, recentBranches: 2, reserve: try NodeID("hq"), reservePercent: 10)
        let moves = try Teller(state: node.state, origin: node.id, role: .branch, wallMillis: node.clock).placementTransfers(member: Sample.member, policy: policy)
        let accounts = moves.compactMap { body -> String? in if case .rightsTransferred(let t) = body { return "\(t.account)=\(t.amount)" } else { return nil } }
        #expect(accounts == ["\(Cell.storedValue(member: Sample.member))=10000", "\(Cell.bonus(member: Sample.member))=1000"], "\(accounts)")
    }

    @Test func pointsFollowTheDayTheCategoryAndTheTier() throws {
        var program = Program()
        program.points.categories = [CategoryRate(category: "护肤", perYuan: 3)]
        program.points.memberDay = 8
        program.points.events = [PointsEvent(name: "双旦", from: "2026-12-24", until: "2027-01-01", multiplier: 150)]
        program.tiers = [TierRule(tier: .standard, name: "普通", spend: nil, points: nil, singleTopup: nil, discount: 100, pointsMultiplier: 100, companionCards: 0, birthdayCoupon: nil),
                         TierRule(tier: .silver, name: "白银", spend: nil, points: nil, singleTopup: Money(fen: 1_000_000), discount: 100, pointsMultiplier: 120, companionCards: 0, birthdayCoupon: nil)]
        var node = branch(program)
        node.issue(.productSet(ProductSet(sku: "A", name: "面霜", kind: .goods, category: "护肤", price: Money(fen: 10_050), unit: "瓶", active: true)))
        node.issue(.productSet(ProductSet(sku: "B", name: "洗剪吹", kind: .service, category: "美发", price: Money(fen: 4_950), unit: "次", active: true)))
        func earned(_ time: String) throws -> Int64 {
            let op = try decide(&node, at: time) { try $0.sell(SaleRequest(card: Sample.card, items: [.init(sku: "A", quantity: 1), .init(sku: "B", quantity: 1)],
                                                                            payments: [.init(kind: .cash, amount: nil)], staff: nil)) }
            guard case .sale(let s) = op.op.body else { return -1 }
            return s.pointsEarned.value
        }
        // 护肤 100.50 → 100 yuan × 3 = 300; 美发 49.50 → 49 yuan × 1 = 49.
        #expect(try earned("2026-11-25 12:00:00") == 349)
        #expect(try earned("2026-12-08 00:00:00") == 698, "the member day doubles, from its first millisecond")
        #expect(try earned("2026-12-07 23:59:59.999") == 349)
        #expect(try earned("2026-12-24 09:00:00") == 523, "the event: ×1.5, rounded down")
        #expect(try earned("2027-01-08 09:00:00") == 698, "member day and event never multiply each other: the highest applies")
        try decide(&node) { try $0.topUp(card: Sample.card, amount: Money(fen: 1_000_000)) }
        #expect(try earned("2026-11-26 09:00:00") == 418, "silver ×1.2: 349 × 1.2 = 418.8 → 418")
    }

    @Test func pointsOfALotPastItsLastDayDoNotPay() throws {
        var node = TestNode("branch-1", seed: 3)
        node.clock = Self.millis("2025-06-01") // the 2025 lot: it expires at the end of 2026
        node.issue(.programSet(version: 1, document: Program().canonicalJSON()))
        node.issue(Sample.memberAdded())
        node.issue(Sample.storedCard())
        node.issue(.charge(Charge(member: Sample.member, card: Sample.card, amount: Money(fen: 0), pointsEarned: Points(500))))
        node.clock = Self.millis("2026-03-01")
        node.issue(.pointsAwarded(member: Sample.member, points: Points(100), campaign: "c", holder: node.id))
        func redeem(_ points: Int64, at time: String) throws -> OpBody {
            try Teller(state: node.state, origin: node.id, role: .branch, wallMillis: Self.millis(time)).redeemPoints(card: Sample.card, points: Points(points))
        }
        #expect(throws: Never.self) { try redeem(600, at: "2026-12-31 23:59:59.999") }
        let refusal = #expect(throws: MMSError.self) { try redeem(101, at: "2027-01-01 00:00:00") }
        #expect(refusal?.code == .insufficientPoints && refusal?.details["expired"] == "500")
        #expect(throws: Never.self) { try redeem(100, at: "2027-01-01 00:00:00") }
        // Spent in 2027, the 100 come from the 2026 lot, never from the expired one: nothing is left to spend.
        node.clock = Self.millis("2027-01-01 00:00:00")
        node.issue(try redeem(100, at: "2027-01-01 00:00:01"))
        #expect(try lots(node) == ["2025:500"])
        #expect(throws: MMSError.self) { try redeem(1, at: "2027-01-02 00:00:00") }
    }

    @Test func pointsAReturnTakesBackComeOffTheLotOfTheSale() throws {
        var node = TestNode("branch-1", seed: 3)
        node.clock = Self.millis("2025-06-01")
        node.issue(.programSet(version: 1, document: Program().canonicalJSON()))
        node.issue(Sample.memberAdded())
        node.issue(Sample.storedCard())
        node.issue(.charge(Charge(member: Sample.member, card: Sample.card, amount: Money(fen: 0), pointsEarned: Points(100))))
        node.issue(.productSet(ProductSet(sku: "A", name: "面霜", kind: .goods, category: "护肤", price: Money(fen: 5_000), unit: "瓶", active: true)))
        let sale = try decide(&node, at: "2026-12-31 23:00:00") { try $0.sell(SaleRequest(card: Sample.card, items: [.init(sku: "A", quantity: 1)],
                                                                                       payments: [.init(kind: .cash, amount: nil)], staff: nil)) }
        #expect(try lots(node) == ["2025:100", "2026:50"])
        try decide(&node, at: "2027-01-02 10:00:00") { try $0.returnSale(sale.id, quantities: [:]) }
        #expect(try lots(node) == ["2025:100"],
                "the 2026 sale's points leave the 2026 lot; the 2025 lot, expired now, is not made valid again")
        #expect(throws: MMSError.self) { try Teller(state: node.state, origin: node.id, role: .branch, wallMillis: Self.millis("2027-01-02 11:00:00")).redeemPoints(card: Sample.card, points: Points(1)) }
    }

    @Test func anExclusiveCouponRefusesASaleWithOtherDiscountsAndATransferableOneChangesHands() throws {
        var program = Program()
        program.couponTemplates = [
            CouponTemplate(id: "EX", title: "独享", kind: .amountOff, value: Money(fen: 1_000), percent: nil, minSpend: Money(fen: 0), validDays: 30,
                           weekdaysExcluded: [], skus: [], categories: [], branches: [], tiers: [], perMemberLimit: 3, transferable: false),
            CouponTemplate(id: "TR", title: "可转赠", kind: .amountOff, value: Money(fen: 1_000), percent: nil, minSpend: Money(fen: 0), validDays: 30,
                           weekdaysExcluded: [], skus: [], categories: [], branches: [], tiers: [], perMemberLimit: 3, transferable: true),
        ]
        program.couponTemplates[0].stacking = .exclusive
        var node = branch(program)
        node.issue(Sample.memberAdded("branch-1.m9"))
        node.issue(.productSet(ProductSet(sku: "A", name: "面霜", kind: .goods, category: "护肤", price: Money(fen: 5_000), unit: "瓶", active: true)))
        node.issue(.cardIssued(CardIssued(number: "D1", member: Sample.member, type: .discount, pinHash: "", discountPercent: 90, punchAccount: "", punchUses: 0, replaces: "")))
        try decide(&node) { try $0.issueCoupon(template: "EX", member: Sample.member, code: "EX1") }
        try decide(&node) { try $0.issueCoupon(template: "TR", member: Sample.member, code: "TR1") }
        func sell(_ card: String, _ code: String) throws -> OpBody {
            try Teller(state: node.state, origin: node.id, role: .branch, wallMillis: node.clock + 1)
                .sell(SaleRequest(card: card, items: [.init(sku: "A", quantity: 1)], payments: [.init(kind: .coupon, amount: nil, reference: code), .init(kind: .cash, amount: nil)], staff: nil))
        }
        #expect(throws: MMSError.self) { try sell("D1", "EX1") }
        #expect(throws: Never.self) { try sell(Sample.card, "EX1") }
        // Only a transferable template's coupon moves; then it is the other member's to spend.
        #expect(throws: MMSError.self) { try Teller(state: node.state, origin: node.id, role: .branch, wallMillis: node.clock).transferCoupon(code: "EX1", card: Sample.card, to: "branch-1.m9") }
        node.issue(Sample.storedCard("C9", member: "branch-1.m9"))
        #expect(throws: MMSError.self, "only its member gives it") {
            try Teller(state: node.state, origin: node.id, role: .branch, wallMillis: node.clock).transferCoupon(code: "TR1", card: "C9", to: "branch-1.m9")
        }
        try decide(&node) { try $0.transferCoupon(code: "TR1", card: Sample.card, to: "branch-1.m9") }
        #expect(try node.state.coupon("TR1")?.member == "branch-1.m9")
        #expect(try node.state.coupons(of: "branch-1.m9").map(\.code) == ["TR1"])
        #expect(try node.state.coupons(of: Sample.member).map(\.code) == ["EX1"], "no longer the giver's")
        #expect(throws: MMSError.self) { try sell(Sample.card, "TR1") }
        // Not by a node that does not hold its one use.
        var other = TestNode("branch-2", seed: 4)
        for op in node.log { other.receive(op) }
        #expect(throws: MMSError.self) { try Teller(state: other.state, origin: other.id, role: .branch, wallMillis: node.clock).transferCoupon(code: "TR1", card: "C9", to: Sample.member) }
    }

    @Test func pointsGoToAnotherMemberOnlyWhereAllowedAndNeverCountForTheirTier() throws {
        var program = Program()
        program.tiers = [TierRule(tier: .standard, name: "普通", spend: nil, points: nil, singleTopup: nil, discount: 100, pointsMultiplier: 100, companionCards: 0, birthdayCoupon: nil),
                         TierRule(tier: .silver, name: "白银", spend: nil, points: 1_000, singleTopup: nil, discount: 100, pointsMultiplier: 100, companionCards: 0, birthdayCoupon: nil)]
        var node = branch(program)
        node.issue(Sample.memberAdded("branch-1.m9"))
        node.issue(.charge(Charge(member: Sample.member, card: Sample.card, amount: Money(fen: 0), pointsEarned: Points(1_500))))
        #expect(throws: MMSError.self) { try Teller(state: node.state, origin: node.id, role: .branch, wallMillis: node.clock).transferPoints(card: Sample.card, to: "branch-1.m9", points: Points(1_200)) }
        program.points.transferable = true
        node.issue(.programSet(version: 2, document: program.canonicalJSON()))
        #expect(throws: MMSError.self) { try Teller(state: node.state, origin: node.id, role: .branch, wallMillis: node.clock).transferPoints(card: Sample.card, to: "branch-1.m9", points: Points(1_501)) }
        try decide(&node) { try $0.transferPoints(card: Sample.card, to: "branch-1.m9", points: Points(1_200)) }
        #expect(try points(node) == 300 && points(node, "branch-1.m9") == 1_200)
        #expect(try node.state.member(Sample.member)?.tier == .silver, "the giver earned them")
        #expect(try node.state.member("branch-1.m9")?.tier == .standard, "the receiver did not")
    }

    @Test func theWelcomeGiftAndTheReferralRewardAreGivenOnceAtTheMembersHome() throws {
        var program = Program()
        program.welcome = Reward(coupon: nil, points: 200)
        program.referral = Reward(coupon: nil, points: 500)
        var node = branch(program)
        var added = MemberAdded(member: "branch-1.m9", sealedName: [1], sealedPhone: [2], sealedBirthday: [3], phoneIndex: [UInt8](repeating: 8, count: 16))
        added.referrer = Sample.member
        node.issue(.memberAdded(added))
        var hq = TestNode("hq", seed: 5)
        for op in node.log { hq.receive(op) }
        let teller = { (state: MemoryState) in Teller(state: state, origin: node.id, role: .branch, wallMillis: node.clock + 1) }
        #expect(try teller(node.state).welcomeGift(member: "branch-1.m9") == nil, "no card yet")
        #expect(try teller(node.state).referralReward(for: "branch-1.m9") == nil, "the new member has not paid")
        node.issue(Sample.storedCard("C9", member: "branch-1.m9"))
        try decide(&node) { try #require(try $0.welcomeGift(member: "branch-1.m9")) }
        #expect(try points(node, "branch-1.m9") == 200)
        #expect(try teller(node.state).welcomeGift(member: "branch-1.m9") == nil, "once")
        node.issue(Sample.storedCard("C10", member: Sample.member))
        #expect(try teller(node.state).welcomeGift(member: Sample.member) == nil, "with the member's first card only: this one had a card before")
        #expect(try Teller(state: node.state, origin: hq.id, role: .hq, wallMillis: node.clock).welcomeGift(member: Sample.member) == nil, "only the home branch gives it")
        try decide(&node) { try $0.topUp(card: "C9", amount: Money(fen: 1_000)) }
        #expect(try teller(node.state).referralReward(for: "branch-1.m9") == nil, "a top-up alone could be returned with the card")
        try decide(&node) { try $0.charge(card: "C9", amount: Money(fen: 100)) }
        try decide(&node) { try #require(try $0.referralReward(for: "branch-1.m9")) }
        #expect(try points(node) == 500)
        #expect(try teller(node.state).referralReward(for: "branch-1.m9") == nil, "once per member brought")
        // A branch's points_awarded is permitted for these gifts only.
        #expect(OpBody.pointsAwarded(member: "m", points: Points(1), campaign: Rewards.welcome, holder: node.id).isPermitted(origin: node.id, role: .branch))
        #expect(!OpBody.pointsAwarded(member: "m", points: Points(1), campaign: "birthday-2026-12", holder: node.id).isPermitted(origin: node.id, role: .branch))
        // A member cannot have referred themselves, nor a member unknown here.
        added.member = "branch-1.m10"; added.referrer = "branch-1.m404"
        #expect(throws: MMSError.self) { try teller(node.state).addMember(added) }
    }

    @Test func companionCardsCarryTheTiersDiscountAsManyAsItGivesAtHome() throws {
        var program = Program()
        program.tiers = [TierRule(tier: .standard, name: "普通", spend: nil, points: nil, singleTopup: nil, discount: 100, pointsMultiplier: 100, companionCards: 0, birthdayCoupon: nil),
                         TierRule(tier: .gold, name: "黄金", spend: nil, points: nil, singleTopup: Money(fen: 1_000_000), discount: 95, pointsMultiplier: 150, companionCards: 1, birthdayCoupon: nil)]
        var node = branch(program)
        let teller = { (node: TestNode) in Teller(state: node.state, origin: node.id, role: .branch, wallMillis: node.clock + 1) }
        #expect(throws: MMSError.self, "standard gives none") { try teller(node).issueCompanionCard(number: "F1", member: Sample.member, pinHash: "") }
        try decide(&node) { try $0.topUp(card: Sample.card, amount: Money(fen: 1_000_000)) }
        let op = try decide(&node) { try $0.issueCompanionCard(number: "F1", member: Sample.member, pinHash: "") }
        guard case .cardIssued(let card) = op.op.body else { Issue.record("not a card"); return }
        #expect(card.companion && card.type == .discount && card.discountPercent == 95)
        #expect(throws: MMSError.self, "gold gives one") { try teller(node).issueCompanionCard(number: "F2", member: Sample.member, pinHash: "") }
        var other = TestNode("branch-2", seed: 4)
        for op in node.log { other.receive(op) }
        #expect(throws: MMSError.self, "only at home") { try teller(other).issueCompanionCard(number: "F3", member: Sample.member, pinHash: "") }
        // It pays nothing from the balance.
        #expect(throws: MMSError.self) { try teller(node).charge(card: "F1", amount: Money(fen: 100)) }
    }

    @Test func aReviewedTierHoldsThroughTheNextYearThenFollowsTheFiguresOfItsWindow() throws {
        var program = Program()
        program.tiers = [TierRule(tier: .standard, name: "普通", spend: nil, points: nil, singleTopup: nil, discount: 100, pointsMultiplier: 100, companionCards: 0, birthdayCoupon: nil),
                         TierRule(tier: .silver, name: "白银", spend: Money(fen: 500_000), points: nil, singleTopup: nil, discount: 98, pointsMultiplier: 100, companionCards: 0, birthdayCoupon: nil)]
        program.tierReview = TierReview(years: 1)
        var node = TestNode("branch-1", seed: 3)
        node.clock = Self.millis("2026-03-01")
        node.issue(.programSet(version: 1, document: program.canonicalJSON()))
        node.issue(Sample.memberAdded())
        node.issue(Sample.storedCard())
        try decide(&node, at: "2026-03-02 10:00:00") { try $0.topUp(card: Sample.card, amount: Money(fen: 600_000)) }
        let charge = try decide(&node, at: "2026-03-03 10:00:00") { try $0.charge(card: Sample.card, amount: Money(fen: 500_000)) }
        var refunded = node
        let view = try #require(try node.state.member(Sample.member))
        #expect(try node.state.tier(of: view, on: "2026-03-03") == .silver)
        #expect(try node.state.tier(of: view, on: "2027-12-31") == .silver, "held through the end of the next year")
        #expect(try node.state.tier(of: view, on: "2028-01-01") == .standard, "reviewed: 2027 and 2028 spent nothing")
        // The tier's discount follows: a sale on 2028-01-02 pays the list price.
        node.issue(.productSet(ProductSet(sku: "A", name: "面霜", kind: .goods, category: "护肤", price: Money(fen: 10_000), unit: "瓶", active: true)))
        let sale = try decide(&node, at: "2028-01-02 10:00:00") { try $0.sell(SaleRequest(card: Sample.card, items: [.init(sku: "A", quantity: 1)],
                                                                                      payments: [.init(kind: .cash, amount: nil)], staff: nil)) }
        guard case .sale(let s) = sale.op.body else { Issue.record("not a sale"); return }
        #expect(s.total == Money(fen: 10_000))
        // A return in 2026 counts back in 2026: 1,000.00 refunded leaves 4,000.00, below silver.
        try decide(&refunded, at: "2026-03-04 10:00:00") { try $0.refund(card: Sample.card, charge: charge.id, amount: Money(fen: 100_000)) }
        #expect(try refunded.state.tier(of: try #require(try refunded.state.member(Sample.member)), on: "2026-06-01") == .standard)
    }

    @Test func aPunchCardOfAProductPaysOnlyForItsServices() throws {
        var program = Program()
        program.cardProducts = [
            CardProduct(id: "wash", name: "洗剪吹", type: .punch, minFirstTopup: nil, fee: Money(fen: 58_000), earnsPoints: false, validityDays: nil,
                        extendOnTopup: false, firstDayShare: nil, discount: nil, uses: 10, services: ["SV-001"]),
            CardProduct(id: "spa", name: "护理", type: .punch, minFirstTopup: nil, fee: Money(fen: 98_000), earnsPoints: false, validityDays: nil,
                        extendOnTopup: false, firstDayShare: nil, discount: nil, uses: 10, services: ["SV-002", "SV-003"]),
        ]
        var node = branch(program)
        try decide(&node) { try $0.issueCard(number: "P1", member: Sample.member, product: "wash", pinHash: "", firstTopUp: nil, feeTender: .cash, staff: nil) }
        try decide(&node) { try $0.issueCard(number: "P2", member: Sample.member, product: "spa", pinHash: "", firstTopUp: nil, feeTender: .cash, staff: nil) }
        let teller = { Teller(state: node.state, origin: node.id, role: .branch, wallMillis: node.clock + 1) }
        let one = try decide(&node) { try $0.usePunch(card: "P1", uses: 1) }
        guard case .punchUsed(let used) = one.op.body else { Issue.record("not a punch"); return }
        #expect(used.service == "SV-001", "its one service, named or not")
        #expect(throws: MMSError.self) { try teller().usePunch(card: "P1", uses: 1, service: "SV-002") }
        #expect(throws: MMSError.self, "two services: say which") { try teller().usePunch(card: "P2", uses: 1) }
        try decide(&node) { try $0.usePunch(card: "P2", uses: 2, service: "SV-003") }
        #expect(try node.state.escrow("punch:P2").total == 8)
    }

    @Test func daysAreTheCalendarsAndNoneStopsTheNode() {
        #expect(Sales.isDay("2028-02-29") && !Sales.isDay("2026-02-29") && !Sales.isDay("2026-02-30") && !Sales.isDay("2026-13-01"))
        #expect(Sales.isDay("1969-12-31") && Sales.isDay("1900-01-01"), "days before 1970 are days, and checking one stops nothing")
        #expect(CardLife.day("1970-01-01", plus: -1) == "1969-12-31")
        #expect(Sales.isDayShape("2026-02-30"), "an op already signed with it still decodes")
    }

    @Test func aProgramSetBeforeTheseRulesExistedStillDecodes() throws {
        // A version-1 document as the first programs were written: no bonuses, no welcome, no stacking.
        let old = #"{"campaigns":[],"card_products":[],"coupon_templates":[{"categories":[],"branches":[],"id":"CP","kind":"amount_off","min_spend":"0.00","per_member_limit":1,"skus":[],"tiers":[],"title":"t","transferable":false,"valid_days":30,"value":"5.00","weekdays_excluded":[]}],"gifts":[],"points":{"expiry":"end_of_next_year","per_yuan":1,"redeem_per_yuan":100},"tiers":[]}"#
        let program = try Program.decode(json: old)
        #expect(program.bonuses.isEmpty && program.welcome == nil && program.couponTemplates[0].stacking == .onePerSale && program.points.memberDayMultiplier == 200)
        #expect(try Program.decode(json: program.canonicalJSON()) == program)
    }

    @Test func badRulesAreRefusedWhole() throws {
        func refused(_ change: (inout Program) -> Void) -> Bool {
            var program = Program()
            change(&program)
            return (try? program.validate()) == nil
        }
        #expect(refused { $0.bonuses = [TopUpBonus(topup: Money(fen: 100), bonus: Money(fen: 101))] }, "a bonus above its top-up")
        #expect(refused { $0.bonuses = [TopUpBonus(topup: Money(fen: 100), bonus: Money(fen: 1), from: "2026-12-31", until: "2026-12-01")] })
        #expect(refused { $0.points.memberDay = 29 })
        #expect(refused { $0.points.events = [PointsEvent(name: "x", from: "2026-02-30", until: "2026-03-01", multiplier: 200)] })
        #expect(refused { $0.points.categories = [CategoryRate(category: "护肤", perYuan: 2), CategoryRate(category: "护肤", perYuan: 3)] })
        #expect(refused { $0.welcome = Reward(coupon: "NOPE", points: nil) })
        #expect(refused { $0.referral = Reward(coupon: nil, points: nil) })
        #expect(refused { $0.checkInPoints = 0 } && refused { $0.checkInPoints = 1_001 } && !refused { $0.checkInPoints = 5 }, "check-in points from 1 to 1000")
        #expect(!refused { $0.bonuses = [TopUpBonus(topup: Money(fen: 100), bonus: Money(fen: 100))] })
    }
}

/// A member's tier at the end of each month, from what changed their figures month by month:
/// by every figure up to then, or under a review by the window of years the review counts.
@Suite struct TierHistoryTests {
    func rule(_ tier: Tier, spend: Int64?, points: Int64? = nil) -> TierRule {
        TierRule(tier: tier, name: tier.rawValue, spend: spend.map { Money(fen: $0) }, points: points, singleTopup: nil, discount: 100, pointsMultiplier: 100,
                 companionCards: 0, birthdayCoupon: nil)
    }

    @Test func aTierHeldIsDecidedAtEachMonthsEndAndAReviewForgetsOldYears() {
        var program = Program()
        program.tiers = [rule(.standard, spend: nil), rule(.silver, spend: 100_000), rule(.gold, spend: 300_000, points: 5_000)]
        let ladder = TierLadder(program: program, settings: [:])
        func spend(_ fen: Int64, points: Int64 = 0) -> TierFigures { TierFigures(netSpend: fen, largestTopUp: 0, pointsEarned: points) }
        // 2024-03: 1,200.00; 2025-06: 2,000.00; 2025-07: 300.00 given back; 2026-01: 4,000 points.
        let months: [(month: Int64, figures: TierFigures)] = [(202_507, spend(-30_000)), (202_403, spend(120_000)), (202_506, spend(200_000)), (202_601, spend(0, points: 4_000))]
        let lifetime = TierHistory(ladder: ladder, review: nil)
        #expect([202_402, 202_403, 202_505, 202_506, 202_507, 202_601].map { lifetime.tier(endOf: $0, months) } == [.standard, .silver, .silver, .gold, .silver, .silver])
        // A review of one year counts that year and the one before: in 2026, 2025's 1,700.00 and 4,000 points.
        let review = TierHistory(ladder: ladder, review: TierReview(years: 1))
        #expect([202_403, 202_506, 202_507, 202_512, 202_601, 202_701].map { review.tier(endOf: $0, months) } == [.silver, .gold, .silver, .silver, .silver, .standard])
        #expect(TierReview(years: 1).counts(year: 2025, at: 2026) && !TierReview(years: 1).counts(year: 2024, at: 2026) && !TierReview(years: 1).counts(year: 2027, at: 2026))
    }
}
