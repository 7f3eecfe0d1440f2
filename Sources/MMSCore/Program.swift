import Foundation

/// Head office's membership program: card products, tiers, points, coupon templates, gifts and
/// campaigns. It is data, never code: head office sets it whole (`program_set`, versioned), it
/// replicates like any op, and every replica decides by the version it holds when it decides, so
/// a sale made before a change is never decided again. Stored in the op as canonical JSON.
public struct Program: Codable, Equatable, Sendable {
    public var cardProducts: [CardProduct] = []
    public var tiers: [TierRule] = []
    public var points = PointsRule()
    public var couponTemplates: [CouponTemplate] = []
    public var gifts: [Gift] = []
    public var campaigns: [Campaign] = []
    /// 充值赠送: a top-up's bonus, by the amount topped up.
    public var bonuses: [TopUpBonus] = []
    /// 开卡礼: what a member gets with their first card.
    public var welcome: Reward?
    /// What a member who brought a new one gets when the new member first pays.
    public var referral: Reward?
    /// Tier validity: when set, a tier counts only the figures of the current year and the
    /// `years` before it, so it holds until a review at a year's end finds them short.
    public var tierReview: TierReview?
    /// The extra fields head office keeps for each member (肤质, 过敏史, 常用品牌 …), in order.
    public var memberFields: [String] = []
    /// 签到: points a member gets for checking in on their page, once a day (nil: off).
    public var checkInPoints: Int64?
    /// The reminders' messages, by kind (`birthday`, `points_expiring`, …), where head office
    /// words them itself; the others say `MessageKind.defaultTemplate`.
    public var messages: [String: String] = [:]

    public init() {}

    /// What a message of `kind` says under this program.
    public func template(_ kind: MessageKind) -> String { messages[kind.rawValue] ?? kind.defaultTemplate }

    public func cardProduct(_ id: String) -> CardProduct? { cardProducts.first { $0.id == id } }
    public func couponTemplate(_ id: String) -> CouponTemplate? { couponTemplates.first { $0.id == id } }
    public func campaign(_ id: String) -> Campaign? { campaigns.first { $0.id == id } }
    public func tier(_ tier: Tier) -> TierRule? { tiers.first { $0.tier == tier } }

    /// The bonus a top-up of `amount` earns on `day`: the richest rule in force that it reaches.
    public func bonus(forTopUp amount: Money, on day: String) -> Money {
        bonuses.filter { $0.topup <= amount && $0.runs(on: day) }.map(\.bonus).max() ?? Money(fen: 0)
    }
}

/// 充值赠送: top up at least `topup`, get `bonus` on the bonus balance (spent after the principal,
/// never refunded), between `from` and `until` (days, both counted) when they are set.
public struct TopUpBonus: Codable, Equatable, Sendable {
    public var topup: Money
    public var bonus: Money
    public var from: String?
    public var until: String?
    public init(topup: Money, bonus: Money, from: String? = nil, until: String? = nil) {
        self.topup = topup; self.bonus = bonus; self.from = from; self.until = until
    }
    public func runs(on day: String) -> Bool { (from.map { $0 <= day } ?? true) && (until.map { day <= $0 } ?? true) }
}

/// A tier reached holds through the end of the `years`-th year after the year it was reached in;
/// from then on the figures of the current year and the `years` before it decide (spend less what
/// came back, single top-ups, points earned in those years' lots).
public struct TierReview: Codable, Equatable, Sendable {
    public var years: Int64
    public init(years: Int64) { self.years = years }
}

/// A gift of a coupon (from a template) or points, or both.
public struct Reward: Codable, Equatable, Sendable {
    public var coupon: String?
    public var points: Int64?
    public init(coupon: String?, points: Int64?) { self.coupon = coupon; self.points = points }
}

