import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A receipt printer without hardware (`mms printer serve`): listens on a TCP port like a network
/// printer's raw port 9100, decodes the ESC/POS it receives and hands each printed line, QR code
/// and cut to `output` as text. It answers status questions (`DLE EOT n`) as a ready printer, or
/// as one out of paper when told to.
public final class VirtualPrinter: @unchecked Sendable {
    public let host: String
    public let port: UInt16
    public let encoding: PrinterEncoding
    public let columns: Int
    public var paperOut = false
    let listener: Int32
    let connections = DispatchSemaphore(value: 8)

    public init(listen: String, encoding: PrinterEncoding = .gb18030, columns: Int = 48) throws {
        guard let colon = listen.lastIndex(of: ":"), let port = UInt16(listen[listen.index(after: colon)...]) else {
            throw DeviceError("--listen must be HOST:PORT (e.g. 127.0.0.1:9100), not “\(listen)”.")
        }
        host = String(listen[..<colon]); self.encoding = encoding; self.columns = columns
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw DeviceError("--listen: “\(host)” is not an IPv4 address.") }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard fd >= 0, bound == 0, Glibc.listen(fd, 16) == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw DeviceError("cannot listen on \(listen): \(why).")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.port = UInt16(bigEndian: actual.sin_port)
        listener = fd
    }

    deinit { close(listener) }

    /// Stops listening: the port is free again, as when a printer is switched off.
    public func stop() { shutdown(listener, Int32(SHUT_RDWR)) }

    /// Serves connections until `stop()`, one job per connection, each on its own thread.
    public func serve(_ output: @escaping @Sendable (String) -> Void) {
        var job = 0
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            // Like a real printer, a few jobs at a time; more wait in the listen queue's place.
            connections.wait()
            job += 1
            let number = job
            Thread.detachNewThread { [self] in
                handle(connection, job: number, output)
                connections.signal()
            }
        }
    }

    func handle(_ fd: Int32, job: Int, _ output: @Sendable (String) -> Void) {
        defer { close(fd) }
        var decoder = ESCPOSDecoder(encoding: encoding)
        var lines = ["==== 小票 #\(job) ===="]
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { break }
            for event in decoder.feed(Array(buffer.prefix(n))) {
                switch event {
                case .text(let text, let bold, let large, let alignment):
                    var line = text
                    let width = large ? columns / 2 : columns
                    if alignment == .centre { line = String(repeating: " ", count: max(0, (width - DisplayWidth.of(text)) / 2)) + line }
                    if alignment == .right { line = DisplayWidth.pad(text, to: width, alignRight: true) }
                    // Bold and double size both show as bold on a terminal.
                    lines.append(bold || large ? "\u{1B}[1m" + line + "\u{1B}[0m" : line)
                case .qr(let payload): lines.append("[QR 二维码: \(payload)]")
                case .cut:
                    lines.append("---- 切纸 (cut) ----")
                    output(lines.joined(separator: "\n"))
                    lines = []
                case .drawer: lines.append("[钱箱弹开 (cash drawer)]")
                case .statusAsked(let n):
                    var reply: UInt8 = n == 4 ? (paperOut ? 0x72 : 0x12) : 0x12
                    _ = send(fd, &reply, 1, Int32(MSG_NOSIGNAL))
                case .unknown(let command): lines.append("[\(command)]")
                }
            }
        }
        if lines.count > 1 || (lines.count == 1 && !lines[0].hasPrefix("====")) { output(lines.joined(separator: "\n")) }
    }
}
