import MMSCore
import MMSDevices
import MMSNode

/// Draws the till for a terminal of `columns` × `rows` (80 × 24 and up): a status line, the
/// screen's body, a message line and the keys that work here. Amounts are right-aligned by
/// display width, so Chinese labels keep the figures in their column.
public enum TillScreen {
    public static let minimumColumns = 80
    public static let minimumRows = 24

    public struct Line: Equatable, Sendable {
        public enum Style: Sendable { case plain, bar, error, highlight }
        public var text: String
        public var style: Style
        init(_ text: String, _ style: Style = .plain) { self.text = text; self.style = style }
    }

    public static func render(_ till: TillMachine, columns: Int, rows: Int) -> [Line] {
        guard columns >= minimumColumns, rows >= minimumRows else {
            return ["窗口太小：收银台需要至少 80×24", "window too small: the till needs 80x24 or more",
                    "现在 \(columns)×\(rows)"].map { Line(DisplayWidth.pad($0, to: max(1, columns))) }
                + Array(repeating: Line(String(repeating: " ", count: max(1, columns))), count: max(0, rows - 3))
        }
        let (title, body, keys) = content(till, columns: columns)
        var lines: [Line] = []
        lines.append(Line(DisplayWidth.spread(" MMS 收银台 · \(title)", status(till) + " ", columns: columns), .bar))
        lines.append(Line(""))
        let room = rows - 5
        lines += body.prefix(room)
        lines += Array(repeating: Line(""), count: max(0, room - body.count))
        lines.append(Line(till.message.map { " " + $0 } ?? "", till.messageIsError ? .error : .plain))
        lines.append(Line(String(repeating: "-", count: columns)))
        lines.append(Line(" " + keys, .bar))
        return lines.map { Line(DisplayWidth.pad($0.text, to: columns), $0.style) }
    }

    static func status(_ till: TillMachine) -> String {
        var parts: [String] = []
        if let s = till.session { parts.append("\(s.branch) · \(s.till) · \(s.name)") }
        if let p = till.printer {
            parts.append((p.state?.label ?? "打印机") + (p.waiting > 0 ? " 待打印\(p.waiting)" : ""))
        }
        return parts.joined(separator: " · ")
    }

    static func money(_ label: String, _ value: String, width: Int = 40) -> Line {
        Line("   " + DisplayWidth.pad(label, to: 16) + DisplayWidth.pad(value, to: width - 16, alignRight: true))
    }

    static func list(_ items: [String], selection: Int) -> [Line] {
        items.enumerated().map { index, item in
            Line("  \(index == selection ? ">" : " ") \(index + 1). \(item)", index == selection ? .highlight : .plain)
        }
    }

