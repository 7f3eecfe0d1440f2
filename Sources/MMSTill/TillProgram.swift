import Foundation
import MMSDevices
#if canImport(Glibc)
import Glibc
#endif

/// Where the till reads cards from: `wedge` (a keyboard-wedge reader typing into this terminal),
/// `serial:PATH[:BAUD[:8N1]]`, `pcsc[:READER]`, or `manual` (typing only).
public enum ReaderAddress: Sendable, Equatable, CustomStringConvertible {
    case wedge
    case serial(SerialReader.Settings)
    case pcsc(String?)
    case manual

    public init(parsing text: String) throws {
        switch text {
        case "wedge": self = .wedge
        case "manual": self = .manual
        case "pcsc": self = .pcsc(nil)
        default:
            if text.hasPrefix("serial:") { self = .serial(try SerialReader.Settings(parsing: String(text.dropFirst(7)))) }
            else if text.hasPrefix("pcsc:") { self = .pcsc(String(text.dropFirst(5))) }
            else { throw DeviceError("reader: “\(text)” is not wedge, serial:PATH[:BAUD[:8N1]], pcsc[:READER] or manual.") }
        }
    }

    public var description: String {
        switch self {
        case .wedge: "wedge"
        case .manual: "manual"
        case .pcsc(let name): name.map { "pcsc:\($0)" } ?? "pcsc"
        case .serial(let s): "serial:\(s.path):\(s.baud):\(s.dataBits)\(s.parity)\(s.stopBits)"
        }
    }

    /// Runs a reader that has its own device (serial, PC/SC) on a thread of its own until
    /// `stopped()`, delivering reads; a device that fails is reopened every few seconds, and
    /// each failure is reported once as a status.
    public func watch(_ deliver: @escaping @Sendable (ReaderEvent) -> Void, stopped: @escaping @Sendable () -> Bool) {
        switch self {
        case .wedge, .manual: return
        case .serial(let settings):
            Self.keepReading(deliver, stopped: stopped) {
                let reader = try SerialReader(settings)
                deliver(.status("串口读卡器就绪 \(settings.path)"))
                return { try reader.next(timeoutMillis: 200) }
            }
        case .pcsc(let name):
            Self.keepReading(deliver, stopped: stopped) {
                let reader = try PCSCReader(reader: name)
                return { try reader.next(timeoutMillis: 250) }
            }
        }
    }

    /// Reads on a thread of its own until `stopped()`: `open` opens the device and answers its
    /// next-read function; a failure is reported once and the device reopened every 2 s.
    static func keepReading(_ deliver: @escaping @Sendable (ReaderEvent) -> Void, stopped: @escaping @Sendable () -> Bool,
                            open: @escaping @Sendable () throws -> () throws -> ReaderEvent?) {
        Thread.detachNewThread {
            var lastProblem = ""
            while !stopped() {
                do {
                    let next = try open()
                    lastProblem = ""
                    while !stopped() { if let event = try next() { deliver(event) } }
                } catch {
                    let problem = "\(error)"
                    if problem != lastProblem { deliver(.status(problem)); lastProblem = problem }
                    Thread.sleep(forTimeInterval: 2)
                }
            }
        }
    }
}

/// The till program: the terminal, the readers, the printer queue and the HTTPS client around
/// `TillMachine`. Everything arrives as an event in one mailbox and is handled on the main
/// thread, one at a time.
public final class TillProgram: @unchecked Sendable {
    public struct Options: Sendable {
        public var api: String
        public var caFile: String
        public var tillToken: String
        public var readers: [ReaderAddress]
        public var printer: PrinterAddress?
        public var paper: PaperWidth
        public var encoding: PrinterEncoding
        public var stateDirectory: URL
        public var shop: String
        public var memberPage: String?
        public init(api: String, caFile: String, tillToken: String, readers: [ReaderAddress], printer: PrinterAddress?, paper: PaperWidth,
                    encoding: PrinterEncoding, stateDirectory: URL, shop: String, memberPage: String?) {
            self.api = api; self.caFile = caFile; self.tillToken = tillToken; self.readers = readers; self.printer = printer
            self.paper = paper; self.encoding = encoding; self.stateDirectory = stateDirectory; self.shop = shop; self.memberPage = memberPage
        }
    }

    let options: Options
    let lock = NSLock()
    var mailbox: [TillMachine.Event] = []
    var stopped = false
    /// Wakes the main loop's poll when an event arrives from another thread.
    var wakePipe: [Int32] = [-1, -1]

    public init(options: Options) { self.options = options }

    func post(_ event: TillMachine.Event) {
        lock.lock(); mailbox.append(event); lock.unlock()
        var byte: UInt8 = 1
        _ = Glibc.write(wakePipe[1], &byte, 1)
    }

