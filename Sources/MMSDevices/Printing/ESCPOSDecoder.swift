/// Reads ESC/POS bytes back into what a printer would do with them: lines of text with their
/// styles, QR payloads, cuts, drawer kicks, status questions. `mms printer serve` prints a
/// receipt with it; it understands the commands `ESCPOS` writes and skips others it knows the
/// length of, marking anything else.
public struct ESCPOSDecoder: Sendable {
    public enum Event: Equatable, Sendable {
        case text(String, bold: Bool, large: Bool, alignment: ESCPOS.Alignment)
        case qr(String)
        case cut
        case drawer
        /// `DLE EOT n`: the sender waits for a status byte.
        case statusAsked(UInt8)
        case unknown(String)
    }

    public var encoding: PrinterEncoding
    var chinese = false
    var bold = false
    var large = false
    var alignment = ESCPOS.Alignment.left
    var text: [UInt8] = []
    var pending: [UInt8] = []
    var qrData: [UInt8] = []

    public init(encoding: PrinterEncoding = .gb18030) { self.encoding = encoding }

    /// Feeds bytes as they arrive; answers the events they complete. A command cut across two
    /// reads waits for its tail.
    public mutating func feed(_ bytes: [UInt8]) -> [Event] {
        pending += bytes
        var events: [Event] = []
        var i = 0
        func need(_ n: Int) -> Bool { i + n <= pending.count }
        loop: while i < pending.count {
            let b = pending[i]
            switch b {
            case 0x0A:
                events += flushLine(force: true); i += 1
            case 0x0D:
                i += 1
            case 0x1B:
                guard need(2) else { break loop }
                let command = pending[i + 1]
                switch command {
                case 0x40: events += flushLine(); chinese = false; bold = false; large = false; alignment = .left; i += 2
                case 0x45, 0x61, 0x64, 0x74, 0x21, 0x2D, 0x4D, 0x33, 0x4A:
                    guard need(3) else { break loop }
                    let n = pending[i + 2]
                    events += flushLine()
                    if command == 0x45 { bold = n & 1 == 1 }
                    if command == 0x61 { alignment = ESCPOS.Alignment(rawValue: n % 3) ?? .left }
                    if command == 0x64 { events += Array(repeating: Event.text("", bold: false, large: false, alignment: .left), count: Int(min(n, 10))) }
                    i += 3
                case 0x70:
                    guard need(5) else { break loop }
                    events += flushLine(); events.append(.drawer); i += 5
                case 0x32: i += 2
                default:
                    events.append(.unknown("ESC " + hexByte(command))); i += 2
                }
            case 0x1C:
                guard need(2) else { break loop }
                events += flushLine()
                if pending[i + 1] == 0x26 { chinese = true } else if pending[i + 1] == 0x2E { chinese = false }
                i += 2
            case 0x10:
                guard need(3) else { break loop }
                if pending[i + 1] == 0x04 { events.append(.statusAsked(pending[i + 2])) }
                i += 3
            case 0x1D:
                guard need(2) else { break loop }
                switch pending[i + 1] {
                case 0x21:
                    guard need(3) else { break loop }
                    events += flushLine(); large = pending[i + 2] != 0; i += 3
                case 0x56:
                    guard need(3) else { break loop }
                    let m = pending[i + 2]
                    let length = (m == 0x41 || m == 0x42 || m == 0x61 || m == 0x62 || m == 0x67 || m == 0x68) ? 4 : 3
                    guard need(length) else { break loop }
                    events += flushLine(); events.append(.cut); i += length
                case 0x28:
                    guard need(5) else { break loop }
                    let length = Int(pending[i + 3]) | Int(pending[i + 4]) << 8
                    guard need(5 + length) else { break loop }
                    let body = Array(pending[(i + 5)..<(i + 5 + length)])
                    events += flushLine()
                    if pending[i + 2] == 0x6B, body.count >= 3, body[0] == 0x31 {
                        if body[1] == 0x50 { qrData = Array(body[3...]) }
                        if body[1] == 0x51 { events.append(.qr(String(decoding: qrData, as: UTF8.self))) }
                    }
                    i += 5 + length
                default:
                    events.append(.unknown("GS " + hexByte(pending[i + 1]))); i += 2
                }
            default:
                if b < 0x20 { i += 1; continue }
                text.append(b); i += 1
                // A stream that never feeds a line is still printed, a paper's width at a time.
                if text.count >= 4_096 { events += flushLine() }
            }
        }
        pending.removeFirst(i)
        return events
    }

    /// The text collected so far as one line (at LF, or before a command that changes the style).
    mutating func flushLine(force: Bool = false) -> [Event] {
        guard force || !text.isEmpty else { return [] }
        let decoded = (chinese || encoding == .utf8 ? encoding.decode(text) : nil)
            ?? String(decoding: text.map { $0 < 0x80 ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
        text = []
        return [.text(decoded, bold: bold, large: large, alignment: alignment)]
    }
}

func hexByte(_ value: UInt8) -> String {
    let hex = String(value, radix: 16, uppercase: true)
    return hex.count == 1 ? "0" + hex : hex
}
