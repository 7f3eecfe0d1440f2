import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import MMSCore
import MMSNode
import MMSStore
import HTTPTypes
import NIOCore
import NIOPosix
import NIOSSL

/// The request context of the till API: its body limit, and (once authenticated) the caller.
public struct TillRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's address, for the pages' limit on sign-in attempts.
    public let remoteAddress: String
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
    public var maxUploadSize: Int { TillAPI.Limits.maxBodyBytes }
}

/// The till API: HTTPS in front of the application layer. Handlers parse, call one use case of
/// `LocalNode` for the session's caller, and encode its answer; the rules live below.
public struct TillAPI: Sendable {
    public enum Limits {
        /// A request body past this is refused with 413 before it is read further.
        public static let maxBodyBytes = 64 * 1024
        /// The program's form carries every cell of every part: a program at its 256 KiB as fields.
        public static let maxProgramFormBytes = 1024 * 1024
        /// Header size limits (one field, all fields), against header floods.
        public static let maxHeaderBytes = 16 * 1024
        /// Open connections per node: tills keep one each, the console a few.
        public static let maxConnections = 512
        /// A connection that sends nothing for this long is closed (a stalled or slow client).
        public static let idleSeconds: Int64 = 30
        /// Threads for the blocking part of requests (store, Argon2id). More than the cores: a
        /// request waiting for a group commit holds one, and the commit batches what waits.
        public static let storeThreads = 16
        /// A request the node has not answered in this time is answered 503; the work itself
        /// goes on (a commit is never cut in half), so the till retries with the same key.
        public static let requestMillis: Int64 = 30_000
    }

    let node: LocalNode
    let broker: LocalNode.RightsBroker?
    /// The running node's peer links, for the console's chain at a glance (nil without a server).
    let links: (@Sendable () -> PeerLinks)?
    /// Asks the running node's peers for a member's photo kept elsewhere (nil without a server).
    let photos: LocalNode.PhotoFetcher?
    /// `Limits.requestMillis`, unless a test sets its edge.
    let requestMillis: Int64

    public init(node: LocalNode, broker: LocalNode.RightsBroker? = nil, links: (@Sendable () -> PeerLinks)? = nil,
                photos: LocalNode.PhotoFetcher? = nil, requestMillis: Int64 = Limits.requestMillis) {
        self.node = node; self.broker = broker; self.links = links; self.photos = photos; self.requestMillis = requestMillis
    }

