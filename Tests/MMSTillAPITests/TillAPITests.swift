import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MMSCore
import MMSNode
import MMSTillAPI
import MMSTopology
import NIOCore
import Testing

/// The till API in process (HummingbirdTesting's router client): every route, every error code
/// with its status, roles, idempotency — and every answer checked against the served OpenAPI
/// document. A refusal must leave the state hash as it was.
@Suite struct TillAPITests {
    let node: LocalNode
    let tillToken: String

    init() throws {
        let directory = DataDirectory(FileManager.default.temporaryDirectory.appendingPathComponent("mms-api-\(UUID().uuidString)").path)
        try LocalNode.initialise(directory: directory, id: NodeID("branch-1"), role: .branch)
        node = try LocalNode(directory: directory)
        tillToken = try node.registerTill(name: "till-1").token
        _ = try node.addOperator(id: "c01", name: "李娜", role: .cashier, branch: nil, password: "c01-Pass!")
        _ = try node.addOperator(id: "m01", name: "王经理", role: .manager, branch: nil, password: "m01-Pass!")
    }

    /// One client session: sends requests, checks each answer against the document, decodes JSON.
    struct Client {
        let client: any TestClientProtocol
        let checker: OpenAPIChecker

        @discardableResult
        func send(_ method: HTTPRequest.Method, _ path: String, token: String? = nil, key: String? = nil, body: String? = nil,
                  sourceLocation: SourceLocation = #_sourceLocation) async throws -> (status: Int, json: [String: Any]) {
            var headers: HTTPFields = [.contentType: "application/json"]
            if let token { headers[.authorization] = "Bearer \(token)" }
            if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
            return try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
                let data = Data(buffer: response.body)
                let problems = checker.problems(method: method.rawValue, path: path, status: Int(response.status.code), body: data)
                #expect(problems.isEmpty, "\(problems)", sourceLocation: sourceLocation)
                let json = data.isEmpty ? [:] : (try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:])
                return (Int(response.status.code), json)
            }
        }

        /// A request whose body is bytes of `type` (an image), its answer checked against the document.
        func send(_ method: HTTPRequest.Method, _ path: String, token: String, bytes: [UInt8]? = nil, type: String,
                  sourceLocation: SourceLocation = #_sourceLocation) async throws -> (status: Int, body: [UInt8], type: String?) {
            let headers: HTTPFields = [.contentType: type, .authorization: "Bearer \(token)"]
            return try await client.execute(uri: path, method: method, headers: headers, body: bytes.map { ByteBuffer(bytes: $0) }) { response in
                let data = Data(buffer: response.body)
                let problems = checker.problems(method: method.rawValue, path: path, status: Int(response.status.code), body: data)
                #expect(problems.isEmpty, "\(problems)", sourceLocation: sourceLocation)
                return (Int(response.status.code), [UInt8](data), response.headers[.contentType])
            }
        }

        func login(_ till: String, _ op: String, _ password: String) async throws -> String {
            let (status, json) = try await send(.post, "/v1/sessions", token: till, body: #"{"operator":"\#(op)","password":"\#(password)"}"#)
            try #require(status == 201, "login as \(op): \(json)")
            return try #require(json["token"] as? String)
        }
    }

    func withClient(requestMillis: Int64 = TillAPI.Limits.requestMillis, _ body: @escaping @Sendable (Client) async throws -> Void) async throws {
        let app = Application(router: TillAPI(node: node, requestMillis: requestMillis).router())
        try await app.test(.router) { client in
            let document = try await client.execute(uri: "/v1/openapi.json", method: .get) { Data(buffer: $0.body) }
            try await body(Client(client: client, checker: try OpenAPIChecker(json: document)))
        }
    }

    @Test func aCashierServesAMemberFromSignUpToPayment() async throws {
        let node = self.node, till = tillToken
        try await withClient { c in
            let session = try await c.login(till, "c01", "c01-Pass!")
            let (s1, member) = try await c.send(.post, "/v1/members", token: session, key: "m1", body: #"{"name":"王芳","phone":"+86 138-0000-0001"}"#)
            #expect(s1 == 201 && member["birthday"] == nil && member["phone"] as? String == "+86*******0001")
            let id = try #require(member["id"] as? String)
            let (s2, _) = try await c.send(.post, "/v1/cards", token: session, key: "c1", body: #"{"member":"\#(id)","type":"stored","number":"6200000001","pin":"2468"}"#)
            #expect(s2 == 201)
            let (s3, topUp) = try await c.send(.post, "/v1/topups", token: session, key: "t1", body: #"{"card":"6200000001","amount":"100.00"}"#)
            #expect(s3 == 201 && topUp["balance"] as? String == "100.00")
            let (s4, charge) = try await c.send(.post, "/v1/charges", token: session, key: "ch1", body: #"{"card":"6200000001","amount":"30.00","pin":"2468"}"#)
            #expect(s4 == 201 && charge["balance"] as? String == "70.00" && charge["replayed"] as? Bool == false)
            // The same key again: the first answer, nothing charged twice.
            let (s5, again) = try await c.send(.post, "/v1/charges", token: session, key: "ch1", body: #"{"card":"6200000001","amount":"30.00","pin":"2468"}"#)
            #expect(s5 == 201 && again["op"] as? String == charge["op"] as? String && again["replayed"] as? Bool == true && again["balance"] as? String == "70.00")
            let (s6, found) = try await c.send(.get, "/v1/members?phone=%2B86%20138%200000%200001", token: session)
            #expect(s6 == 200 && (found["members"] as? [Any])?.count == 1)
            let (s7, card) = try await c.send(.get, "/v1/cards/6200000001", token: session)
            #expect(s7 == 200 && card["balance"] as? String == "70.00" && card["points"] as? Int == 30 && (card["history"] as? [Any])?.count == 4)
            #expect(try await c.send(.get, "/v1/members/\(id)", token: session).status == 200)
            // Cash needs no PIN; the member's own stored value does.
            let (sc, cashSale) = try await c.send(.post, "/v1/sales", token: session, key: "s1", body: #"{"card":"6200000001","amount":"10.00"}"#)
            #expect(sc == 201 && cashSale["points_earned"] as? Int == 10 && cashSale["balance"] as? String == "70.00", "\(cashSale)")
            #expect(try await c.send(.post, "/v1/sales", token: session, key: "s2",
                                     body: #"{"card":"6200000001","amount":"10.00","tenders":[{"kind":"stored"}]}"#).json["error"] as? String == "pin_required")
            #expect(try await c.send(.post, "/v1/points/redemptions", token: session, key: "p1", body: #"{"card":"6200000001","points":10,"pin":"2468"}"#).status == 201)
            #expect(try await c.send(.post, "/v1/cards/6200000001/lost", token: session, key: "l1").status == 201)
            #expect(try await c.send(.post, "/v1/charges", token: session, key: "ch9", body: #"{"card":"6200000001","amount":"1.00","pin":"2468"}"#).json["error"] as? String == "card_blocked")
            #expect(try await c.send(.delete, "/v1/sessions", token: session).status == 204)
            #expect(try await c.send(.get, "/v1/cards/6200000001", token: session).status == 401)
        }
        // Every op names the cashier and the till.
        let audit = try node.audit(.init())
        #expect(audit.entries.filter { $0.kind != "till_registered" && $0.kind != "operator_added" }.allSatisfy { $0.operator == "c01" && $0.till == "till-1" })
    }

    /// A member code (会员码) from the member's page pays as the card, with no PIN asked (its
    /// holder signed in with it); a forged one names no card; one past its two minutes is refused,
    /// and either refusal changes nothing.
    @Test func aMemberCodePaysAsItsCardUntilItExpires() async throws {
        let member = try node.addMember(MemberProfile(name: "王芳", phone: "13800000001", birthday: "1990-01-01"))
        _ = try node.issueCard(number: "6200000001", member: member.id, type: .stored, pin: "2468", discountPercent: nil, uses: nil)
        _ = try node.topUp(card: "6200000001", amount: Money(fen: 30_000), requestKey: nil)
        // Handles on the same store with clocks that stand still: the code's two minutes are the
        // test's to choose, however slowly a busy machine runs it.
        let t0 = LocalNode.wallClockMillis(), directory = node.directory
        func handle(at millis: UInt64) throws -> LocalNode { try LocalNode(directory: directory, clock: { millis }) }
        let minting = try handle(at: t0)
        let code = try minting.memberCode(session: try minting.signInMember(card: "6200000001", pin: "2468").token)
        #expect(code.code.hasPrefix("MC6200000001.") && code.card == "6200000001" && code.seconds == 120)
        let forged = code.code.dropLast(2) + (code.code.hasSuffix("00") ? "11" : "00")
        let till = tillToken
        func atTill(_ node: LocalNode, _ body: @escaping @Sendable (Client, String) async throws -> Void) async throws {
            try await Application(router: TillAPI(node: node).router()).test(.router) { client in
                let document = try await client.execute(uri: "/v1/openapi.json", method: .get) { Data(buffer: $0.body) }
                let c = Client(client: client, checker: try OpenAPIChecker(json: document))
                try await body(c, try await c.login(till, "c01", "c01-Pass!"))
            }
        }
        let inTime = try handle(at: t0 + 1_000)
        try await atTill(inTime) { c, cashier in
            let (s1, looked) = try await c.send(.get, "/v1/cards/\(code.code)", token: cashier)
            #expect(s1 == 200 && looked["card"] as? String == "6200000001", "the till looks the code up as the card: \(looked)")
            let (s2, paid) = try await c.send(.post, "/v1/charges", token: cashier, key: "code-1", body: #"{"card":"\#(code.code)","amount":"50.00"}"#)
            #expect(s2 == 201 && paid["card"] as? String == "6200000001" && paid["balance"] as? String == "250.00", "\(paid)")
            // Without the code, the card still asks for its PIN.
            let (s3, plain) = try await c.send(.post, "/v1/charges", token: cashier, key: "plain-1", body: #"{"card":"6200000001","amount":"1.00"}"#)
            #expect(s3 == 422 && plain["error"] as? String == "pin_required", "\(plain)")
            let before = try inTime.store.stateHash()
            let (s4, bad) = try await c.send(.post, "/v1/charges", token: cashier, key: "forged-1", body: #"{"card":"\#(forged)","amount":"1.00"}"#)
            #expect(s4 == 404 && bad["error"] as? String == "unknown_card", "\(bad)")
            #expect(try inTime.store.stateHash() == before)
        }
        // Two minutes and a second on: the code has expired.
        let later = try handle(at: t0 + 121_000)
        try await atTill(later) { c, cashier in
            let before = try later.store.stateHash()
            let (looked, old) = try await c.send(.get, "/v1/cards/\(code.code)", token: cashier)
            #expect(looked == 422 && old["error"] as? String == "member_code_expired", "\(old)")
            let (status, expired) = try await c.send(.post, "/v1/charges", token: cashier, key: "late-1", body: #"{"card":"\#(code.code)","amount":"1.00"}"#)
            #expect(status == 422 && expired["error"] as? String == "member_code_expired", "\(expired)")
            #expect(try later.store.stateHash() == before)
            let (sale, refused) = try await c.send(.post, "/v1/sales", token: cashier, key: "late-2",
                                                   body: #"{"card":"\#(code.code)","items":[],"amount":"1.00","tenders":[{"kind":"stored"}]}"#)
            #expect(sale == 422 && refused["error"] as? String == "member_code_expired", "\(refused)")
            // A retry of what the code paid in time is answered as the first time, not refused.
            let (s5, again) = try await c.send(.post, "/v1/charges", token: cashier, key: "code-1", body: #"{"card":"\#(code.code)","amount":"50.00"}"#)
            #expect((200...201).contains(s5) && again["replayed"] as? Bool == true && again["balance"] as? String == "250.00", "\(again)")
            #expect(try later.store.stateHash() == before)
        }
    }

    /// The receipt's QR code: the payment's and the sale's answer carry a link that opens the
    /// member's page with no PIN, to look and not to act, for a day; the card number is not in it,
    /// and a link the chain did not make opens nothing.
    @Test func aReceiptLinkOpensTheMembersPageToLookAt() async throws {
        let member = try node.addMember(MemberProfile(name: "王芳", phone: "13800000001", birthday: "1990-01-01"))
        _ = try node.issueCard(number: "6200000001", member: member.id, type: .stored, pin: "2468", discountPercent: nil, uses: nil)
        _ = try node.topUp(card: "6200000001", amount: Money(fen: 30_000), requestKey: nil)
        let node = self.node, till = tillToken
        let directory = node.directory
        try await withClient { c in
            let cashier = try await c.login(till, "c01", "c01-Pass!")
            let (s1, paid) = try await c.send(.post, "/v1/charges", token: cashier, key: "link-1", body: #"{"card":"6200000001","amount":"20.00","pin":"2468"}"#)
            let link = try #require(paid["member_link"] as? String, "\(paid)")
            #expect(s1 == 201 && !link.contains("6200000001"))
            let (s2, sold) = try await c.send(.post, "/v1/sales", token: cashier, key: "link-2",
                                              body: #"{"card":"6200000001","pin":"2468","items":[],"amount":"5.00","tenders":[{"kind":"stored"}]}"#)
            #expect(s2 == 201 && (sold["member_link"] as? String)?.isEmpty == false, "\(sold)")
            let (s3, walkIn) = try await c.send(.post, "/v1/sales", token: cashier, key: "link-3", body: #"{"items":[],"amount":"5.00","tenders":[{"kind":"cash"}]}"#)
            #expect(s3 == 201 && walkIn["member_link"] == nil, "no member, no link: \(walkIn)")
            // Opened in the browser: a session cookie, then the page with the balance and nothing to do.
            let opened = try await c.client.execute(uri: "/m/r/\(link)", method: .get) { $0 }
            let cookie = try #require(opened.headers[values: .setCookie].first { $0.hasPrefix("mms_member=") }, "\(opened.headers)")
            #expect(opened.status == .seeOther && opened.headers[.location] == "/m")
            let page = try await c.client.execute(uri: "/m", method: .get, headers: [.cookie: String(cookie.prefix { $0 != ";" })]) { String(buffer: $0.body) }
            #expect(page.contains("¥275.00") && page.contains("id=\"view-only\"") && !page.contains("id=\"member-code\"") && !page.contains("action=\"/m/check-in\""), "\(page)")
            let code = try await c.client.execute(uri: "/m/code", method: .get, headers: [.cookie: String(cookie.prefix { $0 != ";" })]) { $0 }
            #expect(code.status == .forbidden, "the member code asks for the PIN")
            // One character in the middle changed (the last may carry only base64's spare bits): no session, no page.
            var characters = Array(link)
            characters[characters.count / 2] = characters[characters.count / 2] == "A" ? "B" : "A"
            let forged = String(characters)
            let refused = try await c.client.execute(uri: "/m/r/\(forged)", method: .get) { $0 }
            #expect(refused.status == .unauthorized && !refused.headers[values: .setCookie].contains { $0.hasPrefix("mms_member=") })
            // The session looks; it does not act.
            let session = try node.signInMember(receiptLink: link)
            #expect(session.viewOnly && session.card == "6200000001")
            let before = try node.store.stateHash()
            let acts: [() throws -> Void] = [{ _ = try node.memberCode(session: session.token) }, { _ = try node.checkIn(session: session.token) },
                                             { _ = try node.book(session: session.token, branch: "branch-1", service: "SV-1", slot: "2030-01-01 10:00") }]
            for act in acts {
                let error = try #require(throws: MMSError.self, performing: act)
                #expect(error.code == .notPermitted && error.details["reason"] == "view_only", "\(error)")
            }
            #expect(try node.memberPage(session: session.token).viewOnly && node.store.stateHash() == before)
            // A day on (from now, after the link was made), the link opens nothing.
            let later = LocalNode.wallClockMillis() + LocalNode.receiptLinkMillis + 1_000
            let dayLater = try LocalNode(directory: directory, clock: { later })
            #expect(throws: MMSError.self) { try dayLater.signInMember(receiptLink: link) }
        }
    }

    /// A member's photo taken at the till and shown again: the image kept here as sent, its op
    /// naming only its digest; what is not a JPEG or PNG, or too large, is refused and changes nothing.
    @Test func aPhotoTakenAtTheTillIsShownToTheCashier() async throws {
        let node = self.node, till = tillToken
        let member = try node.addMember(MemberProfile(name: "王芳", phone: "13800000001", birthday: "1990-01-01"))
        // A real JPEG's first bytes, then a body: the node judges the kind by the bytes.
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + (0..<2_000).map { UInt8($0 % 251) } + [0xFF, 0xD9]
        try await withClient { c in
            let cashier = try await c.login(till, "c01", "c01-Pass!")
            let (s0, _, _) = try await c.send(.get, "/v1/members/\(member.id)/photo", token: cashier, type: "application/json")
            #expect(s0 == 404, "no photo yet")
            let (s1, answer, _) = try await c.send(.put, "/v1/members/\(member.id)/photo", token: cashier, bytes: jpeg, type: "image/jpeg")
            let recorded = try JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any] ?? [:]
            #expect(s1 == 201 && recorded["digest"] as? String == MemberPhotos.digest(jpeg).description && recorded["bytes"] as? Int == jpeg.count, "\(recorded)")
            let (s2, shown, type) = try await c.send(.get, "/v1/members/\(member.id)/photo", token: cashier, type: "application/json")
            #expect(s2 == 200 && shown == jpeg && type == "image/jpeg")
            // The op carries the digest, not the image: the log holds no byte run of it.
            let op = try #require(try node.store.ops(after: VersionVector(), limit: 10_000).last { $0.op.body.kind == "member_photo_set" })
            #expect(op.bytes.count < 200)
            let before = try node.store.stateHash()
            let (s3, notImage, _) = try await c.send(.put, "/v1/members/\(member.id)/photo", token: cashier, bytes: Array("<svg/>".utf8), type: "image/jpeg")
            #expect(s3 == 400 && String(decoding: notImage, as: UTF8.self).contains("not_an_image"))
            let large = [0xFF, 0xD8, 0xFF] + [UInt8](repeating: 7, count: MemberPhotos.maxBytes)
            let (s4, tooLarge, _) = try await c.send(.put, "/v1/members/\(member.id)/photo", token: cashier, bytes: large, type: "image/jpeg")
            #expect(s4 == 400 && String(decoding: tooLarge, as: UTF8.self).contains("photo_too_large"))
            let (s5, _, _) = try await c.send(.put, "/v1/members/nobody/photo", token: cashier, bytes: jpeg, type: "image/jpeg")
            #expect(s5 == 404)
            #expect(try node.store.stateHash() == before)
        }
        // A photo sent by a peer is kept only if it is the one the member's op names.
        let other = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 1, count: 100)
        #expect(try !node.keepSentPhoto(member: member.id, digest: MemberPhotos.digest(other), sealed: [UInt8](repeating: 0, count: 140)))
    }

    /// Reports, reminders and the outbox through the API, scoped by role: a manager reads their
    /// branch's reports and sends reminders; a cashier reads none; an export by a manager masks
    /// members' personal data and is written to the audit trail.
    @Test func aManagerReadsTheBranchsReportsAndACashierCannot() async throws {
        let member = try node.addMember(MemberProfile(name: "王芳", phone: "13800000001", birthday: "1990-01-01"))
        _ = try node.issueCard(number: "S1", member: member.id, type: .stored, pin: nil, discountPercent: nil, uses: nil)
        _ = try node.topUp(card: "S1", amount: Money(fen: 30_000), requestKey: nil)
        _ = try node.charge(card: "S1", amount: Money(fen: 12_000), pin: nil, requestKey: nil)
        let till = tillToken, id = member.id
        try await withClient { c in
            let manager = try await c.login(till, "m01", "m01-Pass!"), cashier = try await c.login(till, "c01", "c01-Pass!")
            let (s1, sales) = try await c.send(.get, "/v1/reports/sales?from=2020-01-01&to=2099-12-31&by=branch", token: manager)
            let rows = sales["rows"] as? [[String: Any]] ?? []
            #expect(s1 == 200 && sales["branch"] as? String == "branch-1" && rows.first?["amount"] as? String == "120.00", "\(sales)")
            let (s2, liability) = try await c.send(.get, "/v1/reports/liability", token: manager)
            #expect(s2 == 200 && (liability["chain"] as? [String: Any])?["principal"] as? String == "180.00")
            #expect(try await c.send(.get, "/v1/reports/members?segments=true", token: manager).status == 200)
            let (s10, tiers) = try await c.send(.get, "/v1/reports/tiers", token: manager)
            #expect(s10 == 200 && tiers["branch"] as? String == "branch-1" && tiers["members"] as? Int == 1, "\(tiers)")
            let month = String(Sales.day(wallMillis: UInt64(Date().timeIntervalSince1970 * 1_000)).prefix(7))
            let (s11, staff) = try await c.send(.get, "/v1/reports/staff?month=\(month)", token: manager)
            let credited = staff["staff"] as? [[String: Any]] ?? []
            #expect(s11 == 200 && staff["branch"] as? String == "branch-1" && credited.count == 1 && credited.first?["staff"] as? String == "-"
                    && credited.first?["net"] as? String == "120.00", "a charge is nobody's sale: \(staff)")
            let (s12, moves) = try await c.send(.get, "/v1/reports/tier-moves?from=\(month)&to=\(month)", token: manager)
            #expect(s12 == 200 && moves["branch"] as? String == "branch-1" && (moves["months"] as? [[String: Any]])?.count == 1, "\(moves)")
            #expect(try await c.send(.get, "/v1/reports/staff?month=\(month)", token: cashier).status == 403)
            #expect(try await c.send(.get, "/v1/reports/tier-moves?from=2026-12&to=2026-01", token: manager).status == 400)
            let (s9, branches) = try await c.send(.get, "/v1/reports/branches?from=2020-01-01&to=2099-12-31", token: manager)
            let compared = branches["branches"] as? [[String: Any]] ?? []
            #expect(s9 == 200 && branches["branch"] as? String == "branch-1" && compared.count == 1 && compared.first?["net"] as? String == "120.00"
                    && compared.first?["owed"] as? String == "180.00", "\(branches)")
            #expect(try await c.send(.get, "/v1/reports/points", token: manager).status == 200)
            #expect(try await c.send(.get, "/v1/reports/sales?from=2026-12-01&to=2026-11-01", token: manager).status == 400)
            #expect(try await c.send(.get, "/v1/reports/sales?from=2020-01-01&to=2099-12-31", token: cashier).status == 403)
            #expect(try await c.send(.get, "/v1/reports/campaigns/C1", token: manager).status == 403, "campaigns are head office's")
            let (s3, reminders) = try await c.send(.post, "/v1/reminders", token: manager, key: "r1", body: #"{"kind":"low-balance","below":"200.00"}"#)
            #expect(s3 == 201 && reminders["queued"] as? Int == 1, "\(reminders)")
            #expect(try await c.send(.post, "/v1/reminders", token: cashier, key: "r2", body: #"{"kind":"birthday"}"#).status == 403)
            let (s4, outbox) = try await c.send(.get, "/v1/outbox", token: manager)
            #expect(s4 == 200 && (outbox["messages"] as? [[String: Any]])?.first?["status"] as? String == "queued")
            #expect(try await c.send(.post, "/v1/members/\(id)/consent", token: cashier, key: "k1", body: #"{"messages":false}"#).status == 201)
            let (s5, none) = try await c.send(.post, "/v1/reminders", token: manager, key: "r3", body: #"{"kind":"low-balance","below":"200.00"}"#)
            #expect(s5 == 201 && none["queued"] as? Int == 0 && (none["entries"] as? [[String: Any]])?.first?["consent"] as? Bool == false)
            let export = try await c.client.execute(uri: "/v1/exports/members", method: .get, headers: [.authorization: "Bearer \(manager)"]) { response in
                (Int(response.status.code), String(buffer: response.body))
            }
            #expect(export.0 == 200 && export.1.hasPrefix("\u{FEFF}member,") && export.1.contains("王*") && !export.1.contains("王芳") && !export.1.contains("13800000001"))
        }
        #expect(try node.audit(.init(kind: "export_made")).entries.first?.operator == "m01")
    }

    @Test func aCashierFindsProductsBySKUBarcodeOrName() async throws {
        _ = try node.addProduct(ProductSet(sku: "PR-104", name: "精华液", kind: .goods, category: "护肤", price: Money(fen: 29_800),
                                           barcode: "6901234567892", unit: "瓶", active: true))
        _ = try node.addProduct(ProductSet(sku: "SV-001", name: "洗剪吹", kind: .service, category: "美发", price: Money(fen: 6_800),
                                           unit: "次", active: true, commission: .percent(basisPoints: 1_000)))
        _ = try node.receiveStock(StockMove(sku: "PR-104", quantity: 3))
        let till = tillToken
        try await withClient { c in
            let session = try await c.login(till, "c01", "c01-Pass!")
            for (query, sku) in [("6901234567892", "PR-104"), ("%E7%B2%BE%E5%8D%8E", "PR-104"), ("SV-001", "SV-001"), ("sv", "SV-001")] {
                let (status, found) = try await c.send(.get, "/v1/products?query=\(query)", token: session)
                let products = found["products"] as? [[String: Any]] ?? []
                #expect(status == 200 && products.count == 1 && products.first?["sku"] as? String == sku, "\(query): \(found)")
            }
            #expect((try await c.send(.get, "/v1/products", token: session).json["products"] as? [Any])?.count == 2)
            let (s1, product) = try await c.send(.get, "/v1/products/SV-001", token: session)
            #expect(s1 == 200 && product["price_here"] as? String == "68.00" && product["commission"] as? String == "10%")
            #expect(try await c.send(.get, "/v1/stock", token: session).json["branch"] as? String == "branch-1")
            let (s2, missing) = try await c.send(.get, "/v1/products/NOPE", token: session)
            #expect(s2 == 404 && missing["error"] as? String == "unknown_product")
        }
        // A basket: two lines, two tenders, one sale; a retry answers it again; a walk-in pays cash with change.
        let till2 = tillToken
        try await withClient { c in
            let session = try await c.login(till2, "c01", "c01-Pass!")
            let member = try #require(try await c.send(.post, "/v1/members", token: session, key: "bm", body: #"{"name":"王芳","phone":"13800000009"}"#).json["id"] as? String)
            #expect(try await c.send(.post, "/v1/cards", token: session, key: "bc", body: #"{"member":"\#(member)","type":"stored","number":"6200000009","pin":"2468"}"#).status == 201)
            #expect(try await c.send(.post, "/v1/topups", token: session, key: "bt", body: #"{"card":"6200000009","amount":"500.00"}"#).status == 201)
            let basket = #"{"card":"6200000009","items":[{"sku":"PR-104","quantity":1},{"sku":"SV-001","quantity":1}],"tenders":[{"kind":"stored","amount":"200.00"},{"kind":"cash"}],"staff":"c01","pin":"2468"}"#
            let (s1, sale) = try await c.send(.post, "/v1/sales", token: session, key: "b1", body: basket)
            #expect(s1 == 201 && sale["total"] as? String == "366.00" && sale["balance"] as? String == "300.00" && (sale["tenders"] as? [Any])?.count == 2, "\(sale)")
            let (s2, again) = try await c.send(.post, "/v1/sales", token: session, key: "b1", body: basket)
            #expect(s2 == 201 && again["replayed"] as? Bool == true && again["sale"] as? String == sale["sale"] as? String)
            let (s3, walkIn) = try await c.send(.post, "/v1/sales", token: session, key: "b2",
                                                body: #"{"items":[{"sku":"SV-001","quantity":1}],"tenders":[{"kind":"cash","amount":"100.00"}]}"#)
            #expect(s3 == 201 && walkIn["change"] as? String == "32.00" && walkIn["balance"] == nil)
            let (s4, short) = try await c.send(.post, "/v1/sales", token: session, key: "b3",
                                               body: #"{"items":[{"sku":"SV-001","quantity":1}],"tenders":[{"kind":"bank","amount":"60.00","reference":"POS-1"}]}"#)
            #expect(s4 == 400 && short["error"] as? String == "invalid_amount")
            // The customer brings the serum back: 200.00 to the card first, 98.00 in cash; once only.
            let saleID = try #require(sale["sale"] as? String)
            let returned = #"{"lines":[{"line":1,"quantity":1}]}"#
            let (s5, back) = try await c.send(.post, "/v1/sales/\(saleID)/returns", token: session, key: "r1", body: returned)
            let refunds = (back["refunds"] as? [[String: Any]] ?? []).map { "\($0["kind"] ?? "") \($0["amount"] ?? "")" }
            #expect(s5 == 201 && refunds == ["stored 200.00", "cash 98.00"] && back["balance"] as? String == "500.00", "\(back)")
            #expect(try await c.send(.post, "/v1/sales/\(saleID)/returns", token: session, key: "r2", body: returned).json["error"] as? String == "invalid_argument")
            #expect(try await c.send(.post, "/v1/sales/branch-1/999/returns", token: session, key: "r3", body: "{}").status == 404)
        }
        #expect(try node.stock(sku: "PR-104").items.first?.onHand == 3)

        // A cashier may look the catalogue up, not change it.
        let cashier = try node.authenticate(session: try node.login(tillToken: tillToken, operator: "c01", password: "c01-Pass!").token)
        #expect(throws: MMSError.self) { try cashier.editProduct(ProductSet(sku: "SV-001", price: Money(fen: 1))) }
    }

    @Test func aManagerRunsPunchCardsCouponsRefundsAndReplacements() async throws {
        let till = tillToken
        try await withClient { c in
            let session = try await c.login(till, "m01", "m01-Pass!")
            let id = try #require(try await c.send(.post, "/v1/members", token: session, key: "m", body: #"{"name":"赵六","phone":"13900000009","birthday":"1988-02-29"}"#).json["id"] as? String)
            #expect(try await c.send(.post, "/v1/cards", token: session, key: "p", body: #"{"member":"\#(id)","type":"punch","number":"P1","uses":10}"#).status == 201)
            let (s1, punch) = try await c.send(.post, "/v1/punches", token: session, key: "u1", body: #"{"card":"P1","uses":2}"#)
            #expect(s1 == 201 && punch["uses_left"] as? Int == 8)
            #expect(try await c.send(.post, "/v1/cards", token: session, key: "d", body: #"{"member":"\#(id)","type":"discount","number":"D1","discount":90}"#).status == 201)
            let (s2, sale) = try await c.send(.post, "/v1/sales", token: session, key: "sale", body: #"{"card":"D1","amount":"100.00"}"#)
            #expect(s2 == 201 && sale["total"] as? String == "90.00" && sale["discount"] as? String == "10.00")
            #expect((sale["tenders"] as? [[String: Any]])?.first?["kind"] as? String == "cash")
            // The same basket priced first: the till's quote, nothing written.
            let (sq, quote) = try await c.send(.post, "/v1/sales/quote", token: session, body: #"{"card":"D1","items":[{"amount":"50.00"}]}"#)
            #expect(sq == 200 && quote["total"] as? String == "45.00" && quote["sale"] as? String == "")
            #expect(try await c.send(.post, "/v1/coupons", token: session, key: "cp", body: #"{"member":"\#(id)","code":"CP-1","value":"20.00","title":"满100减20"}"#).status == 201)
            #expect(try await c.send(.post, "/v1/coupons/CP-1/redemptions", token: session, key: "r1").status == 201)
            #expect(try await c.send(.post, "/v1/coupons/CP-1/redemptions", token: session, key: "r2").json["error"] as? String == "coupon_used")
            #expect(try await c.send(.post, "/v1/cards", token: session, key: "s", body: #"{"member":"\#(id)","type":"stored","number":"S1"}"#).status == 201)
            #expect(try await c.send(.post, "/v1/topups", token: session, key: "t", body: #"{"card":"S1","amount":"50.00"}"#).status == 201)
            let charge = try #require(try await c.send(.post, "/v1/charges", token: session, key: "c", body: #"{"card":"S1","amount":"20.00"}"#).json["op"] as? String)
            let (s3, refund) = try await c.send(.post, "/v1/refunds", token: session, key: "rf", body: #"{"card":"S1","charge":"\#(charge)","amount":"5.00"}"#)
            #expect(s3 == 201 && refund["balance"] as? String == "35.00")
            let (s4, replaced) = try await c.send(.post, "/v1/cards/S1/replace", token: session, key: "rp", body: #"{"number":"S2"}"#)
            #expect(s4 == 201 && replaced["replaces"] as? String == "S1")
            #expect(try await c.send(.post, "/v1/cards/S2/block", token: session, key: "b").status == 201)
            #expect(try await c.send(.get, "/v1/audit?kind=refund", token: session).json["entries"].map { ($0 as? [Any])?.count } == 1)
        }
    }

    @Test(arguments: [
        // (what, method, path, body, expected status, expected code)
        ("bad amount", "POST", "/v1/topups", #"{"card":"6200000001","amount":"1e3"}"#, 400, "invalid_amount"),
        ("missing field", "POST", "/v1/charges", #"{"card":"6200000001"}"#, 400, "invalid_argument"),
        ("not JSON", "POST", "/v1/members", "{", 400, "invalid_argument"),
        ("name with a newline", "POST", "/v1/members", #"{"name":"王\n芳","phone":"13800000002"}"#, 400, "invalid_argument"),
        ("unknown card", "GET", "/v1/cards/9999", nil, 404, "unknown_card"),
        ("unknown route", "GET", "/v1/nothing", nil, 404, "not_found"),
        ("overdraft", "POST", "/v1/charges", #"{"card":"6200000001","amount":"80.00","pin":"2468"}"#, 422, "insufficient_funds"),
        ("wrong PIN", "POST", "/v1/charges", #"{"card":"6200000001","amount":"1.00","pin":"1111"}"#, 422, "wrong_pin"),
        ("no PIN", "POST", "/v1/charges", #"{"card":"6200000001","amount":"1.00"}"#, 422, "pin_required"),
        ("existing card", "POST", "/v1/cards", #"{"member":"branch-1.m4","type":"stored","number":"6200000001"}"#, 409, "card_exists"),
        ("cashier refunds", "POST", "/v1/refunds", #"{"card":"6200000001","charge":"branch-1/7","amount":"1.00"}"#, 403, "not_permitted"),
        ("cashier reads the audit", "GET", "/v1/audit", nil, 403, "not_permitted"),
        ("cashier blocks a card", "POST", "/v1/cards/6200000001/block", nil, 403, "not_permitted"),
    ] as [(String, String, String, String?, Int, String)])
    func refusalsHaveTheirStatusAndChangeNothingButAWrongPIN(_ c: (what: String, method: String, path: String, body: String?, status: Int, code: String)) async throws {
        let node = self.node, till = tillToken
        try await withClient { client in
            let session = try await client.login(till, "c01", "c01-Pass!")
            let id = try #require(try await client.send(.post, "/v1/members", token: session, key: "m", body: #"{"name":"王芳","phone":"13800000001"}"#).json["id"] as? String)
            #expect(id == "branch-1.m4")
            try await client.send(.post, "/v1/cards", token: session, key: "c", body: #"{"member":"\#(id)","type":"stored","number":"6200000001","pin":"2468"}"#)
            try await client.send(.post, "/v1/topups", token: session, key: "t", body: #"{"card":"6200000001","amount":"50.00"}"#)
            #expect(try await client.send(.post, "/v1/charges", token: session, key: "x", body: #"{"card":"6200000001","amount":"5.00","pin":"2468"}"#).json["op"] as? String == "branch-1/7")
            let before = try node.store.stateHash()
            let (status, json) = try await client.send(HTTPRequest.Method(c.method)!, c.path, token: session, key: "refused", body: c.body)
            #expect(status == c.status && json["error"] as? String == c.code, "\(c.what): \(json)")
            #expect(json["ok"] as? Bool == false && json["message"] is String)
            // A wrong PIN is recorded (it counts towards the lockout everywhere); nothing else is.
            #expect((try node.store.stateHash() == before) == (c.code != "wrong_pin"), "\(c.what)")
        }
    }

    @Test func withoutAValidSessionNothingHappens() async throws {
        let node = self.node, till = tillToken
        try await withClient { c in
            let session = try await c.login(till, "c01", "c01-Pass!")
            let before = try node.store.stateHash()
            let body = #"{"name":"王芳","phone":"13800000001"}"#
            #expect(try await c.send(.post, "/v1/members", key: "a", body: body).json["error"] as? String == "unauthenticated")
            #expect(try await c.send(.post, "/v1/members", token: String(repeating: "0", count: 64), key: "b", body: body).status == 401)
            #expect(try await c.send(.post, "/v1/members", token: till, key: "c", body: body).status == 401)   // a till token is not a session
            #expect(try await c.send(.post, "/v1/sessions", token: "till-9.00", body: #"{"operator":"c01","password":"c01-Pass!"}"#).json["error"] as? String == "unknown_till")
            #expect(try node.store.stateHash() == before)
            // The till is revoked: its open session ends at once, and it cannot log in again.
            _ = try node.revokeTill(name: "till-1")
            let revoked = try node.store.stateHash()
            let (status, json) = try await c.send(.post, "/v1/members", token: session, key: "d", body: body)
            #expect(status == 401 && json["error"] as? String == "till_revoked")
            #expect(try await c.send(.post, "/v1/sessions", token: till, body: #"{"operator":"c01","password":"c01-Pass!"}"#).status == 401)
            #expect(try node.store.stateHash() == revoked)
        }
    }

    @Test func fiveWrongPasswordsLockAnOperatorAndANewPasswordLiftsIt() async throws {
        let node = self.node, till = tillToken
        try await withClient { c in
            for attempt in 1...5 {
                let (status, json) = try await c.send(.post, "/v1/sessions", token: till, body: #"{"operator":"c01","password":"guess-\#(attempt)"}"#)
                #expect(status == 401 && json["error"] as? String == "wrong_password")
            }
            let (status, json) = try await c.send(.post, "/v1/sessions", token: till, body: #"{"operator":"c01","password":"c01-Pass!"}"#)
            #expect(status == 403 && json["error"] as? String == "operator_locked")
            // An unknown operator gets the wrong-password answer, not "no such operator".
            #expect(try await c.send(.post, "/v1/sessions", token: till, body: #"{"operator":"nobody","password":"whatever1"}"#).json["error"] as? String == "wrong_password")
            _ = try node.setPassword(operator: "c01", password: "c01-New-Pass")
            _ = try await c.login(till, "c01", "c01-New-Pass")
            _ = try node.disableOperator("c01")
            #expect(try await c.send(.post, "/v1/sessions", token: till, body: #"{"operator":"c01","password":"c01-New-Pass"}"#).json["error"] as? String == "operator_disabled")
        }
        #expect(try node.audit(.init(kind: "login_failed")).entries.count == 5)
    }

    @Test func aKnownPathWithAnotherMethodIs405AndEmptyFiltersAreAbsent() async throws {
        let till = tillToken
        try await withClient { c in
            let session = try await c.login(till, "m01", "m01-Pass!")
            let (status, json) = try await c.send(.put, "/v1/charges", token: session, body: "{}")
            #expect(status == 405 && json["error"] as? String == "invalid_argument")
            #expect(try await c.send(.delete, "/v1/cards/6200000001", token: session).status == 405)
            #expect(try await c.send(.get, "/v1/audit?operator=&branch=&kind=&from=&limit=", token: session).status == 200)
            #expect(try await c.send(.get, "/v1/audit?from=yesterday", token: session).status == 400)
            #expect(try await c.send(.delete, "/v1/sessions", token: String(repeating: "a", count: 64)).status == 401)
        }
    }

    @Test func aBodyOverTheLimitIsRefusedWith413() async throws {
        let till = tillToken
        try await withClient { c in
            let session = try await c.login(till, "c01", "c01-Pass!")
            let big = #"{"name":""# + String(repeating: "x", count: TillAPI.Limits.maxBodyBytes) + #"","phone":"13800000001"}"#
            let (status, json) = try await c.send(.post, "/v1/members", token: session, key: "big", body: big)
            #expect(status == 413 && json["error"] as? String == "body_too_large")
        }
    }

    /// Past the request time limit the till gets 503 and the advice to retry with the same key;
    /// the work goes on, and the retry gets its outcome. (A login, ~60 ms of Argon2id, against 1 ms.)
    @Test func aRequestPastTheTimeLimitIs503AndItsWorkGoesOn() async throws {
        let till = tillToken, node = self.node
        try await withClient(requestMillis: 1) { c in
            let (status, json) = try await c.send(.post, "/v1/sessions", token: till, body: #"{"operator":"c01","password":"wrong-password"}"#)
            #expect(status == 503 && json["error"] as? String == "store_failure" && (json["message"] as? String ?? "").contains("Idempotency-Key"))
        }
        // The refused login was still counted once its check finished.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, try node.store.read({ try $0.operatorView("c01")?.failures }) != 1 { try await Task.sleep(nanoseconds: 20_000_000) }
        #expect(try node.store.read { try $0.operatorView("c01")?.failures } == 1)
    }

    /// The checker itself must fail on an answer that breaks the document.
    @Test func theCheckerFindsAnswersThatBreakTheDocument() async throws {
        try await withClient { c in
            let wrongTypes = Data(#"{"balance":70,"card":"1","member":"m","name":"n","phone":"p","tier":"t"}"#.utf8)
            #expect(!c.checker.problems(method: "GET", path: "/v1/cards/1", status: 200, body: wrongTypes).isEmpty)
            #expect(!c.checker.problems(method: "POST", path: "/v1/charges", status: 418, body: Data()).isEmpty)
            #expect(!c.checker.problems(method: "POST", path: "/v1/charges", status: 422, body: Data(#"{"ok":false}"#.utf8)).isEmpty)
        }
    }

    @Test func everyErrorCodeHasAStatus() {
        for code in MMSError.Code.allCases {
            #expect((400...599).contains(Int(TillAPI.status(for: code).code)))
        }
    }

    /// Head office's program and the card's life through the API, at a head-office node.
    @Test func theProgramAndTheCardsLifeOverTheAPI() async throws {
        let directory = DataDirectory(FileManager.default.temporaryDirectory.appendingPathComponent("mms-api-hq-\(UUID().uuidString)").path)
        try LocalNode.initialise(directory: directory, id: NodeID("hq"), role: .hq)
        let hq = try LocalNode(directory: directory)
        let till = try hq.registerTill(name: "till-1").token
        _ = try hq.addOperator(id: "h01", name: "总部", role: .hqAdmin, branch: nil, password: "h01-Pass!")
        _ = try hq.addOperator(id: "c01", name: "李娜", role: .cashier, branch: nil, password: "c01-Pass!")
        let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../programs/demo.toml").standardized.path
        _ = try hq.setProgram(try ProgramFile.load(path: demo))
        let app = Application(router: TillAPI(node: hq).router())
        try await app.test(.router) { client in
            let document = try await client.execute(uri: "/v1/openapi.json", method: .get) { Data(buffer: $0.body) }
            let c = Client(client: client, checker: try OpenAPIChecker(json: document))
            let admin = try await c.login(till, "h01", "h01-Pass!"), cashier = try await c.login(till, "c01", "c01-Pass!")
            let (s0, program) = try await c.send(.get, "/v1/program", token: cashier)
            #expect(s0 == 200 && program["version"] as? Int == 1)
            var members: [String] = []
            for (name, phone) in [("王芳", "13800000001"), ("李雷", "13800000002")] {
                members.append(try #require(try await c.send(.post, "/v1/members", token: cashier, key: "m\(phone)",
                                                             body: #"{"name":"\#(name)","phone":"\#(phone)","birthday":"1990-12-01"}"#).json["id"] as? String))
            }
            let (s1, gold) = try await c.send(.post, "/v1/cards", token: cashier, key: "g",
                                              body: #"{"member":"\#(members[1])","product":"gold-stored","number":"G1","topup":"10000.00","pin":"2468"}"#)
            #expect(s1 == 201 && gold["balance"] as? String == "10000.00" && gold["product"] as? String == "gold-stored" && gold["expires"] != nil, "\(gold)")
            #expect(try await c.send(.post, "/v1/cards", token: cashier, key: "g2",
                                     body: #"{"member":"\#(members[1])","product":"gold-stored","number":"G2","topup":"100.00"}"#).json["error"] as? String == "invalid_amount")
            #expect(try await c.send(.post, "/v1/cards", token: cashier, key: "s", body: #"{"member":"\#(members[0])","type":"stored","number":"S1","pin":"1111"}"#).status == 201)
            #expect(try await c.send(.post, "/v1/topups", token: cashier, key: "t", body: #"{"card":"S1","amount":"500.00"}"#).status == 201)
            // A cashier may not move money between members; head office may.
            #expect(try await c.send(.post, "/v1/cards/S1/transfers", token: cashier, key: "x0", body: #"{"to":"G1","amount":"50.00","pin":"1111"}"#).status == 403)
            let (s2, moved) = try await c.send(.post, "/v1/cards/S1/transfers", token: admin, key: "x1", body: #"{"to":"G1","amount":"50.00","pin":"1111"}"#)
            #expect(s2 == 201 && moved["balance"] as? String == "450.00" && moved["to_balance"] as? String == "10050.00", "\(moved)")
            #expect(try await c.send(.post, "/v1/cards/S1/pin", token: cashier, key: "p1", body: #"{"old":"1111","new":"2222"}"#).status == 201)
            #expect(try await c.send(.post, "/v1/cards/S1/pin", token: cashier, key: "p2", body: #"{"new":"3333"}"#).status == 403, "a reset is a manager's")
            let (s3, returned) = try await c.send(.post, "/v1/cards/S1/return", token: admin, key: "r1", body: #"{"pin":"2222","tender":"bank"}"#)
            #expect(s3 == 201 && returned["refunded"] as? String == "450.00" && returned["status"] as? String == "returned", "\(returned)")
            #expect(try await c.send(.post, "/v1/cards/G1/renew", token: cashier, key: "n1").status == 201)
            let (s4, coupon) = try await c.send(.post, "/v1/coupons", token: admin, key: "cp", body: #"{"member":"\#(members[0])","template":"CP-20OFF100"}"#)
            #expect(s4 == 201 && coupon["min_spend"] as? String == "100.00", "\(coupon)")
            let (s5, run) = try await c.send(.post, "/v1/campaigns/birthday-2026-12/runs", token: admin, key: "run1")
            #expect(s5 == 201 && run["eligible"] as? Int == 2 && run["issued"] as? Int == 2, "\(run)")
            #expect(try await c.send(.post, "/v1/campaigns/birthday-2026-12/runs", token: cashier, key: "run2").status == 403)
            let (s6, expiring) = try await c.send(.get, "/v1/points/expiring?before=2099-01-01", token: admin)
            // Only the welcome gift's points (200 each for the two members, with their first cards here).
            #expect(s6 == 200 && expiring["expiring"] as? Int == 400, "\(expiring)")
        }
    }
}
