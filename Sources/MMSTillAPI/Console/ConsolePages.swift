import Foundation
import Hummingbird
import HTTPTypes
import MMSCore
import MMSNode
import MultipartKit
import NIOCore

/// The pages a node serves beside the till API, on the same address and certificate: the
/// console (`/console`) for operators, whose role decides what they see, and the member's page
/// (`/m`) on a phone. Server-rendered HTML; each page calls the same use cases of `LocalNode`
/// as the till API does, so no rule is written here.
extension TillAPI {
    static let sessionCookie = "mms_console", memberCookie = "mms_member", formCookie = "mms_form"
    static let signIns = SignInLimiter()

    struct ConsoleLogin: Decodable { let csrf: String?; let `operator`: String; let password: String }
    struct MemberLogin: Decodable { let csrf: String?; let card: String; let pin: String }
    struct TokenForm: Decodable { let csrf: String? }
    struct PhotoForm: Decodable { let csrf: String?; let photo: Data }
    struct SearchForm: Decodable { let csrf: String?; let q: String }
    struct BookingForm: Decodable { let csrf: String?; let id: String }
    struct StockForm: Decodable { let csrf: String?; let move: String; let sku: String?; let quantity: String?; let supplier: String?; let to: String?; let transfer: String? }
    struct BookingRequestForm: Decodable { let csrf: String?; let branch: String; let service: String; let day: String; let time: String }
    /// A member as the console's search lists them (the phone masked by the use case, the tier named in the reader's language).
    struct MemberRow: Sendable { let id, name, phone, home, tier, balance, bonus: String; let points: Int64 }

