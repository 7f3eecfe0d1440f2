import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MMSCore
import MMSTestSupport
import MMSTopology
import Testing

/// The cashier's till end to end: `mms till` in a real terminal (tmux), keys sent as a cashier
/// and a wedge reader would type them, against real `mms node run` processes over TLS, printing to
/// a real TCP listener. Login, swipe, PIN, pay, receipt bytes; a wrong PIN; the rights-short
/// screen and a partial payment; the printer down, the till restarted, the receipt printed after;
/// Ctrl-C gives the terminal back as it was.
extension NetworkTests {
    /// One tmux server of the test's own (its own socket), one session running `command`.
    struct Tmux {
        let socket = "mms-till-\(UUID().uuidString.prefix(8))"

        /// Runs a tmux client with posix_spawn and waitpid: Foundation's Process waits for a pipe
        /// that the tmux server, forked by the first client, would hold open for good.
        func tmux(_ arguments: [String]) -> String {
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("\(socket)-\(UUID().uuidString).out")
            defer { try? FileManager.default.removeItem(at: output) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            let argv = (["/usr/bin/tmux", "-L", socket] + arguments).map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            var pid: pid_t = 0
            guard posix_spawn(&pid, "/usr/bin/tmux", &actions, nil, argv, environ) == 0 else { return "" }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        }

        func start(_ command: String) {
            _ = tmux(["new-session", "-d", "-s", "till", "-x", "100", "-y", "30", command])
        }
        /// Text as typed: one write to the terminal, so a swipe arrives as the burst a reader makes.
        func type(_ text: String) { _ = tmux(["send-keys", "-t", "till", "-l", text]) }
        func press(_ key: String) { _ = tmux(["send-keys", "-t", "till", key]) }
        var screen: String { tmux(["capture-pane", "-t", "till", "-p"]) }
        /// Ends the session and everything in it, even a till that does not take SIGHUP well.
        func stop() {
            let panes = tmux(["list-panes", "-a", "-F", "#{pane_pid}"]).split(separator: "\n").compactMap { Int32($0) }
            _ = tmux(["kill-server"])
            for pane in panes { kill(-pane, SIGKILL) }
        }
    }

    /// Waits (bounded) for `text` on the till's screen; the screen as it was, for the failure message.
    @discardableResult
    func waitForScreen(_ tmux: Tmux, _ text: String, seconds: Double = 30) -> String {
        var screen = ""
        waitUntil(seconds) { screen = tmux.screen; return screen.contains(text) }
        return screen
    }

    @Test func aCashierPaysAtTheTillAndTheReceiptPrintsEvenThroughAPrinterOutageAndARestart() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            Issue.record("tmux is not installed (.ci/run installs it)")
            return
        }
        let file = try provisionChain()
        var nodes = try ["hq", "branch-1", "branch-2"].reduce(into: [String: Process]()) { $0[$1] = try startNode($1, file: file) }
        defer { for p in nodes.values where p.isRunning { p.terminate() } }
        waitForStores()
        let b1 = "\(root)/data/t/branch-1", b2 = "\(root)/data/t/branch-2"

        // A cashier and a till at branch-1; a member whose money was topped up at both branches.
        try staffAdd("branch-1", "c01", role: "cashier", password: "c01-Pass!")
        let token = try registerTill("branch-1", "till-1")
        try token.write(toFile: "\(root)/till-1.token", atomically: true, encoding: .utf8)
        let member = try #require(try json(mms(["member", "add", "--data", b1, "--name", "王芳", "--phone", "13800000001", "--json"]).stdout)["id"] as? String)
        try #require(mms(["card", "issue", "--data", b1, "--member", member, "--type", "stored", "--number", "6200000001", "--pin", "2468"]).status == 0)
        try #require(mms(["topup", "--data", b1, "--card", "6200000001", "--amount", "50.00"]).status == 0)
        try waitUntil(30) { (try? json(mms(["show", "--data", b2, "--card", "6200000001", "--json"]).stdout)["balance"] as? String) == "50.00" }
        try #require(mms(["topup", "--data", b2, "--card", "6200000001", "--amount", "100.00"]).status == 0)
        try waitUntil(30) { (try? json(mms(["show", "--data", b1, "--card", "6200000001", "--json"]).stdout)["balance"] as? String) == "150.00" }

