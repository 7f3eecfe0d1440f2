import Foundation
import MMSCore
import MMSDevices
import MMSNode

/// The cashier's till as a value: it takes events (a key, a card read, the node's answer, the
/// printer's state) and answers effects (call the API, print, quit); `TillScreen` draws it. No
/// sockets, no clock, no terminal: the shell does those, and tests drive this directly. It holds
/// no business rule either: amounts, PINs, rights and refunds are decided by the node, and what
/// the node answers is what the cashier sees.
public struct TillMachine: Sendable {
    public enum Event: Sendable {
        case key(Key)
        case reader(ReaderEvent)
        case answer(APIAnswer)
        case printer(ReceiptQueue.Status)
    }

    public enum Effect: Sendable, Equatable {
        case send(APIRequest)
        case print(Receipt)
        case retryPrinter
        case quit
    }

    /// What the shell gives the machine instead of a clock and randomness.
    public struct Environment: Sendable {
        public var shop: String
        /// Where a receipt's QR code points: the member's page.
        public var memberPage: String?
        /// A fresh idempotency key.
        public var newKey: @Sendable () -> String
        /// Now, as a receipt prints it.
        public var now: @Sendable () -> String
        public init(shop: String, memberPage: String?, newKey: @escaping @Sendable () -> String, now: @escaping @Sendable () -> String) {
            self.shop = shop; self.memberPage = memberPage; self.newKey = newKey; self.now = now
        }
    }

    /// The things a cashier does to a member's card.
    public enum Action: String, Sendable, CaseIterable {
        case pay, sale, topUp, points, punch, coupon, refund
        /// The card's life: balance to another card (转账), a new PIN (改密), 续卡, 退卡.
        case transfer, pinChange, renew, cardReturn

        var title: String {
            switch self {
            case .transfer: "转账"
            case .pinChange: "修改密码"
            case .renew: "续卡"
            case .cardReturn: "退卡"
            case .pay: "储值付款"
            case .sale: "销售"
            case .topUp: "充值"
            case .points: "积分兑换"
            case .punch: "计次消费"
            case .coupon: "优惠券核销"
            case .refund: "退款"
            }
        }
    }

    /// A payment being put together, step by step, then sent (and resent with the same key).
    public struct Draft: Sendable, Equatable {
        public var action: Action
        public var card: String
        public var amount = ""
        public var count = ""
        public var pin = ""
        public var tender = "现金"
        public var coupon: CouponResult?
        public var charge: HistoryItem?
        public var partial = false
        public var key = ""
        /// A sale's lines and tenders (the card is empty for a walk-in customer).
        public var basket = Basket()
        /// A transfer's receiving card; a PIN change's new PIN.
        public var target = ""
        public var newPin = ""
    }

    public enum Field: Sendable, Equatable { case amount, count, pin, target, newPin }

    public enum Screen: Sendable, Equatable {
        case login(operator: String, password: String, onPassword: Bool)
        case identify(input: String)
        case chooseMember([MemberResult])
        case chooseCard(MemberResult)
        case panel
        case entry(Draft, Field)
        case chooseTender(Draft)
        case chooseCoupon(Draft)
        case chooseCharge(Draft, [HistoryItem])
        /// A sale's lines, an item code or amount being typed.
        case basket(Draft, input: String)
        /// The basket priced by the node; tenders being taken.
        case checkout(Draft, input: String)
        case working(String)
        case done(PaymentSummary)
        /// Refused because the rights (or the balance) here are short: the numbers, and what can be done.
        case short(Draft, ShortRights)
        /// No answer: whether the payment happened is unknown until the same request is sent again.
        case uncertain(Draft, APIRequest)
    }

    public struct ShortRights: Sendable, Equatable {
        public var requested: String
        public var balance: String
        public var here: String
        public var elsewhere: String
        /// True when the balance covers the amount and only the rights sit elsewhere.
        public var rightsOnly: Bool
    }

    public struct PaymentSummary: Sendable, Equatable {
        public var title: String
        public var lines: [(String, String)]
        public var op: String
        public static func == (a: Self, b: Self) -> Bool { a.title == b.title && a.op == b.op && a.lines.map(\.0) == b.lines.map(\.0) && a.lines.map(\.1) == b.lines.map(\.1) }
    }