    func addPages(to router: Router<TillRequestContext>) {
        addOfficePages(to: router)
        addCardPages(to: router)
        router.get("assets/mms.css") { _, _ in Self.asset(Templates.css, type: "text/css; charset=utf-8") }
        router.get("assets/photo.js") { _, _ in Self.asset(Templates.photoScript, type: "text/javascript; charset=utf-8") }

        // MARK: The console
        // The console's language in this browser (a cookie for the console's path), then back to the page it was chosen on.
        router.get("console/language") { request, _ in
            let language = request.uri.queryParameters.get("to").flatMap { Language(rawValue: String($0)) } ?? .chinese
            return PageSecurity.seeOther(Self.consolePage(back: request.uri.queryParameters.get("back").map { String($0) }),
                                         cookies: [PageSecurity.cookie(Language.cookie, language.rawValue, path: "/console", maxAge: 400 * 86_400)])
        }
        router.get("console") { request, _ in try await Self.page(request) {
            guard let token = request.cookies[Self.sessionCookie]?.value, let operatorNode = try? await offload({ try node.authenticate(session: token) }) else {
                return loginPage("console-login", path: "/console", language: Language(request))
            }
            return try await consoleHome(operatorNode, token: token, language: Language(request))
        } }
        router.post("console/login") { request, context in try await Self.page(request) {
            let form = try await Self.form(ConsoleLogin.self, request, context)
            return try await signIn(request, context, csrf: form.csrf, template: "console-login", path: "/console", language: Language(request), cookie: Self.sessionCookie,
                                    lifetimeMillis: SessionPolicy.defaultLifetimeMillis) { try node.loginToConsole(operator: form.operator, password: form.password).token }
        } }
        router.post("console/logout") { request, context in try await Self.page(request) {
            try await signOut(request, context, path: "/console", cookie: Self.sessionCookie) { try node.logout(session: $0) }
        } }
        router.post("console/members") { request, context in try await Self.page(request) {
            let form = try await Self.form(SearchForm.self, request, context)
            let language = Language(request)
            guard let token = Self.signedSession(request, cookie: Self.sessionCookie, csrf: form.csrf) else {
                return Self.refusedForm(language)
            }
            do {
                // By card or by phone (never in the URL: a search is posted).
                let query = form.q.trimmingCharacters(in: .whitespaces)
                let (operatorNode, members) = try await offload { () throws -> (LocalNode, [MemberRow]) in
                    let operatorNode = try node.authenticate(session: token)
                    if query.count == 11, query.allSatisfy(\.isNumber) {
                        let found = try operatorNode.findMembers(phone: query)
                        return (operatorNode, found.map { MemberRow(id: $0.id, name: $0.name, phone: $0.phone, home: $0.home, tier: Self.tierName($0.tier, language),
                                                                    balance: $0.balance, bonus: $0.bonus ?? "0.00", points: $0.points) })
                    }
                    do {
                        let shown = try operatorNode.show(card: query, historyLimit: 0)
                        return (operatorNode, [MemberRow(id: shown.member, name: shown.name, phone: shown.phone, home: "", tier: Self.tierName(shown.tier, language),
                                                         balance: shown.balance, bonus: shown.bonus ?? "0.00", points: shown.points)])
                    } catch let error as MMSError where error.code == .unknownCard {
                        return (operatorNode, [])
                    }
                }
                var values = consoleValues(operatorNode, token: token)
                values["title"] = language("会员")
                values["members"] = members
                return PageSecurity.html(Templates.render("console-members", values, in: language))
            } catch let error as MMSError {
                return Self.errorPage(error, language)
            }
        } }

        router.get("console/members/:member") { request, context in try await Self.page(request) {
            let id = try context.parameters.require("member"), language = Language(request)
            let (page, read) = try await signedIn(request) { operatorNode -> (ShowResult, [ShowResult], MemberFieldValues, MemberPhoto) in
                let shown = try operatorNode.show(member: id, historyLimit: 50)
                // The member's cards, as their history names them, each as the till would show it.
                var seen = Set<String>()
                let cards = try shown.history.compactMap(\.card).filter { seen.insert($0).inserted }.map { try operatorNode.show(card: $0, historyLimit: 0) }
                return (shown, cards, try operatorNode.memberFields(member: id), try operatorNode.memberPhoto(member: id))
            }
            let shown = read.0
            var values = page
            // The photo: shown if kept here; if another node keeps it, asked for now, shown on a later look.
            switch read.3 {
            case .here: values["photo"] = true
            case .elsewhere(let digest, let holders): values["photoComing"] = true; _ = photos?(id, digest, holders)
            case .none: break
            }
            values["hasFields"] = !read.2.fields.isEmpty
            values["fields"] = read.2.fields.enumerated().map { ["index": $0.offset, "name": $0.element.name, "value": $0.element.value] as [String: Any] }
            values["cards"] = read.1.map { ["number": $0.card ?? "", "type": $0.type ?? "", "status": $0.status ?? "", "pinFailures": $0.pinFailures ?? 0] as [String: Any] }
            values["actions"] = Self.cardActions.sorted { $0.key < $1.key }.map { ["id": $0.key, "name": language($0.value.name)] }
            if let done = request.uri.queryParameters.get("done") {
                values["done"] = (done == "fields" ? "会员资料已保存" : done == "photo" ? "照片已保存" : Self.cardActions[String(done)]?.name).map { language($0) }
            }
            values["title"] = shown.name
            values["name"] = shown.name; values["tier"] = Self.tierName(shown.tier, language); values["member"] = shown.member
            values["phone"] = shown.phone; values["balance"] = shown.balance; values["bonus"] = shown.bonus ?? "0.00"; values["points"] = shown.points
            values["spent"] = shown.spent; values["toppedUp"] = shown.toppedUp
            values["rights"] = shown.rights.sorted { $0.key < $1.key }.map { ["node": $0.key, "amount": $0.value] }
            values["coupons"] = shown.coupons.map { ["code": $0.code, "title": $0.title, "value": $0.value, "left": $0.left > 0] as [String: Any] }
            values["history"] = shown.history.map { item -> [String: Any] in
                ["at": Self.chinaTime(item.at), "kind": Self.kindNames[item.kind].map { language($0) } ?? item.kind,
                 "card": item.card ?? "", "amount": item.amount ?? "", "points": item.points.map(String.init) ?? ""]
            }
            return PageSecurity.html(Templates.render("console-member", values, in: language))
        } }

        // The member's photo as the profile shows it (`photoResponse`: the image, or 202 while it comes).
        router.get("console/members/:member/photo") { request, context in try await Self.page(request) {
            let id = try context.parameters.require("member")
            return try photoResponse(id, try await signedIn(request) { try $0.memberPhoto(member: id) }.result)
        } }
        // A photo taken: a file from the form (a phone's camera opens for it), posted with its token.
        router.post("console/members/:member/photo") { request, context in try await Self.page(request) {
            let id = try context.parameters.require("member")
            let form = try await Self.multipartForm(PhotoForm.self, request, context)
            guard Self.signedSession(request, cookie: Self.sessionCookie, csrf: form.csrf) != nil else {
                return Self.refusedForm(Language(request))
            }
            let image = [UInt8](form.photo)
            _ = try await signedIn(request) { try $0.setMemberPhoto(member: id, image: image) }
            return PageSecurity.seeOther("/console/members/\(id)?done=photo")
        } }

        // Head office's extra member fields, set from the profile (sealed by the use case).
        router.post("console/members/:member/fields") { request, context in try await Self.page(request) {
            let id = try context.parameters.require("member")
            let form = try await Self.form([String: String].self, request, context)
            guard Self.signedSession(request, cookie: Self.sessionCookie, csrf: form["csrf"]) != nil else {
                return Self.refusedForm(Language(request))
            }
            _ = try await signedIn(request) { operatorNode in
                // The form names fields by their place in the program's list (f0, f1, …): a name may be any text.
                let names = try operatorNode.memberFields(member: id).fields.map(\.name)
                let values = Dictionary(uniqueKeysWithValues: names.enumerated().compactMap { index, name in form["f\(index)"].map { (name, $0.trimmingCharacters(in: .whitespaces)) } })
                return try operatorNode.setMemberFields(member: id, values)
            }
            return PageSecurity.seeOther("/console/members/\(id)?done=fields")
        } }
        router.get("console/stock/:branch") { request, context in try await Self.page(request) {
            let branch = try NodeID(try context.parameters.require("branch")), language = Language(request)
            let (page, stock) = try await signedIn(request) { try $0.stock(branch: branch) }
            var values = page
            // Moves are this node's own: its branch's stock page offers them (the use case decides who may).
            values["here"] = branch == node.id
            if let done = request.uri.queryParameters.get("done") { values["done"] = String(done) }
            values["title"] = language("库存"); values["branch"] = stock.branch
            values["items"] = stock.items.map {
                ["sku": $0.sku, "name": $0.name, "onHand": $0.onHand, "received": $0.received, "sold": $0.sold, "returned": $0.returnedToSupplier,
                 "transferredIn": $0.transferredIn, "transferredOut": $0.transferredOut, "variance": $0.variance, "low": $0.low] as [String: Any]
            }
            func transfers(_ list: [TransferResult]) -> [[String: Any]] {
                list.map { ["id": $0.transfer, "sku": $0.sku, "quantity": $0.quantity, "from": $0.from, "to": $0.to, "waiting": $0.status == "in_transit"] as [String: Any] }
            }
            values["incoming"] = transfers(stock.incoming); values["outgoing"] = transfers(stock.outgoing)
            return PageSecurity.html(Templates.render("console-stock", values, in: language))
        } }
        // A stock move at this node's branch — received, returned to the supplier, sent to another
        // branch, counted, the low-stock line, or a transfer confirmed as arrived — by the stock use cases.
        router.post("console/stock") { request, context in try await Self.page(request) {
            let form = try await Self.form(StockForm.self, request, context)
            guard Self.signedSession(request, cookie: Self.sessionCookie, csrf: form.csrf) != nil else {
                return Self.refusedForm(Language(request))
            }
            func text(_ value: String?) -> String { (value ?? "").trimmingCharacters(in: .whitespaces) }
            let sku = text(form.sku), quantity = Int64(text(form.quantity)), to = text(form.to), transfer = text(form.transfer), supplier = text(form.supplier)
            let moved = try await signedIn(request) { operatorNode -> StockMoveResult in
                // A transfer's arrival names the transfer; every other move a product and a quantity.
                if form.move == "arrive" { return try operatorNode.receiveTransfer(try OpID(parsing: transfer)) }
                guard let quantity else { throw MMSError(.invalidArgument, "数量须为整数。") }
                switch form.move {
                case "receive": return try operatorNode.receiveStock(StockMove(sku: sku, quantity: quantity, supplier: supplier))
                case "return": return try operatorNode.returnStock(StockMove(sku: sku, quantity: quantity, supplier: supplier))
                case "transfer": return try operatorNode.transferStock(StockTransfer(sku: sku, quantity: quantity, to: try NodeID(to)))
                case "count": return try operatorNode.countStock(sku: sku, counted: quantity)
                case "low": return try operatorNode.setLowStock(sku: sku, below: quantity)
                default: throw MMSError(.invalidArgument, "未知的库存操作。")
                }
            }
            return PageSecurity.seeOther("/console/stock/\(node.id.rawValue)?done=\(moved.result.sku)")
        } }
        router.get("console/programs") { request, _ in try await Self.page(request) {
            let (page, program) = try await signedIn(request) { try $0.programToEdit() }
            let language = Language(request)
            var values = page
            values["title"] = language("营销方案"); values["version"] = program.version
            if let saved = request.uri.queryParameters.get("saved") { values["saved"] = saved }
            values["parts"] = ProgramForm.values(ProgramForm.fields(of: program.program), in: language)
            return PageSecurity.html(Templates.render("console-program", values, in: language))
        } }
        // Preview, then save: the same form, the same program built from it, the same checks.
        router.post("console/programs/preview") { request, context in try await Self.page(request) {
            let language = Language(request)
            return try await editProgram(request, context) { operatorNode, current, proposed, form, values in
                let preview = try operatorNode.previewProgram(proposed)
                var values = values
                values["title"] = language("预览方案变更"); values["preview"] = true
                values["changes"] = ProgramForm.changes(from: current, to: proposed).map { language($0) }.joined(separator: language.listSeparator)
                values["members"] = preview.members; values["up"] = preview.up; values["down"] = preview.down
                values["moves"] = preview.tiers.map { ["name": $0.name, "before": $0.before, "after": $0.after] as [String: Any] }
                values["fields"] = form.sorted { $0.key < $1.key }.filter { $0.key != "csrf" }.map { ["name": $0.key, "value": $0.value] }
                return PageSecurity.html(Templates.render("console-program-preview", values, in: language))
            }
        } }
        router.post("console/programs") { request, context in try await Self.page(request) {
            try await editProgram(request, context) { operatorNode, _, proposed, form, _ in
                let saved = try operatorNode.setProgram(proposed, basedOn: Int64(form["version"] ?? ""))
                return PageSecurity.seeOther("/console/programs?saved=\(saved.version)")
            }
        } }
        // The ladder in force, for every operator at every node: what the tills decide by.
        router.get("console/tiers") { request, _ in try await Self.page(request) {
            let (page, program) = try await signedIn(request) { try $0.showProgram() }
            let language = Language(request)
            var values = page
            values["title"] = language("会员等级"); values["version"] = program.version
            values["tiers"] = Self.tierRows(program.program.tiers)
            return PageSecurity.html(Templates.render("console-tiers", values, in: language))
        } }

        // A branch's bookings of a day (today unless asked): a branch's operators their own.
        router.get("console/bookings") { request, _ in try await Self.page(request) {
            let day = request.uri.queryParameters.get("day").map { String($0) } ?? Sales.day(wallMillis: LocalNode.wallClockMillis())
            let branch = try request.uri.queryParameters.get("branch").map { try NodeID(String($0)) }
            let (page, bookings) = try await signedIn(request) { try $0.bookings(branch: branch, day: day) }
            let language = Language(request)
            var values = page
            values["title"] = language("预约"); values["branch"] = bookings.branch; values["day"] = bookings.day
            values["bookings"] = bookings.bookings.map { ["id": $0.id, "slot": String($0.slot.suffix(5)), "service": $0.serviceName, "member": $0.member, "cancelled": $0.cancelled] as [String: Any] }
            if !bookings.overbooked.isEmpty { values["overbooked"] = bookings.overbooked.joined(separator: language.listSeparator) }
            return PageSecurity.html(Templates.render("console-bookings", values, in: language))
        } }
        router.post("console/bookings/cancel") { request, context in try await Self.page(request) {
            let form = try await Self.form(BookingForm.self, request, context)
            guard let token = Self.signedSession(request, cookie: Self.sessionCookie, csrf: form.csrf) else {
                return Self.refusedForm(Language(request))
            }
            let cancelled = try await offload { try node.authenticate(session: token).cancelBooking(id: form.id) }
            return PageSecurity.seeOther("/console/bookings?day=\(cancelled.slot.prefix(10))")
        } }

        // MARK: The member's page
        router.get("m") { request, _ in try await Self.page(request, signIn: "/m") {
            guard let token = request.cookies[Self.memberCookie]?.value, (try? await offload({ try node.memberPage(session: token) })) != nil else {
                return loginPage("member-login", path: "/m", language: .chinese)
            }
            return try await memberHome(token: token)
        } }
        // The member code: a QR code the till's scanner reads as a card (or the code typed), for two minutes.
        router.get("m/code") { request, _ in try await Self.page(request, signIn: "/m") {
            guard let token = request.cookies[Self.memberCookie]?.value else { return PageSecurity.seeOther("/m") }
            let code = try await offload { try node.memberCode(session: token) }
            let qr = try QRCode(text: code.code, correction: .medium)
            let values: [String: Any] = ["title": "会员码", "qr": qr.svg(pixelsPerModule: 6, label: "会员码"), "code": code.code,
                                         "expires": Self.chinaTime(code.expiresAt), "refresh": code.seconds - 20, "csrf": PageSecurity.formToken(session: token)]
            return PageSecurity.html(Templates.render("member-code", values, in: .chinese))
        } }
        router.post("m/bookings") { request, context in try await Self.page(request, signIn: "/m") {
            let form = try await Self.form(BookingRequestForm.self, request, context)
            return try await memberAction(request, csrf: form.csrf, then: "/m#bookings") { token in
                _ = try node.book(session: token, branch: form.branch, service: form.service, slot: "\(form.day) \(form.time)")
            }
        } }
        router.post("m/check-in") { request, context in try await Self.page(request, signIn: "/m") {
            let form = try await Self.form(TokenForm.self, request, context)
            return try await memberAction(request, csrf: form.csrf, then: "/m") { _ = try node.checkIn(session: $0) }
        } }
        router.post("m/bookings/cancel") { request, context in try await Self.page(request, signIn: "/m") {
            let form = try await Self.form(BookingForm.self, request, context)
            return try await memberAction(request, csrf: form.csrf, then: "/m#bookings") { _ = try node.cancelBooking(session: $0, id: form.id) }
        } }
        // The receipt's QR code: the member's page to look at, with no PIN (`LocalNode.signInMember(receiptLink:)`).
        router.get("m/r/:link") { request, context in try await Self.page(request, signIn: "/m") {
            let link = try context.parameters.require("link")
            do {
                let session = try await offload { try node.signInMember(receiptLink: link) }
                return PageSecurity.seeOther("/m", cookies: [PageSecurity.cookie(Self.memberCookie, session.token, path: "/m", maxAge: Int(LocalNode.memberSessionMillis / 1_000))])
            } catch let error as MMSError {
                return loginPage("member-login", path: "/m", language: .chinese, error: Self.say(error, in: .chinese), status: Self.status(error))
            }
        } }
        // From a page opened by a receipt, to sign in with the PIN.
        router.get("m/login") { _, _ in loginPage("member-login", path: "/m", language: .chinese) }
        router.post("m/login") { request, context in try await Self.page(request, signIn: "/m") {
            let form = try await Self.form(MemberLogin.self, request, context)
            return try await signIn(request, context, csrf: form.csrf, template: "member-login", path: "/m", language: .chinese, cookie: Self.memberCookie,
                                    lifetimeMillis: LocalNode.memberSessionMillis) { try node.signInMember(card: form.card, pin: form.pin).token }
        } }
        router.post("m/logout") { request, context in try await Self.page(request, signIn: "/m") {
            try await signOut(request, context, path: "/m", cookie: Self.memberCookie) { try node.signOutMember(session: $0) }
        } }
    }