/// A kind of card head office sells: its type, how it is issued, how long it is valid.
public struct CardProduct: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
    public var type: CardType
    /// A stored-value card issued with a first top-up of at least this.
    public var minFirstTopup: Money?
    /// A card bought for a fee; such cards earn no points.
    public var fee: Money?
    public var earnsPoints: Bool
    /// Days from issue (and, when `extendOnTopup`, from each top-up) the card pays; nil: no end.
    public var validityDays: Int64?
    public var extendOnTopup: Bool
    /// On its day of issue a stored-value card may spend at most this percent of its first top-up.
    public var firstDayShare: Int64?
    /// Discount cards: the percent of the price paid.
    public var discount: Int64?
    /// Punch cards: uses sold with the card, and the services (SKUs) they pay for (empty: any).
    public var uses: Int64?
    public var services: [String]
    public init(id: String, name: String, type: CardType, minFirstTopup: Money?, fee: Money?, earnsPoints: Bool, validityDays: Int64?, extendOnTopup: Bool, firstDayShare: Int64?, discount: Int64?, uses: Int64?, services: [String]) {
        self.id = id; self.name = name; self.type = type; self.minFirstTopup = minFirstTopup; self.fee = fee; self.earnsPoints = earnsPoints; self.validityDays = validityDays; self.extendOnTopup = extendOnTopup; self.firstDayShare = firstDayShare; self.discount = discount; self.uses = uses; self.services = services
    }
}

/// One rung of the tier ladder (普通, 白银, 黄金, 黑钻): how it is reached and what it gives.
public struct TierRule: Codable, Equatable, Sendable {
    public var tier: Tier
    public var name: String
    /// Reached by net spend, by points earned, or by one single top-up of at least this.
    public var spend: Money?
    public var points: Int64?
    public var singleTopup: Money?
    /// Percent of the list price a member of this tier pays (100: no discount).
    public var discount: Int64
    /// Points earned, in percent of the base (200: double).
    public var pointsMultiplier: Int64
    /// Extra cards issued with the tier; they carry the tier's discount, not the balance.
    public var companionCards: Int64
    /// A coupon template given on the member's birthday.
    public var birthdayCoupon: String?
    public init(tier: Tier, name: String, spend: Money?, points: Int64?, singleTopup: Money?, discount: Int64, pointsMultiplier: Int64, companionCards: Int64, birthdayCoupon: String?) {
        self.tier = tier; self.name = name; self.spend = spend; self.points = points; self.singleTopup = singleTopup; self.discount = discount; self.pointsMultiplier = pointsMultiplier; self.companionCards = companionCards; self.birthdayCoupon = birthdayCoupon
    }
}

public struct PointsRule: Codable, Equatable, Sendable {
    /// Points per whole yuan paid by tender (never on a bonus).
    public var perYuan: Int64 = 1
    /// Points that offset 1.00 of a payment.
    public var redeemPerYuan: Int64 = 100
    /// Points earned in a year expire at the end of the next year (`end_of_next_year`), at the end
    /// of that year (`end_of_year`), or never.
    public var expiry: PointsExpiry = .endOfNextYear
    /// Per-yuan rates of their own for lines of these product categories.
    public var categories: [CategoryRate] = []
    /// 会员日: a day of the month (1–28) on which points earned are multiplied (percent).
    public var memberDay: Int64?
    public var memberDayMultiplier: Int64 = 200
    /// Multiplier events: double points over a date range, say.
    public var events: [PointsEvent] = []
    /// Whether a member may give points to another member.
    public var transferable = false

    public init() {}

    /// The multiplier (percent) of every event in force on `day`, the member day's included: the highest applies.
    public func multiplier(on day: String) -> Int64 {
        var best: Int64 = 100
        if let memberDay, Int64(day.suffix(2)) == memberDay { best = max(best, memberDayMultiplier) }
        for event in events where event.from <= day && day <= event.until { best = max(best, event.multiplier) }
        return best
    }

    /// Points per whole yuan for a line of `category`.
    public func perYuan(category: String?) -> Int64 {
        category.flatMap { c in categories.first { $0.category == c }?.perYuan } ?? perYuan
    }
}

public struct CategoryRate: Codable, Equatable, Sendable {
    public var category: String
    public var perYuan: Int64
    public init(category: String, perYuan: Int64) { self.category = category; self.perYuan = perYuan }
}

/// Points multiplied (percent: 200 doubles) from `from` to `until`, both days counted.
public struct PointsEvent: Codable, Equatable, Sendable {
    public var name: String
    public var from: String
    public var until: String
    public var multiplier: Int64
    public init(name: String, from: String, until: String, multiplier: Int64) {
        self.name = name; self.from = from; self.until = until; self.multiplier = multiplier
    }
}

