import Foundation
import Hummingbird
import MMSCore
import MMSCrypto
import MMSNode

/// The card's life on the console, from a member's profile: report lost, block, unlock the PIN,
/// reset the PIN, renew, reissue, move the balance, return the card. Each is asked, then
/// confirmed on a page that says what will happen, then done by the same use case the till API
/// calls (its permission, its rules, its PIN where the member must give it). The confirmation
/// carries a fresh request key, so a confirmation posted twice is done once.
extension TillAPI {
    struct CardActionForm: Decodable, Sendable {
        let csrf: String?
        let member: String
        let card: String
        let action: String
        let confirm: String?
        let key: String?
        let pin: String?
        let newPIN: String?
        let newCard: String?
        let to: String?
        let amount: String?
    }

    /// What each action is called, and what its confirmation says will happen.
    static let cardActions: [String: (name: String, warning: String)] = [
        "lost": ("挂失", "卡将在所有门店停止使用（余额保留，可补卡）。"),
        "block": ("冻结", "卡将在所有门店停止使用。"),
        "unlock": ("解锁密码", "清除密码错误次数，会员可再次输入密码。"),
        "pin_reset": ("重置密码", "卡的密码改为新密码（会员不在场时请勿操作）。"),
        "renew": ("续卡", "卡按其卡种的有效期再次生效。"),
        "reissue": ("补卡", "旧卡停用，余额、积分转到新卡。"),
        "transfer": ("转账", "从此卡转出储值到另一张卡，需要会员输入密码。"),
        "return": ("退卡", "卡在所有门店停用，本金以现金退还，赠送余额作废，需要会员输入密码。"),
    ]

    func addCardPages(to router: Router<TillRequestContext>) {
        router.post("console/cards") { request, context in try await Self.page(request) {
            let form = try await Self.form(CardActionForm.self, request, context), language = Language(request)
            guard Self.signedSession(request, cookie: Self.sessionCookie, csrf: form.csrf) != nil else {
                return Self.refusedForm(language)
            }
            guard let action = Self.cardActions[form.action] else { throw MMSError(.invalidArgument, "未知的操作。") }
            guard form.confirm == "yes", let key = form.key else {
                // First the confirmation: what will happen, the same fields, a fresh request key.
                let (values, _) = try await signedIn(request) { _ in () }
                var page = values
                page["title"] = language("确认%@", language(action.name)); page["action"] = form.action
                page["warning"] = language(action.warning)
                page["member"] = form.member; page["card"] = form.card; page["key"] = Hex.encode(randomBytes(16))
                // The PINs are typed here, on the confirmation, and never written back into a page.
                page["fields"] = [("newCard", form.newCard), ("to", form.to), ("amount", form.amount)].compactMap { name, value in value.map { ["name": name, "value": $0] } }
                page["askPIN"] = ["transfer", "return"].contains(form.action)
                page["askNewPIN"] = ["pin_reset", "reissue"].contains(form.action)
                return PageSecurity.html(Templates.render("console-card-confirm", page, in: language))
            }
            do {
                _ = try await signedIn(request) { operatorNode in try Self.perform(form, key: "console-\(key)", on: operatorNode, broker: broker) }
                return PageSecurity.seeOther("/console/members/\(form.member)?done=\(form.action)")
            } catch let error as MMSError where error.code != .unauthenticated && error.code != .sessionExpired {
                let (values, _) = try await signedIn(request) { _ in () }
                var page = values
                page["title"] = language("未完成"); page["error"] = Self.say(error, in: language); page["member"] = form.member
                return PageSecurity.html(Templates.render("console-card-refused", page, in: language), status: Self.status(error))
            }
        } }
    }

    /// The confirmed action, by the use case the till API calls for it.
    static func perform(_ form: CardActionForm, key: String, on node: LocalNode, broker: LocalNode.RightsBroker?) throws {
        /// A field the action needs, or `ask` (what the operator reads: `say` gives it in their language).
        func required(_ value: String?, _ ask: String) throws -> String {
            guard let value, !value.isEmpty else { throw MMSError(.invalidArgument, ask) }
            return value
        }
        switch form.action {
        case "lost": _ = try node.reportCard(form.card, .lost, requestKey: key)
        case "block": _ = try node.reportCard(form.card, .blocked, requestKey: key)
        case "unlock": _ = try node.unlockPIN(form.card, requestKey: key)
        case "pin_reset": _ = try node.changePIN(card: form.card, old: nil, new: try required(form.newPIN, "请填写新密码。"), requestKey: key)
        case "renew": _ = try node.renewCard(form.card, requestKey: key)
        case "reissue":
            _ = try node.replaceCard(old: form.card, new: try required(form.newCard, "请填写新卡号。"), pin: form.newPIN.flatMap { $0.isEmpty ? nil : $0 }, requestKey: key)
        case "transfer":
            _ = try node.transferBalance(from: form.card, to: try required(form.to, "请填写转入卡号。"), amount: try Money(typed: try required(form.amount, "请填写金额。")),
                                         pin: form.pin, requestKey: key, broker: broker)
        case "return": _ = try node.returnCard(form.card, pin: form.pin, tender: .cash, requestKey: key, broker: broker)
        default: throw MMSError(.invalidArgument, "未知的操作。")
        }
    }
}