    /// The program's tiers as the pages show and edit them (money as typed, empty for "not this way").
    static func tierRows(_ tiers: [TierRule]) -> [[String: Any]] {
        tiers.map {
            ["tier": $0.tier.rawValue, "name": $0.name, "spend": $0.spend?.description ?? "", "singleTopup": $0.singleTopup?.description ?? "",
             "points": $0.points.map(String.init) ?? "", "discount": $0.discount, "multiplier": $0.pointsMultiplier] as [String: Any]
        }
    }

    /// A program form posted by a signed-in operator with its token: the program in force with
    /// the form's parts put in, handed to `act` (which calls the use case that decides) with the
    /// program it started from; a form that does not make a valid program comes back as typed.
    func editProgram(_ request: Request, _ context: TillRequestContext,
                     act: @escaping @Sendable (LocalNode, Program, Program, [String: String], [String: Any]) throws -> Response) async throws -> Response {
        // The larger body only for someone signed in to head office's console.
        let language = Language(request)
        guard let session = request.cookies[Self.sessionCookie]?.value else { return Self.refusedForm(language) }
        _ = try await offload { try node.authenticate(session: session).programToEdit() }
        let form = try await Self.form([String: String].self, request, context, limit: Limits.maxProgramFormBytes)
        guard let token = Self.signedSession(request, cookie: Self.sessionCookie, csrf: form["csrf"]) else {
            return Self.refusedForm(language)
        }
        return try await offload {
            let operatorNode = try node.authenticate(session: token)
            let current = try operatorNode.programToEdit()
            do {
                let proposed = try ProgramForm.program(current.program, editedBy: form, in: language)
                return try act(operatorNode, current.program, proposed, form, self.consoleValues(operatorNode, token: token))
            } catch let error as MMSError where error.code == .invalidArgument || error.code == .invalidAmount || error.code == .programChanged {
                // The form again, as typed, with what is wrong: nothing was saved.
                var again = self.consoleValues(operatorNode, token: token)
                again["title"] = language("营销方案"); again["version"] = form["version"] ?? String(current.version); again["error"] = Self.say(error, in: language)
                again["parts"] = ProgramForm.values(form, in: language)
                return PageSecurity.html(Templates.render("console-program", again, in: language), status: Self.status(error))
            }
        }
    }

