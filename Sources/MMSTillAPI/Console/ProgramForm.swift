import MMSCore

/// The program as the console's form edits it. Each part of the program (tiers, card products,
/// top-up bonuses, points, coupon templates, gifts, campaigns, the welcome gift and the rest, the
/// reminders' words) is
/// a table: one row per entry and, where the part is a list, one empty row to add another. A cell
/// is the form field `<part>_<column>_<row>`. One spec per part says how its entries become rows
/// (to show the program) and rows become entries (to read the form back); the program's own
/// `validate` then judges the whole, as it judges a program file. A part the form does not carry
/// (a form from before it existed) is kept from the program it started from.
struct ProgramForm {
    enum Input: Sendable {
        case text(maxLength: Int), money, whole, day, list, check
        /// Several lines of text (a message's words).
        case lines(maxLength: Int)
        /// One of `options` (value, label); the empty value first where the row may be empty.
        case choice([(value: String, label: String)])
        /// Shown, not edited: the row's fixed name (its label), posted back as its value.
        case fixed([(value: String, label: String)])
    }
    struct Column: Sendable { let key: String, label: String, input: Input }
    struct Part: Sendable {
        let key: String, title: String, note: String
        let columns: [Column]
        /// A list (a row whose first cell is empty is no entry, and an empty row is offered) or one row of settings.
        let isList: Bool
        /// The empty row's cells: the defaults a new entry starts from.
        var blank: [String: String] = [:]
        let rows: @Sendable (Program) -> [[String: String]]
        let apply: @Sendable (inout Program, [Row]) throws -> Void
    }

    /// One row of a part as posted, read for an operator who reads `language`.
    struct Row {
        let part: Part, index: Int, cells: [String: String], language: Language