/// When a lot of points (those earned in one year) stops paying: never, at the end of its year,
/// or at the end of the year after.
public enum PointsExpiry: String, Codable, Sendable, CaseIterable { case never, endOfYear = "end_of_year", endOfNextYear = "end_of_next_year" }

public struct CouponTemplate: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case amountOff = "amount_off", percentOff = "percent_off", gift, freeService = "free_service" }
    public var id: String
    public var title: String
    public var kind: Kind
    /// amount_off: what it takes off; gift and free_service: what it is worth.
    public var value: Money?
    /// percent_off: the percent taken off.
    public var percent: Int64?
    /// The sale's total must reach this.
    public var minSpend: Money
    /// Days from issue it may be used.
    public var validDays: Int64
    /// ISO weekdays (1 Monday … 7 Sunday) it may not be used.
    public var weekdaysExcluded: [Int64]
    /// Where it applies: products, categories, branches, tiers (empty: any).
    public var skus: [String]
    public var categories: [String]
    public var branches: [String]
    public var tiers: [Tier]
    /// At most this many unused coupons of the template per member.
    public var perMemberLimit: Int64
    public var transferable: Bool
    /// One coupon per sale alongside other discounts (`one_per_sale`), or only on a sale with no
    /// other discount (`exclusive`: no tier or card discount on any line).
    public var stacking: Stacking = .onePerSale
    public enum Stacking: String, Codable, Sendable, CaseIterable { case onePerSale = "one_per_sale", exclusive }
    public init(id: String, title: String, kind: Kind, value: Money?, percent: Int64?, minSpend: Money, validDays: Int64, weekdaysExcluded: [Int64], skus: [String], categories: [String], branches: [String], tiers: [Tier], perMemberLimit: Int64, transferable: Bool) {
        self.id = id; self.title = title; self.kind = kind; self.value = value; self.percent = percent; self.minSpend = minSpend; self.validDays = validDays; self.weekdaysExcluded = weekdaysExcluded; self.skus = skus; self.categories = categories; self.branches = branches; self.tiers = tiers; self.perMemberLimit = perMemberLimit; self.transferable = transferable
    }
}

/// A gift in the points catalogue (积分兑换); its stock sits at the branches under `sku`.
public struct Gift: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
    public var points: Int64
    public var sku: String?
    public init(id: String, name: String, points: Int64, sku: String?) {
        self.id = id; self.name = name; self.points = points; self.sku = sku
    }
}

/// Coupons or points to a segment of members, once per member per campaign.
public struct Campaign: Codable, Equatable, Sendable {
    public struct Segment: Codable, Equatable, Sendable {
        public var tiers: [Tier] = []
        public var birthdayMonth: Int64?
        /// No visit in this many days.
        public var noVisitDays: Int64?
        /// Net spend of at least `spendFrom` and below `spendBelow` (a spend band).
        public var spendFrom: Money?
        public var spendBelow: Money?
        /// Joined from `joinedFrom` to `joinedUntil`, both days counted.
        public var joinedFrom: String?
        public var joinedUntil: String?
        public init() {}
    }
    public var id: String
    public var name: String
    public var segment: Segment
    public var coupon: String?
    public var points: Int64?
    public init(id: String, name: String, segment: Segment, coupon: String?, points: Int64?) {
        self.id = id; self.name = name; self.segment = segment; self.coupon = coupon; self.points = points
    }
}

/// What a rule is when its file or form leaves a field out.
extension TierRule {
    /// No discount, and the base points: a tier that gives neither.
    public static let fullPrice: Int64 = 100, basePoints: Int64 = 100
}
extension CouponTemplate {
    public static let defaultValidDays: Int64 = 30, defaultPerMemberLimit: Int64 = 1
}

extension Program {
    public static let maxBytes = 256 * 1024
    public static let maxEntries = 500
    /// A tier's cumulative spend threshold may be far above one transaction's limit.
    public static let maxSpendThreshold = Money(fen: 10_000_000_000)

