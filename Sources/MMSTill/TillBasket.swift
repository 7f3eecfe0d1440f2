import Foundation
import MMSCore
import MMSDevices
import MMSNode

/// A sale at the till: lines by SKU or barcode (or an amount typed), priced by the node, then
/// paid by one or more tenders. The till adds nothing up that counts: the node's quote gives the
/// lines, discounts and total, and the node's sale is what the receipt prints.
public struct Basket: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        /// Empty for an amount line (金额消费).
        public var sku: String
        public var name: String
        public var quantity: Int64
        /// The price this branch sells at (an amount line's amount), before any discount.
        public var price: String
    }
    public struct Tender: Sendable, Equatable {
        public var kind: TenderKind
        /// nil: the rest of the total. A coupon's is what the node said it takes off.
        public var amount: String?
        /// A coupon's code.
        public var reference = ""
    }
    public static let maxLines = 60

    public var lines: [Line] = []
    public var tenders: [Tender] = []
    /// The node's pricing of `lines`, taken before the tenders.
    public var quote: SaleResult?

    mutating func add(_ line: Line) {
        if !line.sku.isEmpty, let i = lines.firstIndex(where: { $0.sku == line.sku }) { lines[i].quantity += line.quantity } else { lines.append(line) }
        quote = nil
    }

    /// What is still to be tendered, for the cashier's eyes (the node decides the sale).
    public var remaining: Money? {
        guard let total = quote.flatMap({ Money(parsing: $0.total) }) else { return nil }
        if tenders.contains(where: { $0.amount == nil }) { return Money(fen: 0) }
        return total - Money(fen: tenders.compactMap { $0.amount.flatMap(Money.init(parsing:))?.fen }.reduce(0, +))
    }

    func body(card: String, pin: String?, tenders withTenders: Bool) -> Bodies.Sale {
        Bodies.Sale(card: card.isEmpty ? nil : card,
                    items: lines.map { $0.sku.isEmpty ? .init(sku: nil, quantity: nil, amount: $0.price) : .init(sku: $0.sku, quantity: $0.quantity, amount: nil) },
                    tenders: withTenders ? tenders.map { .init(kind: $0.kind.rawValue, amount: $0.kind == .coupon || $0.kind == .punch ? nil : $0.amount,
                                                              reference: $0.reference.isEmpty ? nil : $0.reference) } : nil, pin: pin)
    }

    static let tenderKeys: [(Character, TenderKind, String)] = [("s", .stored, "储值"), ("c", .cash, "现金"), ("b", .bank, "银行卡"), ("m", .mobile, "移动支付"),
                                                                ("j", .points, "积分"), ("q", .coupon, "优惠券"), ("p", .punch, "计次")]
    static func label(_ kind: String) -> String { tenderKeys.first { $0.1.rawValue == kind }?.2 ?? kind }
}

extension TillMachine {
    /// Keys on the basket: type a code (`3*PR-104` for three) or an amount (`100.00`) and Enter;
    /// Enter on nothing prices the basket; Backspace on nothing takes the last line off.
    mutating func basketKey(_ key: Key, _ draft: Draft, _ input: String) -> [Effect] {
        var draft = draft, input = input
        switch key {
        case .escape:
            screen = panel == nil ? .identify(input: "") : .panel; say("已取消销售 (sale cancelled)")
        case .backspace:
            if input.isEmpty { _ = draft.basket.lines.popLast(); draft.basket.quote = nil } else { _ = input.popLast() }
            screen = .basket(draft, input: input)
        case .character(let c) where c.isASCII && !c.isWhitespace:
            if input.count < 40 { input.append(c) }
            screen = .basket(draft, input: input)
        case .enter where input.isEmpty:
            guard !draft.basket.lines.isEmpty else { say("请先输入商品编码、条码或金额 (enter an item first)", error: true); return [] }
            let body = Bodies.encode(draft.basket.body(card: draft.card, pin: nil, tenders: false))
            return send(APIRequest(method: .post, path: "/v1/sales/quote", body: body, credential: sessionCredential()), for: .quote(draft), working: "计算金额 …")
        case .enter:
            guard draft.basket.lines.count < Basket.maxLines else { say("这一单的行数已满 (the basket is full)", error: true); return [] }
            screen = .basket(draft, input: "")
            if input.contains("."), let amount = Money(parsing: input), amount.fen > 0 {
                draft.basket.add(Basket.Line(sku: "", name: Sales.amountLineName, quantity: 1, price: amount.description))
                screen = .basket(draft, input: ""); say(nil)
                return []
            }
            var quantity: Int64 = 1, code = Substring(input)
            if let star = input.firstIndex(of: "*") {
                guard let q = Int64(input[..<star]), q > 0, q <= Sales.maxQuantityPerLine else {
                    say("数量 1–\(Sales.maxQuantityPerLine)：如 3*PR-104 (quantity, e.g. 3*PR-104)", error: true); return []
                }
                quantity = q; code = input[input.index(after: star)...]
            }
            guard !code.isEmpty else { return [] }
            return send(APIRequest(method: .get, path: "/v1/products?limit=5&query=\(pathSegment(String(code)))", credential: sessionCredential()),
                        for: .addItem(draft, code: String(code), quantity: quantity), working: "查找商品 \(code) …")
        default: break
        }
        return []
    }