    /// A sign-in form posted: its CSRF token, then the limit per address, then `open` (the use
    /// case, answering the session's token) — a session cookie for `path`, or the form again with
    /// what went wrong.
    func signIn(_ request: Request, _ context: TillRequestContext, csrf: String?, template: String, path: String, language: Language, cookie: String,
                lifetimeMillis: UInt64, open: @escaping @Sendable () throws -> String) async throws -> Response {
        guard PageSecurity.tokensMatch(csrf, request.cookies[Self.formCookie]?.value) else { return Self.refusedForm(language) }
        guard Self.signIns.allow(context.remoteAddress) else {
            return loginPage(template, path: path, language: language, error: language("登录尝试过多，请一分钟后再试。"), status: .tooManyRequests)
        }
        do {
            let token = try await offload(open)
            return PageSecurity.seeOther(path, cookies: [PageSecurity.cookie(cookie, token, path: path, maxAge: Int(lifetimeMillis / 1_000)),
                                                         PageSecurity.cookie(Self.formCookie, "", path: path, maxAge: 0)])
        } catch let error as MMSError {
            return loginPage(template, path: path, language: language, error: Self.say(error, in: language), status: Self.status(error))
        }
    }

    /// A sign-out form posted with its session's CSRF token: `end` closes the session, the cookie goes.
    func signOut(_ request: Request, _ context: TillRequestContext, path: String, cookie: String,
                 end: @escaping @Sendable (String) throws -> Void) async throws -> Response {
        let form = try await Self.form(TokenForm.self, request, context)
        guard let token = Self.signedSession(request, cookie: cookie, csrf: form.csrf) else {
            return Self.refusedForm(Language(request))
        }
        try? await offload { try end(token) }
        return PageSecurity.seeOther(path, cookies: [PageSecurity.cookie(cookie, "", path: path, maxAge: 0)])
    }

