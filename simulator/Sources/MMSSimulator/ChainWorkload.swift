import MMSCore

/// A chain-shaped workload, drawn from its own random stream before the run, so the faulty run
/// and its fault-free twin see exactly the same requests: members with a home branch who mostly
/// shop there and sometimes elsewhere, top-ups at home, payments, points, punch cards, coupons,
/// lost cards, head-office setting changes; and the shop floor: head office's catalogue, baskets
/// paid partly from stored value and partly in cash, returns, stock received and sent between
/// branches, and transfers confirmed on arrival; and the membership program: head office's program
/// first, coupons from its templates used at checkout or alone, stored value moved between
/// members' cards, cards returned, gifts for points (their stock received at the branches), and
/// campaigns run twice at head office (and once, refused, at a branch).
struct ChainWorkload {
    struct Member {
        let home: Int
        let card: String
        let punchCard: String?
    }

    enum Kind: Equatable {
        case topUp(fen: Int64)
        case charge(fen: Int64)
        case refundLatest
        case redeemPoints(Int64)
        /// A use of the member's punch card, on its own or paying a sale's service line (计次 at checkout).
        case punch(atCheckout: Bool)
        case issueCoupon(code: String, fen: Int64)
        case redeemCoupon(code: String)
        case reportLost
        case setPointsPerYuan(Int)
        case addProduct(sku: String, fen: Int64, goods: Bool)
        /// Items as (catalogue index, quantity); the stored-value part, the rest in cash.
        case basket(items: [Item], storedFen: Int64)
        case returnLatestSale
        case receiveStock(sku: String, quantity: Int64)
        case transferStock(sku: String, quantity: Int64, to: Int)
        case arriveTransfer
        case setProgram
        case issueTemplateCoupon(template: String)
        /// The member's first unused coupon this branch knows: at checkout (a basket with the
        /// coupon as a tender, the rest in cash) or redeemed alone.
        case useMemberCoupon(atCheckout: Bool)
        /// Stored value from the member's card to another member's (index into `members`).
        case transferBalance(to: Int, fen: Int64)
        case returnCard
        case redeemGift
        /// A campaign run over every member, one op per member given the gift.
        case runCampaign(id: String)
    }

    struct Item: Equatable { let sku: String; let quantity: Int64 }

    /// Head office's catalogue in every run: two goods and a service.
    static let catalogue: [(sku: String, fen: Int64, goods: Bool)] = [("S1", 1_234, true), ("S2", 4_500, false), ("S3", 333, true)]

    /// Head office's program in every run: one-day coupons (issued before midnight, refused after),
    /// a month's coupons for the coupon campaign, a gift whose stock sits at the branches, and two
    /// campaigns over every member (an empty segment), one of points and one of coupons.
    static let giftSKU = "GIFT1", gift = "G-SIM", dayCoupon = "CP-DAY", monthCoupon = "CP-MONTH"
    static let pointsCampaign = "CMP-PTS", couponCampaign = "CMP-CPN"
    static let program: Program = {
        var p = Program()
        p.points.perYuan = 1
        p.points.redeemPerYuan = 100
        // Points earned before midnight (the first three minutes) stop paying at the year end, so
        // every run spends points across an expiry.
        p.points.expiry = .endOfYear
        p.couponTemplates = [
            CouponTemplate(id: dayCoupon, title: "sim day", kind: .amountOff, value: Money(fen: 500), percent: nil, minSpend: Money(fen: 1_000),
                           validDays: 1, weekdaysExcluded: [], skus: [], categories: [], branches: [], tiers: [], perMemberLimit: 3, transferable: false),
            CouponTemplate(id: monthCoupon, title: "sim month", kind: .amountOff, value: Money(fen: 800), percent: nil, minSpend: Money(fen: 0),
                           validDays: 30, weekdaysExcluded: [], skus: [], categories: [], branches: [], tiers: [], perMemberLimit: 2, transferable: false),
        ]
        p.gifts = [Gift(id: gift, name: "sim gift", points: 50, sku: giftSKU)]
        p.campaigns = [Campaign(id: pointsCampaign, name: "sim points", segment: .init(), coupon: nil, points: 20),
                       Campaign(id: couponCampaign, name: "sim coupons", segment: .init(), coupon: monthCoupon, points: nil)]
        return p
    }()

    struct Request {
        let at: UInt64
        let node: Int
        let member: Int
        let kind: Kind
    }

    let members: [Member]
    /// Sorted by time.
    let requests: [Request]