    /// Every rule checked, and every reference between rules; the first fault is named.
    public func validate() throws {
        func fault(_ field: String, _ reason: String) -> MMSError {
            MMSError(.invalidArgument, "Program: \(field): \(reason).", details: ["field": field, "reason": reason])
        }
        for (kind, template) in messages {
            guard MessageKind(rawValue: kind) != nil else { throw fault("messages.\(kind.prefix(30))", "not a kind of message (\(MessageKind.allCases.map(\.rawValue).joined(separator: ", ")))") }
            try Messages.validate(template: template, kind: kind)
        }
        func unique(_ ids: [String], _ what: String) throws {
            for id in ids { try Identifier.validate(id, what: "\(what) id") }
            if let dup = Dictionary(grouping: ids, by: { $0 }).first(where: { $0.value.count > 1 })?.key { throw fault(what, "“\(dup)” is defined twice") }
        }
        func amount(_ money: Money?, _ field: String, allowZero: Bool = false, max: Money = Limits.maxAmount) throws {
            guard let money else { return }
            guard money.fen >= (allowZero ? 0 : 1), money <= max else { throw fault(field, "must be from \(allowZero ? "0.00" : "0.01") to \(max)") }
        }
        func percent(_ value: Int64?, _ field: String, _ range: ClosedRange<Int64> = 1...100) throws {
            guard let value else { return }
            guard range.contains(value) else { throw fault(field, "must be from \(range.lowerBound) to \(range.upperBound)") }
        }
        guard [cardProducts.count, tiers.count, couponTemplates.count, gifts.count, campaigns.count, bonuses.count, points.categories.count, points.events.count]
            .allSatisfy({ $0 <= Self.maxEntries }) else {
            throw fault("-", "more than \(Self.maxEntries) entries of one kind")
        }
        if let points = checkInPoints, !(1...1_000).contains(points) { throw fault("check_in.points", "must be from 1 to 1000") }
        guard memberFields.count <= MemberFields.maxFields else { throw fault("member.fields", "at most \(MemberFields.maxFields)") }
        for name in memberFields where !MemberFields.isName(name) { throw fault("member.fields", "“\(name.prefix(20))” is not a field name (1–\(MemberFields.maxNameLength) characters, no spaces)") }
        if let dup = Dictionary(grouping: memberFields, by: { $0 }).first(where: { $0.value.count > 1 })?.key { throw fault("member.fields", "“\(dup)” is named twice") }
        try unique(cardProducts.map(\.id), "card_product")
        try unique(couponTemplates.map(\.id), "coupon_template")
        try unique(gifts.map(\.id), "gift")
        try unique(campaigns.map(\.id), "campaign")
        // The gifts the rules give themselves are flagged under these names.
        if let taken = campaigns.first(where: { Rewards.isBranchReward($0.id) || $0.id.hasPrefix("birthday.") }) {
            throw fault("campaign \(taken.id)", "welcome, referral.…, checkin.… and birthday.… name the program's own gifts; choose another id")
        }
        for p in cardProducts {
            let at = "card_product \(p.id)"
            try Catalogue.validateText(p.name, "\(at) name", max: Catalogue.maxNameLength)
            try amount(p.minFirstTopup, "\(at).min_first_topup"); try amount(p.fee, "\(at).fee")
            try percent(p.firstDayShare, "\(at).first_day_share")
            if let days = p.validityDays, !(1...36_500).contains(days) { throw fault("\(at).validity_days", "must be from 1 to 36500") }
            switch p.type {
            case .stored:
                // A stored-value card may carry a discount too (储值折扣卡): the combination.
                guard p.uses == nil else { throw fault(at, "a stored-value card takes no uses") }
                try percent(p.discount, "\(at).discount")
            case .discount:
                guard p.discount != nil else { throw fault("\(at).discount", "a discount card needs its percent") }
                try percent(p.discount, "\(at).discount")
                guard p.minFirstTopup == nil, p.firstDayShare == nil else { throw fault(at, "a discount card holds no stored value") }
            case .punch:
                guard let uses = p.uses, (1...Limits.maxPunchUses).contains(uses) else { throw fault("\(at).uses", "a punch card needs 1–\(Limits.maxPunchUses) uses") }
                guard p.minFirstTopup == nil, p.firstDayShare == nil else { throw fault(at, "a punch card holds no stored value") }
            }
            if p.fee != nil && p.earnsPoints { throw fault("\(at).earns_points", "a card bought for a fee earns no points") }
            for sku in p.services { try Catalogue.validateSKU(sku) }
        }
        // Tiers climb: each rung's thresholds above the one below it, so no two overlap.
        var previous: TierRule?
        for t in tiers {
            let at = "tier \(t.tier.rawValue)"
            try Catalogue.validateText(t.name, "\(at) name", max: 20)
            if let p = previous, t.tier <= p.tier { throw fault(at, "tiers are listed once each, from the lowest up") }
            try amount(t.spend, "\(at).spend", max: Self.maxSpendThreshold); try amount(t.singleTopup, "\(at).single_topup")
            if let n = t.points, n < 1 || n > Limits.maxPoints.value { throw fault("\(at).points", "out of range") }
            try percent(t.discount, "\(at).discount"); try percent(t.pointsMultiplier, "\(at).points_multiplier", 100...1_000)
            if !(0...9).contains(t.companionCards) { throw fault("\(at).companion_cards", "must be from 0 to 9") }
            if let c = t.birthdayCoupon, couponTemplate(c) == nil { throw fault("\(at).birthday_coupon", "no coupon template “\(c)”") }
            if t.tier != .standard, t.spend == nil, t.singleTopup == nil, t.points == nil { throw fault(at, "a tier above standard needs a way to reach it (spend, points or single_topup)") }
            if let p = previous {
                for (mine, theirs, name) in [(t.spend?.fen, p.spend?.fen, "spend"), (t.singleTopup?.fen, p.singleTopup?.fen, "single_topup"), (t.points, p.points, "points")] {
                    if let mine, let theirs, mine <= theirs { throw fault("\(at).\(name)", "overlaps the tier below (\(p.tier.rawValue)): it must be higher") }
                }
            }
            previous = t
        }
        guard (0...100).contains(points.perYuan), (1...10_000).contains(points.redeemPerYuan) else { throw fault("points", "per_yuan 0–100, redeem_per_yuan 1–10000") }
        func day(_ text: String?, _ field: String) throws {
            guard let text else { return }
            guard Sales.isDay(text) else { throw fault(field, "“\(text.prefix(20))” is not a day like 2026-12-01") }
        }
        func range(_ from: String?, _ until: String?, _ at: String) throws {
            try day(from, "\(at).from"); try day(until, "\(at).until")
            if let from, let until, until < from { throw fault(at, "until \(until) is before from \(from)") }
        }
        for c in points.categories {
            try Catalogue.validateText(c.category, "points.category name", max: Catalogue.maxNameLength)
            guard (0...100).contains(c.perYuan) else { throw fault("points.category \(c.category).per_yuan", "must be from 0 to 100") }
        }
        if let dup = Dictionary(grouping: points.categories, by: \.category).first(where: { $0.value.count > 1 })?.key {
            throw fault("points.category", "“\(dup)” is defined twice")
        }
        if let d = points.memberDay, !(1...28).contains(d) { throw fault("points.member_day", "must be from 1 to 28 (every month has it)") }
        try percent(points.memberDayMultiplier, "points.member_day_multiplier", 100...1_000)
        for e in points.events {
            let at = "points.event \(e.name)"
            try Catalogue.validateText(e.name, "points.event name", max: 40)
            try range(e.from, e.until, at)
            try percent(e.multiplier, "\(at).multiplier", 100...1_000)
        }
        for (i, b) in bonuses.enumerated() {
            let at = "bonus[\(i + 1)]"
            try amount(b.topup, "\(at).topup"); try amount(b.bonus, "\(at).bonus")
            guard b.bonus <= b.topup else { throw fault("\(at).bonus", "a bonus is never more than the top-up") }
            try range(b.from, b.until, at)
        }
        if let review = tierReview, !(1...5).contains(review.years) { throw fault("tier_review.years", "must be from 1 to 5") }
        for (name, reward) in [("welcome", welcome), ("referral", referral)] {
            guard let reward else { continue }
            if let t = reward.coupon, couponTemplate(t) == nil { throw fault("\(name).coupon", "no coupon template “\(t)”") }
            if let p = reward.points, p < 1 || p > Limits.maxPoints.value { throw fault("\(name).points", "out of range") }
            if reward.coupon == nil && reward.points == nil { throw fault(name, "gives nothing: set coupon or points") }
        }
        for c in couponTemplates {
            let at = "coupon_template \(c.id)"
            try Catalogue.validateText(c.title, "\(at) title", max: 40)
            try amount(c.minSpend, "\(at).min_spend", allowZero: true)
            switch c.kind {
            case .amountOff, .gift, .freeService:
                guard c.value != nil, c.percent == nil else { throw fault("\(at).value", "a \(c.kind.rawValue) coupon needs a value and no percent") }
                try amount(c.value, "\(at).value")
            case .percentOff:
                guard c.value == nil, c.percent != nil else { throw fault("\(at).percent", "a percent_off coupon needs a percent and no value") }
                try percent(c.percent, "\(at).percent", 1...99)
            }
            if !(1...3_650).contains(c.validDays) { throw fault("\(at).valid_days", "must be from 1 to 3650") }
            if c.weekdaysExcluded.contains(where: { !(1...7).contains($0) }) { throw fault("\(at).weekdays_excluded", "weekdays are 1 (Monday) to 7 (Sunday)") }
            if !(1...100).contains(c.perMemberLimit) { throw fault("\(at).per_member_limit", "must be from 1 to 100") }
            for sku in c.skus { try Catalogue.validateSKU(sku) }
            for branch in c.branches { try Identifier.validate(branch, what: "branch") }
        }
        for g in gifts {
            try Catalogue.validateText(g.name, "gift \(g.id) name", max: Catalogue.maxNameLength)
            if g.points < 1 || g.points > Limits.maxPoints.value { throw fault("gift \(g.id).points", "out of range") }
            if let sku = g.sku { try Catalogue.validateSKU(sku) }
        }
        for c in campaigns {
            let at = "campaign \(c.id)"
            try Catalogue.validateText(c.name, "\(at) name", max: 40)
            if let t = c.coupon, couponTemplate(t) == nil { throw fault("\(at).coupon", "no coupon template “\(t)”") }
            if let p = c.points, p < 1 || p > Limits.maxPoints.value { throw fault("\(at).points", "out of range") }
            if c.coupon == nil && c.points == nil { throw fault(at, "gives nothing: set coupon or points") }
            if let m = c.segment.birthdayMonth, !(1...12).contains(m) { throw fault("\(at).segment.birthday_month", "must be from 1 to 12") }
            if let d = c.segment.noVisitDays, !(1...3_650).contains(d) { throw fault("\(at).segment.no_visit_days", "must be from 1 to 3650") }
            try amount(c.segment.spendFrom, "\(at).segment.spend_from", allowZero: true, max: Self.maxSpendThreshold)
            try amount(c.segment.spendBelow, "\(at).segment.spend_below", max: Self.maxSpendThreshold)
            if let from = c.segment.spendFrom, let below = c.segment.spendBelow, below <= from { throw fault("\(at).segment.spend_below", "must be above spend_from") }
            try range(c.segment.joinedFrom, c.segment.joinedUntil, "\(at).segment.joined")
        }
    }