    /// A product found by its code: the one whose SKU or barcode it is, or the only match by name.
    mutating func itemFound(_ draft: Draft, code: String, quantity: Int64, _ answer: APIAnswer) {
        var draft = draft
        screen = .basket(draft, input: "")
        guard let list = answer.decoded(ProductList.self) else { say(failure(answer), error: true); return }
        let exact = list.products.first { $0.sku.caseInsensitiveCompare(code) == .orderedSame || $0.barcode == code }
        guard let product = exact ?? (list.products.count == 1 ? list.products[0] : nil) else {
            say(list.products.isEmpty ? "没有这个商品 (no product \(code))"
                : "多个商品匹配，请输入编码: " + list.products.prefix(4).map { "\($0.sku) \($0.name)" }.joined(separator: "; "), error: true)
            return
        }
        guard product.active else { say("\(product.name) 已停售 (not sold any more)", error: true); return }
        draft.basket.add(Basket.Line(sku: product.sku, name: product.name, quantity: quantity, price: product.priceHere))
        screen = .basket(draft, input: ""); say(nil)
    }

    mutating func quoted(_ draft: Draft, _ answer: APIAnswer) {
        var draft = draft
        guard let quote = answer.decoded(SaleResult.self) else { screen = .basket(draft, input: ""); say(failure(answer), error: true); return }
        draft.basket.quote = quote
        draft.basket.tenders = []
        screen = .checkout(draft, input: ""); say(nil)
    }

    /// Keys at checkout: an amount, then the tender's letter (S 储值, C 现金, B 银行卡, M 移动支付);
    /// the letter alone takes the rest. When the tenders cover the total the sale goes (after the
    /// member's PIN when stored value pays).
    mutating func checkoutKey(_ key: Key, _ draft: Draft, _ input: String) -> [Effect] {
        var draft = draft, input = input
        switch key {
        case .escape:
            draft.basket.tenders = []
            screen = .basket(draft, input: ""); say(nil)
        case .backspace:
            if input.isEmpty { _ = draft.basket.tenders.popLast() } else { _ = input.popLast() }
            screen = .checkout(draft, input: input)
        case .character(let c) where c.isASCII && (c.isNumber || c == "."):
            if input.count < 12 { input.append(c) }
            screen = .checkout(draft, input: input)
        case .character(let c):
            guard let (_, kind, label) = Basket.tenderKeys.first(where: { $0.0 == Character(c.lowercased()) }) else { return [] }
            if TenderKind.members.contains(kind), draft.card.isEmpty { say("散客没有储值、积分或优惠券 (a walk-in customer has none)", error: true); return [] }
            if kind == .coupon { return useCoupon(draft, choice: input) }
            if kind == .punch { return usePunch(draft) }
            if kind == .points, input.isEmpty { say("先输入积分抵扣的金额，再按 J (the amount the points pay, then J)", error: true); return [] }
            var amount: String?
            if !input.isEmpty {
                guard let typed = Money(parsing: input), typed.fen > 0 else { say("金额格式不对：如 200.00 (an amount such as 200.00)", error: true); return [] }
                amount = typed.description
            }
            draft.basket.tenders.append(Basket.Tender(kind: kind, amount: amount))
            say("\(label) \(amount ?? "余额 rest")")
            return tendered(draft)
        default: break
        }
        return []
    }

    /// After a tender: more to take, or the sale goes (after the PIN when the member's own pays).
    mutating func tendered(_ draft: Draft) -> [Effect] {
        guard draft.basket.tenders.count <= Sales.maxTenders else { say("付款方式太多 (too many tenders)", error: true); return [] }
        guard let remaining = draft.basket.remaining, remaining.fen <= 0 else {
            screen = .checkout(draft, input: ""); return []
        }
        if draft.basket.tenders.contains(where: { TenderKind.members.contains($0.kind) }) {
            screen = .entry(draft, .pin); say("请会员输入密码，无密码直接回车 (member's PIN; Enter if none)")
            return []
        }
        return submit(draft)
    }