    /// Node 0 is the head office; nodes 1… are branches.
    init(nodes: Int, options: SimulationOptions, random: inout SimRandom) {
        let branches = max(1, nodes - 1)
        var members: [Member] = []
        for b in 0..<branches {
            for m in 0..<options.membersPerBranch {
                members.append(Member(home: b + 1, card: "C\(b + 1)x\(m)", punchCard: m % 5 == 0 ? "P\(b + 1)x\(m)" : nil))
            }
        }
        var requests: [Request] = []
        let end = options.durationMillis
        // The catalogue, before the first customer.
        for (i, p) in Self.catalogue.enumerated() {
            requests.append(Request(at: UInt64(200 + 100 * i), node: 0, member: 0, kind: .addProduct(sku: p.sku, fen: p.fen, goods: p.goods)))
        }
        // The gift's product, and head office's program, before the first customer.
        requests.append(Request(at: 600, node: 0, member: 0, kind: .addProduct(sku: Self.giftSKU, fen: 990, goods: true)))
        requests.append(Request(at: 700, node: 0, member: 0, kind: .setProgram))
        // The campaigns, twice each at head office (the second run must give no one a gift twice),
        // and once at a branch (only head office runs campaigns: refused).
        for (id, first, second) in [(Self.pointsCampaign, 0.35, 0.7), (Self.couponCampaign, 0.4, 0.75)] {
            for share in [first, second] { requests.append(Request(at: UInt64(Double(end) * share), node: 0, member: 0, kind: .runCampaign(id: id))) }
        }
        requests.append(Request(at: end / 2, node: 1, member: 0, kind: .runCampaign(id: Self.pointsCampaign)))
        // Opening top-ups at home, in the first minute.
        for (i, m) in members.enumerated() {
            requests.append(Request(at: UInt64(random.int(1_000..<60_000)), node: m.home, member: i, kind: .topUp(fen: Int64(random.int(100..<2_000)) * 100)))
        }
        var coupons = 0
        for b in 1...branches {
            // The gift's first stock, once the product has reached the branch.
            requests.append(Request(at: 30_000 + UInt64(b), node: b, member: (b - 1) * options.membersPerBranch, kind: .receiveStock(sku: Self.giftSKU, quantity: 20)))
            var t: UInt64 = 60_000
            while true {
                t += UInt64(random.exponential(mean: Double(options.paymentIntervalMillis))) + 1
                guard t < end else { break }
                // Mostly the branch's own members; one visit in five from anywhere in the chain.
                let own = (b - 1) * options.membersPerBranch
                let member = random.chance(0.8) ? own + random.int(0..<options.membersPerBranch) : random.int(0..<members.count)
                let roll = random.double(in: 0...1)
                let kind: Kind
                func sku() -> String { Self.catalogue[random.int(0..<Self.catalogue.count)].sku }
                switch roll {
                case ..<0.06:
                    let items = (0..<random.int(1..<4)).map { _ in Item(sku: sku(), quantity: Int64(random.int(1..<4))) }
                    // Under the cheapest line, so some cash is always due.
                    kind = .basket(items: items, storedFen: random.chance(0.7) ? Int64(random.int(1..<300)) : 0)
                case ..<0.08: kind = .returnLatestSale
                case ..<0.10: kind = .receiveStock(sku: sku(), quantity: Int64(random.int(5..<50)))
                case ..<0.11: kind = .transferStock(sku: sku(), quantity: Int64(random.int(1..<10)), to: 1 + random.int(0..<branches))
                // Confirming arrivals twice as often as transfers are sent, so most arrive within a run.
                case ..<0.13: kind = .arriveTransfer
                case ..<0.55: kind = .charge(fen: Int64(random.int(5..<400)) * 100 + Int64(random.int(0..<100)))
                case ..<0.58: kind = .issueTemplateCoupon(template: random.chance(0.7) ? Self.dayCoupon : Self.monthCoupon)
                case ..<0.60: kind = .useMemberCoupon(atCheckout: true)
                case ..<0.61: kind = .useMemberCoupon(atCheckout: false)
                case ..<0.63: kind = .transferBalance(to: random.int(0..<members.count), fen: Int64(random.int(1..<200)) * 100)
                case ..<0.64: kind = .redeemGift
                case ..<0.645: kind = .receiveStock(sku: Self.giftSKU, quantity: Int64(random.int(1..<10)))
                case ..<0.6465: kind = .returnCard
                case ..<0.74: kind = .topUp(fen: Int64(random.int(50..<1_000)) * 100)
                case ..<0.80: kind = .refundLatest
                case ..<0.86: kind = .redeemPoints(Int64(random.int(10..<200)))
                case ..<0.92: kind = members[member].punchCard != nil ? .punch(atCheckout: requests.count % 2 == 0) : .charge(fen: Int64(random.int(5..<100)) * 100)
                case ..<0.998:
                    coupons += 1
                    kind = .redeemCoupon(code: "Q\(random.int(0..<max(1, coupons)))")
                default: kind = .reportLost
                }
                requests.append(Request(at: t, node: b, member: member, kind: kind))
            }
        }
        // The head office issues coupons and now and then changes the points rate.
        var t: UInt64 = 60_000
        var code = 0
        while true {
            t += UInt64(random.exponential(mean: Double(options.paymentIntervalMillis) * 2)) + 1
            guard t < end else { break }
            if random.chance(0.02) {
                requests.append(Request(at: t, node: 0, member: 0, kind: .setPointsPerYuan(random.int(1..<4))))
            } else {
                requests.append(Request(at: t, node: 0, member: random.int(0..<members.count), kind: .issueCoupon(code: "Q\(code)", fen: Int64(random.int(5..<50)) * 100)))
                code += 1
            }
        }
        self.members = members
        self.requests = requests.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
    }

    func memberID(_ index: Int) -> String { "m\(index)" }
}