    /// The one byte form of a program: what the op carries and every replica decodes.
    public func canonicalJSON() -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Only our own value types are encoded: a failure is our bug.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    public static func decode(json: String) throws -> Program {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do { return try decoder.decode(Program.self, from: Data(json.utf8)) } catch {
            throw MMSError(.invalidArgument, "The program document does not decode: \(error)")
        }
    }
}

/// Fields added after the first programs were set decode as their defaults when a document
/// (an op already in some log) lacks them: a program once accepted is never refused later.
extension Program {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        cardProducts = try c.decodeIfPresent([CardProduct].self, forKey: .cardProducts) ?? []
        tiers = try c.decodeIfPresent([TierRule].self, forKey: .tiers) ?? []
        points = try c.decodeIfPresent(PointsRule.self, forKey: .points) ?? PointsRule()
        couponTemplates = try c.decodeIfPresent([CouponTemplate].self, forKey: .couponTemplates) ?? []
        gifts = try c.decodeIfPresent([Gift].self, forKey: .gifts) ?? []
        campaigns = try c.decodeIfPresent([Campaign].self, forKey: .campaigns) ?? []
        bonuses = try c.decodeIfPresent([TopUpBonus].self, forKey: .bonuses) ?? []
        welcome = try c.decodeIfPresent(Reward.self, forKey: .welcome)
        referral = try c.decodeIfPresent(Reward.self, forKey: .referral)
        tierReview = try c.decodeIfPresent(TierReview.self, forKey: .tierReview)
        checkInPoints = try c.decodeIfPresent(Int64.self, forKey: .checkInPoints)
        memberFields = try c.decodeIfPresent([String].self, forKey: .memberFields) ?? []
        messages = try c.decodeIfPresent([String: String].self, forKey: .messages) ?? [:]
    }
}

