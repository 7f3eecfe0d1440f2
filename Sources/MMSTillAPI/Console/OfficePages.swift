import Foundation
import Hummingbird
import MMSCore
import MMSNode
import MMSStore

/// The console's back-office pages: the reports with their charts (SVG drawn here) and their CSV
/// files, a branch's books, the catalogue, staff and tills, the outbox and the audit trail. Every
/// figure and every change comes from a use case of `LocalNode`, in the operator's scope (a
/// manager their branch, head office the chain).
extension TillAPI {
    /// The reports a CSV link may name, and how each is asked for.
    static let csvReports = ["sales", "tiers", "members", "liability", "points", "branches"]

    func addOfficePages(to router: Router<TillRequestContext>) {
        router.get("console/reports") { request, _ in try await Self.page(request) {
            let (from, to) = try Self.period(request)
            let read = try await signedIn(request) { operatorNode in
                (days: try operatorNode.salesReport(from: from, to: to, by: .day), hours: try operatorNode.salesReport(from: from, to: to, by: .hour),
                 tiers: try operatorNode.tiersReport(), members: try operatorNode.membersReport(segments: true),
                 liability: try operatorNode.liabilityReport(foldLog: false))
            }
            let r = read.result, language = Language(request)
            func money(_ text: String) -> Double { Double(Money(parsing: text)?.fen ?? 0) / 100 }
            var values = read.values
            values["title"] = language("报表"); values["from"] = from; values["to"] = to
            values["scope"] = r.days.branch ?? language("全部门店")
            values["net"] = r.days.total.net; values["sales"] = r.days.total.sales ?? 0
            // A series over time shows its quiet days and hours too.
            let netByDay = Dictionary(r.days.rows.map { ($0.key, $0.net) }, uniquingKeysWith: { a, _ in a })
            let days = Self.days(from: from, to: to) ?? r.days.rows.map(\.key)
            values["byDay"] = Charts.bars(days.map { day in .init(label: String(day.suffix(5)), value: money(netByDay[day] ?? "0"), text: "¥\(netByDay[day] ?? "0.00")") },
                                          title: language("每日净销售"), language: language, labelEvery: max(days.count / 8, 1))
            let netByHour = Dictionary(r.hours.rows.map { ($0.key, $0.net) }, uniquingKeysWith: { a, _ in a })
            values["byHour"] = Charts.bars((0..<24).map { String(format: "%02d:00", $0) }.map { hour in
                .init(label: String(hour.prefix(2)), value: money(netByHour[hour] ?? "0"), text: "¥\(netByHour[hour] ?? "0.00")")
            }, title: language("分时段净销售"), language: language, labelEvery: 3)
            values["tierMix"] = Charts.bars(r.tiers.tiers.map { .init(label: $0.name, value: Double($0.members), text: language("%@ 人", String($0.members))) },
                                            title: language("会员等级分布"), language: language)
            values["rfm"] = Charts.bars((r.members.segments?.rfm ?? []).map {
                .init(label: $0.segment, value: Double($0.members), text: language("%@ 人 %@", String($0.members), language($0.name)))
            }, title: language("RFM 分群"), language: language)
            values["segments"] = (r.members.segments?.rfm ?? []).map { ["segment": $0.segment, "name": language($0.name), "members": $0.members] as [String: Any] }
            values["liabilityChart"] = Charts.bars(r.liability.branches.map { .init(label: $0.branch, value: money($0.total), text: "¥\($0.total)") },
                                                   title: language("预付负债（按所属门店）"), language: language)
            values["liability"] = r.liability.chain.total
            values["members"] = r.members.members
            values["asOf"] = r.days.asOf.computedAt
            return PageSecurity.html(Templates.render("console-reports", values, in: language))
        } }

        // A report as CSV: what `mms report … --csv` writes, in the operator's scope.
        router.get("console/csv/:report") { request, context in try await Self.page(request) {
            let name = try context.parameters.require("report")
            guard Self.csvReports.contains(name) else { throw MMSError(.notFound, "There is no report \(name.prefix(20)).") }
            let (from, to) = try Self.period(request)
            let by = try request.uri.queryParameters.get("by").map { try SalesReportGrouping(typed: String($0)) } ?? .day
            let read = try await signedIn(request) { operatorNode -> String in
                switch name {
                case "sales": try operatorNode.salesReport(from: from, to: to, by: by).csv
                case "tiers": try operatorNode.tiersReport().csv
                case "members": try operatorNode.membersReport(segments: true).csv
                case "liability": try operatorNode.liabilityReport(foldLog: false).csv
                case "points": try operatorNode.pointsReport().csv
                default: try operatorNode.branchesReport(from: from, to: to).csv
                }
            }
            let period = ["sales", "branches"].contains(name) ? "-\(from)-\(to)" : ""
            return PageSecurity.csv(read.result, filename: "mms-\(name)\(name == "sales" ? "-\(by.rawValue)" : "")\(period).csv")
        } }

        // A branch's books of a month: each till's day and its close, the expenses, what suppliers are owed.
        router.get("console/books") { request, _ in try await Self.page(request) {
            let month = request.uri.queryParameters.get("month").map { String($0) } ?? String(Sales.day(wallMillis: LocalNode.wallClockMillis()).prefix(7))
            let branch = try request.uri.queryParameters.get("branch").map { try NodeID(String($0)) }
            let read = try await signedIn(request) { operatorNode in
                (days: try operatorNode.tillDays(month: month, branch: branch), expenses: try operatorNode.expenses(month: month, branch: branch),
                 payables: try operatorNode.payables(branch: branch))
            }
            let r = read.result, language = Language(request)
            var values = read.values
            values["title"] = language("账务"); values["branch"] = r.days.branch; values["month"] = month
            values["days"] = r.days.days.map { ["till": $0.till, "day": $0.day, "closed": $0.closed, "expected": $0.expected, "counted": $0.counted ?? "", "difference": $0.difference ?? ""] as [String: Any] }
            values["difference"] = r.days.difference
            values["expenses"] = r.expenses.categories.sorted { $0.key < $1.key }.map { ["category": $0.key, "amount": $0.value] }
            values["expenseTotal"] = r.expenses.total
            values["suppliers"] = r.payables.suppliers.map { ["supplier": $0.supplier, "owed": $0.owed, "overdue": $0.invoices.contains { $0.overdue }] as [String: Any] }
            values["owed"] = r.payables.owed
            return PageSecurity.html(Templates.render("console-books", values, in: language))
        } }

        router.get("console/catalogue") { request, _ in try await Self.page(request) {
            let query = request.uri.queryParameters.get("q").map { String($0) } ?? ""
            let read = try await signedIn(request) { try $0.findProducts(query: query, limit: LocalNode.maxProductsListed) }
            let language = Language(request)
            var values = read.values
            values["title"] = language("商品与服务"); values["q"] = query
            values["products"] = read.result.products.map {
                ["sku": $0.sku, "name": $0.name, "kind": language($0.kind == "service" ? "服务" : "货品"), "category": $0.category, "price": $0.price,
                 "priceHere": $0.priceHere, "unit": $0.unit, "active": $0.active] as [String: Any]
            }
            return PageSecurity.html(Templates.render("console-catalogue", values, in: language))
        } }

        // Staff and tills: the operators the caller manages, this branch's tills, and the forms to
        // add or disable an operator and to register or revoke a till (the token shown this once).
        router.get("console/staff") { request, _ in try await Self.page(request) {
            let read = try await signedIn(request) { try $0.staffAndTills() }
            let language = Language(request)
            return PageSecurity.html(Templates.render("console-staff", Self.staffValues(read.values, read.result, language), in: language))
        } }
        router.post("console/staff") { request, context in try await Self.page(request) {
            let form = try await Self.form([String: String].self, request, context), language = Language(request)
            guard Self.signedSession(request, cookie: Self.sessionCookie, csrf: form["csrf"]) != nil else {
                return Self.refusedForm(language)
            }
            @Sendable func field(_ name: String) -> String { (form[name] ?? "").trimmingCharacters(in: .whitespaces) }
            let read = try await signedIn(request) { operatorNode -> (StaffAndTills, String?) in
                var shown: String?
                switch field("action") {
                case "add":
                    guard let role = OperatorRole(rawValue: field("role")) else { throw MMSError(.invalidArgument, "请选择角色。") }
                    _ = try operatorNode.addOperator(id: field("id"), name: field("name"), role: role, branch: role.isChainWide ? nil : self.node.id,
                                                     password: form["password"] ?? "")
                    shown = language("已添加员工 %@", field("id"))
                case "disable":
                    guard field("confirm") == "yes" else { throw MMSError(.invalidArgument, "停用不可撤销：请勾选确认。") }
                    _ = try operatorNode.disableOperator(field("id"))
                    shown = language("已停用员工 %@", field("id"))
                case "register":
                    shown = language("收银台 %@ 的令牌（只显示这一次，请配置到收银台）：%@", field("till"), try operatorNode.registerTill(name: field("till")).token)
                case "revoke":
                    guard field("confirm") == "yes" else { throw MMSError(.invalidArgument, "注销不可撤销：请勾选确认。") }
                    _ = try operatorNode.revokeTill(name: field("till"))
                    shown = language("已注销收银台 %@", field("till"))
                default: throw MMSError(.invalidArgument, "未知的操作。")
                }
                return (try operatorNode.staffAndTills(), shown)
            }
            var values = Self.staffValues(read.values, read.result.0, language)
            values["saved"] = read.result.1
            return PageSecurity.html(Templates.render("console-staff", values, in: language))
        } }

        router.get("console/outbox") { request, _ in try await Self.page(request) {
            let read = try await signedIn(request) { try $0.outbox(status: nil, limit: 200) }
            let language = Language(request)
            var values = read.values
            values["title"] = language("消息发件箱")
            values["counts"] = read.result.counts.sorted { $0.key < $1.key }.map { ["status": $0.key, "count": $0.value] as [String: Any] }
            values["messages"] = read.result.messages.map { m -> [String: Any] in
                ["kind": m.kind, "member": m.member, "queuedAt": Self.chinaTime(m.queuedAt), "status": m.status, "attempts": m.attempts,
                 "detail": m.lastError ?? m.sentAt.map(Self.chinaTime) ?? m.nextAttempt.map(Self.chinaTime) ?? ""]
            }
            return PageSecurity.html(Templates.render("console-outbox", values, in: language))
        } }

        router.get("console/audit") { request, _ in try await Self.page(request) {
            let read = try await signedIn(request) { try $0.audit(NodeStore.AuditFilter(limit: 200)) }
            let language = Language(request)
            var values = read.values
            values["title"] = language("审计")
            values["entries"] = read.result.entries.reversed().map { e -> [String: Any] in
                ["at": Self.chinaTime(e.at), "branch": e.branch, "operator": e.operator ?? language("（节点）"), "till": e.till ?? "",
                 "kind": Self.kindNames[e.kind].map { language($0) } ?? e.kind,
                 "what": [e.member, e.card, e.amount, e.points.map { language("%@ 分", String($0)) }, e.subject].compactMap { $0 }.joined(separator: " · ")]
            }
            return PageSecurity.html(Templates.render("console-audit", values, in: language))
        } }
    }