    /// Q: the member's first usable coupon (or the Nth, typed first). The node says what it takes
    /// off this basket by its terms: the basket is priced again with the coupon.
    mutating func useCoupon(_ draft: Draft, choice: String) -> [Effect] {
        guard !draft.basket.tenders.contains(where: { $0.kind == .coupon }) else { say("一单只能用一张优惠券 (one coupon per sale)", error: true); return [] }
        let usable = (panel?.coupons ?? []).filter { $0.left > 0 }
        let index = (Int(choice) ?? 1) - 1
        guard usable.indices.contains(index) else { say("没有这张可用的优惠券 (no such usable coupon)", error: true); return [] }
        var priced = draft
        priced.basket.tenders = draft.basket.tenders + [Basket.Tender(kind: .coupon, amount: nil, reference: usable[index].code),
                                                        Basket.Tender(kind: .cash, amount: nil)]
        let body = Bodies.encode(priced.basket.body(card: draft.card, pin: nil, tenders: true))
        return send(APIRequest(method: .post, path: "/v1/sales/quote", body: body, credential: sessionCredential()),
                    for: .couponQuote(draft, code: usable[index].code), working: "计算优惠券 …")
    }

    /// P: the punch card's uses pay the basket's services its product covers; the node says which
    /// and what they come to (the basket is priced again with the punch tender).
    mutating func usePunch(_ draft: Draft) -> [Effect] {
        guard !draft.basket.tenders.contains(where: { $0.kind == .punch }) else { say("计次卡已用于这一单 (the punch card already pays)", error: true); return [] }
        var priced = draft
        priced.basket.tenders = draft.basket.tenders + [Basket.Tender(kind: .punch, amount: nil), Basket.Tender(kind: .cash, amount: nil)]
        let body = Bodies.encode(priced.basket.body(card: draft.card, pin: nil, tenders: true))
        return send(APIRequest(method: .post, path: "/v1/sales/quote", body: body, credential: sessionCredential()),
                    for: .punchQuote(draft), working: "计算计次 …")
    }

    mutating func punchPriced(_ draft: Draft, _ answer: APIAnswer) -> [Effect] {
        var draft = draft
        guard let quote = answer.decoded(SaleResult.self), let taken = quote.tenders.first(where: { $0.kind == TenderKind.punch.rawValue }) else {
            screen = .checkout(draft, input: ""); say(failure(answer), error: true); return []
        }
        draft.basket.tenders.append(Basket.Tender(kind: .punch, amount: taken.amount))
        say("计次 −\(taken.amount)")
        return tendered(draft)
    }

    mutating func couponPriced(_ draft: Draft, code: String, _ answer: APIAnswer) -> [Effect] {
        var draft = draft
        guard let quote = answer.decoded(SaleResult.self), let taken = quote.tenders.first(where: { $0.kind == TenderKind.coupon.rawValue }) else {
            screen = .checkout(draft, input: ""); say(failure(answer), error: true); return []
        }
        draft.basket.tenders.append(Basket.Tender(kind: .coupon, amount: taken.amount, reference: code))
        say("优惠券 \(code) −\(taken.amount)")
        return tendered(draft)
    }

    func saleSummary(_ s: SaleResult) -> PaymentSummary {
        var lines: [(String, String)] = [("合计", s.total)]
        if s.discount != "0.00" { lines.append(("优惠", s.discount)) }
        lines += s.tenders.map { (Basket.label($0.kind), $0.amount) }
        if s.change != "0.00" { lines.append(("找零", s.change)) }
        if let balance = s.balance { lines.append(("余额", balance)) }
        if s.pointsEarned != 0 { lines.append(("本次积分", "\(s.pointsEarned)")) }
        let title = (s.replayed ? "已完成（重复提交，未重复收款）" : "成功") + " · 销售"
        return PaymentSummary(title: title, lines: lines, op: s.sale)
    }

    func saleReceipt(_ s: SaleResult) -> Receipt {
        var r = header(Action.sale.title, card: s.card)
        r.op = s.sale
        r.link = memberLink(s.memberLink) ?? r.link
        r.lines = s.lines.map { .init("\($0.name) ×\($0.quantity)", $0.amount) }
        if s.discount != "0.00" { r.lines.append(.init("优惠", "-" + s.discount)) }
        r.total = s.total
        r.tenders = s.tenders.map { .init(Basket.label($0.kind), $0.amount) }
        if s.change != "0.00" { r.tenders.append(.init("找零", s.change)) }
        r.balance = s.balance
        r.points = s.pointsBalance
        r.pointsEarned = s.pointsEarned
        r.opensDrawer = s.tenders.contains { $0.kind == TenderKind.cash.rawValue }
        return r
    }
}