    /// What an outstanding request is for, so its answer goes to the right place.
    enum Purpose: Sendable, Equatable {
        case login, logout, lookupCard(String, typed: Bool), findPhone(String), refreshPanel
        case addItem(Draft, code: String, quantity: Int64), quote(Draft), couponQuote(Draft, code: String), punchQuote(Draft)
        /// A payment and the request that carries it (resent as it is when no answer came).
        case action(Draft, APIRequest)
    }

    public internal(set) var screen: Screen = .login(operator: "", password: "", onPassword: false)
    public private(set) var session: SessionResult?
    public private(set) var panel: ShowResult?
    public private(set) var message: String?
    public private(set) var messageIsError = false
    public private(set) var printer: ReceiptQueue.Status?
    public private(set) var lastReceipt: Receipt?
    /// Chosen in a list.
    public private(set) var selection = 0
    var pending: Purpose?
    /// Keys pressed while the panel's numbers reload in the background, replayed after it.
    var typeahead: [Key] = []
    var quitAsked = false
    let environment: Environment

    public init(environment: Environment) { self.environment = environment }

    public var busy: Bool { pending != nil }

    // MARK: Events

    public mutating func handle(_ event: Event) -> [Effect] {
        switch event {
        case .printer(let status):
            printer = status
            return []
        case .answer(let answer):
            guard let purpose = pending else { return [] }
            pending = nil
            quitAsked = false
            var effects = answered(purpose, answer)
            // Keys typed ahead go on while nothing else is asked.
            while pending == nil, !typeahead.isEmpty { effects += pressed(typeahead.removeFirst()) }
            typeahead = []
            return effects
        case .reader(let read):
            return cardRead(read)
        case .key(let key):
            if key == .control("c") { return quit() }
            if pending == .refreshPanel {
                if typeahead.count < 32 { typeahead.append(key) }
                return []
            }
            // While a payment or a look-up is asked, keys wait for its answer: none is taken.
            guard pending == nil else { return [] }
            return pressed(key)
        }
    }

    mutating func say(_ text: String?, error: Bool = false) { message = text; messageIsError = error }

    /// Ctrl-C leaves, unless a payment's outcome is not known yet: then it asks for a second one.
    mutating func quit() -> [Effect] {
        var unsure = false
        if case .action? = pending { unsure = true }
        if case .uncertain = screen { unsure = true }
        guard unsure, !quitAsked else { return [.quit] }
        quitAsked = true
        say("付款结果还未确认！再按一次 Ctrl-C 仍要退出 (a payment is not confirmed yet: Ctrl-C again to leave anyway)", error: true)
        return []
    }

    mutating func send(_ request: APIRequest, for purpose: Purpose, working label: String? = nil) -> [Effect] {
        pending = purpose
        if let label { screen = .working(label) }
        return [.send(request)]
    }

    func sessionCredential() -> APIRequest.Credential { .session(session?.token ?? "") }

    // MARK: Card reads

    mutating func cardRead(_ read: ReaderEvent) -> [Effect] {
        switch read {
        case .status(let text):
            say(text)
            return []
        case .unreadable(let why):
            say(why, error: true)
            return []
        case .card(let card):
            // A card read counts on the identify and panel screens; never inside a form.
            switch screen {
            case .identify, .panel, .done, .chooseMember, .chooseCard:
                guard session != nil else { return [] }
                guard pending == nil else { say("正在处理上一步，请稍后再刷卡 (busy: read the card again)", error: true); return [] }
                say(nil)
                return lookUp(card: card.number, typed: false)
            default:
                say("请先完成或取消当前操作再刷卡 (finish or cancel this step first)", error: true)
                return []
            }
        }
    }

    mutating func lookUp(card number: String, typed: Bool) -> [Effect] {
        send(APIRequest(method: .get, path: "/v1/cards/\(pathSegment(number))?history=30", credential: sessionCredential()),
             for: .lookupCard(number, typed: typed), working: "查询会员卡 \(Receipt.mask(card: number)) …")
    }