    /// The routes, behind the one middleware that turns errors into our JSON body and status.
    public func router() -> Router<TillRequestContext> {
        let router = Router(context: TillRequestContext.self)
        let routes = RouteTable()
        router.add(middleware: ErrorMiddleware(routes: routes))
        let v1 = Routes(group: router.group("v1"), table: routes)
        addPages(to: router)
        v1.get("openapi.json") { _, _ in Response(status: .ok, headers: Self.jsonHeaders, body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json))) }

        v1.post("sessions") { request, context in
            let till = try Self.bearer(request)
            let body = try await Self.decode(LoginRequest.self, request, context)
            return try await write(status: .created) { try node.login(tillToken: till, operator: body.operator, password: body.password) }
        }
        v1.delete("sessions") { request, _ in
            let token = try Self.bearer(request)
            try await offload { try node.logout(session: token) }
            return Response(status: .noContent, headers: Self.jsonHeaders)
        }

        v1.get("cards/:number") { request, context in
            let number = try context.parameters.require("number")
            let history = min(max(Int(Self.query(request, "history") ?? "") ?? 20, 0), 1_000)
            return try await read(request) { try $0.show(card: number, historyLimit: history) }
        }
        v1.get("members") { request, _ in
            guard let phone = Self.query(request, "phone") else {
                throw MMSError(.invalidArgument, "Give ?phone= to find members.")
            }
            return try await read(request) { MemberList(members: try $0.findMembers(phone: phone)) }
        }
        v1.get("members/:id") { request, context in
            let id = try context.parameters.require("id")
            return try await read(request) { try $0.show(member: id, historyLimit: 20) }
        }
        // A member's photo: taken at the till (the image as the body), and shown to the cashier.
        v1.put("members/:id/photo") { request, context in
            let member = try context.parameters.require("id")
            let image = Array(buffer: try await Self.body(request, context))
            return try await write(request) { node, _ in try node.setMemberPhoto(member: member, image: image) }
        }
        v1.get("members/:id/photo") { request, context in
            let member = try context.parameters.require("id")
            let token = try Self.bearer(request)
            return try photoResponse(member, try await offload { try node.authenticate(session: token).memberPhoto(member: member) })
        }
        v1.get("products") { request, _ in
            let query = Self.query(request, "query") ?? ""
            let limit = Int(Self.query(request, "limit") ?? "") ?? 50
            return try await read(request) { try $0.findProducts(query: query, limit: limit) }
        }
        v1.get("products/:sku") { request, context in
            let sku = try context.parameters.require("sku")
            return try await read(request) { try $0.product(sku: sku) }
        }
        v1.post("sales/:origin/:seq/returns") { request, context in
            let sale = OpID(origin: try NodeID(try context.parameters.require("origin")),
                            seq: try UInt64(context.parameters.require("seq")).flatMap { $0 > 0 ? $0 : nil }
                                .orRefuse(MMSError(.invalidArgument, "A sale id is ORIGIN/SEQ, e.g. branch-1/8.")))
            let body = try await Self.decode(ReturnRequest.self, request, context)
            let quantities = Dictionary((body.lines ?? []).map { ($0.line, $0.quantity) }, uniquingKeysWith: +)
            return try await write(request) { node, key in try node.returnSale(sale, quantities: quantities, requestKey: key) }
        }
        v1.get("stock") { request, _ in
            let sku = Self.query(request, "sku")
            return try await read(request) { try $0.stock(sku: sku) }
        }
        v1.post("members") { request, context in
            let body = try await Self.decode(MemberRequest.self, request, context)
            return try await write(request) { node, key in
                try node.addMember(MemberProfile(name: body.name, phone: body.phone, birthday: body.birthday ?? ""), referrer: body.referrer, requestKey: key)
            }
        }
        v1.post("cards") { request, context in
            let body = try await Self.decode(CardRequest.self, request, context)
            if body.companion == true {
                guard body.type == nil, body.product == nil, body.discount == nil, body.uses == nil, body.topup == nil else {
                    throw MMSError(.invalidArgument, "A companion card takes its discount from the member's tier: send member, number and pin only.")
                }
                return try await write(request) { node, key in try node.issueCompanionCard(number: body.number, member: body.member, pin: body.pin, requestKey: key) }
            }
            if let product = body.product {
                guard body.type == nil, body.discount == nil, body.uses == nil else {
                    throw MMSError(.invalidArgument, "A card product sets its type, discount and uses: send product or type, not both.")
                }
                let topUp = try body.topup.map { try Money(typed: $0) }
                let tender = try Self.tender(body.tender) ?? .cash
                return try await write(request) { node, key in
                    try node.issueCard(number: body.number, member: body.member, product: product, pin: body.pin, firstTopUp: topUp, tender: tender,
                                       staff: body.staff, requestKey: key)
                }
            }
            guard body.topup == nil, let type = CardType(rawValue: body.type ?? "") else {
                throw MMSError(.invalidArgument, "type must be one of stored, discount, punch.")
            }
            return try await write(request) { node, key in
                try node.issueCard(number: body.number, member: body.member, type: type, pin: body.pin, discountPercent: body.discount,
                                   uses: body.uses, staff: body.staff, requestKey: key)
            }
        }
        v1.post("cards/:number/lost") { request, context in
            let number = try context.parameters.require("number")
            return try await write(request) { node, key in try node.reportCard(number, .lost, requestKey: key) }
        }
        v1.post("cards/:number/block") { request, context in
            let number = try context.parameters.require("number")
            return try await write(request) { node, key in try node.reportCard(number, .blocked, requestKey: key) }
        }
        v1.post("cards/:number/unlock") { request, context in
            let number = try context.parameters.require("number")
            return try await write(request) { node, key in try node.unlockPIN(number, requestKey: key) }
        }
        v1.post("cards/:number/transfers") { request, context in
            let from = try context.parameters.require("number")
            let body = try await Self.decode(TransferRequest.self, request, context)
            let amount = try Money(typed: body.amount)
            return try await write(request) { node, key in
                try node.transferBalance(from: from, to: body.to, amount: amount, pin: body.pin, requestKey: key, broker: broker)
            }
        }
        v1.post("cards/:number/pin") { request, context in
            let card = try context.parameters.require("number")
            let body = try await Self.decode(PINChangeRequest.self, request, context)
            return try await write(request) { node, key in try node.changePIN(card: card, old: body.old, new: body.new, requestKey: key) }
        }
        v1.post("cards/:number/return") { request, context in
            let card = try context.parameters.require("number")
            let body = try await Self.decode(CardReturnRequest.self, request, context)
            let tender = try Self.tender(body.tender) ?? .cash
            return try await write(request) { node, key in try node.returnCard(card, pin: body.pin, tender: tender, requestKey: key, broker: broker) }
        }
        v1.post("cards/:number/renew") { request, context in
            let card = try context.parameters.require("number")
            return try await write(request) { node, key in try node.renewCard(card, requestKey: key) }
        }
        v1.post("gifts/:id/redemptions") { request, context in
            let gift = try context.parameters.require("id")
            let body = try await Self.decode(GiftRequest.self, request, context)
            return try await write(request) { node, key in try node.redeemGift(card: body.card, gift: gift, pin: body.pin, requestKey: key) }
        }
        v1.get("program") { request, _ in
            try await read(request) { try $0.showProgram() }
        }
        v1.post("points/transfers") { request, context in
            let body = try await Self.decode(PointsTransferRequest.self, request, context)
            return try await write(request) { node, key in try node.transferPoints(card: body.card, to: body.to, points: Points(body.points), pin: body.pin, requestKey: key) }
        }
        v1.post("coupons/:code/transfers") { request, context in
            let code = try context.parameters.require("code")
            let body = try await Self.decode(CouponTransferRequest.self, request, context)
            return try await write(request) { node, key in try node.transferCoupon(code: code, card: body.card, to: body.to, pin: body.pin, requestKey: key) }
        }
        v1.post("birthday-gifts") { request, context in
            let body = try await Self.decode(BirthdayGiftsRequest.self, request, context)
            return try await write(request) { node, _ in try node.runBirthdays(month: body.month) }
        }
        v1.post("campaigns/:id/runs") { request, context in
            let id = try context.parameters.require("id")
            return try await write(request) { node, _ in try node.runCampaign(id) }
        }
        v1.get("points/expiring") { request, _ in
            let before = Self.query(request, "before") ?? ""
            return try await read(request) { try $0.pointsExpiring(before: before) }
        }
        v1.post("cards/:number/replace") { request, context in
            let old = try context.parameters.require("number")
            let body = try await Self.decode(ReplaceRequest.self, request, context)
            return try await write(request) { node, key in try node.replaceCard(old: old, new: body.number, pin: body.pin, requestKey: key) }
        }
        v1.post("topups") { request, context in
            let body = try await Self.decode(TopUpRequest.self, request, context)
            let amount = try Money(typed: body.amount)
            let tender = try Self.tender(body.tender) ?? .cash
            return try await write(request) { node, key in
                try node.topUp(card: body.card, amount: amount, tender: tender, reference: body.reference ?? "", staff: body.staff, requestKey: key)
            }
        }
        v1.post("charges") { request, context in
            let body = try await Self.decode(ChargeRequest.self, request, context)
            let amount = try Money(typed: body.amount)
            return try await write(request) { node, key in
                body.partial == true
                    ? try node.charge(card: body.card, amount: amount, pin: body.pin, requestKey: key, partial: true)
                    : try node.charge(card: body.card, amount: amount, pin: body.pin, requestKey: key, broker: broker)
            }
        }
        v1.post("refunds") { request, context in
            let body = try await Self.decode(RefundRequest.self, request, context)
            let amount = try Money(typed: body.amount)
            let charge = try OpID(parsing: body.charge)
            return try await write(request) { node, key in try node.refund(card: body.card, charge: charge, amount: amount, requestKey: key) }
        }
        v1.post("sales/quote") { request, context in
            let basket = try await Self.decode(BasketRequest.self, request, context)
            let sale = try basket.saleRequest(pricing: true)
            return try await read(request) { try $0.quote(sale) }
        }
        v1.post("sales") { request, context in
            let basket = try await Self.decode(BasketRequest.self, request, context)
            let sale = try basket.saleRequest()
            return try await write(request) { node, key in try node.sell(sale, pin: basket.pin, requestKey: key) }
        }
        v1.post("points/redemptions") { request, context in
            let body = try await Self.decode(PointsRequest.self, request, context)
            return try await write(request) { node, key in try node.redeemPoints(card: body.card, points: Points(body.points), pin: body.pin, requestKey: key) }
        }
        v1.post("punches") { request, context in
            let body = try await Self.decode(PunchRequest.self, request, context)
            return try await write(request) { node, key in try node.usePunch(card: body.card, uses: body.uses ?? 1, service: body.service, pin: body.pin, requestKey: key) }
        }
        v1.post("coupons") { request, context in
            let body = try await Self.decode(CouponRequest.self, request, context)
            if let template = body.template {
                guard body.code == nil, body.value == nil else { throw MMSError(.invalidArgument, "A coupon from a template gets its code and value from it.") }
                return try await write(request) { node, key in try node.issueCoupon(template: template, member: body.member, requestKey: key) }
            }
            guard let code = body.code else { throw MMSError(.invalidArgument, "A coupon needs a template, or a code (with its value and title).") }
            guard let value = Money(parsing: body.value ?? "0.00"), value <= MMSCore.Limits.maxAmount else {
                throw MMSError(.invalidAmount, "value “\((body.value ?? "").prefix(30))” is not an amount from 0.00 to \(MMSCore.Limits.maxAmount).")
            }
            return try await write(request) { node, key in
                try node.issueCoupon(code: code, member: body.member, value: value, title: body.title ?? "", requestKey: key)
            }
        }
        v1.post("coupons/:code/redemptions") { request, context in
            let code = try context.parameters.require("code")
            return try await write(request) { node, key in try node.redeemCoupon(code: code, requestKey: key) }
        }
        // Reports, read from the report tables with the caller's scope (a manager: their branch).
        v1.get("reports/sales") { request, _ in
            let (from, to) = (Self.query(request, "from") ?? "", Self.query(request, "to") ?? "")
            let by = try SalesReportGrouping(typed: Self.query(request, "by") ?? "branch")
            if Self.query(request, "format") == "csv" { return try await csv(request) { try $0.salesReport(from: from, to: to, by: by).csv } }
            return try await read(request) { try $0.salesReport(from: from, to: to, by: by) }
        }
        v1.get("reports/branches") { request, _ in
            let (from, to) = (Self.query(request, "from") ?? "", Self.query(request, "to") ?? "")
            if Self.query(request, "format") == "csv" { return try await csv(request) { try $0.branchesReport(from: from, to: to).csv } }
            return try await read(request) { try $0.branchesReport(from: from, to: to) }
        }
        v1.get("reports/tiers") { request, _ in try await read(request) { try $0.tiersReport() } }
        v1.get("reports/tier-moves") { request, _ in
            let (from, to) = (Self.query(request, "from") ?? "", Self.query(request, "to") ?? "")
            if Self.query(request, "format") == "csv" { return try await csv(request) { try $0.tierMovesReport(from: from, to: to).csv } }
            return try await read(request) { try $0.tierMovesReport(from: from, to: to) }
        }
        v1.get("reports/staff") { request, _ in
            let month = Self.query(request, "month") ?? ""
            if Self.query(request, "format") == "csv" { return try await csv(request) { try $0.staffReport(month: month).csv } }
            return try await read(request) { try $0.staffReport(month: month) }
        }
        v1.get("reports/members") { request, _ in
            let segments = Self.query(request, "segments") == "true"
            return try await read(request) { try $0.membersReport(segments: segments) }
        }
        v1.get("reports/liability") { request, _ in try await read(request) { try $0.liabilityReport(foldLog: false) } }
        v1.get("reports/points") { request, _ in try await read(request) { try $0.pointsReport() } }
        v1.get("reports/campaigns/:id") { request, context in
            let id = try context.parameters.require("id")
            return try await read(request) { try $0.campaignReport(id) }
        }
        v1.post("reminders") { request, context in
            let body = try await Self.decode(ReminderRequest.self, request, context)
            guard let kind = MessageKind(option: body.kind) else { throw MMSError(.invalidArgument, "kind “\(body.kind.prefix(20))” is not a kind of reminder.") }
            return try await write(request) { node, _ in try node.remind(kind, days: body.days ?? 7, below: body.below, dryRun: body.dryRun ?? false) }
        }
        v1.get("outbox") { request, _ in
            let (status, limit) = (Self.query(request, "status"), Int(Self.query(request, "limit") ?? "") ?? 100)
            return try await read(request) { try $0.outbox(status: status, limit: limit) }
        }
        v1.post("members/:id/consent") { request, context in
            let member = try context.parameters.require("id")
            let body = try await Self.decode(ConsentRequest.self, request, context)
            return try await write(request) { node, _ in try node.setConsent(member: member, messages: body.messages) }
        }
        v1.get("exports/:what") { request, context in
            let what = try context.parameters.require("what")
            func millis(_ name: String) throws -> UInt64? { try Self.query(request, name).map { try LocalNode.auditTime($0, field: name) } }
            let (from, to) = (try millis("from"), try millis("to"))
            return try await csv(request) { try $0.export(what, from: from, to: to).csv }
        }
        v1.get("audit") { request, _ in
            func q(_ name: String) -> String? { Self.query(request, name) }
            func millis(_ name: String) throws -> UInt64? { try q(name).map { try LocalNode.auditTime($0, field: name) } }
            let filter = NodeStore.AuditFilter(operatorID: q("operator"), branch: try q("branch").map { try NodeID($0) },
                                               kind: q("kind"), from: try millis("from"), to: try millis("to"),
                                               limit: Int(q("limit") ?? "") ?? 1_000)
            return try await read(request) { try $0.audit(filter) }
        }
        return router
    }

    // MARK: Running a request

    /// A read for the session's caller.
    private func read<T: Encodable & Sendable>(_ request: Request, _ body: @escaping @Sendable (LocalNode) throws -> T) async throws -> Response {
        let token = try Self.bearer(request)
        let result = try await offload { try body(try node.authenticate(session: token)) }
        return try Self.json(result, status: .ok)
    }

    /// A CSV document for the session's caller (UTF-8 with a byte-order mark).
    private func csv(_ request: Request, _ body: @escaping @Sendable (LocalNode) throws -> String) async throws -> Response {
        let token = try Self.bearer(request)
        let text = try await offload { try body(try node.authenticate(session: token)) }
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A write for the session's caller with its `Idempotency-Key` (the same key again gets the
    /// first answer; with other content, 409 idempotency_conflict).
    private func write<T: Encodable & Sendable>(_ request: Request, _ body: @escaping @Sendable (LocalNode, String?) throws -> T) async throws -> Response {
        let token = try Self.bearer(request)
        let key = request.headers[.idempotencyKey]
        return try await write(status: .created) { try body(try node.authenticate(session: token), key) }
    }

    /// A member's photo as an answer: the image (never cached: it is personal data); none taken,
    /// `not_found`; kept elsewhere, 202 while the node asks head office or the home branch for it.
    func photoResponse(_ member: String, _ photo: MemberPhoto) throws -> Response {
        switch photo {
        case .none:
            throw MMSError(.notFound, "No photo has been taken of member \(member.prefix(MMSCore.Limits.maxIdentifierLength)).", details: ["reason": "no_photo"])
        case .here(let image, let kind):
            return Response(status: .ok, headers: [.contentType: kind.rawValue, .cacheControl: "private, no-store", .init("X-Content-Type-Options")!: "nosniff"],
                            body: .init(byteBuffer: ByteBuffer(bytes: image)))
        case .elsewhere(let digest, let holders):
            let asked = photos?(member, digest, holders) ?? []
            return try Self.json(PhotoFetching(member: member, asked: asked.map(\.rawValue)), status: .accepted)
        }
    }

    private func write<T: Encodable & Sendable>(status: HTTPResponse.Status, _ body: @escaping @Sendable () throws -> T) async throws -> Response {
        let result = try await offload(body)
        return try Self.json(result, status: status)
    }

    /// Store work and Argon2id checks block: they run on NIO's thread pool, not the event loop,
    /// within `requestMillis`.
    func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let answer = loop.makePromise(of: T.self)
        Self.storePool.runIfActive(eventLoop: loop, body).cascade(to: answer)
        let deadline = loop.scheduleTask(in: .milliseconds(requestMillis)) { [requestMillis] in
            answer.fail(MMSError(.storeFailure, "The node did not answer within \(requestMillis) ms. The request may still complete: retry it with the same Idempotency-Key to learn its outcome."))
        }
        defer { deadline.cancel() }
        return try await answer.futureResult.get()
    }

    /// The till API's own thread pool for store work, started once per process.
    static let storePool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: Limits.storeThreads)
        pool.start()
        return pool
    }()

    static let jsonHeaders: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store",
                                          HTTPField.Name("X-Content-Type-Options")!: "nosniff"]

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status) throws -> Response {
        let data = try JSONEncoder.snakeCase.encode(value)
        return Response(status: status, headers: jsonHeaders, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A query parameter; an empty one counts as absent.
    /// A money tender other than stored value: cash, bank or mobile.
    static func tender(_ text: String?) throws -> TenderKind? {
        try text.map { text in
            guard let kind = TenderKind(rawValue: text), TenderKind.money.contains(kind) else {
                throw MMSError(.invalidArgument, "A tender here is cash, bank or mobile, not “\(text.prefix(20))”.")
            }
            return kind
        }
    }

    static func query(_ request: Request, _ name: String) -> String? {
        request.uri.queryParameters.get(name).flatMap { $0.isEmpty ? nil : $0 }
    }

    static func bearer(_ request: Request) throws -> String {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "), header.count > 7, header.utf8.count <= 512 else {
            throw MMSError(.unauthenticated, "No credentials: send Authorization: Bearer <token>.")
        }
        return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }

    /// The request's body, refused with `body_too_large` past the limit (JSON, a form, an image alike).
    static func body(_ request: Request, _ context: TillRequestContext, limit: Int? = nil) async throws -> ByteBuffer {
        let limit = limit ?? context.maxUploadSize
        do { return try await request.body.collect(upTo: limit) } catch is NIOTooManyBytesError {
            throw MMSError(.bodyTooLarge, "The request body is over \(limit) bytes.")
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw MMSError(.bodyTooLarge, "The request body is over \(limit) bytes.")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: TillRequestContext) async throws -> T {
        let buffer = try await body(request, context)
        do {
            return try JSONDecoder.snakeCase.decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw MMSError(.invalidArgument, "The request body is not the JSON this endpoint takes: \(Self.describe(error))")
        } catch {
            throw MMSError(.invalidArgument, "The request body is not valid JSON.")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "“\(key.stringValue)” is missing."
        case .typeMismatch(_, let c), .valueNotFound(_, let c): "“\(c.codingPath.map(\.stringValue).joined(separator: "."))” has the wrong type."
        case .dataCorrupted(let c): c.codingPath.isEmpty ? "not valid JSON." : "“\(c.codingPath.map(\.stringValue).joined(separator: "."))” is not valid."
        @unknown default: "not valid."
        }
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}

/// Turns every error into our JSON body, `{"ok":false,"error":CODE,"message":…,"details":…}`,
/// with the status `TillAPI.status(for:)` gives its code. The one place errors meet HTTP.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = TillRequestContext
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as MMSError {
            return Self.response(error)
        } catch let error as HTTPError {
            let code: MMSError.Code = switch error.status {
            case .notFound: .notFound
            case .contentTooLarge: .bodyTooLarge
            case .unauthorized: .unauthenticated
            case .methodNotAllowed, .badRequest: .invalidArgument
            default: .storeFailure
            }
            if error.status == .notFound {
                // A path the API has, with a method it does not take: 405 and the methods it does.
                let allowed = routes.methods(for: request.uri.path)
                if !allowed.isEmpty {
                    var response = Self.response(MMSError(.invalidArgument, "\(request.uri.path) takes \(allowed.joined(separator: ", ")), not \(request.method)."),
                                                 status: .methodNotAllowed)
                    response.headers[.allow] = allowed.joined(separator: ", ")
                    return response
                }
            }
            let message = error.status == .notFound ? "There is no \(request.method) \(request.uri.path) in the till API (see /v1/openapi.json)." : (error.body ?? "\(error.status)")
            return Self.response(MMSError(code, message), status: error.status)
        } catch {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return Self.response(MMSError(.storeFailure, "The node could not complete the request. Nothing was changed."))
        }
    }

    static func response(_ error: MMSError, status: HTTPResponse.Status? = nil) -> Response {
        let body = ErrorBody(error: error.code.rawValue, message: error.message, details: error.details)
        let data = (try? JSONEncoder.snakeCase.encode(body)) ?? Data()
        return Response(status: status ?? TillAPI.status(for: error.code), headers: TillAPI.jsonHeaders, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

struct ErrorBody: Encodable {
    let ok = false
    let error: String
    let message: String
    let details: [String: String]
}

extension TillAPI {
    /// The HTTP status of each error code: 400 bad input, 401 no or expired session or unknown
    /// till, 403 the role may not, 404 unknown, 409 conflict, 422 refused by a rule, 413 too
    /// large, 503 store fault.
    public static func status(for code: MMSError.Code) -> HTTPResponse.Status {
        switch code {
        case .invalidAmount, .invalidArgument, .invalidTopology: .badRequest
        case .unauthenticated, .sessionExpired, .unknownTill, .tillRevoked, .wrongPassword: .unauthorized
        case .notPermitted, .operatorLocked, .operatorDisabled: .forbidden
        case .unknownCard, .unknownMember, .unknownCoupon, .unknownOperator, .unknownProduct, .unknownTransfer, .unknownSale, .notFound: .notFound
        case .idempotencyConflict, .programChanged, .cardExists, .memberExists, .couponExists, .productExists, .operatorExists, .tillExists, .alreadyInitialised: .conflict
        case .bodyTooLarge: .contentTooLarge
        case .insufficientFunds, .insufficientPoints, .noUsesLeft, .couponUsed, .couponExpired, .wrongPIN, .pinLocked, .pinRequired,
             .cardBlocked, .cardExpired, .memberCodeExpired, .slotFull, .wrongCardType: .unprocessableContent
        case .storeFailure, .clockSkew, .notInitialised, .verifyFailed, .malformedOp, .badSignature, .brokenChain, .fork, .unknownOrigin, .batchTooLarge:
            .serviceUnavailable
        }
    }
}

/// The API's routes as registered, so a known path asked with another method gets 405 and `Allow`.
final class RouteTable: @unchecked Sendable {
    private var templates: [(method: String, parts: [Substring])] = []

    func add(_ method: HTTPRequest.Method, _ path: String) { templates.append((method.rawValue, ("/v1/" + path).split(separator: "/"))) }

    func methods(for path: String) -> [String] {
        let parts = path.split(separator: "/")
        return templates.filter { t in t.parts.count == parts.count && zip(t.parts, parts).allSatisfy { $0.hasPrefix(":") || $0 == $1 } }
            .map(\.method).sorted()
    }
}

/// Registers routes on the `/v1` group and records them in the route table.
struct Routes {
    let group: RouterGroup<TillRequestContext>
    let table: RouteTable

    func get(_ path: String, use handler: @escaping @Sendable (Request, TillRequestContext) async throws -> Response) {
        table.add(.get, path); group.get(RouterPath(path), use: handler)
    }
    func post(_ path: String, use handler: @escaping @Sendable (Request, TillRequestContext) async throws -> Response) {
        table.add(.post, path); group.post(RouterPath(path), use: handler)
    }
    func delete(_ path: String, use handler: @escaping @Sendable (Request, TillRequestContext) async throws -> Response) {
        table.add(.delete, path); group.delete(RouterPath(path), use: handler)
    }
    func put(_ path: String, use handler: @escaping @Sendable (Request, TillRequestContext) async throws -> Response) {
        table.add(.put, path); group.put(RouterPath(path), use: handler)
    }
}

// MARK: Request bodies (the CLI's names)

/// A photo kept by other nodes: whom this node asked for it (none when it is cut off from all).
struct PhotoFetching: Encodable, Sendable { let status = "fetching"; let member: String; let asked: [String] }
struct LoginRequest: Decodable, Sendable { let `operator`: String; let password: String }
struct MemberRequest: Decodable, Sendable { let name: String; let phone: String; let birthday: String?; let referrer: String? }
struct CardRequest: Decodable, Sendable {
    let member: String; let type: String?; let number: String; let pin: String?; let discount: Int64?; let uses: Int64?; let staff: String?
    let product: String?; let topup: String?; let tender: String?; let companion: Bool?
}
struct PointsTransferRequest: Decodable, Sendable { let card: String; let to: String; let points: Int64; let pin: String? }
struct CouponTransferRequest: Decodable, Sendable { let card: String; let to: String; let pin: String? }
struct BirthdayGiftsRequest: Decodable, Sendable { let month: String }
struct GiftRequest: Decodable, Sendable { let card: String; let pin: String? }
struct TransferRequest: Decodable, Sendable { let to: String; let amount: String; let pin: String? }
struct PINChangeRequest: Decodable, Sendable { let old: String?; let new: String }
struct CardReturnRequest: Decodable, Sendable { let pin: String?; let tender: String? }
struct TopUpRequest: Decodable, Sendable { let card: String; let amount: String; let tender: String?; let reference: String?; let staff: String? }
struct ReplaceRequest: Decodable, Sendable { let number: String; let pin: String? }
struct ReturnRequest: Decodable, Sendable {
    struct Line: Decodable, Sendable { let line: Int; let quantity: Int64 }
    let lines: [Line]?
}

extension Optional {
    func orRefuse(_ error: MMSError) throws -> Wrapped {
        guard let self else { throw error }
        return self
    }
}

struct BasketRequest: Decodable, Sendable {
    struct Item: Decodable, Sendable { let sku: String?; let quantity: Int64?; let amount: String? }
    struct Tender: Decodable, Sendable { let kind: String; let amount: String?; let reference: String? }
    let card: String?; let items: [Item]?; let tenders: [Tender]?; let staff: String?; let pin: String?; let amount: String?

    /// Items and tenders; `amount` alone is one amount line, taken in cash unless tenders say otherwise.
    func saleRequest(pricing: Bool = false) throws -> SaleRequest {
        var lines = try (items ?? []).map { item -> SaleRequest.Item in
            switch (item.sku, item.amount) {
            case (let sku?, nil): return SaleRequest.Item(sku: sku, quantity: item.quantity ?? 1)
            case (nil, let amount?) where item.quantity ?? 1 == 1: return .amount(try Money(typed: amount))
            default: throw MMSError(.invalidArgument, "An item is a sku with its quantity, or an amount alone.")
            }
        }
        if let amount { lines.append(.amount(try Money(typed: amount))) }
        guard !lines.isEmpty else { throw MMSError(.invalidArgument, "A sale needs items (or an amount) and tenders.") }
        let payments = try (tenders ?? (amount != nil || pricing ? [Tender(kind: TenderKind.cash.rawValue, amount: nil, reference: nil)] : [])).map { tender in
            guard let kind = TenderKind(rawValue: tender.kind) else {
                throw MMSError(.invalidArgument, "A tender's kind is stored, cash, bank, mobile, points, coupon or punch, not “\(tender.kind.prefix(20))”.")
            }
            return SaleRequest.Payment(kind: kind, amount: try tender.amount.map { try Money(typed: $0) }, reference: tender.reference ?? "")
        }
        return SaleRequest(card: card, items: lines, payments: payments, staff: staff)
    }
}
struct ReminderRequest: Decodable, Sendable { let kind: String; let days: Int64?; let below: String?; let dryRun: Bool? }
struct ConsentRequest: Decodable, Sendable { let messages: Bool }
struct ChargeRequest: Decodable, Sendable { let card: String; let amount: String; let pin: String?; let partial: Bool? }
struct RefundRequest: Decodable, Sendable { let card: String; let charge: String; let amount: String }
struct PointsRequest: Decodable, Sendable { let card: String; let points: Int64; let pin: String? }
struct PunchRequest: Decodable, Sendable { let card: String; let uses: Int64?; let service: String?; let pin: String? }
struct CouponRequest: Decodable, Sendable { let member: String; let code: String?; let value: String?; let title: String?; let template: String? }
