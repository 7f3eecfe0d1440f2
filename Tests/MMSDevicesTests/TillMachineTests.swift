import Foundation
import MMSCore
import MMSDevices
import MMSNode
import MMSTill
import Testing

/// The till's state machine driven directly: the answers are the till API's JSON as the node
/// writes it (encoded from the application layer's own result types).
@Suite struct TillMachineTests {
    static func environment() -> TillMachine.Environment {
        let counter = Counter()
        return .init(shop: "测试店", memberPage: "https://127.0.0.1:8401/m", newKey: { "key-\(counter.next())" }, now: { "2026-11-24 12:00:00" })
    }

    /// An answer as the node sends it: the JSON is decoded into the application layer's own
    /// result type first, so a field the till reads that the node does not write fails here.
    static func answer<T: Codable>(_ type: T.Type, _ json: String, status: Int = 200) -> APIAnswer {
        let value = try! JSONDecoder.snakeCase.decode(T.self, from: Data(json.utf8))
        return .http(status: status, body: try! JSONEncoder.snakeCase.encode(value))
    }

    static let session = answer(SessionResult.self, #"{"token":"\#(String(repeating: "a", count: 64))","operator":"c01","name":"张三","role":"cashier","branch":"branch-1","till":"till-1","expires_at":"2026-11-24T20:00:00Z"}"#, status: 201)
    static let panel = answer(ShowResult.self, #"{"card":"6200000001","type":"stored","status":"active","member":"m1","name":"王芳","phone":"138****0001","tier":"standard","balance":"150.00","balance_here":"50.00","rights":{"branch-1":"50.00","branch-2":"100.00"},"points":0,"pin_failures":0,"spent":"0.00","topped_up":"150.00","coupons":[],"history":[]}"#)

    func keys(_ till: inout TillMachine, _ text: String) -> [TillMachine.Effect] {
        text.flatMap { till.handle(.key($0 == "\r" ? .enter : .character($0))) }
    }

    /// A till logged in and showing the member's panel.
    func loggedIn() -> TillMachine {
        var till = TillMachine(environment: Self.environment())
        _ = keys(&till, "c01\rpw\r")
        _ = till.handle(.answer(Self.session))
        _ = till.handle(.reader(.card(CardData(number: "6200000001", source: "stripe", raw: ""))))
        _ = till.handle(.answer(Self.panel))
        return till
    }

    @Test func noAnswerLeavesThePaymentUncertainAndRetryResendsTheSameRequest() throws {
        var till = loggedIn()
        #expect(till.screen == .panel)
        _ = keys(&till, "130.00\r2468")
        let sent = keys(&till, "\r")
        guard case .send(let request)? = sent.first else { Issue.record("no request: \(sent)"); return }
        #expect(request.path == "/v1/charges" && request.idempotencyKey != nil)
        #expect(till.handle(.answer(.unreachable("connection refused"))) == [])
        guard case .uncertain = till.screen else { Issue.record("not uncertain: \(till.screen)"); return }
        let resent = till.handle(.key(.character("r")))
        #expect(resent == [.send(request)], "the same body and the same idempotency key")
        let replayed = Self.answer(PaymentResult.self, #"{"op":"branch-1:9","kind":"charge","card":"6200000001","member":"m1","amount":"30.00","balance":"120.00","points_balance":30,"points_earned":30,"tier":"standard","replayed":true}"#, status: 201)
        let effects = till.handle(.answer(replayed))
        guard case .print(let receipt)? = effects.first else { Issue.record("no receipt: \(effects)"); return }
        #expect(receipt.balance == "120.00" && receipt.op == "branch-1:9" && receipt.member == "王*")
        guard case .done(let summary) = till.screen else { Issue.record("not done"); return }
        #expect(summary.title.contains("未重复扣款"))
        // P prints the same receipt again, marked as a copy (typed ahead while the panel reloads).
        #expect(till.handle(.key(.character("p"))) == [])
        guard case .print(let copy)? = till.handle(.answer(Self.panel)).first else { Issue.record("no reprint"); return }
        #expect(copy.op == receipt.op && copy.title.contains("重打"))
    }

    @Test func ctrlCWhileAPaymentIsUnconfirmedAsksTwice() {
        var till = loggedIn()
        _ = keys(&till, "130.00\r2468\r")
        #expect(till.handle(.key(.control("c"))) == [], "the first Ctrl-C warns")
        #expect(till.message?.contains("Ctrl-C") == true)
        #expect(till.handle(.key(.control("c"))) == [.quit])
        var idle = loggedIn()
        #expect(idle.handle(.key(.control("c"))) == [.quit], "with nothing in flight, one is enough")
    }

    @Test func aCardReadDuringPINEntryIsNeverTakenAndAKeyDuringARequestIsIgnored() {
        var till = loggedIn()
        _ = keys(&till, "110.00\r12")
        #expect(till.handle(.reader(.card(CardData(number: "6200000009", source: "stripe", raw: "")))) == [])
        guard case .entry(let draft, .pin) = till.screen else { Issue.record("left the PIN field: \(till.screen)"); return }
        #expect(draft.pin == "12" && draft.card == "6200000001")
        _ = till.handle(.key(.enter))
        #expect(till.busy)
        #expect(till.handle(.key(.character("1"))) == [], "keys wait while the node is asked")
    }

    @Test func aPhoneWithSeveralMembersOffersAChoice() throws {
        var till = TillMachine(environment: Self.environment())
        _ = keys(&till, "c01\rpw\r")
        _ = till.handle(.answer(Self.session))
        guard case .send(let lookup)? = keys(&till, "13800000001\r").first else { Issue.record("no lookup"); return }
        #expect(lookup.path.hasPrefix("/v1/cards/13800000001"))
        let unknown = MMSErrorBody(ok: false, error: "unknown_card", message: "There is no card 13800000001.", details: [:])
        guard case .send(let byPhone)? = till.handle(.answer(.http(status: 404, body: try JSONEncoder().encode(unknown)))).first else {
            Issue.record("no phone search"); return
        }
        #expect(byPhone.path == "/v1/members?phone=13800000001")
        let members = Self.answer(MemberList.self, #"{"members":[{"id":"m1","name":"王芳","phone":"138****0001","home":"branch-1","tier":"standard","balance":"1.00","points":0,"cards":["C1"]},{"id":"m2","name":"李娜","phone":"138****0001","home":"branch-1","tier":"standard","balance":"2.00","points":0,"cards":["C2","C3"]}]}"#)
        #expect(till.handle(.answer(members)) == [])
        let lines = TillScreen.render(till, columns: 80, rows: 24).map(\.text).joined(separator: "\n")
        #expect(lines.contains("王*") && lines.contains("李*") && !lines.contains("李娜"))
        #expect(till.handle(.key(.character("2"))) == [], "two cards: choose one")
        guard case .send(let card)? = till.handle(.key(.character("2"))).first else { Issue.record("no card lookup"); return }
        #expect(card.path.hasPrefix("/v1/cards/C3"))
    }

    @Test func everyScreenFitsItsTerminalAndSaysWhichKeysWork() {
        let till = loggedIn()
        for (columns, rows) in [(80, 24), (132, 43)] {
            let lines = TillScreen.render(till, columns: columns, rows: rows)
            #expect(lines.count == rows)
            #expect(lines.allSatisfy { DisplayWidth.of($0.text) == columns })
            #expect(lines.last!.text.contains("Esc"))
        }
        let small = TillScreen.render(till, columns: 60, rows: 20)
        #expect(small.count == 20 && small[0].text.contains("80×24"))
    }

    @Test func anExpiredSessionReturnsToLogin() throws {
        var till = loggedIn()
        _ = till.handle(.key(.character("r")))
        let expired = MMSErrorBody(ok: false, error: "session_expired", message: "The session has expired; log in again.", details: [:])
        _ = till.handle(.answer(.http(status: 401, body: try JSONEncoder().encode(expired))))
        guard case .login = till.screen else { Issue.record("not at login: \(till.screen)"); return }
        #expect(till.session == nil && till.panel == nil)
    }

    /// At checkout Q asks the node what the member's coupon takes off this basket; the sale then
    /// sends the coupon by its code (never an amount of the till's own), and the PIN guards it.
    @Test func aCouponAtCheckoutIsPricedByTheNodeAndSentByItsCode() throws {
        var till = TillMachine(environment: Self.environment())
        _ = keys(&till, "c01\rpw\r")
        _ = till.handle(.answer(Self.session))
        _ = till.handle(.reader(.card(CardData(number: "6200000001", source: "stripe", raw: ""))))
        _ = till.handle(.answer(Self.answer(ShowResult.self, #"{"card":"6200000001","type":"stored","status":"active","member":"m1","name":"王芳","phone":"138****0001","tier":"standard","balance":"150.00","balance_here":"150.00","rights":{"branch-1":"150.00"},"points":0,"pin_failures":0,"spent":"0.00","topped_up":"150.00","coupons":[{"code":"CP-1","member":"m1","value":"20.00","title":"满100减20","left":1}],"history":[]}"#)))
        _ = keys(&till, "2")
        _ = keys(&till, "150.00\r")
        _ = till.handle(.key(.enter))
        let quote = Self.answer(SaleResult.self, #"{"sale":"","lines":[{"sku":"","name":"金额消费","quantity":1,"unit_price":"150.00","discount":"0.00","amount":"150.00"}],"total":"150.00","discount":"0.00","tenders":[{"kind":"cash","amount":"150.00"}],"change":"0.00","points_earned":0,"replayed":false}"#)
        _ = till.handle(.answer(quote))
        guard case .checkout = till.screen else { Issue.record("checkout, not \(till.screen)"); return }
        let asked = keys(&till, "q")
        guard case .send(let request)? = asked.first, request.path == "/v1/sales/quote" else { Issue.record("a quote with the coupon: \(asked)"); return }
        #expect(String(decoding: request.body ?? Data(), as: UTF8.self).contains(#""reference":"CP-1""#))
        let withCoupon = Self.answer(SaleResult.self, #"{"sale":"","lines":[],"total":"150.00","discount":"0.00","tenders":[{"kind":"coupon","amount":"20.00","reference":"CP-1"},{"kind":"cash","amount":"130.00"}],"change":"0.00","points_earned":0,"replayed":false}"#)
        _ = till.handle(.answer(withCoupon))
        guard case .checkout(let draft, _) = till.screen else { Issue.record("back at checkout, not \(till.screen)"); return }
        #expect(draft.basket.remaining == Money(fen: 13_000))
        _ = keys(&till, "c")   // the rest in cash: the coupon is the member's own, so the PIN comes first
        guard case .entry(_, .pin) = till.screen else { Issue.record("the PIN, not \(till.screen)"); return }
        let sent = keys(&till, "2468\r")
        guard case .send(let sale)? = sent.first, sale.path == "/v1/sales" else { Issue.record("the sale: \(sent)"); return }
        let body = try #require(try JSONSerialization.jsonObject(with: sale.body ?? Data()) as? [String: Any])
        let tenders = try #require(body["tenders"] as? [[String: Any]])
        #expect(tenders.first?["kind"] as? String == "coupon" && tenders.first?["reference"] as? String == "CP-1" && tenders.first?["amount"] == nil, "\(tenders)")
        #expect(body["pin"] as? String == "2468")
    }

    /// The card's life at the till: a transfer (target, amount, PIN), a PIN change (old, new), a
    /// renewal and a return (PIN, then how the principal goes back), each one request to the node.
    @Test func theCardsLifeFromThePanel() throws {
        func sent(_ effects: [TillMachine.Effect]) throws -> (path: String, body: [String: Any]) {
            guard case .send(let request)? = effects.first else { Issue.record("no request: \(effects)"); return ("", [:]) }
            return (request.path, try JSONSerialization.jsonObject(with: request.body ?? Data()) as? [String: Any] ?? [:])
        }
        var till = loggedIn()
        _ = keys(&till, "t")
        #expect(keys(&till, "\r").isEmpty, "no receiving card yet")
        _ = keys(&till, "6200000002\r50.00\r")
        guard case .entry(_, .pin) = till.screen else { Issue.record("the PIN, not \(till.screen)"); return }
        let transfer = try sent(keys(&till, "2468\r"))
        #expect(transfer.path == "/v1/cards/6200000001/transfers" && transfer.body["to"] as? String == "6200000002"
                && transfer.body["amount"] as? String == "50.00" && transfer.body["pin"] as? String == "2468", "\(transfer)")
        let moved = Self.answer(CardLifeResult.self, #"{"op":"branch-1/9","kind":"balance_transferred","card":"6200000001","member":"m1","status":"active","balance":"100.00","amount":"50.00","to":"6200000002","to_balance":"50.00","replayed":false,"bonus":"0.00"}"#, status: 201)
        let printed = till.handle(.answer(moved))
        guard case .done(let summary) = till.screen else { Issue.record("done, not \(till.screen)"); return }
        #expect(summary.title.contains("转账") && summary.lines.contains { $0.0 == "余额" && $0.1 == "100.00" })
        #expect(printed.contains { if case .print(let r) = $0 { return r.op == "branch-1/9" } else { return false } })
        _ = till.handle(.answer(Self.panel))   // the panel's numbers, reloaded after every action
        _ = till.handle(.key(.enter))

        _ = keys(&till, "0")
        _ = keys(&till, "2468\r")
        guard case .entry(_, .newPin) = till.screen else { Issue.record("the new PIN, not \(till.screen)"); return }
        let pin = try sent(keys(&till, "1357\r"))
        #expect(pin.path == "/v1/cards/6200000001/pin" && pin.body["old"] as? String == "2468" && pin.body["new"] as? String == "1357", "\(pin)")
        _ = till.handle(.answer(Self.answer(MMSErrorBody.self, #"{"ok":false,"error":"wrong_pin","message":"Wrong PIN.","details":{"card":"6200000001"}}"#, status: 422)))
        guard case .entry(_, .pin) = till.screen else { Issue.record("the PIN again after a wrong one, not \(till.screen)"); return }
        _ = till.handle(.answer(Self.panel))
        _ = till.handle(.key(.escape))

        #expect(try sent(keys(&till, "9")).path == "/v1/cards/6200000001/renew")
        _ = till.handle(.answer(Self.answer(CardLifeResult.self, #"{"op":"branch-1/10","kind":"card_renewed","card":"6200000001","member":"m1","status":"active","expires":"2028-02-17","balance":"100.00","replayed":false}"#, status: 201)))
        _ = till.handle(.answer(Self.panel))
        _ = till.handle(.key(.enter))

        _ = keys(&till, "x")
        _ = keys(&till, "2468\r")
        guard case .chooseTender = till.screen else { Issue.record("how the principal goes back, not \(till.screen)"); return }
        let back = try sent(keys(&till, "2"))
        #expect(back.path == "/v1/cards/6200000001/return" && back.body["tender"] as? String == "bank" && back.body["pin"] as? String == "2468", "\(back)")
        _ = till.handle(.answer(Self.answer(CardLifeResult.self, #"{"op":"branch-1/11","kind":"card_returned","card":"6200000001","member":"m1","status":"returned","balance":"0.00","refunded":"100.00","tender":"bank","replayed":false,"bonus":"0.00","bonus_forfeited":"20.00"}"#, status: 201)))
        guard case .done(let returned) = till.screen else { Issue.record("done, not \(till.screen)"); return }
        #expect(returned.lines.contains { $0.0 == "退回本金" && $0.1 == "100.00" } && returned.lines.contains { $0.0 == "赠送余额不退" && $0.1 == "20.00" })
    }
}

struct MMSErrorBody: Codable { let ok: Bool; let error: String; let message: String; let details: [String: String] }

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }

}