    // MARK: Keys

    mutating func pressed(_ key: Key) -> [Effect] {
        switch screen {
        case .login(var op, var password, let onPassword):
            switch key {
            case .tab, .down, .up:
                screen = .login(operator: op, password: password, onPassword: !onPassword)
            case .enter:
                if !onPassword { screen = .login(operator: op, password: password, onPassword: true); return [] }
                guard !op.isEmpty, !password.isEmpty else { say("请输入工号和密码 (operator and password)", error: true); return [] }
                screen = .login(operator: op, password: "", onPassword: false)
                return send(APIRequest(method: .post, path: "/v1/sessions", body: Bodies.encode(Bodies.Login(operator: op, password: password)),
                                       credential: .till), for: .login, working: "登录中 …")
            case .backspace:
                if onPassword { _ = password.popLast() } else { _ = op.popLast() }
                screen = .login(operator: op, password: password, onPassword: onPassword)
            case .character(let c) where c.isASCII && !c.isWhitespace:
                if onPassword { if password.count < 128 { password.append(c) } } else if op.count < 64 { op.append(c) }
                screen = .login(operator: op, password: password, onPassword: onPassword)
            default: break
            }
            return []

        case .identify(var input):
            switch key {
            case .character(let c) where c.isASCII && c.isNumber:
                if input.count < 24 { input.append(c) }
                screen = .identify(input: input)
            case .backspace:
                _ = input.popLast(); screen = .identify(input: input)
            case .escape:
                screen = .identify(input: "")
            case .enter:
                guard !input.isEmpty else { return [] }
                screen = .identify(input: "")
                return lookUp(card: input, typed: true)
            case .character("l"), .character("L"), .function(10):
                return send(APIRequest(method: .delete, path: "/v1/sessions", credential: sessionCredential()), for: .logout, working: "注销中 …")
            case .character("p"), .character("P"):
                return reprint()
            case .character("s"), .character("S"):
                // A customer without a card.
                screen = .basket(Draft(action: .sale, card: "", key: environment.newKey()), input: ""); say(nil)
            case .character("r"), .character("R"):
                say("正在重试打印 (retrying the printer)")
                return [.retryPrinter]
            default: break
            }
            return []

        case .chooseMember(let members):
            if let index = chosen(key, count: members.count) {
                let member = members[index]
                selection = 0
                let cards = member.cards ?? []
                if cards.count == 1 { return lookUp(card: cards[0], typed: false) }
                if cards.isEmpty { say("该会员还没有卡 (this member has no card)", error: true); return [] }
                screen = .chooseCard(member)
            } else if key == .escape { toIdentify() }
            return []

        case .chooseCard(let member):
            let cards = member.cards ?? []
            if let index = chosen(key, count: cards.count) {
                selection = 0
                return lookUp(card: cards[index], typed: false)
            } else if key == .escape { toIdentify() }
            return []

        case .panel:
            return panelKey(key)

        case .basket(let draft, let input):
            return basketKey(key, draft, input)

        case .checkout(let draft, let input):
            return checkoutKey(key, draft, input)

        case .entry(var draft, let field):
            switch key {
            case .escape where draft.action == .sale:
                var back = draft
                back.pin = ""
                screen = .checkout(back, input: ""); say(nil)
            case .escape:
                screen = .panel; say("已取消 (cancelled)")
            case .backspace:
                switch field {
                case .amount: _ = draft.amount.popLast()
                case .count: _ = draft.count.popLast()
                case .pin: _ = draft.pin.popLast()
                case .target: _ = draft.target.popLast()
                case .newPin: _ = draft.newPin.popLast()
                }
                screen = .entry(draft, field)
            case .character(let c) where c.isASCII && field == .target && (c.isLetter || c.isNumber || "-_.".contains(c)):
                if draft.target.count < Limits.maxIdentifierLength { draft.target.append(c) }
                screen = .entry(draft, field)
            case .character(let c) where c.isASCII && (c.isNumber || (c == "." && field == .amount)):
                switch field {
                case .amount: if draft.amount.count < 12 { draft.amount.append(c) }
                case .count: if draft.count.count < 9 { draft.count.append(c) }
                case .pin: if draft.pin.count < 12 { draft.pin.append(c) }
                case .newPin: if draft.newPin.count < 12 { draft.newPin.append(c) }
                case .target: break
                }
                screen = .entry(draft, field)
            case .enter:
                return advance(draft, from: field)
            default: break
            }
            return []

        case .chooseTender(var draft):
            let tenders = Basket.tenderKeys.filter { TenderKind.money.contains($0.1) }.map(\.2)
            if let index = chosen(key, count: tenders.count) {
                draft.tender = tenders[index]
                return submit(draft)
            } else if key == .escape { screen = .panel }
            return []


        case .chooseCoupon(var draft):
            let usable = (panel?.coupons ?? []).filter { $0.left > 0 }
            if let index = chosen(key, count: usable.count) {
                draft.coupon = usable[index]
                return submit(draft)
            } else if key == .escape { screen = .panel }
            return []

        case .chooseCharge(var draft, let charges):
            if let index = chosen(key, count: charges.count) {
                draft.charge = charges[index]
                draft.amount = charges[index].amount ?? ""
                screen = .entry(draft, .amount)
            } else if key == .escape { screen = .panel }
            return []

        case .working:
            return []

        case .done:
            switch key {
            case .enter, .escape: screen = panel == nil ? .identify(input: "") : .panel; say(nil)
            case .character("p"), .character("P"): return reprint()
            default: break
            }
            return []

        case .short(var draft, let short):
            switch key {
            case .character("a"), .character("A"):
                // Ask again: the node asks the nodes holding the rights, then tries the charge.
                draft.partial = false
                draft.key = environment.newKey()
                return submit(draft)
            case .character(let c) where (c == "p" || c == "P") && short.here != "0.00":
                draft.partial = true
                draft.key = environment.newKey()
                return submit(draft)
            case .escape:
                screen = .panel; say("已取消，没有扣款 (cancelled: nothing was charged)")
            default: break
            }
            return []

        case .uncertain(let draft, let request):
            switch key {
            case .character("r"), .character("R"), .enter:
                say(nil)
                return send(request, for: .action(draft, request), working: "用同一单号重新提交 … (same request key)")
            case .escape:
                screen = .panel
                say("结果未确认：请稍后在记录中核对 (unconfirmed: check the history)", error: true)
                return refresh()
            default: break
            }
            return []
        }
    }

