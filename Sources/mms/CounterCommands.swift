import ArgumentParser
import Foundation
import MMSCore
import MMSDevices
import MMSTill
#if canImport(Glibc)
import Glibc
#endif

/// `mms till --api …`: the cashier's full-screen till, a client of the branch node's till API.
struct TillRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "The cashier's full-screen till (the default of `mms till`): log in, read a card, pay, print the receipt.",
        discussion: """
        Talks only to the branch node's till API over HTTPS. Readers: wedge (a keyboard-wedge swipe reader typing \
        into this terminal), serial:PATH[:BAUD[:8N1]], pcsc[:READER] (contactless), manual; give --reader more \
        than once to use several. Printers: tcp://HOST:9100, a device such as /dev/usb/lp0, or file:PATH. \
        Receipts wait in a queue on disk (--state) until the printer takes them.
        """)
    @Option(help: "The branch node's till API, e.g. https://127.0.0.1:8401.") var api: String
    @Option(help: "The chain's CA certificate (certs/<chain>/ca.pem).") var cacert: String
    @Option(help: "A file holding this till's token (from `mms till register`).") var tillTokenFile: String
    @Option(help: "Card reader: wedge, serial:PATH[:BAUD[:8N1]], pcsc[:READER] or manual (repeatable).") var reader: [String] = ["wedge"]
    @Option(help: "Receipt printer: tcp://HOST:PORT, a device path, or file:PATH.") var printer: String?
    @Option(help: "Paper width in mm: 58 (32 columns) or 80 (48 columns).") var paper: Int = 58
    @Option(help: "The printer's text encoding: gb18030, gbk or utf-8.") var encoding: String = "gb18030"
    @Option(help: "Where the till keeps its receipt queue (default ~/.local/state/mms-till).") var state: String?
    @Option(help: "The shop's name at the top of receipts.") var shop: String = "MMS 会员店"
    @Option(help: "The member page a receipt's QR code points to (default: the API address + /m).") var memberPage: String?

    func run() throws {
        do {
            let token = try String(contentsOfFile: tillTokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            guard token.hasPrefix("till-1.") else { throw TillFailure("\(tillTokenFile) does not hold a till token (till-1.…); `mms till register` prints one.") }
            let options = TillProgram.Options(
                api: api, caFile: cacert, tillToken: token,
                readers: try reader.map(ReaderAddress.init(parsing:)),
                printer: try printer.map(PrinterAddress.init(parsing:)),
                paper: try paperWidth(paper), encoding: try printerEncoding(encoding),
                stateDirectory: URL(fileURLWithPath: state ?? defaultState()),
                shop: shop, memberPage: memberPage ?? (api.hasSuffix("/") ? api + "m" : api + "/m"))
            try TillProgram(options: options).run()
        } catch let error as CocoaError {
            complainAndExit("Cannot read \(tillTokenFile): \(error.localizedDescription)")
        } catch {
            complainAndExit("\(error)")
        }
    }

    func defaultState() -> String {
        let home = ProcessInfo.processInfo.environment["XDG_STATE_HOME"] ?? (NSHomeDirectory() + "/.local/state")
        return home + "/mms-till"
    }
}

func paperWidth(_ mm: Int) throws -> PaperWidth {
    guard let width = PaperWidth(rawValue: mm) else { throw ValidationError("--paper must be 58 or 80 (mm).") }
    return width
}

func printerEncoding(_ name: String) throws -> PrinterEncoding {
    guard let encoding = PrinterEncoding(rawValue: name.lowercased()) else { throw ValidationError("--encoding must be gb18030, gbk or utf-8.") }
    return encoding
}

func complainAndExit(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("mms: " + message + "\n").utf8))
    exit(1)
}

/// `mms print-test`: a sample receipt, to check a printer, its paper width and its Chinese.
struct PrintTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "print-test", abstract: "Print a sample receipt (shop, 会员, 余额, a QR code, cut) to check a printer.")
    @Option(help: "The printer: tcp://HOST:PORT, a device path, or file:PATH.") var printer: String
    @Option(help: "Paper width in mm: 58 or 80.") var paper: Int = 58
    @Option(help: "The printer's text encoding: gb18030, gbk or utf-8.") var encoding: String = "gb18030"
    @Flag(help: "Also open the cash drawer.") var drawer = false

    func run() throws {
        let receipt = Receipt(
            shop: "MMS 会员店", branch: "测试门店 (test)", till: "till-test", cashier: "测试员", time: "2026-11-24 12:00:00",
            title: "打印测试 Print test", card: "6200000001", member: "张*", tier: "黄金",
            lines: [.init("洗剪吹", "68.00"), .init("精华液 ×1", "298.00")], total: "366.00",
            tenders: [.init("储值", "300.00"), .init("现金", "66.00")], balance: "1,234.56", pointsEarned: 366, points: 5_210,
            couponsUsed: ["CP-20OFF100"], op: "branch-1:42", link: "https://mms.example/m", opensDrawer: drawer)
        let layout = ReceiptPrinter(paper: try paperWidth(paper), encoding: try printerEncoding(encoding))
        let bytes = layout.bytes(receipt)
        do {
            let address = try PrinterAddress(parsing: printer)
            let state = try PrinterLink(address).send(bytes)
            guard state != .paperOut else { complainAndExit("\(address): the printer reports it is out of paper; nothing was printed.") }
            print("sent \(bytes.count) bytes to \(address) (\(paper) mm, \(layout.paper.columns) columns, \(encoding)); printer: \(state.label)")
        } catch {
            complainAndExit("\(error)")
        }
    }
}