extension PointsRule {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        perYuan = try c.decode(Int64.self, forKey: .perYuan)
        redeemPerYuan = try c.decode(Int64.self, forKey: .redeemPerYuan)
        expiry = try c.decode(PointsExpiry.self, forKey: .expiry)
        categories = try c.decodeIfPresent([CategoryRate].self, forKey: .categories) ?? []
        memberDay = try c.decodeIfPresent(Int64.self, forKey: .memberDay)
        memberDayMultiplier = try c.decodeIfPresent(Int64.self, forKey: .memberDayMultiplier) ?? 200
        events = try c.decodeIfPresent([PointsEvent].self, forKey: .events) ?? []
        transferable = try c.decodeIfPresent(Bool.self, forKey: .transferable) ?? false
    }
}

extension CouponTemplate {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(String.self, forKey: .id), title: try c.decode(String.self, forKey: .title), kind: try c.decode(Kind.self, forKey: .kind),
                  value: try c.decodeIfPresent(Money.self, forKey: .value), percent: try c.decodeIfPresent(Int64.self, forKey: .percent),
                  minSpend: try c.decode(Money.self, forKey: .minSpend), validDays: try c.decode(Int64.self, forKey: .validDays),
                  weekdaysExcluded: try c.decode([Int64].self, forKey: .weekdaysExcluded), skus: try c.decode([String].self, forKey: .skus),
                  categories: try c.decode([String].self, forKey: .categories), branches: try c.decode([String].self, forKey: .branches),
                  tiers: try c.decode([Tier].self, forKey: .tiers), perMemberLimit: try c.decode(Int64.self, forKey: .perMemberLimit),
                  transferable: try c.decode(Bool.self, forKey: .transferable))
        stacking = try c.decodeIfPresent(Stacking.self, forKey: .stacking) ?? .onePerSale
    }
}

