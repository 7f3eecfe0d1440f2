import Foundation
import MMSCore
import Testing

/// `mms mirror postgres` against a real PostgreSQL server: the mirrored tables equal the store's
/// report tables after a workload, after the mirror is killed mid-way (what it copied is exactly a
/// prefix of the log, nothing counted twice), after the server crashes and comes back, and after
/// the store's report tables are rebuilt.
@Suite(.serialized) struct MirrorTests {
    let dir = temporaryNodeDirectory().url.path

    func run(_ arguments: [String]) throws -> [String: Any] {
        let out = try mms(arguments + ["--data", dir, "--json"])
        try #require(out.status == 0, "\(arguments): \(out.stdout) \(out.stderr)")
        return try json(out.stdout)
    }

    static let tables = ["report_sales", "report_product_days", "report_money", "report_members", "report_points", "report_lots",
                         "report_coupons", "report_campaign_points", "outbox", "report_joins", "report_member_months"]

    /// Every row of every report table in the store, read by Python's sqlite3 (not by our code),
    /// those changed at or before `upTo` when given: `table|v1|v2…`, sorted.
    func storeRows(upTo: Int64? = nil) throws -> [String] {
        let script = """
            import sqlite3, sys
            db = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)
            up_to = int(sys.argv[2])
            for t in sys.argv[3:]:
                for row in db.execute('SELECT * FROM ' + t + (' WHERE version <= ?' if up_to >= 0 else ''), (up_to,) if up_to >= 0 else ()):
                    print(t + '|' + '|'.join('' if v is None else str(v) for v in row))
            """
        let out = try PostgresServer.run("/usr/bin/env", ["python3", "-c", script, dir + "/store.sqlite", String(upTo ?? -1)] + Self.tables)
        return out.split(separator: "\n").map(String.init).sorted()
    }

    func mirroredRows(_ pg: PostgresServer) throws -> [String] {
        try Self.tables.flatMap { table in try pg.psql("SELECT * FROM mms.\(table)").map { "\(table)|\($0)" } }.sorted()
    }

    func mirrorPosition(_ pg: PostgresServer) -> Int64? {
        (try? pg.psql("SELECT version FROM mms.mirror_state"))?.first.flatMap { Int64($0) }
    }

    func head() throws -> Int64 {
        let out = try PostgresServer.run("/usr/bin/env", ["python3", "-c", "import sqlite3,sys; print(sqlite3.connect('file:'+sys.argv[1]+'?mode=ro', uri=True).execute('SELECT max(rowid) FROM ops').fetchone()[0])", dir + "/store.sqlite"])
        return try #require(Int64(out.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// Waits (bounded) until the mirror's recorded position reaches the store's head.
    func awaitCaughtUp(_ pg: PostgresServer, seconds: Double = 90) throws {
        let target = try head(), deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let position = mirrorPosition(pg), position >= target { return }
            usleep(100_000)
        }
        Issue.record("the mirror did not reach op \(target) in \(seconds) s (at \(mirrorPosition(pg).map(String.init) ?? "nothing"))")
    }

    /// A day of trade: `members` members from a CSV, cards, top-ups, charges and sales.
    func trade(members: Int, offset: Int) throws {
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent("mirror-members-\(UUID().uuidString).csv").path
        try ("name,phone,birthday\n" + (0..<members).map { "会员\(offset + $0),139\(String(format: "%08d", offset + $0)),1990-0\(1 + $0 % 9)-15" }.joined(separator: "\n"))
            .write(toFile: csv, atomically: true, encoding: .utf8)
        #expect(try run(["import", "members", "--file", csv])["added"] as? Int == members)
        for i in 0..<3 {
            let member = try #require(try run(["member", "find", "--phone", "139\(String(format: "%08d", offset + i))"])["members"] as? [[String: Any]])
            let id = try #require(member.first?["id"] as? String)
            let card = "M\(offset + i)"
            _ = try run(["card", "issue", "--member", id, "--type", "stored", "--number", card])
            _ = try run(["topup", "--card", card, "--amount", "500.00"])
            _ = try run(["charge", "--card", card, "--amount", "\(20 + i).50"])
            _ = try run(["sell", "--card", card, "--item", "A1x\(i + 1)", "--tender", "stored:rest"])
        }
    }

