import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A card reader on a serial line (RS-232 or a USB serial adapter): it sends each swipe's tracks
/// followed by CR or LF. Opened with termios, raw, 9600 8N1 unless the address says otherwise.
public final class SerialReader: @unchecked Sendable {
    public struct Settings: Sendable, Equatable {
        public var path: String
        public var baud: Int = 9600
        public var dataBits: Int = 8
        public var parity: Character = "N"
        public var stopBits: Int = 1

        /// `PATH[:BAUD[:8N1]]`, e.g. `/dev/ttyUSB0`, `/dev/ttyS0:19200`, `/dev/ttyS0:9600:7E1`.
        public init(parsing text: String) throws {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard let path = parts.first, !path.isEmpty, parts.count <= 3 else { throw DeviceError("serial reader: give serial:PATH[:BAUD[:8N1]], not “\(text)”.") }
            self.path = path
            if parts.count > 1 {
                guard let baud = Int(parts[1]), SerialReader.speed(baud) != nil else {
                    throw DeviceError("serial reader: baud “\(parts[1])” is not one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200.")
                }
                self.baud = baud
            }
            if parts.count > 2 {
                let frame = Array(parts[2].uppercased())
                guard frame.count == 3, let bits = Int(String(frame[0])), (7...8).contains(bits), "NEO".contains(frame[1]),
                      let stop = Int(String(frame[2])), (1...2).contains(stop) else {
                    throw DeviceError("serial reader: frame “\(parts[2])” is not like 8N1 (7 or 8 bits, N/E/O parity, 1 or 2 stop bits).")
                }
                dataBits = bits; parity = frame[1]; stopBits = stop
            }
        }
    }

    public let settings: Settings
    let fd: Int32
    /// A swipe whose end does not arrive within this is reported as cut short.
    public static let swipeTimeoutMillis: Int32 = 500

    public init(_ settings: Settings) throws {
        self.settings = settings
        fd = open(settings.path, O_RDWR | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else { throw DeviceError("serial reader: cannot open \(settings.path): \(String(cString: strerror(errno))).") }
        do { try configure() } catch { close(fd); throw error }
    }

    deinit { close(fd) }

    func configure() throws {
        var tio = termios()
        guard tcgetattr(fd, &tio) == 0 else { throw DeviceError("serial reader: \(settings.path) is not a serial line: \(String(cString: strerror(errno))).") }
        cfmakeraw(&tio)
        let speed = Self.speed(settings.baud)!
        cfsetispeed(&tio, speed); cfsetospeed(&tio, speed)
        let cleared: tcflag_t = tcflag_t(CSIZE) | tcflag_t(PARENB) | tcflag_t(PARODD) | tcflag_t(CSTOPB) | tcflag_t(CRTSCTS)
        tio.c_cflag &= ~cleared
        let size: tcflag_t = settings.dataBits == 7 ? tcflag_t(CS7) : tcflag_t(CS8)
        tio.c_cflag |= size | tcflag_t(CLOCAL) | tcflag_t(CREAD)
        if settings.parity != "N" { tio.c_cflag |= tcflag_t(PARENB) }
        if settings.parity == "O" { tio.c_cflag |= tcflag_t(PARODD) }
        if settings.stopBits == 2 { tio.c_cflag |= tcflag_t(CSTOPB) }
        guard tcsetattr(fd, TCSANOW, &tio) == 0 else { throw DeviceError("serial reader: cannot set \(settings.path) to \(settings.baud) baud: \(String(cString: strerror(errno))).") }
    }

    static func speed(_ baud: Int) -> speed_t? {
        switch baud {
        case 1200: speed_t(B1200)
        case 2400: speed_t(B2400)
        case 4800: speed_t(B4800)
        case 9600: speed_t(B9600)
        case 19200: speed_t(B19200)
        case 38400: speed_t(B38400)
        case 57600: speed_t(B57600)
        case 115200: speed_t(B115200)
        default: nil
        }
    }

    /// Waits up to `timeoutMillis` for a swipe and answers it (nil when none came). A swipe
    /// whose end does not follow within half a second is reported as cut short.
    public func next(timeoutMillis: Int32) throws -> ReaderEvent? {
        var line: [UInt8] = []
        var wait = timeoutMillis
        while true {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, wait)
            if ready < 0 {
                if errno == EINTR { continue }
                throw DeviceError("serial reader: \(String(cString: strerror(errno))).")
            }
            if ready == 0 {
                return line.isEmpty ? nil : .unreadable(MagneticStripe.Refusal.incomplete.description)
            }
            if pfd.revents & Int16(POLLHUP | POLLERR) != 0 && pfd.revents & Int16(POLLIN) == 0 {
                throw DeviceError("serial reader: \(settings.path) was disconnected.")
            }
            var byte: UInt8 = 0
            let n = read(fd, &byte, 1)
            if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            if n <= 0 { throw DeviceError("serial reader: \(settings.path) was disconnected.") }
            wait = Self.swipeTimeoutMillis
            if byte == 0x0D || byte == 0x0A {
                if line.isEmpty { wait = timeoutMillis; continue }
                switch MagneticStripe.parse(String(decoding: line, as: UTF8.self)) {
                case .success(let card): return .card(card)
                case .failure(let refusal): return .unreadable(refusal.description)
                }
            }
            line.append(byte)
            if line.count > SwipeDetector.maxSwipeBytes { return .unreadable(MagneticStripe.Refusal.garbled("too long").description) }
        }
    }
}

/// A device that cannot be used as asked: the message says which and why.
public struct DeviceError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
