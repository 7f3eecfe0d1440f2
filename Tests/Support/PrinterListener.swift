import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A receipt printer as the tests see one: a real TCP listener on 127.0.0.1 that keeps the bytes
/// of each connection, and answers nothing (like most network printers on port 9100).
public final class PrinterListener: @unchecked Sendable {
    public let port: UInt16
    let fd: Int32
    private let lock = NSLock()
    private var jobs: [[UInt8]] = []
    private var closed = false

    /// Listens on `port`, or on a free one.
    public init(port: UInt16 = 0) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 8) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.port = UInt16(bigEndian: actual.sin_port)
        self.fd = fd
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    func acceptLoop() {
        while true {
            let connection = accept(fd, nil, nil)
            if connection < 0 { return }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(connection, &buffer, buffer.count)
                if n <= 0 { break }
                bytes += buffer.prefix(n)
            }
            close(connection)
            lock.lock(); jobs.append(bytes); lock.unlock()
        }
    }

    public func stop() { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }

    public var received: [[UInt8]] { lock.lock(); defer { lock.unlock() }; return jobs }

    /// Waits (at most `seconds`) for `count` jobs.
    public func waitFor(_ count: Int, seconds: Double = 10) -> [[UInt8]] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, received.count < count { Thread.sleep(forTimeInterval: 0.02) }
        return received
    }

    public static func freePort() throws -> UInt16 {
        let listener = try PrinterListener()
        let port = listener.port
        listener.stop()
        return port
    }
}

/// The tests' own reading of ESC/POS, independent of the product's decoder: the text lines
/// (GB18030 decoded with iconv), the commands seen, and the QR payload.
public struct ReceiptBytes {
    public var lines: [String] = []
    public var commands: [String] = []
    public var qr: String?

    public init(_ bytes: [UInt8]) {
        var text: [UInt8] = []
        var i = 0
        func take(_ n: Int, _ name: String) { commands.append(name); i += n }
        while i < bytes.count {
            let b = bytes[i]
            let next = i + 1 < bytes.count ? bytes[i + 1] : 0
            switch (b, next) {
            case (0x0A, _): lines.append(Self.gb18030(text)); text = []; i += 1
            case (0x1B, 0x40): take(2, "ESC @")
            case (0x1C, 0x26): take(2, "FS &")
            case (0x1B, 0x45): take(3, "ESC E \(bytes[i + 2])")
            case (0x1B, 0x61): take(3, "ESC a \(bytes[i + 2])")
            case (0x1B, 0x64): take(3, "ESC d")
            case (0x1D, 0x21): take(3, "GS ! \(String(bytes[i + 2], radix: 16))")
            case (0x1B, 0x70): take(5, "ESC p")
            case (0x10, 0x04): take(3, "DLE EOT \(bytes[i + 2])")
            case (0x1D, 0x56):
                let partial = bytes[i + 2] == 0x42 || bytes[i + 2] == 0x01
                take(bytes[i + 2] == 0x42 ? 4 : 3, partial ? "GS V partial" : "GS V full")
            case (0x1D, 0x28):
                let length = Int(bytes[i + 3]) | Int(bytes[i + 4]) << 8
                let body = Array(bytes[(i + 5)..<(i + 5 + length)])
                if body.count > 3, body[0] == 0x31, body[1] == 0x50 { qr = String(decoding: body[3...], as: UTF8.self) }
                take(5 + length, "GS ( k \(String(UnicodeScalar(body[1])))")
            default: text.append(b); i += 1
            }
        }
    }

    public static func gb18030(_ bytes: [UInt8]) -> String {
        let cd = iconv_open("UTF-8", "GB18030")
        defer { iconv_close(cd) }
        var input = bytes.map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: bytes.count * 4 + 4)
        var inLeft = input.count, outLeft = output.count
        input.withUnsafeMutableBufferPointer { ib in
            output.withUnsafeMutableBufferPointer { ob in
                var ip = ib.baseAddress, op = ob.baseAddress
                _ = iconv(cd, &ip, &inLeft, &op, &outLeft)
            }
        }
        return String(decoding: output[0..<(output.count - outLeft)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Terminal/receipt columns of a line: CJK counts two.
    public static func columns(_ line: String) -> Int {
        line.unicodeScalars.reduce(0) { $0 + (($1.value >= 0x2E80 && $1.value <= 0x9FFF) || ($1.value >= 0xFF00 && $1.value <= 0xFF60) ? 2 : 1) }
    }
}