    /// A sign-in form with a fresh CSRF token in its cookie and its hidden field.
    func loginPage(_ template: String, path: String, language: Language, error: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        let token = PageSecurity.newFormToken()
        var values: [String: Any] = ["title": language("登录"), "node": node.id.rawValue, "csrf": token]
        if let error { values["error"] = error }
        return PageSecurity.html(Templates.render(template, values, in: language), status: status,
                                 cookies: [PageSecurity.cookie(Self.formCookie, token, path: path, maxAge: 1_800)])
    }

    func consoleValues(_ operatorNode: LocalNode, token: String) -> [String: Any] {
        ["node": node.id.rawValue, "who": operatorNode.caller.actor.operatorID, "role": operatorNode.caller.role?.rawValue ?? "",
         "csrf": PageSecurity.formToken(session: token), "headOffice": operatorNode.caller.role == .hqAdmin,
         "reader": operatorNode.caller.role.map { Permissions.allows($0, .readReports) } ?? true,
         "staffManager": operatorNode.caller.role.map { Permissions.allows($0, .manageStaff) } ?? true]
    }

    /// The day at a glance, in the operator's scope: their branch for a manager, the chain for head office.
    func consoleHome(_ operatorNode: LocalNode, token: String, language: Language) async throws -> Response {
        let today = Sales.day(wallMillis: LocalNode.wallClockMillis())
        var values = consoleValues(operatorNode, token: token)
        values["title"] = language("概况")
        values["today"] = today
        do {
            let links = links.map { $0() }
            // The branches' report carries what each branch's members are owed: the liability is its sum.
            let (branches, glance) = try await offload {
                (try operatorNode.branchesReport(from: today, to: today),
                 operatorNode.caller.role?.isChainWide ?? true ? try operatorNode.chainGlance(links: links) : nil)
            }
            if let glance {
                values["glance"] = true
                values["nodes"] = glance.nodes.map { n -> [String: Any] in
                    ["id": n.id, "role": language(n.role == "hq" ? "总部" : "门店"), "ops": n.ops, "lastHeard": n.lastHeard ?? "—", "escrow": n.escrowHeld,
                     "link": language(n.linked.map { $0 ? "在线" : "离线" } ?? "本节点"), "down": n.linked == false, "lag": n.lag.map(String.init) ?? "—"]
                }
            }
            values["scope"] = branches.branch ?? language("全部门店")
            values["branches"] = branches.branches.map { ["branch": $0.branch, "sales": $0.sales, "net": $0.net, "topups": $0.topups, "members": $0.members, "owed": $0.owed] }
            values["liability"] = Money(fen: branches.branches.reduce(0) { $0 + (Money(parsing: $1.owed)?.fen ?? 0) }).description
            values["asOf"] = branches.asOf.computedAt
        } catch let error as MMSError where error.code == .notPermitted {
            // A cashier reads no reports: the console gives them the member search alone.
            values["scope"] = node.id.rawValue
            values["liability"] = "—"; values["asOf"] = "—"
        }
        return PageSecurity.html(Templates.render("console-home", values, in: language))
    }

