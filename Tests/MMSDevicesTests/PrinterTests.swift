import Foundation
import MMSDevices
import MMSTestSupport
import Testing

@Suite struct PrinterTests {
    func sample(link: String? = "https://127.0.0.1:8401/m", drawer: Bool = false) -> Receipt {
        Receipt(shop: "MMS 会员店", branch: "branch-1 一号店", till: "till-1", cashier: "张三(c01)", time: "2026-11-24 12:00:00",
                title: "储值付款", card: "6200000001", member: "王*", tier: "黄金",
                total: "88.00", tenders: [.init("储值", "88.00")], balance: "912.00", pointsEarned: 88, points: 1_088,
                couponsUsed: ["CP-20OFF100"], op: "branch-1:17", link: link, opensDrawer: drawer)
    }

    @Test(arguments: [PaperWidth.mm58, .mm80])
    func aReceiptReachesARealListenerInGB18030WithChineseModeQRAndCut(paper: PaperWidth) throws {
        let listener = try PrinterListener()
        defer { listener.stop() }
        let bytes = ReceiptPrinter(paper: paper).bytes(sample(drawer: true))
        try PrinterLink(.tcp(host: "127.0.0.1", port: listener.port)).send(bytes)
        let job = try #require(listener.waitFor(1).first)
        let receipt = ReceiptBytes(job)
        #expect(receipt.commands.prefix(3) == ["DLE EOT 4", "ESC @", "FS &"], "status question, initialise, then Chinese mode")
        #expect(receipt.commands.contains("GS V partial"))
        #expect(receipt.commands.contains("ESC p"), "a cash tender opens the drawer")
        #expect(receipt.commands.contains("GS ! 11") && receipt.commands.contains("ESC E 1"), "double size and bold")
        #expect(receipt.qr == "https://127.0.0.1:8401/m")
        #expect(receipt.commands.filter { $0.hasPrefix("GS ( k") } == ["GS ( k A", "GS ( k C", "GS ( k E", "GS ( k P", "GS ( k Q"])
        let text = receipt.lines.joined(separator: "\n")
        for needed in ["会员", "余额", "912.00", "储值", "******0001", "branch-1:17", "张三(c01)", "黄金", "本次积分", "CP-20OFF100"] {
            #expect(text.contains(needed), "\(needed) on the receipt")
        }
        #expect(!text.contains("6200000001"), "the card number is masked")
        // Every line fits the paper; the rule spans it; a figure sits at the right edge.
        for line in receipt.lines { #expect(ReceiptBytes.columns(line) <= paper.columns, "“\(line)” is wider than \(paper.columns)") }
        #expect(receipt.lines.contains(String(repeating: "-", count: paper.columns)))
        let balance = try #require(receipt.lines.first { $0.hasPrefix("余额") })
        #expect(ReceiptBytes.columns(balance) == paper.columns && balance.hasSuffix("912.00"))
    }

    @Test func utf8PrintersGetNoChineseModeAndGBKPrintersGetGBK() throws {
        let utf8 = ReceiptPrinter(encoding: .utf8).bytes(sample())
        #expect(!ReceiptBytes(utf8).commands.contains("FS &"))
        #expect(String(decoding: utf8, as: UTF8.self).contains("余额"))
        let gbk = ReceiptPrinter(encoding: .gbk).bytes(sample())
        #expect(gbk.firstRange(of: Array("余额".utf8)) == nil)
        #expect(ReceiptBytes(gbk).lines.joined().contains("余额"))
    }

    @Test func aPrinterThatIsDownLosesNothingAndPrintsWhenItReturnsEvenAcrossARestart() throws {
        let port = try PrinterListener.freePort()
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("mms-spool-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: spool) }
        let link = PrinterLink(.tcp(host: "127.0.0.1", port: port))
        let layout = ReceiptPrinter()

        // The till takes two payments while the printer is off, then restarts.
        var first = try ReceiptQueue(directory: spool, printer: link)
        first.start()
        try first.enqueue(layout.bytes(sample()), name: "branch-1:17")
        var second = sample(); second.op = "branch-1:18"
        try first.enqueue(layout.bytes(second), name: "branch-1:18")
        Thread.sleep(forTimeInterval: 0.5)
        #expect(first.current.waiting == 2)
        if case .unreachable = first.current.state {} else { Issue.record("the queue shows the printer unreachable, not \(String(describing: first.current.state))") }
        first.stop()

        first = try ReceiptQueue(directory: spool, printer: link)   // the restarted till
        #expect(first.current.waiting == 2, "both receipts survive the restart")
        let listener = try PrinterListener(port: port)
        defer { listener.stop() }
        first.start()
        let jobs = listener.waitFor(2, seconds: 15)
        #expect(jobs.count == 2)
        #expect(jobs.map { ReceiptBytes($0).lines.joined() }.map { $0.contains("branch-1:17") } == [true, false], "in the order they were taken")
        #expect(first.drain(timeout: 5))
        #expect(first.current.state == .ready)

        #expect(try FileManager.default.contentsOfDirectory(atPath: spool.path).isEmpty, "a printed receipt leaves the queue")
        Thread.sleep(forTimeInterval: 0.5)
        #expect(listener.received.count == 2, "and is printed once")
        first.stop()
    }

    @Test func aPrinterOutOfPaperKeepsTheJob() throws {
        // A printer that answers DLE EOT 4 with "paper out" (0x72) is not sent the receipt.
        let printer = try VirtualPrinter(listen: "127.0.0.1:0")
        printer.paperOut = true
        let shown = ShownText()
        Thread.detachNewThread { printer.serve { shown.append($0) } }
        let state = try PrinterLink(.tcp(host: "127.0.0.1", port: printer.port)).send(ReceiptPrinter().bytes(sample()))
        #expect(state == .paperOut)
        printer.paperOut = false
        #expect(try PrinterLink(.tcp(host: "127.0.0.1", port: printer.port)).send(ReceiptPrinter().bytes(sample())) == .ready)
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, !shown.text.contains("切纸") { Thread.sleep(forTimeInterval: 0.02) }
        #expect(shown.text.contains("余额") && shown.text.contains("[QR 二维码: https://127.0.0.1:8401/m]"))
    }

    @Test func controlCharactersFromOutsideNeverBecomeCommandsAndWideValuesWrap() {
        var receipt = sample()
        receipt.member = "王\u{1B}p\u{0}22芳"          // ESC p would open the drawer
        receipt.couponsUsed = [String(repeating: "9", count: 80)]
        let parsed = ReceiptBytes(ReceiptPrinter().bytes(receipt))
        #expect(!parsed.commands.contains("ESC p"))
        #expect(parsed.lines.contains { $0.hasSuffix("王p22芳") })
        for line in parsed.lines { #expect(ReceiptBytes.columns(line) <= 32) }
    }

    @Test func badPrinterAddressesAreClearErrors() throws {
        #expect(throws: DeviceError.self) { try PrinterAddress(parsing: "lp0") }
        #expect(throws: DeviceError.self) { try PrinterAddress(parsing: "tcp://host") }
        #expect(throws: DeviceError.self) { try PrinterAddress(parsing: "tcp://host:99999") }
        #expect(throws: (any Error).self) { try PrinterLink(.device(path: "/nonexistent/lp0")).send([0x1B, 0x40]) }
        #expect(try PrinterAddress(parsing: "/dev/usb/lp0") == .device(path: "/dev/usb/lp0"))
        #expect(try PrinterAddress(parsing: "file:/tmp/r.bin") == .file(path: "/tmp/r.bin"))
    }
}

final class ShownText: @unchecked Sendable {
    private let lock = NSLock()
    private var parts: [String] = []
    func append(_ s: String) { lock.lock(); parts.append(s); lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return parts.joined(separator: "\n") }
}