    mutating func toIdentify() {
        screen = .identify(input: ""); panel = nil; selection = 0
    }

    /// A number key picks a line (1–9); arrows and Enter move and pick.
    mutating func chosen(_ key: Key, count: Int) -> Int? {
        guard count > 0 else { return nil }
        switch key {
        case .character(let c):
            if let n = c.wholeNumberValue, n >= 1, n <= count { return n - 1 }
        case .up: selection = (selection + count - 1) % count
        case .down, .tab: selection = (selection + 1) % count
        case .enter: return min(selection, count - 1)
        default: break
        }
        return nil
    }

    mutating func panelKey(_ key: Key) -> [Effect] {
        guard let panel, let card = panel.card else {
            if key == .escape { toIdentify() }
            return []
        }
        func start(_ action: Action, _ field: Field) {
            screen = .entry(Draft(action: action, card: card, key: environment.newKey()), field)
            say(nil)
        }
        switch key {
        case .character("1"): start(.pay, .amount)
        case .character("2"): screen = .basket(Draft(action: .sale, card: card, key: environment.newKey()), input: ""); say(nil)
        case .character("3"): start(.topUp, .amount)
        case .character("4"): start(.points, .count)
        case .character("5"):
            var draft = Draft(action: .punch, card: card, key: environment.newKey())
            draft.count = "1"
            screen = .entry(draft, .count); say(nil)
        case .character("6"):
            guard panel.coupons.contains(where: { $0.left > 0 }) else { say("没有可用的优惠券 (no usable coupon)", error: true); return [] }
            selection = 0
            screen = .chooseCoupon(Draft(action: .coupon, card: card, key: environment.newKey()))
        case .character("7"):
            let charges = panel.history.filter { $0.kind == "charge" && $0.card == card }
            guard !charges.isEmpty else { say("没有可退的储值付款 (no stored-value payment to refund)", error: true); return [] }
            selection = 0
            screen = .chooseCharge(Draft(action: .refund, card: card, key: environment.newKey()), Array(charges.prefix(9)))
        case .character("8"), .character("p"), .character("P"):
            return reprint()
        case .character("t"), .character("T"): start(.transfer, .target)
        case .character("0"):
            start(.pinChange, .pin); say("请会员输入原密码 (the member's current PIN)")
        case .character("9"):
            return submit(Draft(action: .renew, card: card, key: environment.newKey()))
        case .character("x"), .character("X"):
            start(.cardReturn, .pin); say("退卡：本金退回，赠送余额不退。请会员输入密码 (card return: the principal comes back, the bonus does not; member's PIN)")
        case .character("r"), .character("R"):
            return refresh()
        case .escape:
            toIdentify(); say(nil)
        default: break
        }
        return []
    }