struct PrinterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "printer", abstract: "Receipt printers: a virtual one for demos and development.", subcommands: [Serve.self])

    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A virtual ESC/POS printer: listens like a network printer (port 9100) and prints each receipt it receives as text.")
        @Option(help: "HOST:PORT to listen on.") var listen: String = "127.0.0.1:9100"
        @Option(help: "The text encoding it expects: gb18030, gbk or utf-8.") var encoding: String = "gb18030"
        @Option(help: "Paper width in mm, for centring: 58 or 80.") var paper: Int = 58
        @Flag(help: "Answer status questions as a printer out of paper.") var paperOut = false

        func run() throws {
            do {
                let printer = try VirtualPrinter(listen: listen, encoding: try printerEncoding(encoding), columns: try paperWidth(paper).columns)
                printer.paperOut = paperOut
                say("virtual printer listening on \(printer.host):\(printer.port) (\(encoding))")
                printer.serve { text in say(text) }
            } catch let error as DeviceError {
                complainAndExit(error.message)
            }
        }
    }
}

struct ReaderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reader", abstract: "Card readers: check one by showing what it reads.", subcommands: [Test.self])

    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show each card read, raw and parsed, until Ctrl-C (or --count reads).",
            discussion: "wedge reads this terminal's input (swipe a card into it); serial:PATH[:BAUD[:8N1]] a serial reader; pcsc[:READER] a contactless reader.")
        @Option(help: "wedge, serial:PATH[:BAUD[:8N1]] or pcsc[:READER].") var reader: String
        @Option(help: "Stop after this many reads (cards or refusals).") var count: Int?
        @Option(help: "Stop after this many seconds.") var seconds: Double?
        @Flag(help: "One JSON object per line.") var json = false

        func run() throws {
            let address: ReaderAddress
            do { address = try ReaderAddress(parsing: reader) } catch { complainAndExit("\(error)") }
            let deadline = seconds.map { Date().addingTimeInterval($0) }
            var reads = 0
            func show(_ event: ReaderEvent) -> Bool {
                let line: String
                switch event {
                case .card(let card):
                    reads += 1
                    line = json ? jsonLine(["event": "card", "number": card.number, "source": card.source, "holder": card.holder ?? "",
                                            "expires": card.expires ?? "", "raw": card.raw])
                        : "card \(card.number)  (\(card.source)\(card.holder.map { "; holder \($0)" } ?? "")\(card.expires.map { "; expires \($0)" } ?? ""))  raw: \(card.raw)"
                case .unreadable(let why):
                    reads += 1
                    line = json ? jsonLine(["event": "unreadable", "reason": why]) : "refused: \(why)"
                case .status(let text):
                    line = json ? jsonLine(["event": "status", "message": text]) : "reader: \(text)"
                }
                emit(line + (isatty(STDIN_FILENO) == 1 && address == .wedge ? "\r\n" : "\n"))
                return count.map { reads < $0 } ?? true
            }
            func timeLeft() -> Bool { deadline.map { Date() < $0 } ?? true }

            switch address {
            case .manual:
                complainAndExit("manual entry has nothing to test.")
            case .wedge:
                try testWedge(show, timeLeft)
            case .serial(let settings):
                do {
                    let serial = try SerialReader(settings)
                    _ = show(.status("listening on \(settings.path) at \(settings.baud) \(settings.dataBits)\(settings.parity)\(settings.stopBits)"))
                    while timeLeft() { if let event = try serial.next(timeoutMillis: 200), !show(event) { return } }
                } catch { complainAndExit("\(error)") }
            case .pcsc(let name):
                do {
                    let pcsc = try PCSCReader(reader: name)
                    let readers = try pcsc.readers()
                    _ = show(.status(readers.isEmpty ? "no reader plugged in; waiting" : "readers: \(readers.joined(separator: ", "))"))
                    while timeLeft() { if let event = try pcsc.next(timeoutMillis: 250), !show(event) { return } }
                } catch { complainAndExit("\(error)") }
            }
        }

        /// A keyboard-wedge reader types into standard input: raw mode when it is a terminal, so
        /// a swipe's timing is seen key by key.
        func testWedge(_ show: (ReaderEvent) -> Bool, _ timeLeft: () -> Bool) throws {
            var saved = termios()
            let tty = isatty(STDIN_FILENO) == 1 && tcgetattr(STDIN_FILENO, &saved) == 0
            if tty {
                var raw = saved
                // Ctrl-C arrives as a byte and stops the loop, so the terminal is always restored.
                raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG)
                tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw)
            }
            defer { if tty { tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) } }
            _ = show(.status("swipe a card (Ctrl-C to stop)"))
            var detector = SwipeDetector()
            var typed = ""
            var buffer = [UInt8](repeating: 0, count: 512)
            func output(_ out: SwipeDetector.Output) -> Bool {
                switch out {
                case .key(0x03), .key(0x04):
                    return false
                case .key(let byte):
                    if byte == 0x0D || byte == 0x0A {
                        if !typed.isEmpty { _ = show(.status("typed (not a swipe): \(typed)")); typed = "" }
                    } else { typed.append(Character(Unicode.Scalar(byte))) }
                    return true
                case .swipe(.success(let card)): return show(.card(card))
                case .swipe(.failure(let refusal)): return show(.unreadable(refusal.description))
                }
            }
            while timeLeft() {
                var pfd = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
                let ready = poll(&pfd, 1, 20)
                let now = DispatchTime.now().uptimeNanoseconds
                if ready > 0 {
                    let n = read(STDIN_FILENO, &buffer, buffer.count)
                    if n <= 0 {
                        for out in detector.tick(.max) where !output(out) { return }
                        return
                    }
                    for byte in buffer.prefix(n) { for out in detector.feed(byte, at: now) where !output(out) { return } }
                } else {
                    for out in detector.tick(now) where !output(out) { return }
                }
            }
        }

        func jsonLine(_ fields: [String: String]) -> String {
            let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }
}