    /// A member's form posted with its token: `act` (the use case) in their session, then to
    /// `then`; a refusal is their page again with what went wrong, nothing changed.
    func memberAction(_ request: Request, csrf: String?, then location: String, act: @escaping @Sendable (String) throws -> Void) async throws -> Response {
        guard let token = Self.signedSession(request, cookie: Self.memberCookie, csrf: csrf) else { return Self.refusedForm(.chinese) }
        do {
            try await offload { try act(token) }
            return PageSecurity.seeOther(location)
        } catch let error as MMSError where error.code != .unauthenticated && error.code != .sessionExpired {
            return try await memberHome(token: token, error: Self.say(error, in: .chinese), status: Self.status(error))
        }
    }

    /// The member's page: their card, their bookings and the form to book (with what went wrong, if anything).
    func memberHome(token: String, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let (page, bookings, choices) = try await offload { (try node.memberPage(session: token), try node.memberBookings(session: token), try node.bookingChoices()) }
        var values = Self.values(of: page)
        values["title"] = "我的会员卡"
        values["csrf"] = PageSecurity.formToken(session: token)
        if let error { values["error"] = error }
        values["bookings"] = bookings.map { ["id": $0.id, "slot": $0.slot, "service": $0.serviceName, "branch": $0.branch, "cancelled": $0.cancelled] as [String: Any] }
        values["branches"] = choices.branches.map { ["id": $0, "here": $0 == node.id.rawValue] as [String: Any] }
        values["services"] = choices.services.map { ["sku": $0.sku, "name": $0.name] }
        values["days"] = choices.days.enumerated().map { ["day": $0.element, "first": $0.offset == 1] as [String: Any] }
        values["times"] = choices.times
        values["bookable"] = !choices.services.isEmpty
        return PageSecurity.html(Templates.render("member-home", values, in: .chinese), status: status)
    }