    /// The last receipt this till made, again, marked as a copy.
    mutating func reprint() -> [Effect] {
        guard var copy = lastReceipt else { say("还没有小票可重打 (no receipt yet)", error: true); return [] }
        copy.title += " (重打 copy)"
        say("重打上一张小票 (reprinting the last receipt)")
        return [.print(copy)]
    }

    mutating func refresh() -> [Effect] {
        guard let card = panel?.card else { return [] }
        pending = .refreshPanel
        return [.send(APIRequest(method: .get, path: "/v1/cards/\(pathSegment(card))?history=30", credential: sessionCredential()))]
    }

    /// The next step of a form after Enter in `field`.
    mutating func advance(_ draft: Draft, from field: Field) -> [Effect] {
        switch (draft.action, field) {
        case (_, .amount) where draft.amount.isEmpty, (_, .count) where draft.count.isEmpty:
            say("请输入数额 (enter an amount)", error: true); return []
        case (.pay, .amount), (.points, .count), (.punch, .count):
            screen = .entry(draft, .pin); say("请会员输入密码，无密码直接回车 (member's PIN; Enter if none)")
        case (.topUp, .amount):
            selection = 0; screen = .chooseTender(draft)
        case (.transfer, .target) where draft.target.isEmpty:
            say("请输入转入的卡号 (enter the receiving card)", error: true)
        case (.transfer, .target):
            screen = .entry(draft, .amount); say(nil)
        case (.transfer, .amount):
            screen = .entry(draft, .pin); say("请会员输入转出卡密码 (the member's PIN)")
        case (.pinChange, .pin):
            screen = .entry(draft, .newPin); say("请会员输入新密码，4–6 位 (the new PIN, 4–6 digits)")
        case (.cardReturn, .pin):
            selection = 0; screen = .chooseTender(draft)
        default:
            return submit(draft)
        }
        return []
    }

