import Foundation
import MMSCore
import MMSTopology
import Testing

/// The till API of real `mms node run` processes over HTTPS, checked with curl against the chain
/// CA: operators added at one node log in at another once the op arrives (also while cut off from
/// hq), a disable and a lockout reach every branch, a retry after a dropped connection charges once.
extension NetworkTests {
    struct HTTPAnswer { let status: Int; let json: [String: Any] }

    /// One HTTPS request with curl, trusting only the chain CA (and checking the host name).
    func https(_ method: String, _ node: String, _ path: String, file: String, token: String? = nil, key: String? = nil, body: String? = nil) throws -> HTTPAnswer {
        let api = try #require(try Topology.load(path: file).node(NodeID(node))).api
        var arguments = ["-s", "--max-time", "20", "--cacert", "\(root)/certs/t/ca.pem", "-X", method, "-w", "\n%{http_code}",
                         "-H", "Content-Type: application/json", "https://\(api)\(path)"]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        if let key { arguments += ["-H", "Idempotency-Key: \(key)"] }
        if let body { arguments += ["--data-binary", body] }
        let out = try run("/usr/bin/curl", arguments)
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.last ?? "") ?? 0
        let text = lines.dropLast().joined(separator: "\n")
        let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        return HTTPAnswer(status: status, json: object)
    }

    func run(_ executable: String, _ arguments: [String], stdin: String? = nil) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        if let stdin {
            let input = Pipe()
            p.standardInput = input
            try p.run()
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        } else {
            try p.run()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    func staffAdd(_ node: String, _ id: String, role: String, branch: String? = nil, password: String) throws {
        let output = try run(try mmsBinary().path, ["staff", "add", "--data", "\(root)/data/t/\(node)", "--id", id, "--name", "测试 \(id)", "--role", role,
                                                    "--password-stdin", "--json"] + (branch.map { ["--branch", $0] } ?? []), stdin: password + "\n")
        try #require(output.contains("\"status\":\"active\""), "staff add \(id) at \(node): \(output)")
    }

    func registerTill(_ node: String, _ name: String) throws -> String {
        try #require(try json(mms(["till", "register", "--data", "\(root)/data/t/\(node)", "--name", name, "--json"]).stdout)["token"] as? String)
    }

    func login(_ node: String, till: String, _ op: String, _ password: String, file: String) throws -> HTTPAnswer {
        try https("POST", node, "/v1/sessions", file: file, token: till, body: #"{"operator":"\#(op)","password":"\#(password)"}"#)
    }

    @Test func operatorsTillsAndIdempotencyAcrossTheChainOverHTTPS() throws {
        let file = try provisionChain()
        // An operator added at hq before any node runs (the directories exist after `certs init`).
        try staffAdd("hq", "ops1", role: "cashier", branch: "branch-2", password: "ops1-Pass!")
        try staffAdd("hq", "boss", role: "hq_admin", password: "boss-Pass!")
        try staffAdd("hq", "boss2", role: "hq_admin", password: "boss2-Pass!")
        var nodes = try ["hq", "branch-1", "branch-2"].map { try startNode($0, file: file) }
        defer { for p in nodes where p.isRunning { p.terminate() } }
        waitForStores()
        let till1 = try registerTill("branch-1", "till-1"), till2 = try registerTill("branch-2", "till-2")
        try waitUntil(30) { try login("branch-2", till: till2, "ops1", "ops1-Pass!", file: file).status == 201 }

        // hq is cut off (its node stops); branch-2 holds the op already, so ops1 still logs in there.
        nodes[0].terminate(); nodes[0].waitUntilExit()
        let session = try login("branch-2", till: till2, "ops1", "ops1-Pass!", file: file)
        #expect(session.status == 201 && session.json["branch"] as? String == "branch-2" && session.json["role"] as? String == "cashier")
        let token = try #require(session.json["token"] as? String)
        let member = try #require(try https("POST", "branch-2", "/v1/members", file: file, token: token, key: "m1", body: #"{"name":"王芳","phone":"13800000001"}"#).json["id"] as? String)
        #expect(try https("POST", "branch-2", "/v1/cards", file: file, token: token, key: "c1", body: #"{"member":"\#(member)","type":"stored","number":"C1","pin":"2468"}"#).status == 201)
        #expect(try https("POST", "branch-2", "/v1/topups", file: file, token: token, key: "t1", body: #"{"card":"C1","amount":"100.00"}"#).status == 201)
        // A cashier of branch-2 cannot act at branch-1.
        #expect(try login("branch-1", till: till1, "ops1", "ops1-Pass!", file: file).status == 403)

        // A charge whose answer is lost on the wire: the request reaches the node, the client
        // drops the connection without reading; the retry with the same key gets the first answer.
        let api = try #require(try Topology.load(path: file).node(NodeID("branch-2"))).api
        let charge = #"{"card":"C1","amount":"30.00","pin":"2468"}"#
        let raw = "POST /v1/charges HTTP/1.1\r\nHost: \(api)\r\nAuthorization: Bearer \(token)\r\nIdempotency-Key: lost-1\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(charge.utf8.count)\r\n\r\n\(charge)"
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        client.arguments = ["s_client", "-quiet", "-connect", api.description, "-CAfile", "\(root)/certs/t/ca.pem"]
        let input = Pipe()
        client.standardInput = input
        client.standardOutput = FileHandle.nullDevice
        client.standardError = FileHandle.nullDevice
        try client.run()
        input.fileHandleForWriting.write(Data(raw.utf8))
        let shown = { try json(mms(["show", "--data", "\(root)/data/t/branch-2", "--card", "C1", "--json"]).stdout)["balance"] as? String }
        try waitUntil(20) { try shown() == "70.00" }
        client.terminate()   // the answer is never read
        client.waitUntilExit()
        let retry = try https("POST", "branch-2", "/v1/charges", file: file, token: token, key: "lost-1", body: charge)
        #expect(retry.status == 201 && retry.json["replayed"] as? Bool == true && retry.json["balance"] as? String == "70.00")
        #expect(try shown() == "70.00")

        // hq comes back: it learns who did what at branch-2, with the till, inside the signed ops.
        nodes[0] = try startNode("hq", file: file)
        waitForStores(["hq"])
        try waitUntil(30) { try vector("hq")["branch-2"] ?? 0 >= 5 }
        let audit = try json(mms(["audit", "--data", "\(root)/data/t/hq", "--operator", "ops1", "--json"]).stdout)
        let entries = try #require(audit["entries"] as? [[String: Any]])
        #expect(entries.contains { $0["kind"] as? String == "charge" && $0["till"] as? String == "till-2" && $0["branch"] as? String == "branch-2" })

        // hq disables boss: branch-1 refuses the next login and ends the open session once it hears.
        let bossSession = try #require(try login("branch-1", till: till1, "boss", "boss-Pass!", file: file).json["token"] as? String)
        #expect(try https("GET", "branch-1", "/v1/audit?limit=5", file: file, token: bossSession).status == 200)
        try #require(mms(["staff", "disable", "--data", "\(root)/data/t/hq", "--id", "boss"]).status == 0)
        try waitUntil(30) { try login("branch-1", till: till1, "boss", "boss-Pass!", file: file).json["error"] as? String == "operator_disabled" }
        #expect(try login("branch-1", till: till1, "boss", "boss-Pass!", file: file).status == 403)
        #expect(try https("GET", "branch-1", "/v1/audit", file: file, token: bossSession).status == 401)

        // Five wrong passwords, three at branch-1 and two at branch-2, lock boss2 everywhere.
        for i in 1...3 { #expect(try login("branch-1", till: till1, "boss2", "wrong-\(i)-pass", file: file).status == 401) }
        for i in 4...5 { #expect(try login("branch-2", till: till2, "boss2", "wrong-\(i)-pass", file: file).status == 401) }
        try waitUntil(30) { try login("branch-1", till: till1, "boss2", "boss2-Pass!", file: file).json["error"] as? String == "operator_locked" }
        #expect(try login("branch-1", till: till1, "boss2", "boss2-Pass!", file: file).status == 403)
        #expect(try login("branch-2", till: till2, "boss2", "boss2-Pass!", file: file).status == 403)
    }

    /// Sixteen tills charge at once through the API; the node is killed with SIGKILL mid-stream.
    /// Every charge that got a 2xx is in the store after the crash, and the store verifies.
    @Test func everyAcknowledgedChargeSurvivesASIGKILL() throws {
        let file = try provisionChain()
        var node = try startNode("branch-1", file: file)
        defer { if node.isRunning { node.terminate() } }
        waitForStores(["branch-1"])
        let dir = "\(root)/data/t/branch-1"
        let till = try registerTill("branch-1", "till-1")
        try staffAdd("branch-1", "c01", role: "cashier", password: "c01-Pass!")
        var session = ""
        try waitUntil(20) {
            session = try login("branch-1", till: till, "c01", "c01-Pass!", file: file).json["token"] as? String ?? ""
            return !session.isEmpty
        }
        try #require(!session.isEmpty)
        let member = try #require(try https("POST", "branch-1", "/v1/members", file: file, token: session, key: "m", body: #"{"name":"张伟","phone":"13900000002"}"#).json["id"] as? String)
        for t in 0..<16 {
            #expect(try https("POST", "branch-1", "/v1/cards", file: file, token: session, key: "c\(t)", body: #"{"member":"\#(member)","type":"stored","number":"K\#(t)"}"#).status == 201)
        }
        #expect(try https("POST", "branch-1", "/v1/topups", file: file, token: session, key: "t", body: #"{"card":"K0","amount":"10000.00"}"#).status == 201)

        let lock = NSLock()
        nonisolated(unsafe) var acknowledged: [String] = []
        let tills = DispatchGroup()
        let session0 = session
        for t in 0..<16 {
            DispatchQueue.global().async(group: tills) {
                for n in 0..<40 {
                    guard let answer = try? self.https("POST", "branch-1", "/v1/charges", file: file, token: session0, key: "k\(t)-\(n)",
                                                       body: #"{"card":"K\#(t)","amount":"1.00"}"#) else { break }
                    guard answer.status == 201, let op = answer.json["op"] as? String else { if answer.status == 0 { break } else { continue } }
                    lock.lock(); acknowledged.append(op); lock.unlock()
                }
            }
        }
        waitUntil(30) { lock.lock(); defer { lock.unlock() }; return acknowledged.count >= 40 }
        kill(node.processIdentifier, SIGKILL)
        node.waitUntilExit()
        tills.wait()
        lock.lock(); let acked = Set(acknowledged); lock.unlock()
        #expect(acked.count >= 40)

        let stored = try #require(try json(mms(["audit", "--data", dir, "--kind", "charge", "--limit", "10000", "--json"]).stdout)["entries"] as? [[String: Any]])
        let ops = Set(stored.compactMap { $0["op"] as? String })
        #expect(acked.isSubset(of: ops), "acknowledged but lost: \(acked.subtracting(ops).sorted())")
        #expect(try mms(["node", "verify", "--data", dir]).status == 0)
        #expect(try json(mms(["show", "--data", dir, "--card", "K0", "--json"]).stdout)["balance"] as? String == Money(fen: 1_000_000 - Int64(ops.count) * 100).description)

        // The node comes back and serves the same session.
        node = try startNode("branch-1", file: file)
        try waitUntil(20) { try https("GET", "branch-1", "/v1/cards/K0", file: file, token: session).status == 200 }
        #expect(try https("GET", "branch-1", "/v1/cards/K0", file: file, token: session).status == 200)
    }
}