    static func staffValues(_ page: [String: Any], _ staff: StaffAndTills, _ language: Language) -> [String: Any] {
        var values = page
        values["title"] = language("员工与收银台"); values["branch"] = staff.branch
        values["operators"] = staff.operators.map { ["id": $0.operator, "name": $0.name, "role": $0.role, "branch": $0.branch, "status": $0.status,
                                                     "active": $0.status != "disabled"] as [String: Any] }
        values["tills"] = staff.tills.map { ["name": $0.name, "revoked": $0.revoked] as [String: Any] }
        return values
    }

    /// `from` and `to` (`YYYY-MM-DD`) from the query; the last 30 days to today when left out.
    static func period(_ request: Request) throws -> (from: String, to: String) {
        let today = Sales.day(wallMillis: LocalNode.wallClockMillis())
        let to = request.uri.queryParameters.get("to").map { String($0) } ?? today
        let from = request.uri.queryParameters.get("from").map { String($0) } ?? CardLife.day(Sales.isDayShape(to) ? to : today, plus: -29)
        return (from, to)
    }

    /// Every day from `from` to `to`, when that is at most a year of days.
    static func days(from: String, to: String) -> [String]? {
        guard Sales.isDayShape(from), Sales.isDayShape(to) else { return nil }
        let count = CardLife.epochDays(to) - CardLife.epochDays(from)
        guard (0...366).contains(count) else { return nil }
        return (0...count).map { CardLife.day(from, plus: $0) }
    }

    /// What `read` answers for the signed-in operator, with the values every console page shows;
    /// no session (or an ended one) is `unauthenticated`, which sends them to sign in.
    func signedIn<T: Sendable>(_ request: Request, _ read: @escaping @Sendable (LocalNode) throws -> T) async throws -> (values: [String: Any], result: T) {
        guard let token = request.cookies[Self.sessionCookie]?.value else { throw MMSError(.unauthenticated, "Sign in first.") }
        let (operatorNode, result) = try await offload { () throws -> (LocalNode, T) in
            let operatorNode = try node.authenticate(session: token)
            return (operatorNode, try read(operatorNode))
        }
        var values = consoleValues(operatorNode, token: token)
        // The page itself, for the language switch to come back to (a page looked at, not a form's answer).
        if request.method == .get { values["back"] = request.uri.path + (request.uri.query.map { "?\($0)" } ?? "") }
        return (values, result)
    }
}