    /// Sends the payment. Its key stays with the draft: a resend after no answer is the same request.
    mutating func submit(_ draft: Draft) -> [Effect] {
        let pin = draft.pin.isEmpty ? nil : draft.pin
        let (path, body): (String, Data) = switch draft.action {
        case .pay: ("/v1/charges", Bodies.encode(Bodies.Charge(card: draft.card, amount: draft.amount, pin: pin, partial: draft.partial ? true : nil)))
        case .sale: ("/v1/sales", Bodies.encode(draft.basket.body(card: draft.card, pin: pin, tenders: true)))
        case .topUp: ("/v1/topups", Bodies.encode(Bodies.TopUp(card: draft.card, amount: draft.amount,
                                                                tender: (Basket.tenderKeys.first { $0.2 == draft.tender }?.1 ?? .cash).rawValue)))
        case .points: ("/v1/points/redemptions", Bodies.encode(Bodies.Points(card: draft.card, points: Int64(draft.count) ?? 0, pin: pin)))
        case .punch: ("/v1/punches", Bodies.encode(Bodies.Punch(card: draft.card, uses: Int64(draft.count) ?? 0, pin: pin)))
        case .coupon: ("/v1/coupons/\(pathSegment(draft.coupon?.code ?? ""))/redemptions", Data("{}".utf8))
        case .refund: ("/v1/refunds", Bodies.encode(Bodies.Refund(card: draft.card, charge: draft.charge?.op ?? "", amount: draft.amount)))
        case .transfer: ("/v1/cards/\(pathSegment(draft.card))/transfers", Bodies.encode(Bodies.Transfer(to: draft.target, amount: draft.amount, pin: pin)))
        case .pinChange: ("/v1/cards/\(pathSegment(draft.card))/pin", Bodies.encode(Bodies.PINChange(old: draft.pin, new: draft.newPin)))
        case .renew: ("/v1/cards/\(pathSegment(draft.card))/renew", Data("{}".utf8))
        case .cardReturn: ("/v1/cards/\(pathSegment(draft.card))/return",
                           Bodies.encode(Bodies.CardReturn(pin: pin, tender: (Basket.tenderKeys.first { $0.2 == draft.tender }?.1 ?? .cash).rawValue)))
        }
        // The draft keeps the PIN until the flow ends: a partial payment or a second ask after a
        // refusal for rights is the same member's same approval.
        let request = APIRequest(method: .post, path: path, body: body, credential: sessionCredential(), idempotencyKey: draft.key)
        say(nil)
        return send(request, for: .action(draft, request), working: "\(draft.action.title)提交中 …")
    }

    // MARK: Answers

    mutating func answered(_ purpose: Purpose, _ answer: APIAnswer) -> [Effect] {
        if let error = APIError.from(answer), ["unauthenticated", "session_expired", "till_revoked", "unknown_till"].contains(error.error), purpose != .login {
            session = nil; panel = nil
            screen = .login(operator: "", password: "", onPassword: false)
            say("登录已失效，请重新登录: \(error.message)", error: true)
            return []
        }
        switch purpose {
        case .login:
            if let session = answer.decoded(SessionResult.self) {
                self.session = session
                toIdentify()
                say("\(session.name) 已登录 (\(session.role))")
            } else {
                screen = .login(operator: "", password: "", onPassword: false)
                say(failure(answer), error: true)
            }
        case .logout:
            session = nil; panel = nil
            screen = .login(operator: "", password: "", onPassword: false)
            say("已注销 (logged out)")
        case .lookupCard(let number, let typed):
            if let show = answer.decoded(ShowResult.self) {
                panel = show; screen = .panel; say(nil)
            } else if typed, APIError.from(answer)?.error == "unknown_card", Self.looksLikePhone(number) {
                return send(APIRequest(method: .get, path: "/v1/members?phone=\(pathSegment(number))", credential: sessionCredential()),
                            for: .findPhone(number), working: "按手机号查找会员 …")
            } else {
                toIdentify(); say(failure(answer), error: true)
            }
        case .findPhone:
            guard let list = answer.decoded(MemberList.self) else { toIdentify(); say(failure(answer), error: true); return [] }
            switch list.members.count {
            case 0: toIdentify(); say("没有这个卡号或手机号的会员 (no such card or phone)", error: true)
            case 1:
                let cards = list.members[0].cards ?? []
                if cards.count == 1 { return lookUp(card: cards[0], typed: false) }
                selection = 0
                screen = cards.isEmpty ? .identify(input: "") : .chooseCard(list.members[0])
                if cards.isEmpty { say("该会员还没有卡 (this member has no card)", error: true) }
            default:
                selection = 0
                screen = .chooseMember(Array(list.members.prefix(9)))
                say("此手机号有 \(list.members.count) 位会员，请选择 (several members have this phone)")
            }
        case .refreshPanel:
            if let show = answer.decoded(ShowResult.self) { panel = show }
        case .action(let draft, let request):
            return actionAnswered(draft, request, answer)
        case .addItem(let draft, let code, let quantity):
            itemFound(draft, code: code, quantity: quantity, answer)
        case .quote(let draft):
            quoted(draft, answer)
        case .couponQuote(let draft, let code):
            return couponPriced(draft, code: code, answer)
        case .punchQuote(let draft):
            return punchPriced(draft, answer)
        }
        return []
    }

