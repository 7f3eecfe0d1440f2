import Foundation
import MMSCore
import TOMLKit

/// Head office's program file (e.g. `programs/demo.toml`): read whole, every field known, then
/// checked by the core's `Program.validate`. Any fault names the file, the field and the reason;
/// an invalid program is refused whole.
public enum ProgramFile {
    public static func load(path: String) throws -> Program {
        try parse(try TOMLFile.text(path: path, code: .invalidArgument), file: path)
    }

    public static func parse(_ text: String, file: String) throws -> Program {
        let root = try TOMLFile.table(text, file: file, maxBytes: Program.maxBytes, code: .invalidArgument)
        let program: Program
        do { program = try ProgramReader(file: file).read(root) } catch let fault as FileFault { throw fault.error }
        do { try program.validate() } catch let e as MMSError {
            throw MMSError(.invalidArgument, "\(file): \(e.message)", details: e.details.merging(["file": file]) { a, _ in a })
        }
        return program
    }
}


private struct ProgramReader: TOMLReading {
    let file: String

    func fault(_ field: String, _ reason: String) -> FileFault { FileFault(code: .invalidArgument, file: file, field: field, reason: reason) }

    func read(_ root: TOMLTable) throws -> Program {
        try allowOnly(root, ["points", "tier", "card_product", "coupon_template", "gift", "campaign", "bonus", "welcome", "referral", "tier_review", "check_in", "member", "messages"], at: "")
        var program = Program()
        if let t = try optionalTable(root, "messages") {
            try allowOnly(t, MessageKind.allCases.map(\.rawValue), at: "messages")
            for kind in MessageKind.allCases { if let text = try optionalString(t, kind.rawValue, at: "messages") { program.messages[kind.rawValue] = text } }
        }
        if let t = try optionalTable(root, "member") {
            try allowOnly(t, ["fields"], at: "member")
            program.memberFields = try strings(t, "fields", at: "member")
        }
        if let t = try optionalTable(root, "check_in") {
            try allowOnly(t, ["points"], at: "check_in")
            guard let points = try integer(t, "points", at: "check_in", in: 1...1_000) else { throw fault("check_in.points", "missing") }
            program.checkInPoints = Int64(points)
        }
        if let t = try optionalTable(root, "tier_review") {
            try allowOnly(t, ["years"], at: "tier_review")
            guard let years = try integer(t, "years", at: "tier_review", in: 1...5) else { throw fault("tier_review.years", "missing") }
            program.tierReview = TierReview(years: Int64(years))
        }
        if let t = try optionalTable(root, "points") {
            try allowOnly(t, ["per_yuan", "redeem_per_yuan", "expiry", "category", "member_day", "member_day_multiplier", "event", "transferable"], at: "points")
            if let n = try integer(t, "per_yuan", at: "points", in: 0...100) { program.points.perYuan = Int64(n) }
            if let n = try integer(t, "redeem_per_yuan", at: "points", in: 1...10_000) { program.points.redeemPerYuan = Int64(n) }
            if let e = try optionalString(t, "expiry", at: "points") { program.points.expiry = try choice(e, "points.expiry") }
            program.points.categories = try tables(t, "category").enumerated().map { i, c in
                let at = "points.category[\(i + 1)]"
                try allowOnly(c, ["category", "per_yuan"], at: at)
                guard let n = try integer(c, "per_yuan", at: at, in: 0...100) else { throw fault("\(at).per_yuan", "missing") }
                return CategoryRate(category: try string(c, "category", at: at), perYuan: Int64(n))
            }
            program.points.memberDay = try integer(t, "member_day", at: "points", in: 1...28).map(Int64.init)
            if let n = try integer(t, "member_day_multiplier", at: "points", in: 100...1_000) { program.points.memberDayMultiplier = Int64(n) }
            program.points.events = try tables(t, "event").enumerated().map { i, e in
                let at = "points.event[\(i + 1)]"
                try allowOnly(e, ["name", "from", "until", "multiplier"], at: at)
                guard let n = try integer(e, "multiplier", at: at, in: 100...1_000) else { throw fault("\(at).multiplier", "missing") }
                return PointsEvent(name: try string(e, "name", at: at), from: try string(e, "from", at: at), until: try string(e, "until", at: at), multiplier: Int64(n))
            }
            program.points.transferable = try bool(t, "transferable", at: "points") ?? false
        }
        program.bonuses = try tables(root, "bonus").enumerated().map { i, t in
            let at = "bonus[\(i + 1)]"
            try allowOnly(t, ["topup", "bonus", "from", "until"], at: at)
            guard let topup = try money(t, "topup", at: at), let bonus = try money(t, "bonus", at: at) else { throw fault(at, "needs topup and bonus") }
            return TopUpBonus(topup: topup, bonus: bonus, from: try optionalString(t, "from", at: at), until: try optionalString(t, "until", at: at))
        }
        for name in ["welcome", "referral"] {
            guard let t = try optionalTable(root, name) else { continue }
            try allowOnly(t, ["coupon", "points"], at: name)
            let reward = Reward(coupon: try optionalString(t, "coupon", at: name), points: try integer(t, "points", at: name, in: 1...Int(Limits.maxPoints.value)).map(Int64.init))
            if name == "welcome" { program.welcome = reward } else { program.referral = reward }
        }
        program.tiers = try tables(root, "tier").enumerated().map { i, t in
            let at = "tier[\(i + 1)]"
            try allowOnly(t, ["tier", "name", "spend", "points", "single_topup", "discount", "points_multiplier", "companion_cards", "birthday_coupon"], at: at)
            return TierRule(tier: try choice(try string(t, "tier", at: at), "\(at).tier"), name: try string(t, "name", at: at),
                            spend: try money(t, "spend", at: at), points: try integer(t, "points", at: at, in: 1...Int(Limits.maxPoints.value)).map(Int64.init),
                            singleTopup: try money(t, "single_topup", at: at),
                            discount: try integer(t, "discount", at: at, in: 1...100).map(Int64.init) ?? TierRule.fullPrice,
                            pointsMultiplier: try integer(t, "points_multiplier", at: at, in: 100...1_000).map(Int64.init) ?? TierRule.basePoints,
                            companionCards: Int64(try integer(t, "companion_cards", at: at, in: 0...9) ?? 0),
                            birthdayCoupon: try optionalString(t, "birthday_coupon", at: at))
        }
        program.cardProducts = try tables(root, "card_product").enumerated().map { i, t in
            let at = "card_product[\(i + 1)]"
            try allowOnly(t, ["id", "name", "type", "min_first_topup", "fee", "earns_points", "validity_days", "extend_on_topup",
                              "first_day_share", "discount", "uses", "services"], at: at)
            let fee = try money(t, "fee", at: at)
            return CardProduct(id: try identifier(t, "id", at: at), name: try string(t, "name", at: at), type: try choice(try string(t, "type", at: at), "\(at).type"),
                               minFirstTopup: try money(t, "min_first_topup", at: at), fee: fee,
                               earnsPoints: try bool(t, "earns_points", at: at) ?? (fee == nil),
                               validityDays: try integer(t, "validity_days", at: at, in: 1...36_500).map(Int64.init),
                               extendOnTopup: try bool(t, "extend_on_topup", at: at) ?? true,
                               firstDayShare: try integer(t, "first_day_share", at: at, in: 1...100).map(Int64.init),
                               discount: try integer(t, "discount", at: at, in: 1...100).map(Int64.init),
                               uses: try integer(t, "uses", at: at, in: 1...Int(Limits.maxPunchUses)).map(Int64.init),
                               services: try strings(t, "services", at: at))
        }
        program.couponTemplates = try tables(root, "coupon_template").enumerated().map { i, t in
            let at = "coupon_template[\(i + 1)]"
            try allowOnly(t, ["id", "title", "kind", "value", "percent", "min_spend", "valid_days", "weekdays_excluded", "skus", "categories",
                              "branches", "tiers", "per_member_limit", "transferable", "stacking"], at: at)
            let weekdays = try t["weekdays_excluded"].map { value -> [Int64] in
                guard let array = value.array else { throw fault("\(at).weekdays_excluded", "must be a list of weekdays 1–7") }
                return try array.map { item in
                    guard let n = item.int, (1...7).contains(n) else { throw fault("\(at).weekdays_excluded", "must be a list of weekdays 1–7") }
                    return Int64(n)
                }
            } ?? []
            var template = CouponTemplate(id: try identifier(t, "id", at: at), title: try string(t, "title", at: at), kind: try choice(try string(t, "kind", at: at), "\(at).kind"),
                                  value: try money(t, "value", at: at), percent: try integer(t, "percent", at: at, in: 1...99).map(Int64.init),
                                  minSpend: try money(t, "min_spend", at: at) ?? Money(fen: 0),
                                  validDays: try integer(t, "valid_days", at: at, in: 1...3_650).map(Int64.init) ?? CouponTemplate.defaultValidDays,
                                  weekdaysExcluded: weekdays, skus: try strings(t, "skus", at: at), categories: try strings(t, "categories", at: at),
                                  branches: try strings(t, "branches", at: at),
                                  tiers: try strings(t, "tiers", at: at).map { try choice($0, "\(at).tiers") },
                                  perMemberLimit: try integer(t, "per_member_limit", at: at, in: 1...100).map(Int64.init) ?? CouponTemplate.defaultPerMemberLimit,
                                  transferable: try bool(t, "transferable", at: at) ?? false)
            if let s = try optionalString(t, "stacking", at: at) { template.stacking = try choice(s, "\(at).stacking") }
            return template
        }
        program.gifts = try tables(root, "gift").enumerated().map { i, t in
            let at = "gift[\(i + 1)]"
            try allowOnly(t, ["id", "name", "points", "sku"], at: at)
            guard let points = try integer(t, "points", at: at, in: 1...Int(Limits.maxPoints.value)) else { throw fault("\(at).points", "missing") }
            return Gift(id: try identifier(t, "id", at: at), name: try string(t, "name", at: at), points: Int64(points), sku: try optionalString(t, "sku", at: at))
        }
        program.campaigns = try tables(root, "campaign").enumerated().map { i, t in
            let at = "campaign[\(i + 1)]"
            try allowOnly(t, ["id", "name", "segment", "coupon", "points"], at: at)
            var segment = Campaign.Segment()
            if let s = try optionalTable(t, "segment") {
                try allowOnly(s, ["tiers", "birthday_month", "no_visit_days", "spend_from", "spend_below", "joined_from", "joined_until"], at: "\(at).segment")
                segment.spendFrom = try money(s, "spend_from", at: "\(at).segment")
                segment.spendBelow = try money(s, "spend_below", at: "\(at).segment")
                segment.joinedFrom = try optionalString(s, "joined_from", at: "\(at).segment")
                segment.joinedUntil = try optionalString(s, "joined_until", at: "\(at).segment")
                segment.tiers = try strings(s, "tiers", at: "\(at).segment").map { try choice($0, "\(at).segment.tiers") }
                segment.birthdayMonth = try integer(s, "birthday_month", at: "\(at).segment", in: 1...12).map(Int64.init)
                segment.noVisitDays = try integer(s, "no_visit_days", at: "\(at).segment", in: 1...3_650).map(Int64.init)
            }
            return Campaign(id: try identifier(t, "id", at: at), name: try string(t, "name", at: at), segment: segment,
                            coupon: try optionalString(t, "coupon", at: at), points: try integer(t, "points", at: at, in: 1...Int(Limits.maxPoints.value)).map(Int64.init))
        }
        return program
    }

    func choice<T: RawRepresentable & CaseIterable>(_ text: String, _ field: String) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: text) else {
            throw fault(field, "“\(text.prefix(30))” is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}