extension Money: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let money = Money(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "“\(text.prefix(20))” is not an amount like 12.34"))
        }
        self = money
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension Tier: Codable {}

extension Cell {
    /// The program in force: its document (last writer wins: only head office writes it) and version.
    public static let program = "program"
    public static let programDocument = "document", programVersion = "version"
}

/// Decoded programs by their document, so a replica decodes a version once, not per decision.
private final class ProgramCache: @unchecked Sendable {
    static let shared = ProgramCache()
    private let lock = NSLock()
    private var last: (document: [UInt8], program: Program)?
    func program(_ document: [UInt8]) throws -> Program {
        lock.lock(); defer { lock.unlock() }
        if let last, last.document == document { return last.program }
        let program = try Program.decode(json: String(decoding: document, as: UTF8.self))
        last = (document, program)
        return program
    }
}

extension StateReader {
    /// The program in force here and its version; an empty program (version 0) before head office sets one.
    public func program() throws -> (version: Int64, program: Program) {
        guard let document = try registers(entity: Cell.program)[Cell.programDocument] else { return (0, Program()) }
        return (try maxima(entity: Cell.program)[Cell.programVersion] ?? 0, try ProgramCache.shared.program(document))
    }
}

extension Teller {
    /// Head office replaces the program whole: validated, then the next version.
    public func setProgram(_ program: Program) throws -> OpBody {
        guard role == .hq else { throw MMSError(.notPermitted, "Only the head office sets the program.") }
        try program.validate()
        let document = program.canonicalJSON()
        guard document.utf8.count <= Program.maxBytes else { throw MMSError(.invalidArgument, "The program is over \(Program.maxBytes / 1024) KiB.") }
        return .programSet(version: try state.program().version + 1, document: document)
    }
}