    static func looksLikePhone(_ text: String) -> Bool { text.count >= 7 && text.count <= 15 }

    func failure(_ answer: APIAnswer) -> String {
        switch answer {
        case .unreachable(let why): "无法连接门店节点 (cannot reach the branch node): \(why)"
        case .http: APIError.from(answer).map { $0.message } ?? "意外的应答 (unexpected answer)"
        }
    }

    mutating func actionAnswered(_ draft: Draft, _ request: APIRequest, _ answer: APIAnswer) -> [Effect] {
        if case .unreachable(let why) = answer {
            screen = .uncertain(draft, request)
            say("网络中断，不确定是否成功 (no answer: \(why))", error: true)
            return []
        }
        if let error = APIError.from(answer) {
            switch error.error {
            case "insufficient_funds" where draft.action == .pay && !draft.partial:
                let d = error.details ?? [:]
                let balance = d["balance"] ?? "?", requested = d["requested"] ?? draft.amount
                let short = ShortRights(requested: requested, balance: balance, here: d["rights_here"] ?? "0.00",
                                        elsewhere: d["held_elsewhere"] ?? "", rightsOnly: (Money(parsing: balance) ?? Money(fen: 0)) >= (Money(parsing: requested) ?? Money(fen: 0)))
                screen = .short(draft, short)
                say(error.message, error: true)
            case "wrong_pin":
                var again = draft
                again.key = environment.newKey()
                again.pin = ""
                screen = .entry(again, .pin)
                say(error.message, error: true)
            case _ where draft.action == .sale:
                // Nothing was taken: the same basket, its tenders to take again.
                var again = draft
                again.basket.tenders = []; again.pin = ""; again.key = environment.newKey()
                screen = .checkout(again, input: "")
                say(error.message, error: true)
                return []
            default:
                screen = .panel
                say(error.message, error: true)
            }
            return refreshing([])
        }
        // A success: the receipt first, then the panel's new numbers.
        var effects: [Effect] = []
        let receipt: Receipt
        if draft.action == .sale, let sale = answer.decoded(SaleResult.self) {
            receipt = saleReceipt(sale)
            screen = .done(saleSummary(sale))
        } else if [.transfer, .pinChange, .renew, .cardReturn].contains(draft.action), let life = answer.decoded(CardLifeResult.self) {
            receipt = cardLifeReceipt(draft, life)
            screen = .done(cardLifeSummary(draft, life))
        } else if draft.action == .coupon, let coupon = answer.decoded(CouponResult.self) {
            receipt = couponReceipt(draft, coupon)
            screen = .done(PaymentSummary(title: "优惠券已核销", lines: [("优惠券", coupon.code), ("面值", coupon.value)], op: coupon.op ?? ""))
        } else if let payment = answer.decoded(PaymentResult.self) {
            receipt = paymentReceipt(draft, payment)
            screen = .done(summary(draft, payment))
        } else {
            screen = .panel
            say("意外的应答 (unexpected answer)", error: true)
            return []
        }
        lastReceipt = receipt
        effects.append(.print(receipt))
        say(nil)
        return refreshing(effects)
    }

    mutating func refreshing(_ effects: [Effect]) -> [Effect] { effects + refresh() }

    func summary(_ draft: Draft, _ p: PaymentResult) -> PaymentSummary {
        var lines: [(String, String)] = []
        if let amount = p.amount { lines.append(("金额", amount)) }
        if let unpaid = p.unpaid { lines.append(("未付，请收取其他方式", unpaid)) }
        if let points = p.points { lines.append(("积分", "\(points)")) }
        if let uses = p.uses { lines.append(("次数", "\(uses)")) }
        lines.append(("余额", p.balance))
        if let left = p.usesLeft { lines.append(("剩余次数", "\(left)")) }
        if let earned = p.pointsEarned, earned != 0 { lines.append(("本次积分", "\(earned)")) }
        lines.append(("积分余额", "\(p.pointsBalance)"))
        let title = (p.replayed ? "已完成（重复提交，未重复扣款）" : "成功") + " · " + draft.action.title
        return PaymentSummary(title: title, lines: lines, op: p.op)
    }