        var isEmpty: Bool { text(part.columns[0].key) == nil }
        func text(_ key: String) -> String? {
            // A browser posts a textarea's lines with CRLF: one line break is "\n", as a program file writes it.
            let value = (cells[key] ?? "").replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            return value.isEmpty ? nil : value
        }
        func fault(_ key: String, _ expected: String) -> MMSError {
            let label = language(part.columns.first { $0.key == key }?.label ?? key), title = language(part.title), typed = String((cells[key] ?? "").prefix(20))
            let message = part.isList ? language("%@第 %@ 行：%@%@：“%@”。", title, String(index + 1), label, language(expected), typed)
                                      : language("%@：%@%@：“%@”。", title, label, language(expected), typed)
            return MMSError(.invalidArgument, message, details: ["field": "\(part.key).\(key)", "row": String(index + 1)])
        }
        func required(_ key: String) throws -> String {
            guard let value = text(key) else { throw fault(key, "不能为空") }
            return value
        }
        func money(_ key: String) throws -> Money? {
            guard let text = text(key) else { return nil }
            guard let value = Money(parsing: text) else { throw fault(key, "须为金额，如 20.00") }
            return value
        }
        func whole(_ key: String) throws -> Int64? {
            guard let text = text(key) else { return nil }
            guard let value = Int64(text) else { throw fault(key, "须为整数") }
            return value
        }
        func check(_ key: String) -> Bool { text(key) != nil }
        /// A list typed with commas (, ， or 、) between its items; spaces around them are dropped.
        func list(_ key: String) -> [String] {
            (cells[key] ?? "").split(whereSeparator: { ",，、".contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        func wholes(_ key: String) throws -> [Int64] {
            try list(key).map { guard let n = Int64($0) else { throw fault(key, "须为以逗号分隔的整数") }; return n }
        }
        func choice<T: RawRepresentable>(_ key: String) throws -> T? where T.RawValue == String {
            guard let text = text(key) else { return nil }
            guard let value = T(rawValue: text) else { throw fault(key, "不是可选的值") }
            return value
        }
        func tiers(_ key: String) throws -> [Tier] {
            try list(key).map { guard let tier = Tier(rawValue: $0) else { throw fault(key, "须为等级代码（standard、silver、gold、platinum）") }; return tier }
        }
    }

    /// The form's fields for `program`, as the page first shows them.
    static func fields(of program: Program) -> [String: String] {
        var fields: [String: String] = [:]
        for part in parts {
            let rows = part.rows(program)
            fields["\(part.key)_rows"] = String(rows.count + (part.isList ? 1 : 0))
            for (index, row) in (rows + (part.isList ? [part.blank] : [])).enumerated() {
                for (key, value) in row where !value.isEmpty { fields["\(part.key)_\(key)_\(index)"] = value }
            }
        }
        return fields
    }

    /// `base` with every part as the form gives it, validated whole (a fault told in `language`).
    static func program(_ base: Program, editedBy form: [String: String], in language: Language = .chinese) throws -> Program {
        var program = base
        for part in parts {
            // A part the form does not carry is left as it was (a form from before it was added).
            guard let count = form["\(part.key)_rows"].flatMap({ Int($0) }) else { continue }
            guard (0...Program.maxEntries + 1).contains(count) else { throw MMSError(.invalidArgument, language("%@：行数不对。", language(part.title))) }
            let rows = (0..<count).map { index in
                Row(part: part, index: index, cells: Dictionary(uniqueKeysWithValues: part.columns.map { ($0.key, form["\(part.key)_\($0.key)_\(index)"] ?? "") }),
                    language: language)
            }
            try part.apply(&program, part.isList ? rows.filter { !$0.isEmpty } : rows)
        }
        try program.validate()
        return program
    }

    /// The template's values for a form holding `fields` (the program's, or a form as posted), in `language`.
    static func values(_ fields: [String: String], in language: Language) -> [[String: Any]] {
        parts.map { part in
            let count = min(max(Int(fields["\(part.key)_rows"] ?? "") ?? 0, 0), Program.maxEntries + 1)
            let rows = (0..<count).map { index -> [String: Any] in
                ["cells": part.columns.map { column -> [String: Any] in
                    let name = "\(part.key)_\(column.key)_\(index)", value = fields[name] ?? ""
                    var cell: [String: Any] = ["name": name, "value": value, "label": language(column.label), "check": false, "choice": false, "field": false,
                                               "lines": false, "fixed": false, "shown": "",
                                               "on": !value.isEmpty, "options": [[String: Any]](), "inputmode": "text", "maxlength": 40, "placeholder": ""]
                    switch column.input {
                    case .check: cell["check"] = true
                    case .choice(let options):
                        cell["choice"] = true
                        cell["options"] = options.map { option -> [String: Any] in
                            // A choice reads as its name with its code, as a program file writes it: 储值卡（stored_value）.
                            let label = option.value.isEmpty ? option.label : language("%@（%@）", language(option.label), option.value)
                            return ["value": option.value, "label": label, "selected": option.value == value]
                        }
                    case .fixed(let names):
                        cell["fixed"] = true
                        cell["shown"] = names.first { $0.value == value }.map { language($0.label) } ?? value
                    case .text(let maxLength): cell["field"] = true; cell["maxlength"] = maxLength
                    case .lines(let maxLength): cell["lines"] = true; cell["maxlength"] = maxLength
                    case .money: cell["field"] = true; cell["inputmode"] = "decimal"; cell["maxlength"] = 16
                    case .whole: cell["field"] = true; cell["inputmode"] = "numeric"; cell["maxlength"] = 12
                    case .day: cell["field"] = true; cell["maxlength"] = 10; cell["placeholder"] = "YYYY-MM-DD"
                    case .list: cell["field"] = true; cell["maxlength"] = 400; cell["placeholder"] = language("以逗号分隔")
                    }
                    return cell
                }] as [String: Any]
            }
            return ["key": part.key, "title": language(part.title), "note": language(part.note), "count": count, "rows": rows,
                    "columns": part.columns.map { ["label": language($0.label)] }] as [String: Any]
        }
    }

    /// The parts whose entries differ between two programs, by title: what a change touches.
    static func changes(from old: Program, to new: Program) -> [String] {
        parts.filter { $0.rows(old) != $0.rows(new) }.map(\.title)
    }

    // MARK: The parts

    static func money(_ value: Money?) -> String { value?.description ?? "" }
    static func whole(_ value: Int64?) -> String { value.map(String.init) ?? "" }
    static func check(_ value: Bool) -> String { value ? "on" : "" }
    static func list(_ values: [String]) -> String { values.joined(separator: ", ") }
    static func options<T: RawRepresentable & CaseIterable>(_ type: T.Type, _ labels: [String], empty: Bool = false) -> Input where T.RawValue == String {
        .choice((empty ? [("", "—")] : []) + zip(T.allCases.map(\.rawValue), labels).map { ($0, $1) })
    }

    static let parts: [Part] = [
        Part(key: "tier", title: "会员等级", note: "门槛留空表示不按此方式升级；等级代码选“—”即删除该行。",
             columns: [Column(key: "tier", label: "等级", input: options(Tier.self, Tier.allCases.map { TillAPI.tierNames[$0.rawValue] ?? $0.rawValue }, empty: true)),
                       Column(key: "name", label: "名称", input: .text(maxLength: 20)), Column(key: "spend", label: "累计消费 ¥", input: .money),
                       Column(key: "single_topup", label: "单次充值 ¥", input: .money), Column(key: "points", label: "累计积分", input: .whole),
                       Column(key: "discount", label: "折扣 %", input: .whole), Column(key: "points_multiplier", label: "积分倍数 %", input: .whole),
                       Column(key: "companion_cards", label: "附属卡", input: .whole), Column(key: "birthday_coupon", label: "生日券模板", input: .text(maxLength: 64))],
             isList: true, blank: ["discount": whole(TierRule.fullPrice), "points_multiplier": whole(TierRule.basePoints), "companion_cards": "0"],
             rows: { $0.tiers.map { ["tier": $0.tier.rawValue, "name": $0.name, "spend": money($0.spend), "single_topup": money($0.singleTopup),
                                     "points": whole($0.points), "discount": whole($0.discount), "points_multiplier": whole($0.pointsMultiplier),
                                     "companion_cards": whole($0.companionCards), "birthday_coupon": $0.birthdayCoupon ?? ""] } },
             apply: { program, rows in
                 program.tiers = try rows.map { row in
                     TierRule(tier: try row.choice("tier")!, name: try row.required("name"), spend: try row.money("spend"), points: try row.whole("points"),
                              singleTopup: try row.money("single_topup"), discount: try row.whole("discount") ?? TierRule.fullPrice,
                              pointsMultiplier: try row.whole("points_multiplier") ?? TierRule.basePoints,
                              companionCards: try row.whole("companion_cards") ?? 0, birthdayCoupon: row.text("birthday_coupon"))
                 }
             }),
        Part(key: "bonus", title: "充值赠送", note: "清空“充值满”即删除该行；最后一行用于新增。",
             columns: [Column(key: "topup", label: "充值满 ¥", input: .money), Column(key: "bonus", label: "赠送 ¥", input: .money),
                       Column(key: "from", label: "开始日", input: .day), Column(key: "until", label: "结束日", input: .day)],
             isList: true,
             rows: { $0.bonuses.map { ["topup": money($0.topup), "bonus": money($0.bonus), "from": $0.from ?? "", "until": $0.until ?? ""] } },
             apply: { program, rows in
                 program.bonuses = try rows.map { row in
                     guard let bonus = try row.money("bonus") else { throw row.fault("bonus", "不能为空") }
                     return TopUpBonus(topup: try row.money("topup")!, bonus: bonus, from: row.text("from"), until: row.text("until"))
                 }
             }),
        Part(key: "points", title: "积分规则", note: "每元积分按实付（不含赠送金）；会员日为每月 1–28 日之一，倍数为百分比（200 即双倍）。",
             columns: [Column(key: "per_yuan", label: "每元积分", input: .whole), Column(key: "redeem_per_yuan", label: "抵 1 元所需积分", input: .whole),
                       Column(key: "expiry", label: "有效期", input: options(PointsExpiry.self, ["永久", "当年底", "次年底"])),
                       Column(key: "member_day", label: "会员日", input: .whole), Column(key: "member_day_multiplier", label: "会员日倍数 %", input: .whole),
                       Column(key: "transferable", label: "可转赠", input: .check)],
             isList: false,
             rows: { [["per_yuan": whole($0.points.perYuan), "redeem_per_yuan": whole($0.points.redeemPerYuan), "expiry": $0.points.expiry.rawValue,
                       "member_day": whole($0.points.memberDay), "member_day_multiplier": whole($0.points.memberDayMultiplier),
                       "transferable": check($0.points.transferable)]] },
             apply: { program, rows in
                 guard let row = rows.first else { return }
                 guard let perYuan = try row.whole("per_yuan") else { throw row.fault("per_yuan", "不能为空") }
                 guard let redeem = try row.whole("redeem_per_yuan") else { throw row.fault("redeem_per_yuan", "不能为空") }
                 program.points.perYuan = perYuan; program.points.redeemPerYuan = redeem
                 if let expiry: PointsExpiry = try row.choice("expiry") { program.points.expiry = expiry }
                 program.points.memberDay = try row.whole("member_day")
                 program.points.memberDayMultiplier = try row.whole("member_day_multiplier") ?? PointsRule().memberDayMultiplier
                 program.points.transferable = row.check("transferable")
             }),
        Part(key: "category", title: "品类积分", note: "该品类商品每元积分（覆盖通用规则）。",
             columns: [Column(key: "category", label: "品类", input: .text(maxLength: 40)), Column(key: "per_yuan", label: "每元积分", input: .whole)],
             isList: true,
             rows: { $0.points.categories.map { ["category": $0.category, "per_yuan": whole($0.perYuan)] } },
             apply: { program, rows in
                 program.points.categories = try rows.map { row in
                     guard let perYuan = try row.whole("per_yuan") else { throw row.fault("per_yuan", "不能为空") }
                     return CategoryRate(category: row.text("category")!, perYuan: perYuan)
                 }
             }),
        Part(key: "event", title: "积分活动", note: "起止日都含在内；同一天多个倍数取最高，再乘等级倍数。",
             columns: [Column(key: "name", label: "名称", input: .text(maxLength: 40)), Column(key: "from", label: "开始日", input: .day),
                       Column(key: "until", label: "结束日", input: .day), Column(key: "multiplier", label: "倍数 %", input: .whole)],
             isList: true, blank: ["multiplier": "200"],
             rows: { $0.points.events.map { ["name": $0.name, "from": $0.from, "until": $0.until, "multiplier": whole($0.multiplier)] } },
             apply: { program, rows in
                 program.points.events = try rows.map { row in
                     guard let multiplier = try row.whole("multiplier") else { throw row.fault("multiplier", "不能为空") }
                     return PointsEvent(name: row.text("name")!, from: try row.required("from"), until: try row.required("until"), multiplier: multiplier)
                 }
             }),
        Part(key: "card_product", title: "卡种", note: "储值卡按首充开卡；折扣卡、计次卡按卡费；计次卡的服务为商品编码。清空编号即删除。",
             columns: [Column(key: "id", label: "编号", input: .text(maxLength: 64)), Column(key: "name", label: "名称", input: .text(maxLength: 40)),
                       Column(key: "type", label: "类型", input: options(CardType.self, ["储值卡", "折扣卡", "计次卡"])),
                       Column(key: "min_first_topup", label: "首充 ¥", input: .money), Column(key: "fee", label: "卡费 ¥", input: .money),
                       Column(key: "earns_points", label: "积分", input: .check), Column(key: "validity_days", label: "有效天数", input: .whole),
                       Column(key: "extend_on_topup", label: "充值续期", input: .check), Column(key: "first_day_share", label: "首日可用 %", input: .whole),
                       Column(key: "discount", label: "折扣 %", input: .whole), Column(key: "uses", label: "次数", input: .whole),
                       Column(key: "services", label: "服务", input: .list)],
             isList: true, blank: ["type": CardType.stored.rawValue, "earns_points": "on", "extend_on_topup": "on"],
             rows: { $0.cardProducts.map { ["id": $0.id, "name": $0.name, "type": $0.type.rawValue, "min_first_topup": money($0.minFirstTopup),
                                            "fee": money($0.fee), "earns_points": check($0.earnsPoints), "validity_days": whole($0.validityDays),
                                            "extend_on_topup": check($0.extendOnTopup), "first_day_share": whole($0.firstDayShare),
                                            "discount": whole($0.discount), "uses": whole($0.uses), "services": list($0.services)] } },
             apply: { program, rows in
                 program.cardProducts = try rows.map { row in
                     guard let type: CardType = try row.choice("type") else { throw row.fault("type", "不能为空") }
                     return CardProduct(id: row.text("id")!, name: try row.required("name"), type: type, minFirstTopup: try row.money("min_first_topup"),
                                        fee: try row.money("fee"), earnsPoints: row.check("earns_points"), validityDays: try row.whole("validity_days"),
                                        extendOnTopup: row.check("extend_on_topup"), firstDayShare: try row.whole("first_day_share"),
                                        discount: try row.whole("discount"), uses: try row.whole("uses"), services: row.list("services"))
                 }
             }),
        Part(key: "coupon_template", title: "优惠券模板", note: "满减、礼品、免费服务填面值，折扣券填百分比；排除星期 1–7（周一至周日）；商品、品类、门店、等级留空表示不限。",
             columns: [Column(key: "id", label: "编号", input: .text(maxLength: 64)), Column(key: "title", label: "名称", input: .text(maxLength: 40)),
                       Column(key: "kind", label: "类型", input: options(CouponTemplate.Kind.self, ["满减", "折扣", "礼品", "免费服务"])),
                       Column(key: "value", label: "面值 ¥", input: .money), Column(key: "percent", label: "折扣 %", input: .whole),
                       Column(key: "min_spend", label: "最低消费 ¥", input: .money), Column(key: "valid_days", label: "有效天数", input: .whole),
                       Column(key: "weekdays_excluded", label: "排除星期", input: .list), Column(key: "skus", label: "商品", input: .list),
                       Column(key: "categories", label: "品类", input: .list), Column(key: "branches", label: "门店", input: .list),
                       Column(key: "tiers", label: "等级", input: .list), Column(key: "per_member_limit", label: "每人限持", input: .whole),
                       Column(key: "transferable", label: "可转赠", input: .check),
                       Column(key: "stacking", label: "叠加", input: options(CouponTemplate.Stacking.self, ["可与折扣同用", "独享"]))],
             isList: true, blank: ["kind": CouponTemplate.Kind.amountOff.rawValue, "min_spend": "0.00", "valid_days": whole(CouponTemplate.defaultValidDays), "per_member_limit": whole(CouponTemplate.defaultPerMemberLimit), "stacking": CouponTemplate.Stacking.onePerSale.rawValue],
             rows: { $0.couponTemplates.map { ["id": $0.id, "title": $0.title, "kind": $0.kind.rawValue, "value": money($0.value), "percent": whole($0.percent),
                                               "min_spend": money($0.minSpend), "valid_days": whole($0.validDays),
                                               "weekdays_excluded": list($0.weekdaysExcluded.map(String.init)), "skus": list($0.skus),
                                               "categories": list($0.categories), "branches": list($0.branches), "tiers": list($0.tiers.map(\.rawValue)),
                                               "per_member_limit": whole($0.perMemberLimit), "transferable": check($0.transferable),
                                               "stacking": $0.stacking.rawValue] } },
             apply: { program, rows in
                 program.couponTemplates = try rows.map { row in
                     guard let kind: CouponTemplate.Kind = try row.choice("kind") else { throw row.fault("kind", "不能为空") }
                     var template = CouponTemplate(id: row.text("id")!, title: try row.required("title"), kind: kind, value: try row.money("value"),
                                                   percent: try row.whole("percent"), minSpend: try row.money("min_spend") ?? Money(fen: 0),
                                                   validDays: try row.whole("valid_days") ?? CouponTemplate.defaultValidDays,
                                                   weekdaysExcluded: try row.wholes("weekdays_excluded"), skus: row.list("skus"),
                                                   categories: row.list("categories"), branches: row.list("branches"), tiers: try row.tiers("tiers"),
                                                   perMemberLimit: try row.whole("per_member_limit") ?? CouponTemplate.defaultPerMemberLimit,
                                                   transferable: row.check("transferable"))
                     if let stacking: CouponTemplate.Stacking = try row.choice("stacking") { template.stacking = stacking }
                     return template
                 }
             }),
        Part(key: "gift", title: "积分兑换礼品", note: "礼品的库存记在其商品编码下。",
             columns: [Column(key: "id", label: "编号", input: .text(maxLength: 64)), Column(key: "name", label: "名称", input: .text(maxLength: 40)),
                       Column(key: "points", label: "所需积分", input: .whole), Column(key: "sku", label: "商品编码", input: .text(maxLength: 64))],
             isList: true,
             rows: { $0.gifts.map { ["id": $0.id, "name": $0.name, "points": whole($0.points), "sku": $0.sku ?? ""] } },
             apply: { program, rows in
                 program.gifts = try rows.map { row in
                     guard let points = try row.whole("points") else { throw row.fault("points", "不能为空") }
                     return Gift(id: row.text("id")!, name: try row.required("name"), points: points, sku: row.text("sku"))
                 }
             }),
        Part(key: "campaign", title: "营销活动", note: "赠券（模板编号）或积分，每位会员每个活动一次；人群条件留空表示不限。用 mms campaign run 发放。",
             columns: [Column(key: "id", label: "编号", input: .text(maxLength: 64)), Column(key: "name", label: "名称", input: .text(maxLength: 40)),
                       Column(key: "coupon", label: "赠券模板", input: .text(maxLength: 64)), Column(key: "points", label: "赠积分", input: .whole),
                       Column(key: "tiers", label: "等级", input: .list), Column(key: "birthday_month", label: "生日月", input: .whole),
                       Column(key: "no_visit_days", label: "未到店天数", input: .whole), Column(key: "spend_from", label: "消费自 ¥", input: .money),
                       Column(key: "spend_below", label: "消费低于 ¥", input: .money), Column(key: "joined_from", label: "入会自", input: .day),
                       Column(key: "joined_until", label: "入会至", input: .day)],
             isList: true,
             rows: { $0.campaigns.map { ["id": $0.id, "name": $0.name, "coupon": $0.coupon ?? "", "points": whole($0.points),
                                         "tiers": list($0.segment.tiers.map(\.rawValue)), "birthday_month": whole($0.segment.birthdayMonth),
                                         "no_visit_days": whole($0.segment.noVisitDays), "spend_from": money($0.segment.spendFrom),
                                         "spend_below": money($0.segment.spendBelow), "joined_from": $0.segment.joinedFrom ?? "",
                                         "joined_until": $0.segment.joinedUntil ?? ""] } },
             apply: { program, rows in
                 program.campaigns = try rows.map { row in
                     var segment = Campaign.Segment()
                     segment.tiers = try row.tiers("tiers"); segment.birthdayMonth = try row.whole("birthday_month")
                     segment.noVisitDays = try row.whole("no_visit_days"); segment.spendFrom = try row.money("spend_from")
                     segment.spendBelow = try row.money("spend_below"); segment.joinedFrom = row.text("joined_from"); segment.joinedUntil = row.text("joined_until")
                     return Campaign(id: row.text("id")!, name: try row.required("name"), segment: segment, coupon: row.text("coupon"), points: try row.whole("points"))
                 }
             }),
        Part(key: "other", title: "开卡礼、推荐礼与其他", note: "开卡礼由会员所属门店随首张卡发放；推荐礼在新会员首次付款后发给推荐人；等级有效期留空表示达到即长期有效；签到积分留空即关闭签到；会员资料字段以逗号分隔。",
             columns: [Column(key: "welcome_points", label: "开卡礼积分", input: .whole), Column(key: "welcome_coupon", label: "开卡礼券", input: .text(maxLength: 64)),
                       Column(key: "referral_points", label: "推荐礼积分", input: .whole), Column(key: "referral_coupon", label: "推荐礼券", input: .text(maxLength: 64)),
                       Column(key: "tier_review_years", label: "等级有效期（年）", input: .whole), Column(key: "check_in_points", label: "签到积分", input: .whole),
                       Column(key: "member_fields", label: "会员资料字段", input: .list)],
             isList: false,
             rows: { [["welcome_points": whole($0.welcome?.points), "welcome_coupon": $0.welcome?.coupon ?? "",
                       "referral_points": whole($0.referral?.points), "referral_coupon": $0.referral?.coupon ?? "",
                       "tier_review_years": whole($0.tierReview?.years), "check_in_points": whole($0.checkInPoints), "member_fields": list($0.memberFields)]] },
             apply: { program, rows in
                 guard let row = rows.first else { return }
                 func reward(_ name: String) throws -> Reward? {
                     let points = try row.whole("\(name)_points"), coupon = row.text("\(name)_coupon")
                     return points == nil && coupon == nil ? nil : Reward(coupon: coupon, points: points)
                 }
                 program.welcome = try reward("welcome"); program.referral = try reward("referral")
                 program.tierReview = try row.whole("tier_review_years").map(TierReview.init(years:))
                 program.checkInPoints = try row.whole("check_in_points")
                 program.memberFields = row.list("member_fields")
             }),
        // Every kind of reminder, with the words it is sent with: the program's, or the default
        // (kept out of the program unless changed, so a later default reaches it).
        Part(key: "message", title: "提醒消息", note: "文字中可用 {name}、{date}、{card}、{balance}、{points}、{uses}、{days}；清空即恢复默认文字。",
             columns: [Column(key: "kind", label: "提醒", input: .fixed(zip(MessageKind.allCases.map(\.rawValue), messageNames).map { ($0, $1) })),
                       Column(key: "text", label: "文字", input: .lines(maxLength: Messages.maxTemplateLength))],
             isList: false,
             rows: { program in MessageKind.allCases.map { ["kind": $0.rawValue, "text": program.template($0)] } },
             apply: { program, rows in
                 // A kind the form does not carry (a form from before it existed) keeps its words.
                 var messages = program.messages, seen = Set<MessageKind>()
                 for row in rows {
                     guard let kind: MessageKind = try row.choice("kind") else { throw row.fault("kind", "不能为空") }
                     guard seen.insert(kind).inserted else { throw row.fault("kind", "重复") }
                     let text = row.text("text")
                     messages[kind.rawValue] = text == kind.defaultTemplate ? nil : text
                 }
                 program.messages = messages
             }),
    ]

    /// The reminders' names, in `MessageKind.allCases`' order.
    static let messageNames = ["生日祝福", "到期提醒", "到期续卡", "计次卡将用完", "积分将到期", "久未到店", "余额不足"]
}