    func takeEvents() -> [TillMachine.Event] {
        lock.lock(); defer { lock.unlock() }
        let events = mailbox
        mailbox = []
        return events
    }

    var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

    public func run() throws {
        let client = try TillClient(api: options.api, caFile: options.caFile, tillToken: options.tillToken)
        defer { client.shutdown() }
        let printer = ReceiptPrinter(paper: options.paper, encoding: options.encoding)
        let queue = try options.printer.map {
            try ReceiptQueue(directory: options.stateDirectory.appendingPathComponent("receipts"), printer: PrinterLink($0))
        }
        let terminal = try Terminal()
        guard pipe(&wakePipe) == 0 else { throw TillFailure("Cannot create a pipe: \(String(cString: strerror(errno))).") }
        _ = fcntl(wakePipe[1], F_SETFL, fcntl(wakePipe[1], F_GETFL) | O_NONBLOCK)

        queue?.onChange = { [weak self] status in self?.post(.printer(status)) }
        queue?.start()
        for reader in options.readers {
            reader.watch({ [weak self] event in self?.post(.reader(event)) }, stopped: { [weak self] in self?.isStopped ?? true })
        }
        let wedge = options.readers.contains(.wedge)

        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        var till = TillMachine(environment: .init(
            shop: options.shop,
            memberPage: options.memberPage,
            newKey: { UUID().uuidString.lowercased() },
            now: { formatter.string(from: Date()) }))
        if let queue { _ = till.handle(.printer(queue.current)) }
        if options.printer == nil { _ = till.handle(.reader(.status("没有设置打印机，小票不会打印 (no --printer)"))) }

        terminal.enter()
        defer {
            lock.lock(); stopped = true; lock.unlock()
            queue?.stop()
            terminal.leave()
        }

        var swipes = SwipeDetector()
        var keys = KeyDecoder()
        var dirty = true
        func apply(_ effects: [TillMachine.Effect]) -> Bool {
            for effect in effects {
                switch effect {
                case .quit: return false
                case .send(let request):
                    Task { [weak self] in self?.post(.answer(await client.send(request))) }
                case .print(let receipt):
                    guard let queue else { continue }
                    do { try queue.enqueue(printer.bytes(receipt), name: receipt.op) } catch {
                        _ = till.handle(.reader(.unreadable("小票未能保存: \(error)")))
                    }
                case .retryPrinter:
                    queue?.retryNow()
                }
            }
            return true
        }
        func handle(_ event: TillMachine.Event) -> Bool {
            dirty = true
            return apply(till.handle(event))
        }

        func dispatch(_ output: SwipeDetector.Output) -> Bool {
            switch output {
            case .key(let byte):
                for key in keys.feed(byte, at: DispatchTime.now().uptimeNanoseconds) where !handle(.key(key)) { return false }
                return true
            case .swipe(.success(let card)): return handle(.reader(.card(card)))
            case .swipe(.failure(let refusal)): return handle(.reader(.unreadable(refusal.description)))
            }
        }

        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            if terminal.takeResize() { terminal.write("\u{1B}[2J"); dirty = true }
            if dirty {
                let size = terminal.size
                terminal.draw(TillScreen.render(till, columns: size.columns, rows: size.rows))
                dirty = false
            }
            var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0), pollfd(fd: wakePipe[0], events: Int16(POLLIN), revents: 0)]
            let waiting = swipes.holding || keys.holding
            let ready = poll(&fds, 2, waiting ? 10 : 250)
            let now = DispatchTime.now().uptimeNanoseconds
            if ready > 0 && fds[1].revents & Int16(POLLIN) != 0 {
                _ = read(wakePipe[0], &buffer, buffer.count)
            }
            let input = ready > 0 && fds[0].revents != 0
            if input {
                // The terminal went away (hang-up, an error): nothing more can be typed.
                if fds[0].revents & Int16(POLLERR | POLLNVAL) != 0 { return }
                let n = read(STDIN_FILENO, &buffer, buffer.count)
                if n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN) { return }
                for byte in buffer.prefix(max(0, n)) {
                    let outputs: [SwipeDetector.Output] = wedge ? swipes.feed(byte, at: now) : [.key(byte)]
                    for output in outputs where !dispatch(output) { return }
                }
            } else {
                // Only a wait that found no input is a pause: bytes read late after a busy moment are not.
                if wedge { for output in swipes.tick(now) where !dispatch(output) { return } }
                for key in keys.tick(now) where !handle(.key(key)) { return }
            }
            for event in takeEvents() where !handle(event) { return }
        }

    }
}

extension KeyDecoder {
    var holding: Bool { !pending.isEmpty }
}
