import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Receipts waiting for the printer, on disk. A receipt is written here (and synced) before the
/// printer is tried, so a printer that is off, unplugged or out of paper never holds up a sale
/// and a till restart loses nothing: the queue is read back and printed in order. A worker
/// thread sends the oldest job, retrying with back-off, and deletes it once the printer took it.
public final class ReceiptQueue: @unchecked Sendable {
    public struct Status: Sendable, Equatable {
        public var waiting: Int
        public var state: PrinterState?
        public var printed: Int
        /// When the printer last took a job (time since boot, nanoseconds).
        public var printedAt: UInt64?
    }

    /// Back-off between tries: from 0.25 s, doubling up to this, so a printer that comes back is
    /// printing again within about two seconds; a connection attempt every 2 s costs nothing.
    public static let maxBackoffMillis: UInt64 = 2_000
    public static let firstBackoffMillis: UInt64 = 250

    public let directory: URL
    let link: PrinterLink
    let condition = NSCondition()
    var status = Status(waiting: 0, state: nil, printed: 0, printedAt: nil)
    var stopped = false
    /// The worker thread is between `start` and the end of its loop.
    var running = false
    var wake = false
    var sequence: UInt64
    var worker: Thread?
    /// Jobs the printer took whose file could not be deleted: never sent twice.
    var printedJobs: Set<String> = []
    /// Called on the worker's thread after each try.
    public var onChange: (@Sendable (Status) -> Void)?

    public init(directory: URL, printer: PrinterLink) throws {
        self.directory = directory
        self.link = printer
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let jobs = try Self.jobs(in: directory)
        sequence = jobs.last.map { UInt64($0.lastPathComponent.prefix(16)) ?? 0 } ?? 0
        status.waiting = jobs.count
    }

    static func jobs(in directory: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "escpos" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Puts a job on disk (synced) and wakes the worker. Once this returns the receipt will print,
    /// whatever happens to the printer or the till.
    public func enqueue(_ bytes: [UInt8], name: String) throws {
        condition.lock()
        sequence += 1
        let seq = sequence
        condition.unlock()
        let safeName = name.filter { $0.isLetter || $0.isNumber || $0 == "-" }.prefix(40)
        let digits = String(seq)
        let file = directory.appendingPathComponent(String(repeating: "0", count: max(0, 16 - digits.count)) + digits + "-" + safeName + ".escpos")
        try Self.writeDurably(bytes, to: file)
        condition.lock()
        status.waiting += 1
        wake = true
        condition.signal()
        condition.unlock()
    }

    public var current: Status {
        condition.lock(); defer { condition.unlock() }
        return status
    }

    /// Tries now instead of waiting for the back-off (the cashier pressed retry).
    public func retryNow() {
        condition.lock(); wake = true; condition.signal(); condition.unlock()
    }

    public func start() {
        condition.lock(); running = true; condition.unlock()
        let thread = Thread { [self] in
            run()
            condition.lock(); running = false; condition.broadcast(); condition.unlock()
        }
        thread.name = "receipt-queue"
        worker = thread
        thread.start()
    }

    /// Stops the worker and waits for it: a job being sent finishes (or fails) first, so once
    /// this returns nothing of this queue is in flight — another queue on the same directory (a
    /// restarted till) never prints a job twice.
    public func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    /// Waits until nothing is waiting or `timeout` passes; true when the queue is empty.
    public func drain(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if current.waiting == 0 { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return current.waiting == 0
    }

    func run() {
        var backoff = Self.firstBackoffMillis
        while true {
            condition.lock()
            if stopped { condition.unlock(); return }
            condition.unlock()
            let next = (try? Self.jobs(in: directory))?.first { !printedJobs.contains($0.lastPathComponent) }
            guard let job = next else {
                condition.lock()
                while !wake && !stopped { condition.wait() }
                wake = false
                condition.unlock()
                continue
            }
            var state: PrinterState
            do {
                let bytes = try Array(Data(contentsOf: job))
                state = try link.send(bytes)
                if state != .paperOut && unlink(job.path) != 0 { printedJobs.insert(job.lastPathComponent) }
            } catch {
                state = .unreachable("\(error)")
            }
            let printed = state == .ready || state == .paperNearEnd
            condition.lock()
            status.state = state
            if printed {
                status.waiting = max(0, status.waiting - 1)
                status.printed += 1
                status.printedAt = DispatchTime.now().uptimeNanoseconds
                backoff = Self.firstBackoffMillis
            }
            let snapshot = status
            condition.unlock()
            onChange?(snapshot)
            if !printed {
                condition.lock()
                let until = Date().addingTimeInterval(Double(backoff) / 1_000)
                while !wake && !stopped && condition.wait(until: until) {}
                wake = false
                condition.unlock()
                backoff = min(backoff * 2, Self.maxBackoffMillis)
            }
        }
    }

    /// Writes to a temporary name, syncs, renames into place and syncs the directory: after a
    /// crash the job is either whole or absent, never half.
    static func writeDurably(_ bytes: [UInt8], to file: URL) throws {
        let temporary = file.deletingLastPathComponent().appendingPathComponent("." + file.lastPathComponent + ".tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DeviceError("receipt queue: cannot write \(temporary.path): \(String(cString: strerror(errno))).") }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { close(fd); throw DeviceError("receipt queue: cannot write \(temporary.path): \(String(cString: strerror(errno))).") }
            offset += n
        }
        let synced = fsync(fd) == 0
        guard close(fd) == 0, synced, rename(temporary.path, file.path) == 0 else {
            throw DeviceError("receipt queue: cannot store \(file.path): \(String(cString: strerror(errno))).")
        }
        let dir = open(file.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
        if dir >= 0 { fsync(dir); close(dir) }
    }
}