        // Head office's catalogue, for the basket at the end.
        let hq = "\(root)/data/t/hq"
        try #require(mms(["product", "add", "--data", hq, "--sku", "SV-001", "--name", "洗剪吹", "--kind", "service", "--category", "美发", "--price", "68.00"]).status == 0)
        try #require(mms(["product", "add", "--data", hq, "--sku", "PR-104", "--name", "精华液", "--kind", "goods", "--category", "护肤", "--price", "298.00",
                          "--barcode", "6901234567892"]).status == 0)
        try waitUntil(30) { (try? mms(["product", "show", "--data", b1, "--sku", "PR-104"]).status) == 0 }

        let api = try #require(try Topology.load(path: file).node(NodeID("branch-1"))).api
        var printer = try PrinterListener()
        let port = printer.port
        defer { printer.stop() }
        let till = "\(try mmsBinary().path) till --api https://\(api) --cacert \(root)/certs/t/ca.pem --till-token-file \(root)/till-1.token"
            + " --reader wedge --printer tcp://127.0.0.1:\(port) --state \(root)/till-state"
        let tmux = Tmux()
        defer { tmux.stop() }
        tmux.start("sh -c 'stty -a > \(root)/stty.before; \(till); stty -a > \(root)/stty.after; \(till); sleep 30'")

        // Login.
        waitForScreen(tmux, "收银员登录")
        tmux.type("c01\r")
        tmux.type("c01-Pass!\r")
        var screen = waitForScreen(tmux, "识别会员")
        try #require(screen.contains("识别会员"), "after login: \(screen)")

        // A swipe (tracks 1 and 2, as a wedge reader types them): the member's panel.
        tmux.type("%B6200000001^WANG/FANG^2812101000?;6200000001=2812101000?\r")
        screen = waitForScreen(tmux, "本店可用")
        #expect(screen.contains("王*") && !screen.contains("王芳"), "the name is masked: \(screen)")
        #expect(screen.contains("150.00") && screen.contains("50.00") && screen.contains("branch-2 100.00"), "\(screen)")

        // Pay 30.00 with the PIN: the receipt reaches the printer.
        tmux.type("1"); waitForScreen(tmux, "金额 Amount")
        tmux.type("30.00\r"); waitForScreen(tmux, "密码 PIN")
        tmux.type("2468")
        screen = waitForScreen(tmux, "****_")
        #expect(!screen.contains("2468"), "the PIN is masked")
        tmux.press("Enter")
        screen = waitForScreen(tmux, "成功")
        #expect(screen.contains("120.00"), "\(screen)")
        let first = try #require(printer.waitFor(1).first, "a receipt reached the listener")
        let receipt = ReceiptBytes(first)
        let text = receipt.lines.joined(separator: "\n")
        #expect(receipt.commands.contains("FS &") && receipt.commands.contains("GS V partial"))
        #expect(text.contains("储值付款") && text.contains("30.00") && text.contains("余额") && text.contains("120.00") && text.contains("******0001"), "\(text)")
        // The QR code opens the member's page to look at, with no PIN (the link the node made for this payment).
        let qr = try #require(receipt.qr, "a QR code on the receipt")
        #expect(qr.hasPrefix("https://\(api)/m/r/") && !qr.contains("6200000001"), "\(qr)")
        let opened = try run("/usr/bin/curl", ["-s", "-L", "-c", "\(root)/qr.cookies", "-o", "/dev/null", "-w", "%{http_code} %{url_effective}", "--cacert", "\(root)/certs/t/ca.pem", qr])
        let jar = (try? String(contentsOfFile: "\(root)/qr.cookies", encoding: .utf8)) ?? ""
        #expect(opened == "200 https://\(api)/m" && jar.contains("mms_member"), "\(opened) \(jar)")

        // A wrong PIN: the node refuses, the till asks again, nothing is charged.
        tmux.press("Enter"); waitForScreen(tmux, "本店可用")
        tmux.type("1"); waitForScreen(tmux, "金额 Amount")
        tmux.type("10.00\r"); waitForScreen(tmux, "密码 PIN")
        tmux.type("0000\r")
        screen = waitForScreen(tmux, "Wrong PIN")
        #expect(screen.contains("密码 PIN"), "\(screen)")
        tmux.press("Escape"); waitForScreen(tmux, "已取消")

        // branch-2 (which holds 100.00 of the rights) is cut off: 60.00 is more than branch-1's
        // 20.00. The till shows the numbers; the cashier takes a partial payment.
        nodes["branch-2"]?.terminate(); nodes["branch-2"]?.waitUntilExit()
        tmux.type("1"); waitForScreen(tmux, "金额 Amount")
        tmux.type("60.00\r"); waitForScreen(tmux, "密码 PIN")
        tmux.type("2468\r")
        screen = waitForScreen(tmux, "本店可用额度不足", seconds: 60)
        #expect(screen.contains("60.00") && screen.contains("120.00") && screen.contains("20.00") && screen.contains("branch-2=100.00"), "\(screen)")
        tmux.type("p")
        screen = waitForScreen(tmux, "成功")
        #expect(screen.contains("未付") && screen.contains("40.00") && screen.contains("100.00"), "\(screen)")
        #expect(printer.waitFor(2).count == 2)

        // The printer goes off; a cash top-up goes through; the till is restarted before the
        // printer comes back; the receipt prints once it does, and opens the drawer.
        printer.stop()
        tmux.press("Enter"); waitForScreen(tmux, "本店可用")
        tmux.type("3"); waitForScreen(tmux, "金额 Amount")
        tmux.type("10.00\r"); waitForScreen(tmux, "收款方式")
        tmux.type("1")
        screen = waitForScreen(tmux, "成功")
        screen = waitForScreen(tmux, "待打印1")
        #expect(screen.contains("打印机离线"), "\(screen)")
        tmux.press("C-c")
        waitForScreen(tmux, "收银员登录")   // the second till, same queue
        printer = try PrinterListener(port: port)
        let jobs = printer.waitFor(1, seconds: 30)
        #expect(jobs.count == 1, "the queued receipt printed after the restart")
        if let job = jobs.first {
            let topUp = ReceiptBytes(job)
            #expect(topUp.lines.joined().contains("充值") && topUp.lines.joined().contains("现金") && topUp.commands.contains("ESC p"))
        }
        #expect(try json(mms(["show", "--data", b1, "--card", "6200000001", "--json"]).stdout)["balance"] as? String == "110.00")

        // The branch node goes away mid-payment: after its retries the till says it does not know,
        // and once the node is back, R sends the same request again and it is paid once.
        tmux.type("c01\r"); tmux.type("c01-Pass!\r"); waitForScreen(tmux, "识别会员")
        tmux.type("6200000001\r"); waitForScreen(tmux, "本店可用")
        tmux.type("1"); waitForScreen(tmux, "金额 Amount")
        tmux.type("5.00\r"); waitForScreen(tmux, "密码 PIN")
        nodes["branch-1"]?.terminate(); nodes["branch-1"]?.waitUntilExit()
        tmux.type("2468\r")
        screen = waitForScreen(tmux, "结果未确认")
        #expect(screen.contains("同一单号"), "\(screen)")
        nodes["branch-1"] = try startNode("branch-1", file: file)
        waitForStores(["branch-1"])
        tmux.type("r")
        screen = waitForScreen(tmux, "Enter 继续", seconds: 60)
        #expect(screen.contains("105.00"), "\(screen)")
        #expect(try json(mms(["show", "--data", b1, "--card", "6200000001", "--json"]).stdout)["balance"] as? String == "105.00")

        // A basket for the member: a service by SKU and an amount typed, priced by the node. With
        // branch-2 still down only 5.00 of the stored value is here: 30.00 is refused and nothing
        // is taken; 5.00 from stored value and the rest in cash goes through, after the PIN.
        tmux.press("Enter"); waitForScreen(tmux, "本店可用")
        tmux.type("2"); waitForScreen(tmux, "编码/条码/金额")
        tmux.type("SV-001\r"); waitForScreen(tmux, "洗剪吹")
        tmux.type("20.00\r"); waitForScreen(tmux, "金额消费")
        tmux.press("Enter")
        screen = waitForScreen(tmux, "待收")
        #expect(screen.contains("88.00"), "\(screen)")
        tmux.type("30.00s"); waitForScreen(tmux, "58.00")
        tmux.type("c"); waitForScreen(tmux, "密码 PIN")
        tmux.type("2468\r")
        screen = waitForScreen(tmux, "Only 5.00")
        #expect(screen.contains("结账") && screen.contains("待收"), "\(screen)")
        let before = printer.received.count
        tmux.type("5.00s"); waitForScreen(tmux, "83.00")
        tmux.type("c"); waitForScreen(tmux, "密码 PIN")
        tmux.type("2468\r")
        screen = waitForScreen(tmux, "成功 · 销售")
        #expect(screen.contains("100.00") && screen.contains("83.00"), "\(screen)")
        let saleReceipt = ReceiptBytes(try #require(printer.waitFor(before + 1).last)).lines.joined(separator: "\n")
        #expect(saleReceipt.contains("洗剪吹") && saleReceipt.contains("金额消费") && saleReceipt.contains("88.00") && saleReceipt.contains("储值")
                && saleReceipt.contains("现金"), "\(saleReceipt)")
        #expect(try json(mms(["show", "--data", b1, "--card", "6200000001", "--json"]).stdout)["balance"] as? String == "100.00")

        // A walk-in customer: an item by its barcode, 300.00 in cash, 2.00 change.
        tmux.press("Enter"); waitForScreen(tmux, "本店可用")
        tmux.press("Escape"); waitForScreen(tmux, "识别会员")
        tmux.type("s"); waitForScreen(tmux, "散客")
        tmux.type("6901234567892\r"); waitForScreen(tmux, "精华液")
        tmux.press("Enter"); waitForScreen(tmux, "待收")
        tmux.type("300.00c")
        screen = waitForScreen(tmux, "找零")
        #expect(screen.contains("2.00") && screen.contains("298.00"), "\(screen)")
        let walkIn = ReceiptBytes(try #require(printer.waitFor(before + 2).last))
        #expect(walkIn.lines.joined().contains("精华液") && walkIn.commands.contains("ESC p"), "\(walkIn.lines)")

        // Ctrl-C gave the terminal back exactly as it was.
        let sttyBefore = try String(contentsOfFile: "\(root)/stty.before", encoding: .utf8)
        let after = try String(contentsOfFile: "\(root)/stty.after", encoding: .utf8)
        #expect(sttyBefore == after && after.contains(" icanon") && after.contains(" echo "), "stty before:\n\(sttyBefore)\nafter:\n\(after)")
    }
}
