import Foundation
import MMSCore
import MMSDevices
import MMSNode
#if canImport(Glibc)
import Glibc
#endif

/// `mms bench till`: the real `mms till` in a pseudo-terminal, keys written as a cashier types
/// them, against a node in this process over HTTPS, printing to a virtual printer on loopback.
/// Times Enter on the PIN to the receipt's cut at the printer; the till's memory; how soon the
/// receipt queue prints after a printer that was off comes back.
public enum TillBench {
    public struct Options: Sendable {
        public var payments = 100
        /// How long the printer stays off in each recovery round, in seconds.
        public var outages: [Double] = [1, 2, 3, 5, 8]
        public init() {}
    }

    public struct Recovery: Codable, Sendable {
        public let offSeconds: Double
        public let printedAfterSeconds: Double
    }

    public struct Report: Codable, Sendable {
        public let payments: Timing
        public let tillResidentMiB: Double
        public let tillPeakMiB: Double
        public let recovery: [Recovery]
    }

    /// The receipts a printer took, with when each one's cut arrived.
    final class Cuts: @unchecked Sendable {
        private let lock = NSLock()
        private var times: [UInt64] = []
        func add() { lock.lock(); times.append(DispatchTime.now().uptimeNanoseconds); lock.unlock() }
        var count: Int { lock.lock(); defer { lock.unlock() }; return times.count }
        var last: UInt64 { lock.lock(); defer { lock.unlock() }; return times.last ?? 0 }
    }

    /// The till in a pseudo-terminal: what it draws is read on a thread (so it never blocks on a
    /// full terminal) and searched for the key help of the screen expected next.
    final class Terminal: @unchecked Sendable {
        let master: Int32
        let pid: pid_t
        private let lock = NSLock()
        private var screen = ""

        init(arguments: [String]) throws {
            var master: Int32 = 0, slave: Int32 = 0
            var size = winsize(ws_row: 30, ws_col: 100, ws_xpixel: 0, ws_ypixel: 0)
            guard openpty(&master, &slave, nil, nil, &size) == 0 else { throw MMSError(.storeFailure, "openpty failed") }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            for fd in Int32(0)...2 { posix_spawn_file_actions_adddup2(&actions, slave, fd) }
            posix_spawn_file_actions_addclose(&actions, master)
            let argv = arguments.map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            var pid: pid_t = 0
            guard posix_spawn(&pid, arguments[0], &actions, nil, argv, environ) == 0 else { throw MMSError(.storeFailure, "cannot start \(arguments[0])") }
            close(slave)
            self.master = master
            self.pid = pid
            Thread.detachNewThread { [self] in
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let n = read(self.master, &buffer, buffer.count)
                    if n <= 0 { return }
                    let text = String(decoding: buffer.prefix(n), as: UTF8.self)
                    lock.lock(); screen += text; if screen.count > 200_000 { screen = String(screen.suffix(50_000)) }; lock.unlock()
                }
            }
        }

        func type(_ text: String) {
            lock.lock(); screen = ""; lock.unlock()
            _ = text.utf8CString.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count - 1) }
        }

        func waitFor(_ marker: String, seconds: Double = 30) throws {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                lock.lock(); let seen = screen.contains(marker); lock.unlock()
                if seen { return }
                usleep(1_000)
            }
            throw MMSError(.storeFailure, "the till did not show “\(marker)” within \(Int(seconds)) s")
        }

        /// Resident and peak memory from /proc, in MiB.
        func memory() -> (resident: Double, peak: Double) {
            let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
            func field(_ name: String) -> Double {
                let line = status.split(separator: "\n").first { $0.hasPrefix(name + ":") } ?? ""
                return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
            }
            return (field("VmRSS"), field("VmHWM"))
        }

        func stop() {
            kill(pid, SIGTERM)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            close(master)
        }
    }

    public static func run(_ options: Options, mmsPath: String, progress: @escaping @Sendable (String) -> Void) async throws -> Report {
        let served = try ServedNode(label: "till")
        defer { served.remove() }
        let node = served.node
        let member = try node.addMember(MemberProfile(name: "压测", phone: "13000000000")).id
        _ = try node.issueCard(number: "6200000001", member: member, type: .stored, pin: "2468", discountPercent: nil, uses: nil)
        _ = try node.topUp(card: "6200000001", amount: Money(fen: 1_000_000), requestKey: nil)
        _ = try node.addOperator(id: "c01", name: "压测", role: .cashier, branch: nil, password: "bench-pass-1")
        let tokenFile = served.root.appendingPathComponent("till.token")
        try node.registerTill(name: "till-1").token.write(to: tokenFile, atomically: true, encoding: .utf8)
        let server = try served.serve()
        defer { server.cancel() }

        let cuts = Cuts()
        var printer = try VirtualPrinter(listen: "127.0.0.1:0")
        let printerPort = printer.port
        func startPrinter(_ p: VirtualPrinter) { Thread.detachNewThread { p.serve { text in if text.contains("切纸") { cuts.add() } } } }
        startPrinter(printer)

        let till = try Terminal(arguments: [
            mmsPath, "till", "--api", "https://127.0.0.1:\(served.port)", "--cacert", served.certs.appendingPathComponent("ca.pem").path,
            "--till-token-file", tokenFile.path, "--reader", "manual", "--printer", "tcp://127.0.0.1:\(printerPort)",
            "--state", served.root.appendingPathComponent("till-state").path,
        ])
        defer { till.stop() }
        try till.waitFor("Ctrl-C")
        till.type("c01\r"); till.type("bench-pass-1\r")
        try till.waitFor("L 注销")
        till.type("6200000001\r")
        try till.waitFor("Esc 换会员")

        func pay() throws -> UInt64 {
            till.type("1"); try till.waitFor("Enter 下一步")
            till.type("1.00\r"); try till.waitFor("会员输入密码")
            till.type("2468"); try till.waitFor("****_")
            let start = DispatchTime.now().uptimeNanoseconds
            till.type("\r"); try till.waitFor("Enter 继续")
            return start
        }

        progress("\(options.payments) payments: Enter on the PIN → the receipt's cut at the printer")
        var samples: [Double] = []
        let began = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<options.payments {
            let before = cuts.count
            let start = try pay()
            let deadline = Date().addingTimeInterval(30)
            while cuts.count == before, Date() < deadline { usleep(200) }
            guard cuts.count > before else { throw MMSError(.storeFailure, "a receipt did not print") }
            samples.append(Double(cuts.last - start) / 1e9)
            till.type("\r"); try till.waitFor("Esc 换会员")
        }
        let timing = Timing(samples: samples, total: Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9)
        let memory = till.memory()

        var recovery: [Recovery] = []
        for off in options.outages {
            progress("printer off for \(off) s during a payment")
            printer.stop()
            let before = cuts.count
            _ = try pay()
            till.type("\r"); try till.waitFor("Esc 换会员")
            try await Task.sleep(nanoseconds: UInt64(off * 1e9))
            printer = try VirtualPrinter(listen: "127.0.0.1:\(printerPort)")
            let back = DispatchTime.now().uptimeNanoseconds
            startPrinter(printer)
            let deadline = Date().addingTimeInterval(30)
            while cuts.count == before, Date() < deadline { usleep(1_000) }
            guard cuts.count > before else { throw MMSError(.storeFailure, "the queued receipt did not print after the printer came back") }
            recovery.append(Recovery(offSeconds: off, printedAfterSeconds: Double(cuts.last - back) / 1e9))
        }
        printer.stop()
        return Report(payments: timing, tillResidentMiB: memory.resident, tillPeakMiB: memory.peak, recovery: recovery)
    }
}
