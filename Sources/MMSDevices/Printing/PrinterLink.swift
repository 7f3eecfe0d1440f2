import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where receipts go: `tcp://HOST:PORT` (a network printer's raw port, 9100), a device file
/// (`/dev/usb/lp0`, a serial line), or `file:PATH` (bytes appended, for tests and archives).
public enum PrinterAddress: Sendable, Equatable, CustomStringConvertible {
    case tcp(host: String, port: UInt16)
    case device(path: String)
    case file(path: String)

    public init(parsing text: String) throws {
        if text.hasPrefix("tcp://") {
            let rest = text.dropFirst(6)
            guard let colon = rest.lastIndex(of: ":"), let port = UInt16(rest[rest.index(after: colon)...]), port > 0, colon > rest.startIndex else {
                throw DeviceError("printer: give tcp://HOST:PORT (e.g. tcp://192.168.1.50:9100), not “\(text)”.")
            }
            self = .tcp(host: String(rest[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: port)
        } else if text.hasPrefix("file:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else { throw DeviceError("printer: give file:PATH, not “\(text)”.") }
            self = .file(path: path)
        } else if text.hasPrefix("/") {
            self = .device(path: text)
        } else {
            throw DeviceError("printer: “\(text)” is not tcp://HOST:PORT, a device path (/dev/usb/lp0) or file:PATH.")
        }
    }

    public var description: String {
        switch self {
        case .tcp(let host, let port): "tcp://\(host):\(port)"
        case .device(let path): path
        case .file(let path): "file:\(path)"
        }
    }
}

/// What the till shows about its printer.
public enum PrinterState: Equatable, Sendable, Codable {
    case ready
    case paperNearEnd
    case paperOut
    case unreachable(String)

    public var label: String {
        switch self {
        case .ready: "打印机正常"
        case .paperNearEnd: "纸将用完"
        case .paperOut: "打印机缺纸"
        case .unreachable: "打印机离线"
        }
    }
}

/// Sends bytes to one printer, one job per connection, with time limits so a printer that is
/// off or unplugged answers an error instead of hanging the caller.
public struct PrinterLink: Sendable {
    public let address: PrinterAddress
    public var connectMillis: Int32 = 3_000
    public var writeMillis: Int32 = 10_000
    /// How long to wait for a reply to `DLE EOT 4`; a printer that never answers is normal.
    public var statusMillis: Int32 = 300
    /// How long to wait, after the job, for the printer to close its side.
    public var drainMillis: Int32 = 500

    public init(_ address: PrinterAddress) { self.address = address }

    /// Sends one job. Asks the paper status first where the printer can answer, and refuses to
    /// send into an empty roll (the job stays queued). Answers the state it learnt.
    @discardableResult
    public func send(_ bytes: [UInt8]) throws -> PrinterState {
        switch address {
        case .file(let path):
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw DeviceError("printer \(address): \(String(cString: strerror(errno))).") }
            defer { close(fd) }
            try writeAll(fd, bytes, socket: false)
            guard fsync(fd) == 0 else { throw DeviceError("printer \(address): \(String(cString: strerror(errno))).") }
            return .ready
        case .device(let path):
            let fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
            let writeOnly = fd < 0 ? open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) : fd
            guard writeOnly >= 0 else { throw DeviceError("printer \(address): \(String(cString: strerror(errno))).") }
            defer { close(writeOnly) }
            let state = fd >= 0 ? try paperState(writeOnly, socket: false) : .ready
            if state == .paperOut { return state }
            try writeAll(writeOnly, bytes, socket: false)
            return state
        case .tcp(let host, let port):
            let fd = try connect(host: host, port: port)
            defer { close(fd) }
            let state = try paperState(fd, socket: true)
            if state == .paperOut { return state }
            try writeAll(fd, bytes, socket: true)
            shutdown(fd, Int32(SHUT_WR))
            drain(fd)
            return state
        }
    }

    /// Reads what the printer still sends (a late status byte) until it closes or `drainMillis`
    /// pass: closing a socket with unread bytes resets it, and the reset can discard the end of
    /// the receipt (the cut) before the printer has it.
    func drain(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 256)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(drainMillis) * 1_000_000
        while DispatchTime.now().uptimeNanoseconds < deadline {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 50) >= 0 else { return }
            if pfd.revents != 0 && read(fd, &buffer, buffer.count) <= 0 { return }
        }
    }

    /// `DLE EOT 4` and the reply, if one comes within `statusMillis`.
    func paperState(_ fd: Int32, socket: Bool) throws -> PrinterState {
        try writeAll(fd, ESCPOS.askPaperStatus, socket: socket)
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, statusMillis) == 1, pfd.revents & Int16(POLLIN) != 0 else { return .ready }
        var byte: UInt8 = 0
        guard read(fd, &byte, 1) == 1, byte & 0x93 == 0x12 else { return .ready }   // not a status byte
        switch ESCPOS.paper(fromStatus: byte) {
        case .ok: return .ready
        case .nearEnd: return .paperNearEnd
        case .out: return .paperOut
        }
    }

    func writeAll(_ fd: Int32, _ bytes: [UInt8], socket: Bool) throws {
        var offset = 0
        while offset < bytes.count {
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&pfd, 1, writeMillis)
            if ready < 0 && errno == EINTR { continue }
            guard ready == 1 else { throw DeviceError("printer \(address): not taking data (\(ready == 0 ? "timed out" : String(cString: strerror(errno)))).") }
            let n = bytes[offset...].withUnsafeBytes { buffer in
                socket ? Glibc.send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) : write(fd, buffer.baseAddress, buffer.count)
            }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw DeviceError("printer \(address): \(String(cString: strerror(errno))).")
            }
            offset += n
        }
    }

    func connect(host: String, port: UInt16) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw DeviceError("printer \(address): cannot resolve \(host).")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { continue }
            if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
            if errno == EINPROGRESS {
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if poll(&pfd, 1, connectMillis) == 1 {
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                    if error == 0 { return fd }
                    lastError = String(cString: strerror(error))
                } else {
                    lastError = "no answer in \(connectMillis) ms"
                }
            } else {
                lastError = String(cString: strerror(errno))
            }
            close(fd)
        }
        throw DeviceError("printer \(address): \(lastError).")
    }
}
