/// A key the cashier pressed, decoded from the terminal's bytes.
public enum Key: Equatable, Sendable {
    case character(Character)
    case enter, escape, backspace, tab, up, down, left, right
    case function(Int)
    /// Ctrl with a letter: Ctrl-C is `.control("c")`.
    case control(Character)
}

/// Turns terminal bytes into keys: printable ASCII and UTF-8, Enter, Backspace, Ctrl-letters,
/// and the escape sequences of arrows and F-keys (xterm and VT forms). A lone ESC is Escape once
/// `escapeWaitNanos` pass without the rest of a sequence. Pure; the caller gives the time.
public struct KeyDecoder: Sendable {
    public static let escapeWaitNanos: UInt64 = 30_000_000
    var pending: [UInt8] = []
    var pendingSince: UInt64 = 0

    public init() {}

    public mutating func feed(_ byte: UInt8, at now: UInt64) -> [Key] {
        if pending.isEmpty {
            switch byte {
            case 0x1B: pending = [byte]; pendingSince = now; return []
            case 0x0D, 0x0A: return [.enter]
            case 0x7F, 0x08: return [.backspace]
            case 0x09: return [.tab]
            case 0x01...0x1A: return [.control(Character(Unicode.Scalar(byte + 0x60)))]
            case 0x20..<0x7F: return [.character(Character(Unicode.Scalar(byte)))]
            case 0xC0...0xF7: pending = [byte]; pendingSince = now; return []
            default: return []
            }
        }
        pending.append(byte)
        if pending[0] == 0x1B { return escapeSequence() }
        // UTF-8: complete once the lead byte's length is reached.
        let length = pending[0] >= 0xF0 ? 4 : pending[0] >= 0xE0 ? 3 : 2
        guard pending.count >= length else { return [] }
        defer { pending = [] }
        guard let text = String(validating: pending, as: UTF8.self), let character = text.first else { return [] }
        return [.character(character)]
    }

    /// An Escape whose sequence never came.
    public mutating func tick(_ now: UInt64) -> [Key] {
        guard pending.first == 0x1B, now &- pendingSince > Self.escapeWaitNanos else { return [] }
        pending = []
        return [.escape]
    }

    mutating func escapeSequence() -> [Key] {
        guard pending.count >= 2 else { return [] }
        if pending[1] == 0x1B { pending = [0x1B]; return [.escape] }
        guard pending[1] == UInt8(ascii: "[") || pending[1] == UInt8(ascii: "O") else {
            // ESC then a plain key: Escape, then that key.
            let byte = pending[1]
            pending = []
            return [.escape] + feed(byte, at: pendingSince)
        }
        guard pending.count >= 3, let last = pending.last, (0x40...0x7E).contains(last) else {
            if pending.count > 8 { pending = [] }
            return []
        }
        let body = String(decoding: pending[2..<(pending.count - 1)], as: UTF8.self)
        pending = []
        switch last {
        case UInt8(ascii: "A"): return [.up]
        case UInt8(ascii: "B"): return [.down]
        case UInt8(ascii: "C"): return [.right]
        case UInt8(ascii: "D"): return [.left]
        case UInt8(ascii: "P"): return [.function(1)]
        case UInt8(ascii: "Q"): return [.function(2)]
        case UInt8(ascii: "R"): return [.function(3)]
        case UInt8(ascii: "S"): return [.function(4)]
        case UInt8(ascii: "~"):
            let fkeys: [String: Int] = ["11": 1, "12": 2, "13": 3, "14": 4, "15": 5, "17": 6, "18": 7, "19": 8, "20": 9, "21": 10, "23": 11, "24": 12]
            if let n = fkeys[body] { return [.function(n)] }
            if body == "3" { return [.backspace] }
            return []
        default: return []
        }
    }
}