    /// The member's own page from the receipt's QR code, signed in to look for a day (the node's link).
    func memberLink(_ link: String?) -> String? {
        guard let link, let page = environment.memberPage else { return nil }
        return (page.hasSuffix("/") ? page : page + "/") + "r/" + link
    }

    func header(_ title: String, card: String?) -> Receipt {
        Receipt(shop: environment.shop, branch: session?.branch ?? "", till: session?.till ?? "",
                cashier: session.map { "\($0.name)(\($0.operator))" } ?? "", time: environment.now(), title: title,
                card: card, member: panel.map { MemberProfile.maskedName($0.name) }, tier: panel?.tier,
                op: "", link: environment.memberPage)
    }

    func paymentReceipt(_ draft: Draft, _ p: PaymentResult) -> Receipt {
        var r = header(draft.action.title, card: p.card)
        r.op = p.op
        r.link = memberLink(p.memberLink) ?? r.link
        r.tier = p.tier
        r.balance = p.balance
        r.points = p.pointsBalance
        r.pointsEarned = p.pointsEarned
        switch draft.action {
        case .pay:
            r.total = p.amount
            r.tenders = [.init("储值", p.amount ?? "")]
            if let unpaid = p.unpaid { r.tenders.append(.init("待付(其他方式)", unpaid)) }
        case .topUp:
            r.total = p.amount
            r.tenders = [.init(draft.tender, p.amount ?? "")]
            r.opensDrawer = draft.tender == "现金"
        case .refund:
            r.lines = [.init("原单", draft.charge?.op ?? "")]
            r.total = p.amount
            r.tenders = [.init("退回储值", p.amount ?? "")]
        case .points:
            r.lines = [.init("兑换积分", "\(p.points ?? 0)")]
        case .punch:
            r.lines = [.init("使用次数", "\(p.uses ?? 0)"), .init("剩余次数", "\(p.usesLeft ?? 0)")]
        case .coupon, .sale, .transfer, .pinChange, .renew, .cardReturn:
            break
        }
        return r
    }

    func cardLifeSummary(_ draft: Draft, _ c: CardLifeResult) -> PaymentSummary {
        var lines: [(String, String)] = []
        if let to = c.to { lines.append(("转入卡", Receipt.mask(card: to))) }
        if let amount = c.amount, draft.action == .transfer { lines.append(("金额", amount)) }
        if let refunded = c.refunded { lines.append(("退回本金", refunded)) }
        if let forfeited = c.bonusForfeited, forfeited != "0.00" { lines.append(("赠送余额不退", forfeited)) }
        if let expires = c.expires { lines.append(("有效期至", expires)) }
        lines.append(("余额", c.balance))
        lines.append(("状态", c.status))
        return PaymentSummary(title: (c.replayed ? "已完成（重复提交）" : "成功") + " · " + draft.action.title, lines: lines, op: c.op)
    }

    func cardLifeReceipt(_ draft: Draft, _ c: CardLifeResult) -> Receipt {
        var r = header(draft.action.title, card: c.card)
        r.op = c.op
        r.balance = c.balance
        switch draft.action {
        case .transfer:
            r.lines = [.init("转入卡", Receipt.mask(card: c.to ?? "")), .init("转入卡余额", c.toBalance ?? "")]
            r.total = c.amount
        case .cardReturn:
            r.total = c.refunded
            r.tenders = [.init(draft.tender, c.refunded ?? "0.00")]
            if let forfeited = c.bonusForfeited, forfeited != "0.00" { r.lines = [.init("赠送余额(不退)", forfeited)] }
            r.opensDrawer = draft.tender == "现金" && c.refunded != "0.00"
        case .renew:
            r.lines = [.init("有效期至", c.expires ?? "")]
        default:
            r.lines = [.init("密码已修改", "")]
        }
        return r
    }

    func couponReceipt(_ draft: Draft, _ c: CouponResult) -> Receipt {
        var r = header(Action.coupon.title, card: draft.card)
        r.op = c.op ?? ""
        r.lines = [.init(c.title.isEmpty ? "优惠券" : c.title, c.value)]
        r.couponsUsed = [c.code]
        return r
    }
}