    static func values(of page: MemberPage) -> [String: Any] {
        var values: [String: Any] = [
            "card": page.card, "name": page.name, "phone": page.phone, "tierName": Self.tierName(page.tierName, .chinese), "balance": page.balance, "bonus": page.bonus,
            "points": page.points,
            "coupons": page.coupons.map { ["title": $0.title, "value": $0.value, "left": $0.left > 0] as [String: Any] },
            "history": page.history.map { item -> [String: Any] in
                var row: [String: Any] = ["at": String(Self.chinaTime(item.at).prefix(10)), "kind": Self.kindNames[item.kind] ?? item.kind]
                if let amount = item.amount { row["amount"] = amount }
                return row
            },
        ]
        if let next = page.nextTier { values["nextTier"] = Self.tierName(next, .chinese); values["spendToNextTier"] = page.spendToNextTier ?? "" }
        if let uses = page.usesLeft { values["usesLeft"] = uses }
        values["lots"] = page.pointsLots.map { ["points": $0.points, "expires": $0.expires.map { "\($0) 到期" } ?? "长期有效"] as [String: Any] }
        values["viewOnly"] = page.viewOnly
        if let checkIn = page.checkIn {
            values["checkIn"] = ["points": checkIn.points, "done": checkIn.done, "home": checkIn.home ?? "", "elsewhere": checkIn.home != nil] as [String: Any]
        }
        return values
    }

    /// An ISO 8601 time as the chain reads it: `YYYY-MM-DD HH:mm:ss`, China Standard Time.
    static func chinaTime(_ iso: String) -> String {
        guard let date = ISO8601DateFormatter().date(from: iso) else { return iso }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = LocalNode.chainZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }

    /// The tiers' names where the program gives none of its own.
    static let tierNames = ["standard": "普通", "silver": "白银", "gold": "黄金", "platinum": "铂金"]
    static func tierName(_ tier: String, _ language: Language) -> String { tierNames[tier].map { language($0) } ?? tier }
    /// What a member's history calls each kind of op.
    static let kindNames = [
        "member_added": "入会", "card_issued": "开卡", "top_up": "充值", "charge": "消费", "refund": "退款", "sale": "购物", "sale_returned": "退货",
        "points_redeemed": "积分兑换", "points_awarded": "赠送积分", "punch_used": "次卡消费", "coupon_issued": "获得优惠券", "coupon_redeemed": "使用优惠券",
        "card_replaced": "补卡", "card_renewed": "续期", "card_reported": "挂失",
    ]

    /// A page's answer; without a session, the way to sign in (`signIn`); a request it cannot take (a form with a field missing, a body too large)
    /// is answered as a page too, having changed nothing.
    static func page(_ request: Request, signIn: String = "/console", _ body: () async throws -> Response) async throws -> Response {
        do { return try await body() } catch let error as MMSError where error.code == .unauthenticated || error.code == .sessionExpired {
            // No session, or one that ended: the sign-in page.
            return PageSecurity.seeOther(signIn)
        } catch let error as MMSError {
            return errorPage(error, Language(request))
        }
    }

    static func errorPage(_ error: MMSError, _ language: Language) -> Response {
        PageSecurity.html(Templates.render("message", ["title": language("错误"), "error": say(error, in: language)], in: language), status: status(error))
    }

