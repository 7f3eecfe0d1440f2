import Hummingbird

/// The console's languages: Chinese first, and English for head office's staff who read it
/// better, chosen on the page (`/console/language`, a cookie for the console's path only: the
/// member's page stays Chinese). The templates and the handlers are written in Chinese once;
/// English is `English.phrases`, through which the templates' text is translated as they are
/// compiled and every phrase a handler writes is looked up as it is written. Money and dates stay
/// as China writes them (¥, `YYYY-MM-DD`, China Standard Time) in either language.
enum Language: String, Sendable {
    case chinese = "zh-CN", english = "en"

    static let cookie = "mms_lang"

    /// The language the console's pages are shown in for this request.
    init(_ request: Request) {
        self = request.cookies[Self.cookie]?.value == Self.english.rawValue ? .english : .chinese
    }

    /// A phrase as this language writes it: the Chinese as written, or its English (the Chinese
    /// where the table has none — a test holds every phrase the console writes to having one).
    /// Each `%@` in the phrase is filled, in order, with `arguments`.
    func callAsFunction(_ chinese: String, _ arguments: String...) -> String {
        var text = self == .chinese ? chinese : English.phrases[chinese] ?? chinese
        var from = text.startIndex
        for argument in arguments {
            // Each slot after the last argument put in: an argument's own "%@" is text.
            guard let slot = text.range(of: "%@", range: from..<text.endIndex) else { break }
            let offset = text.distance(from: text.startIndex, to: slot.lowerBound) + argument.count
            text.replaceSubrange(slot, with: argument)
            from = text.index(text.startIndex, offsetBy: offset)
        }
        return text
    }

    /// Between the items of a list in a sentence.
    var listSeparator: String { self == .chinese ? "、" : ", " }

    /// The other language, as the switch on each console page offers it (in its own words).
    var other: (language: Language, name: String) { self == .chinese ? (.english, "English") : (.chinese, "中文") }
}

/// The console in English. A template's text is cut into runs at its tags, its `{{…}}` and its
/// quotes; a run that holds Chinese is looked up whole (without the spaces around it, which are
/// kept but before English that opens with punctuation or is empty), so a phrase's English may
/// drop words but never touches markup.
enum English {
    /// `source` with every Chinese run in English; `missing` collects the runs without one.
    static func translate(_ source: String, missing: inout [String]) -> String {
        var result = "", run = ""
        func flush() {
            defer { run = "" }
            let phrase = run.trimmingCharacters(in: .whitespacesAndNewlines)
            guard phrase.unicodeScalars.contains(where: isChinese) else { result += run; return }
            guard let english = phrases[phrase] else { missing.append(phrase); result += run; return }
            let leading = run.prefix { $0.isWhitespace }, trailing = String(run.reversed().prefix { $0.isWhitespace }.reversed())
            // No space before English that opens with punctuation (", on its way…").
            result += (english.first.map { ",.;:)".contains($0) } ?? true ? "" : leading) + english + trailing
        }
        var rest = Substring(source)
        while let next = rest.first {
            if rest.hasPrefix("{{"), let close = rest.range(of: "}}") {
                flush(); result += rest[rest.startIndex..<close.upperBound]; rest = rest[close.upperBound...]
            } else if "<>\"".contains(next) {
                flush(); result.append(next); rest = rest.dropFirst()
            } else {
                run.append(next); rest = rest.dropFirst()
            }
        }
        flush()
        return result
    }

    /// Han characters and the full-width punctuation that goes with them.
    static func isChinese(_ scalar: Unicode.Scalar) -> Bool {
        (0x4E00...0x9FFF).contains(scalar.value) || (0x3000...0x303F).contains(scalar.value) || (0xFF00...0xFFEF).contains(scalar.value)
    }