    static func content(_ till: TillMachine, columns: Int) -> (String, [Line], String) {
        switch till.screen {
        case .login(let op, let password, let onPassword):
            return ("登录", [
                Line("   收银员登录 (operator login)"), Line(""),
                Line("   工号 Operator : \(op)\(onPassword ? "" : "_")", onPassword ? .plain : .highlight),
                Line("   密码 Password : \(String(repeating: "*", count: password.count))\(onPassword ? "_" : "")", onPassword ? .highlight : .plain),
            ], "Tab 切换  Enter 确认  Ctrl-C 退出")

        case .identify(let input):
            return ("识别会员", [
                Line("   请刷卡、拍卡，或输入卡号 / 手机号后按 Enter"),
                Line("   Swipe or tap a card, or type a card number or phone and press Enter"), Line(""),
                Line("   卡号/手机号: \(input)_", .highlight),
            ], "Enter 查询  S 散客销售  Esc 清除  P 重打小票  R 重试打印  L 注销  Ctrl-C 退出")

        case .chooseMember(let members):
            let items = members.map { m in
                "\(DisplayWidth.pad(MemberProfile.maskedName(m.name), to: 10)) \(DisplayWidth.pad(m.phone, to: 14)) \(m.tier)  卡: \((m.cards ?? []).map(Receipt.mask(card:)).joined(separator: ", "))"
            }
            return ("选择会员", [Line("   此手机号对应多位会员，请选择:"), Line("")] + list(items, selection: till.selection),
                    "1-9 选择  ↑↓ 移动  Enter 确定  Esc 返回")

        case .chooseCard(let member):
            let cards = member.cards ?? []
            return ("选择卡", [Line("   \(MemberProfile.maskedName(member.name)) 有 \(cards.count) 张卡，请选择:"), Line("")]
                        + list(cards.map(Receipt.mask(card:)), selection: till.selection),
                    "1-9 选择  ↑↓ 移动  Enter 确定  Esc 返回")

        case .panel:
            return ("会员", panel(till), "1付款 2销售 3充值 4积分 5计次 6用券 7退款 8重打 T转账 0改密 9续卡 X退卡 Esc")

        case .entry(let draft, let field):
            var body = [Line("   \(draft.action.title) · 卡 \(Receipt.mask(card: draft.card))"), Line("")]
            if let charge = draft.charge { body.append(Line("   原单 \(charge.op)  \(charge.at)  \(charge.amount ?? "")")) }
            if let panel = till.panel { body.append(money("余额", panel.balance)); body.append(money("本店可用", panel.balanceHere)) }
            body.append(Line(""))
            switch draft.action {
            case .sale:
                body.append(money("合计", draft.basket.quote?.total ?? ""))
                body += draft.basket.tenders.map { money("  " + Basket.label($0.kind.rawValue), $0.amount ?? "余额") }
            case .pay, .topUp, .refund:
                body.append(Line("   金额 Amount : \(draft.amount)\(field == .amount ? "_" : "")", field == .amount ? .highlight : .plain))
            case .transfer:
                body.append(Line("   转入卡 To   : \(draft.target)\(field == .target ? "_" : "")", field == .target ? .highlight : .plain))
                if field != .target { body.append(Line("   金额 Amount : \(draft.amount)\(field == .amount ? "_" : "")", field == .amount ? .highlight : .plain)) }
            case .pinChange:
                if field == .newPin { body.append(Line("   原密码 Old  : \(String(repeating: "*", count: draft.pin.count))")) }
            case .renew, .cardReturn: break
            case .points, .punch:
                body.append(Line("   \(draft.action == .points ? "积分 Points" : "次数 Uses  ") : \(draft.count)\(field == .count ? "_" : "")",
                                 field == .count ? .highlight : .plain))
            case .coupon: break
            }
            if field == .pin {
                body.append(Line("   密码 PIN    : \(String(repeating: "*", count: draft.pin.count))_", .highlight))
            }
            if field == .newPin {
                body.append(Line("   新密码 New  : \(String(repeating: "*", count: draft.newPin.count))_", .highlight))
            }
            return (draft.action.title, body, field == .pin ? "会员输入密码  Enter 确认  Backspace 删除  Esc 取消" : "Enter 下一步  Backspace 删除  Esc 取消")

        case .chooseTender(let draft) where draft.action == .cardReturn:
            return ("退卡", [Line("   退卡 \(Receipt.mask(card: draft.card))：本金退回方式 (the principal goes back by):"), Line("")]
                        + list(["现金 (开钱箱)", "银行卡", "移动支付"], selection: till.selection),
                    "1 现金 2 银行卡 3 移动支付  Enter 确定  Esc 取消")

        case .chooseTender(let draft):
            return ("充值", [Line("   充值 \(draft.amount) 到卡 \(Receipt.mask(card: draft.card))，收款方式:"), Line("")]
                        + list(["现金 (开钱箱)", "银行卡", "移动支付"], selection: till.selection),
                    "1 现金 2 银行卡 3 移动支付  Enter 确定  Esc 取消")

        case .chooseCoupon:
            let coupons = (till.panel?.coupons ?? []).filter { $0.left > 0 }
            let items = coupons.map { "\(DisplayWidth.pad($0.code, to: 14)) \(DisplayWidth.pad($0.title, to: 20)) \(DisplayWidth.pad($0.value, to: 10, alignRight: true))" }
            return ("优惠券", [Line("   选择要核销的优惠券:"), Line("")] + list(items, selection: till.selection), "1-9 选择  ↑↓ 移动  Enter 核销  Esc 取消")

        case .chooseCharge(_, let charges):
            let items = charges.map { "\($0.at)  \(DisplayWidth.pad($0.amount ?? "", to: 10, alignRight: true))  \($0.op)" }
            return ("退款", [Line("   选择要退款的付款 (最近在前):"), Line("")] + list(items, selection: till.selection), "1-9 选择  ↑↓ 移动  Enter 确定  Esc 取消")

        case .basket(let draft, let input):
            var body = [Line("   销售 · \(draft.card.isEmpty ? "散客 (walk-in)" : "卡 \(Receipt.mask(card: draft.card))")"), Line("")]
            body += basketLines(draft.basket, priced: nil)
            body += [Line(""), Line("   编码/条码/金额: \(input)_", .highlight),
                     Line("   输入商品编码或条码后按 Enter；3*PR-104 为三件；100.00 为一笔金额；空行 Enter 结账")]
            return ("销售", body, "编码/条码 Enter 加入 (3*编码=3件, 100.00=金额)  空 Enter 结账  ⌫ 删  Esc 取消")

        case .checkout(let draft, let input):
            var body = basketLines(draft.basket, priced: draft.basket.quote)
            if let q = draft.basket.quote {
                body.append(money("合计", q.total))
                if q.discount != "0.00" { body.append(money("其中优惠", q.discount)) }
            }
            for tender in draft.basket.tenders { body.append(money("  " + Basket.label(tender.kind.rawValue), (tender.kind == .coupon || tender.kind == .punch ? "−" : "") + (tender.amount ?? "余额"))) }
            if let remaining = draft.basket.remaining { body.append(money("待收", remaining.description)) }
            if let balance = till.panel?.balanceHere, !draft.card.isEmpty { body.append(money("本店可用储值", balance)) }
            body += [Line(""), Line("   金额 Amount : \(input)_", .highlight),
                     Line("   输入金额再按付款方式键；不输金额直接按键=收取余额；现金可多收（找零）"),
                     Line("   J 积分抵扣（先输入金额）；Q 用会员的第一张可用优惠券（先输入 2 用第二张）；P 计次卡抵扣服务项目")]
            return ("结账", body, "金额+ S储值 C现金 B银行卡 M移动 J积分 Q优惠券 P计次 (无金额=余额) ⌫删 Esc返回")

        case .working(let label):
            return ("处理中", [Line("   \(label)"), Line(""), Line("   请稍候，不要重复操作 (please wait)")], "请稍候 …")

        case .done(let summary):
            var body = [Line("   \(summary.title)", .highlight), Line("")]
            body += summary.lines.map { money($0.0, $0.1) }
            body += [Line(""), Line("   单号 \(summary.op)"), Line("   小票已交打印机队列 (receipt queued)")]
            return ("完成", body, "Enter 继续  P 重打小票")

        case .short(let draft, let short):
            var body = [Line("   本店可用额度不足 (not enough rights here)", .highlight), Line("")]
            body.append(money("本次金额", short.requested))
            body.append(money("会员余额", short.balance))
            body.append(money("本店可用", short.here))
            body.append(Line("   其他门店      \(short.elsewhere.isEmpty ? "-" : short.elsewhere)"))
            body.append(Line(""))
            if short.rightsOnly {
                body.append(Line("   A 向其他门店申请额度后再付 (ask the other branches, then pay)"))
            } else {
                body.append(Line("   余额不足 (the balance itself is short)"))
            }
            if short.here != "0.00" { body.append(Line("   P 先付本店可用的 \(short.here)，其余收取其他方式 (partial payment)")) }
            _ = draft
            return ("额度不足", body, (short.rightsOnly ? "A 申请额度  " : "") + (short.here != "0.00" ? "P 部分支付  " : "") + "Esc 取消（不扣款）")

        case .uncertain(let draft, _):
            return ("结果未确认", [
                Line("   \(draft.action.title) 已发出，但没有收到门店节点的应答。", .highlight),
                Line("   The request went out but no answer came back."), Line(""),
                Line("   按 R 用同一单号重新提交：如果已经成功，节点会回答原来的结果，不会重复扣款。"),
                Line("   R resends with the same request key: a payment that happened is answered, not repeated."),
            ], "R 重新提交（同一单号）  Esc 返回（稍后核对）")
        }
    }