    func startMirror(_ pg: PostgresServer, window: Int) throws -> Process {
        let process = Process()
        process.executableURL = try mmsBinary()
        process.arguments = ["mirror", "postgres", "--data", dir, "--url", pg.url, "--interval", "0.2", "--window", String(window), "--json"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func theMirrorEqualsTheStoreThroughKillsCrashesAndARebuild() throws {
        let pg = try PostgresServer()
        defer { pg.remove() }
        try #require(mms(["node", "init", "--data", dir, "--id", "hq", "--role", "hq"]).status == 0)
        _ = try run(["product", "add", "--sku", "A1", "--name", "面霜", "--kind", "goods", "--category", "护肤", "--price", "30.00"])
        try trade(members: 1_500, offset: 0)

        // Killed mid-way: a window of 20 ops per transaction, killed once the copy is under way.
        var mirror = try startMirror(pg, window: 20)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, (mirrorPosition(pg) ?? 0) == 0 { usleep(20_000) }
        kill(mirror.processIdentifier, SIGKILL)
        mirror.waitUntilExit()
        let position = try #require(mirrorPosition(pg), "the mirror recorded no position before it was killed")
        #expect(position > 0)
        // What it copied is exactly the store's rows as of that position: no half window, no row twice.
        let head = try head()
        #expect(try mirroredRows(pg) == storeRows(upTo: position), "killed at op \(position) of \(head)")

        // Resumed: it reaches the store's head and equals it; more trade while it runs is copied too.
        mirror = try startMirror(pg, window: 5_000)
        defer { if mirror.isRunning { kill(mirror.processIdentifier, SIGKILL); mirror.waitUntilExit() } }
        try trade(members: 200, offset: 10_000)
        try awaitCaughtUp(pg)
        #expect(try mirroredRows(pg) == storeRows())
        let copied = try mirroredRows(pg).filter { $0.hasPrefix("report_members|") }.count
        #expect(copied == 1_700, "\(copied) members mirrored")

        // PostgreSQL crashes (immediate stop), the trade goes on, the server comes back: the mirror reconnects.
        try pg.stop(mode: "immediate")
        try trade(members: 100, offset: 20_000)
        try pg.start()
        try awaitCaughtUp(pg)
        #expect(try mirroredRows(pg) == storeRows())

        // The store's report tables rebuilt from the log: a new epoch, the copy is made again and still equal.
        kill(mirror.processIdentifier, SIGKILL)
        mirror.waitUntilExit()
        _ = try run(["node", "rebuild"])
        let once = try mms(["mirror", "postgres", "--data", dir, "--url", pg.url, "--once", "--json"])
        #expect(once.status == 0, "\(once.stdout) \(once.stderr)")
        let pass = try json(once.stdout)
        #expect(pass["restarted"] as? Bool == true && pass["behind_ops"] as? Int == 0, "\(pass)")
        #expect(try mirroredRows(pg) == storeRows())
    }

    @Test func badAddressesAndAnotherNodesDatabaseAreRefusedClearly() throws {
        let pg = try PostgresServer()
        defer { pg.remove() }
        try #require(mms(["node", "init", "--data", dir, "--id", "hq", "--role", "hq"]).status == 0)
        let bad = try mms(["mirror", "postgres", "--data", dir, "--url", "mysql://mms@127.0.0.1/mms", "--once"])
        #expect(bad.status == 2 && bad.stderr.contains("postgresql://"), "\(bad.stderr)")
        let closed = try freePorts(1)[0]
        let down = try mms(["mirror", "postgres", "--data", dir, "--url", "postgresql://mms@127.0.0.1:\(closed)/mms", "--once", "--json"])
        #expect(down.status == 3 && down.stderr.contains("Cannot mirror into postgresql://mms@127.0.0.1:\(closed)/mms"), "\(down.stderr)")
        #expect(try mms(["mirror", "postgres", "--data", dir, "--url", pg.url, "--once"]).status == 0)

        // A branch pointed at head office's database is refused, and the database is left as it was.
        let branch = temporaryNodeDirectory().url.path
        try #require(mms(["node", "init", "--data", branch, "--id", "branch-1"]).status == 0)
        let before = try pg.psql("SELECT node, version FROM mms.mirror_state")
        let other = try mms(["mirror", "postgres", "--data", branch, "--url", pg.url, "--once"])
        #expect(other.status == 2 && other.stderr.contains("already mirrors node hq"), "\(other.stderr)")
        #expect(try pg.psql("SELECT node, version FROM mms.mirror_state") == before)
        // The same as a running mirror: it ends with the error, its connection closed.
        let running = try mms(["mirror", "postgres", "--data", branch, "--url", pg.url, "--interval", "0.2"])
        #expect(running.status == 2 && running.stderr.contains("already mirrors node hq") && !running.stderr.contains("crashed"), "\(running.stderr.prefix(600))")
        #expect(try pg.psql("SELECT node, version FROM mms.mirror_state") == before)
    }
}