    /// Every phrase the console writes, in English.
    static let phrases: [String: String] = [
        // The frame, sign-in and navigation.
        "MMS 会员营销": "MMS Member Marketing", "管理后台": "Console", "我的会员卡": "Member page", "工号": "Operator ID", "密码": "Password",
        "登录": "Sign in", "退出": "Sign out", "概况": "Overview", "会员等级": "Tiers", "预约": "Bookings", "商品": "Products", "报表": "Reports",
        "发件箱": "Outbox", "审计": "Audit", "账务": "Books", "员工": "Staff", "营销方案": "Program", "返回": "Back", "查看": "Show", "查找": "Find",
        "错误": "Error", "已拒绝": "Refused",
        "表单已过期或来源不明，未做任何更改。请重新打开页面再试。": "The form has expired or did not come from this console; nothing was changed. Open the page again and retry.",
        "表单不完整，未做任何更改。": "The form is incomplete; nothing was changed.",
        "登录尝试过多，请一分钟后再试。": "Too many sign-in attempts; try again in a minute.",
        "工号或密码错误。": "Wrong operator ID or password.", "卡号或密码错误。": "Wrong card number or PIN.",
        "错误次数过多，已锁定，请联系门店。": "Locked after too many wrong tries; ask a branch to unlock it.",
        "您的角色无权进行此操作。": "Your role may not do this.", "该时段已约满，请选择其他时间。": "That slot is full; choose another time.",
        "会员码已过期，请刷新。": "The member code has expired; refresh it.",
        "提交的内容过大，未做任何更改（照片须在 56 KB 以内）。": "What was sent is too large; nothing was changed (a photo must be under 56 KB).",
        "照片须为 JPEG 或 PNG 图片。": "A photo must be a JPEG or PNG image.", "照片须在 56 KB 以内。": "A photo must be under 56 KB.",
        "您从小票二维码进入，仅可查看：请用卡号和密码登录后再操作。": "Opened from a receipt's QR code, this page is for looking only: sign in with the card number and PIN to act.",
        "请选择营业时间内的整点或半点。": "Choose an hour or half hour within opening times.", "只能预约从现在起 30 天内的时间。": "Bookings are taken for the next 30 days only.",
        "您已预约了这个时间。": "That time is booked already.", "预约已达上限，请先取消一个。": "The booking limit is reached; cancel one first.",
        "暂未开放签到。": "Check-in is not open.", "请在所属门店的会员页面签到。": "Check in on the member page of the home branch.",
        "今天已经签到过了。": "Checked in already today.", "该预约已取消。": "That booking is cancelled already.", "预约时间已开始，无法取消。": "The booking has begun and cannot be cancelled.",

        // The home page: the day and the chain at a glance.
        "· 今日": "· today", "门店": "Branch", "笔数": "Sales", "净销售": "Net sales", "充值额": "Top-ups", "充值": "Top-up", "会员": "Members", "储值余额": "Stored value owed",
        "今日暂无数据": "Nothing yet today", "预付负债 ¥": "Prepaid liability ¥",
        "（储值本金与赠送，按会员所属门店合计；明细见报表）· 数据截至": " (principal and bonus, summed by each member's home branch; details in the reports) · as of",
        "全链概览": "The chain at a glance", "节点": "Node", "类型": "Type", "连接": "Link", "待同步": "Lag", "操作数": "Ops", "最近操作": "Last op",
        "可用储值额度": "Escrow held", "本页每 30 秒刷新。": "This page refreshes every 30 seconds.", "查找会员": "Find a member", "卡号或手机号": "Card number or phone",
        "总部": "Head office", "在线": "Online", "离线": "Offline", "本节点": "This node", "全部门店": "All branches",

        // Members.
        "手机": "Phone", "· 会员号": "· member no.", "· 所属": "· home", "储值 ¥": "Balance ¥", "· 赠送 ¥": "· bonus ¥", "· 积分": "· points",
        "没有找到会员。": "No member found.", "会员号": "Member no.", "· 手机": "· phone", "储值本金 ¥": "Principal ¥", "· 累计消费 ¥": "· spent ¥",
        "· 累计充值 ¥": "· topped up ¥", "储值额度所在：": "Where the balance's rights sit: ", "已完成：": "Done: ", "会员照片": "Member's photo",
        "照片由总部或所属门店保存，正在获取，请稍后刷新。": "Head office or the home branch keeps this photo; it is being fetched — refresh in a moment.",
        "尚未拍照。": "No photo yet.", "拍照或选择照片（JPEG/PNG；较大的照片会先缩小）": "Take or choose a photo (JPEG/PNG; a large one is shrunk first)",
        "保存照片": "Save photo", "保存资料": "Save details", "会员卡": "Cards", "卡号": "Card", "状态": "Status", "密码错误": "Wrong PINs", "操作": "Action",
        "新卡号（补卡）": "New card (reissue)", "转入卡号（转账）": "To card (transfer)", "金额（转账）": "Amount (transfer)", "下一步": "Next",
        "优惠券": "Coupons", "可用": "usable", "已用": "used", "暂无优惠券": "No coupons", "历史记录": "History", "时间": "Time", "业务": "Event",
        "金额": "Amount", "积分": "Points", "会员资料已保存": "Member details saved", "照片已保存": "Photo saved",
        "普通": "Standard", "白银": "Silver", "黄金": "Gold", "铂金": "Platinum",
        "入会": "Joined", "开卡": "Card issued", "消费": "Charge", "退款": "Refund", "购物": "Sale", "退货": "Sale returned", "积分兑换": "Points redeemed",
        "赠送积分": "Points awarded", "次卡消费": "Punch used", "获得优惠券": "Coupon issued", "使用优惠券": "Coupon redeemed", "补卡": "Reissue",
        "续期": "Renewed", "挂失": "Report lost",

        // The card's life.
        "冻结": "Block", "解锁密码": "Unlock PIN", "重置密码": "Reset PIN", "续卡": "Renew", "转账": "Transfer", "退卡": "Return card",
        "卡将在所有门店停止使用（余额保留，可补卡）。": "The card stops working at every branch (the balance is kept; a new card can be issued).",
        "卡将在所有门店停止使用。": "The card stops working at every branch.",
        "清除密码错误次数，会员可再次输入密码。": "The wrong-PIN count is cleared; the member may enter the PIN again.",
        "卡的密码改为新密码（会员不在场时请勿操作）。": "The card's PIN becomes the new one (do not do this without the member present).",
        "卡按其卡种的有效期再次生效。": "The card is valid again for its product's term.", "旧卡停用，余额、积分转到新卡。": "The old card stops; its balance and points move to the new card.",
        "从此卡转出储值到另一张卡，需要会员输入密码。": "Stored value moves from this card to another; the member enters the PIN.",
        "卡在所有门店停用，本金以现金退还，赠送余额作废，需要会员输入密码。": "The card stops at every branch, the principal is refunded in cash and the bonus is forfeited; the member enters the PIN.",
        "确认": "Confirm", "确认%@": "Confirm %@", "：卡": ": card", "会员输入密码": "Member's PIN", "新密码（4–6 位数字）": "New PIN (4–6 digits)", "放弃": "Cancel",
        "未完成，未做任何更改": "Not done; nothing was changed", "未完成": "Not done", "返回会员": "Back to the member", "未知的操作。": "Unknown action.",
        "请填写新密码。": "Fill in the new PIN.", "请填写新卡号。": "Fill in the new card.", "请填写转入卡号。": "Fill in the card to transfer to.", "请填写金额。": "Fill in the amount.",

        // Stock.
        "库存": "Stock", "商品编码": "SKU", "名称": "Name", "在库": "On hand", "入库": "Received", "售出": "Sold", "退供应商": "Returned", "调入": "In",
        "调出": "Out", "调出门店": "From", "调入门店": "To", "收货入库": "Receive", "货品": "Goods", "盘差": "Variance", "预警": "Alert", "低库存": "Low", "暂无库存": "No stock", "已记录：": "Recorded: ", "调拨": "Transfers",
        "数量": "Quantity", "确认收货": "Confirm arrival", "在途": "On its way", "已到货": "Arrived", "退货给供应商": "Return to the supplier",
        "调拨到其他门店": "Send to another branch", "盘点（实盘数量）": "Count (the quantity counted)", "预警线": "Low-stock line",
        "供应商（入库、退货）": "Supplier (received, returned)", "调入门店（调拨）": "To branch (transfer)", "记录": "Record",
        "数量须为整数。": "The quantity must be a whole number.", "未知的库存操作。": "Unknown stock move.",

        // The program.
        "营销方案 · 第": "Program · version", "版": "", "已保存为第": "Saved as version", "版，正在同步到各门店。": ", on its way to every branch.",
        "保存前先预览：受影响的会员与变更的部分。": "Preview before saving: the members it moves and the parts it changes.",
        "预览变更": "Preview the change", "预览：第": "Preview of the change to version", "版之后": "", "变更：": "Changes: ", "无": "none",
        "。此变更将使": ". This change moves", "位会员升级、": "members up a tier and ", "位会员降级（共": "down (of", "位会员）。": "members).",
        "等级": "Tier", "现在": "Now", "变更后": "After", "确认保存": "Save", "预览方案变更": "Preview the program change",
        "会员等级 · 方案第": "Tiers · program version", "累计消费": "Spent", "单次充值": "Single top-up", "累计积分": "Points earned", "折扣 %": "Discount %",
        "积分倍数 %": "Points multiplier %", "方案未设等级（按连锁设置）": "The program sets no tiers (the chain's settings apply)",
        "由总部制定，各门店同步后生效。": "Set by head office; in force at each branch once it has synced.",
        "%@第 %@ 行：%@%@：“%@”。": "%@, row %@: %@ %@: “%@”.", "%@：%@%@：“%@”。": "%@: %@ %@: “%@”.", "%@：行数不对。": "%@: the row count is wrong.",
        "%@（%@）": "%@ (%@)", "不能为空": "cannot be empty", "重复": "appears twice", "须为金额，如 20.00": "must be an amount, such as 20.00", "须为整数": "must be a whole number",
        "须为以逗号分隔的整数": "must be whole numbers separated by commas", "不是可选的值": "is not one of the choices",
        "须为等级代码（standard、silver、gold、platinum）": "must be tier codes (standard, silver, gold, platinum)", "以逗号分隔": "separated by commas",
        "门槛留空表示不按此方式升级；等级代码选“—”即删除该行。": "A threshold left empty is not a way up; choosing “—” as the tier deletes the row.",
        "累计消费 ¥": "Spent ¥", "单次充值 ¥": "Single top-up ¥", "附属卡": "Companion cards", "生日券模板": "Birthday coupon template",
        "充值赠送": "Top-up bonuses", "清空“充值满”即删除该行；最后一行用于新增。": "Clearing “Top-up from” deletes the row; the last row adds one.",
        "充值满 ¥": "Top-up from ¥", "赠送 ¥": "Bonus ¥", "开始日": "From", "结束日": "Until", "积分规则": "Points rule",
        "每元积分按实付（不含赠送金）；会员日为每月 1–28 日之一，倍数为百分比（200 即双倍）。":
            "Points per yuan are on what is paid (not the bonus); the member day is one of the month's days 1–28, its multiplier a percentage (200 doubles).",
        "每元积分": "Points per yuan", "抵 1 元所需积分": "Points for ¥1 off", "有效期": "Expiry", "永久": "Never", "当年底": "End of the year",
        "次年底": "End of next year", "会员日": "Member day", "会员日倍数 %": "Member day multiplier %", "可转赠": "Transferable",
        "品类积分": "Category points", "该品类商品每元积分（覆盖通用规则）。": "Points per yuan for a category's products (over the general rule).", "品类": "Category",
        "积分活动": "Points events", "起止日都含在内；同一天多个倍数取最高，再乘等级倍数。": "Both days are included; of several multipliers on a day the highest counts, then the tier's.",
        "倍数 %": "Multiplier %", "卡种": "Card products",
        "储值卡按首充开卡；折扣卡、计次卡按卡费；计次卡的服务为商品编码。清空编号即删除。":
            "A stored-value card opens with its first top-up; discount and punch cards with their fee; a punch card's services are SKUs. Clearing the ID deletes the row.",
        "编号": "ID", "储值卡": "Stored value", "折扣卡": "Discount", "计次卡": "Punch", "首充 ¥": "First top-up ¥", "卡费 ¥": "Fee ¥",
        "有效天数": "Valid days", "充值续期": "Top-up renews", "首日可用 %": "Usable first day %", "次数": "Uses", "服务": "Service",
        "优惠券模板": "Coupon templates",
        "满减、礼品、免费服务填面值，折扣券填百分比；排除星期 1–7（周一至周日）；商品、品类、门店、等级留空表示不限。":
            "Amount-off, gift and free-service coupons take a value, percent-off coupons a percentage; excluded weekdays are 1–7 (Monday to Sunday); products, categories, branches and tiers left empty mean any.",
        "满减": "Amount off", "折扣": "Percent off", "礼品": "Gift", "免费服务": "Free service", "面值 ¥": "Value ¥", "最低消费 ¥": "Minimum spend ¥",
        "排除星期": "Weekdays excluded", "每人限持": "Per member", "叠加": "Stacking", "可与折扣同用": "With discounts", "独享": "Alone",
        "积分兑换礼品": "Gifts for points", "礼品的库存记在其商品编码下。": "A gift's stock is kept under its SKU.", "所需积分": "Points needed",
        "营销活动": "Campaigns",
        "赠券（模板编号）或积分，每位会员每个活动一次；人群条件留空表示不限。用 mms campaign run 发放。":
            "A coupon (its template's ID) or points, once per member per campaign; segment conditions left empty mean anyone. Run it with mms campaign run.",
        "赠券模板": "Coupon template", "赠积分": "Points given", "生日月": "Birthday month", "未到店天数": "Days without a visit", "消费自 ¥": "Spent from ¥",
        "消费低于 ¥": "Spent below ¥", "入会自": "Joined from", "入会至": "Joined until", "开卡礼、推荐礼与其他": "Welcome and referral gifts, and the rest",
        "开卡礼由会员所属门店随首张卡发放；推荐礼在新会员首次付款后发给推荐人；等级有效期留空表示达到即长期有效；签到积分留空即关闭签到；会员资料字段以逗号分隔。":
            "The home branch gives the welcome gift with the first card; the referral gift goes to the referrer after the new member's first payment; a tier review left empty keeps a tier once reached; check-in points left empty turn check-in off; member fields are separated by commas.",
        "开卡礼积分": "Welcome points", "开卡礼券": "Welcome coupon", "推荐礼积分": "Referral points", "推荐礼券": "Referral coupon",
        "等级有效期（年）": "Tier review (years)", "签到积分": "Check-in points", "会员资料字段": "Member fields",
        "提醒消息": "Reminders", "提醒": "Reminder", "文字": "Words",
        "文字中可用 {name}、{date}、{card}、{balance}、{points}、{uses}、{days}；清空即恢复默认文字。":
            "The words may use {name}, {date}, {card}, {balance}, {points}, {uses} and {days}; cleared, a reminder's words are the default again.",
        "生日祝福": "Birthday", "到期提醒": "Card expiring", "到期续卡": "Card expired", "计次卡将用完": "Punch card running out",
        "积分将到期": "Points expiring", "久未到店": "Dormant", "余额不足": "Low balance",

        // Bookings.
        "预约 ·": "Bookings ·", "超额预约：": "Overbooked: ", "（断网期间多处同时接受），请联系会员调整。": " (taken in more than one place while cut off); ask the members to move.",
        "已取消": "Cancelled", "有效": "Booked", "取消": "Cancel", "当日暂无预约": "No bookings that day", "日期": "Day",

        // Reports.
        "报表 ·": "Reports ·", "至": "to", "从": "From", "到": "to", "净销售 ¥": "Net sales ¥", "笔 · 会员": "sales · members:", "人 · 预付负债 ¥": "· prepaid liability ¥",
        "下载 CSV（按日）": "CSV by day", "按商品": "by product", "按员工": "by staff", "按门店": "by branch", "下载 CSV（按时段）": "CSV by hour", "下载 CSV": "CSV",
        "分群": "Segment", "说明": "Details", "人数": "Members", "积分 CSV": "points CSV", "数据截至": "As of",
        "每日净销售": "Net sales by day", "分时段净销售": "Net sales by hour", "会员等级分布": "Members by tier", "RFM 分群": "RFM segments",
        "预付负债（按所属门店）": "Prepaid liability (by home branch)", "%@ 人": "%@ members", "%@ 人 %@": "%@ members, %@", "（最高 %@）": " (highest %@)",
        "重要价值客户": "Champions", "重要发展客户": "Recent big spenders", "重要保持客户": "Loyal big spenders, lapsing",
        "重要挽留客户": "Big spenders to win back", "一般价值客户": "Frequent small spenders", "一般发展客户": "New or occasional",
        "一般保持客户": "Frequent, lapsing", "一般挽留客户": "Lost",

        // Books.
        "账务 ·": "Books ·", "月份": "Month", "日结": "Till days", "收银台": "Tills", "应有现金": "Cash expected", "清点": "Counted", "差额": "Difference",
        "未日结": "Not closed", "本月暂无收银记录": "No till days this month", "已日结差额合计 ¥": "Differences of closed days ¥", "费用": "Expenses",
        "合计": "Total", "应付供应商": "Owed to suppliers", "（有逾期）": " (overdue)",

        // Catalogue.
        "商品与服务": "Products and services", "编码、条码或名称": "SKU, barcode or name", "编码": "SKU", "分类": "Category", "标价": "List price",
        "本店价": "Price here", "单位": "Unit", "在售": "On sale", "停售": "Withdrawn", "没有商品": "No products",
        "商品由总部维护（mms product add / edit），各门店同步。": "Head office keeps the catalogue (mms product add / edit); every branch syncs it.",

        // Staff and tills.
        "员工与收银台": "Staff and tills", "员工与收银台 ·": "Staff and tills ·", "库存 ·": "Stock ·", "姓名": "Name", "角色": "Role", "停用": "Disable", "收银员": "Cashier", "店长": "Manager", "审计员": "Auditor",
        "总部管理员": "Head office admin", "初始密码": "First password", "添加员工": "Add operator", "已注销": "Revoked", "在用": "In use", "注销": "Revoke",
        "暂无收银台": "No tills", "收银台名称": "Till name", "登记": "Register", "请选择角色。": "Choose a role.",
        "停用不可撤销：请勾选确认。": "Disabling cannot be undone: tick Confirm.", "注销不可撤销：请勾选确认。": "Revoking cannot be undone: tick Confirm.",
        "已添加员工 %@": "Operator %@ added", "已停用员工 %@": "Operator %@ disabled", "已注销收银台 %@": "Till %@ revoked",
        "收银台 %@ 的令牌（只显示这一次，请配置到收银台）：%@": "Till %@'s token (shown this once: set it on the till): %@",

        // Outbox and audit.
        "消息发件箱": "Outbox", "排队时间": "Queued", "尝试": "Tries", "暂无消息": "No messages", "审计记录（最近 200 条）": "Audit trail (the latest 200)",
        "操作员": "Operator", "终端": "Terminal", "内容": "What", "（节点）": "(node)", "%@ 分": "%@ points",
    ]
}