    /// The basket's lines: as typed, or as the node priced them (with their discounts).
    static func basketLines(_ basket: Basket, priced: SaleResult?) -> [Line] {
        let rows: [(String, Int64, String, String?)] = priced.map { q in q.lines.map { ($0.name, $0.quantity, $0.amount, $0.discount == "0.00" ? nil : $0.discount) } }
            ?? basket.lines.map { ($0.name, $0.quantity, $0.price, nil) }
        let shown = rows.suffix(12)
        var lines = shown.enumerated().map { i, row in
            Line("   \(DisplayWidth.pad("\(rows.count - shown.count + i + 1). \(row.0)", to: 28)) ×\(DisplayWidth.pad(String(row.1), to: 4)) "
                 + DisplayWidth.pad(row.2, to: 12, alignRight: true) + (row.3.map { "  (优惠 \($0))" } ?? ""))
        }
        if rows.isEmpty { lines.append(Line("   (空 empty)")) }
        return lines
    }

    static func panel(_ till: TillMachine) -> [Line] {
        guard let p = till.panel else { return [Line("   (no member)")] }
        var body: [Line] = []
        let type = ["stored": "储值卡", "discount": "折扣卡", "punch": "计次卡"][p.type ?? ""] ?? (p.type ?? "")
        let status = ["active": "正常", "lost": "挂失", "blocked": "冻结", "replaced": "已换卡"][p.status ?? ""] ?? (p.status ?? "")
        body.append(Line("   会员 \(MemberProfile.maskedName(p.name))   \(p.phone)   等级 \(p.tier)", .highlight))
        body.append(Line("   卡 \(Receipt.mask(card: p.card ?? ""))  \(type)  \(status)\(p.discountPercent.map { "  折扣 \($0)%" } ?? "")"))
        body.append(money("余额", p.balance))
        body.append(money("本店可用", p.balanceHere))
        let elsewhere = p.rights.filter { $0.key != till.session?.branch && $0.value != "0.00" }.sorted { $0.key < $1.key }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        if !elsewhere.isEmpty { body.append(Line("   其他门店        \(elsewhere)")) }
        body.append(money("积分", "\(p.points)"))
        if let uses = p.usesLeft { body.append(money("计次剩余", "\(uses) 次")) }
        let usable = p.coupons.filter { $0.left > 0 }
        body.append(Line("   优惠券 \(usable.isEmpty ? "无" : usable.prefix(3).map { "\($0.code) \($0.value)" }.joined(separator: ", "))\(usable.count > 3 ? " …" : "")"))
        body.append(Line(""))
        body.append(Line("   最近记录 (history)"))
        for item in p.history.prefix(6) {
            let what = item.amount ?? item.points.map { "\($0) 分" } ?? item.uses.map { "\($0) 次" } ?? ""
            body.append(Line("   \(DisplayWidth.pad(item.at, to: 20)) \(DisplayWidth.pad(kindLabel(item.kind), to: 10)) \(DisplayWidth.pad(what, to: 10, alignRight: true))"))
        }
        return body
    }

    static func kindLabel(_ kind: String) -> String {
        ["charge": "储值付款", "top_up": "充值", "refund": "退款", "sale": "销售", "sale_returned": "退货", "points_redeemed": "积分兑换",
         "punch_used": "计次", "coupon_issued": "发券", "coupon_redeemed": "用券", "card_issued": "开卡", "member_added": "入会",
         "card_reported": "挂失/冻结", "pin_failed": "密码错误"][kind] ?? kind
    }
}