    /// The console page to go back to: only a path of this console's own (never another site,
    /// nor out of the console by a dot segment), else the console's home.
    static func consolePage(back: String?) -> String {
        guard let back, let url = URLComponents(string: back), url.scheme == nil, url.host == nil, url.path == "/console" || url.path.hasPrefix("/console/"),
              !url.path.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else { return "/console" }
        return url.percentEncodedPath + (url.percentEncodedQuery.map { "?\($0)" } ?? "")
    }

    /// The session a signed-in form was posted in, when its CSRF token is the one derived from
    /// that session; nil (refuse it) otherwise.
    static func signedSession(_ request: Request, cookie: String, csrf: String?) -> String? {
        guard let token = request.cookies[cookie]?.value, PageSecurity.tokensMatch(csrf, PageSecurity.formToken(session: token)) else { return nil }
        return token
    }

    /// A form without its token (or with another's): refused, nothing done.
    static func refusedForm(_ language: Language) -> Response {
        PageSecurity.html(Templates.render("message", ["title": language("已拒绝"), "error": language("表单已过期或来源不明，未做任何更改。请重新打开页面再试。")], in: language),
                          status: .forbidden)
    }

    static func form<T: Decodable>(_ type: T.Type, _ request: Request, _ context: TillRequestContext, limit: Int? = nil) async throws -> T {
        let body = try await Self.body(request, context, limit: limit)
        do { return try URLEncodedFormDecoder().decode(T.self, from: String(buffer: body)) } catch {
            throw MMSError(.invalidArgument, "表单不完整，未做任何更改。")
        }
    }

    /// A `multipart/form-data` form (a file with it), read by MultipartKit; a form without its
    /// parts, or not multipart, is refused as incomplete.
    static func multipartForm<T: Decodable>(_ type: T.Type, _ request: Request, _ context: TillRequestContext) async throws -> T {
        let body = try await Self.body(request, context)
        guard let contentType = request.headers[.contentType], contentType.lowercased().hasPrefix("multipart/form-data"),
              let boundary = contentType.split(separator: ";").compactMap({ part -> String? in
                  let pair = part.trimmingCharacters(in: .whitespaces)
                  return pair.lowercased().hasPrefix("boundary=") ? String(pair.dropFirst("boundary=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) : nil
              }).first else { throw MMSError(.invalidArgument, "表单不完整，未做任何更改。") }
        do { return try FormDataDecoder().decode(T.self, from: body, boundary: boundary) } catch {
            throw MMSError(.invalidArgument, "表单不完整，未做任何更改。")
        }
    }

    /// One of the node's own assets (the stylesheet, the photo script), compiled in.
    static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=3600", .init("X-Content-Type-Options")!: "nosniff"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// What a person reads for an error, in their language: the message, in our words where the
    /// code or the reason says enough (the rules' own messages are English).
    static func say(_ error: MMSError, in language: Language) -> String {
        language(chineseSay(error))
    }

    static func chineseSay(_ error: MMSError) -> String {
        // A refusal that names its reason says it, whatever its code.
        if let reason = error.details["reason"].flatMap({ reasons[$0] }) { return reason }
        return switch error.code {
        case .wrongPassword: "工号或密码错误。"
        case .wrongPIN: "卡号或密码错误。"
        case .operatorLocked, .pinLocked: "错误次数过多，已锁定，请联系门店。"
        case .notPermitted: "您的角色无权进行此操作。"
        case .slotFull: "该时段已约满，请选择其他时间。"
        case .memberCodeExpired: "会员码已过期，请刷新。"
        case .bodyTooLarge: "提交的内容过大，未做任何更改（照片须在 56 KB 以内）。"
        default: error.message
        }
    }

    /// The rules' refusals that name their reason, as a member reads them.
    static let reasons = [
        "not_an_image": "照片须为 JPEG 或 PNG 图片。", "photo_too_large": "照片须在 56 KB 以内。",
        "view_only": "您从小票二维码进入，仅可查看：请用卡号和密码登录后再操作。",
        "not_a_slot": "请选择营业时间内的整点或半点。", "out_of_range": "只能预约从现在起 30 天内的时间。", "booked_already": "您已预约了这个时间。",
        "too_many": "预约已达上限，请先取消一个。", "check_in_off": "暂未开放签到。", "check_in_home": "请在所属门店的会员页面签到。",
        "checked_in": "今天已经签到过了。", "cancelled_already": "该预约已取消。", "begun": "预约时间已开始，无法取消。",
    ]

    static func status(_ error: MMSError) -> HTTPResponse.Status {
        switch error.code {
        case .notPermitted: .forbidden
        case .wrongPassword, .wrongPIN, .unauthenticated, .sessionExpired: .unauthorized
        case .operatorLocked, .pinLocked: HTTPResponse.Status(code: 423, reasonPhrase: "Locked")
        default: .badRequest
        }
    }
}
