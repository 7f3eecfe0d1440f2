/// Tells a keyboard-wedge reader's swipe from a person typing on the same keyboard. A wedge
/// reader types a whole swipe (`%…?;…?` then Enter) in a burst, a few milliseconds a key; a
/// person is ten times slower. Bytes that start with a start sentinel and keep coming fast are
/// held back until Enter, then parsed as a swipe; if the burst stalls, they were typed and are
/// handed on as keys. Held bytes are never keys: a swipe never lands in a PIN field.
///
/// Pure: the caller gives each byte with the time it was read, and calls `tick` only when a wait
/// for input found none: a till that was busy for a moment (drawing, a disk write) reads the rest
/// of a burst late, and that must not look like a pause.
public struct SwipeDetector: Sendable {
    public enum Output: Equatable, Sendable {
        case key(UInt8)
        case swipe(Result<CardData, MagneticStripe.Refusal>)
    }

    /// Longest pause between two bytes of one swipe. Readers type a key every 1–10 ms; people,
    /// however fast, leave 60 ms or more between keys.
    public static let burstGapNanos: UInt64 = 40_000_000
    /// A swipe longer than this (two full tracks are under 120 characters) is not a swipe.
    public static let maxSwipeBytes = 256

    var held: [UInt8] = []
    var lastByteAt: UInt64 = 0
    /// After a swipe cut short: the rest of it is thrown away up to its Enter or a pause.
    var discarding = false

    public init() {}

    /// True while bytes are held as a possible swipe.
    public var holding: Bool { !held.isEmpty }

    public mutating func feed(_ byte: UInt8, at now: UInt64) -> [Output] {
        var out: [Output] = []
        if discarding {
            lastByteAt = now
            if byte == 0x0D || byte == 0x0A { discarding = false }
            return []
        }
        if held.isEmpty {
            if byte == UInt8(ascii: "%") || byte == UInt8(ascii: ";") {
                held = [byte]; lastByteAt = now
            } else {
                out.append(.key(byte))
            }
            return out
        }
        lastByteAt = now
        if byte == 0x0D || byte == 0x0A {
            let swipe = String(decoding: held, as: UTF8.self)
            held = []
            out.append(.swipe(MagneticStripe.parse(swipe)))
            return out
        }
        held.append(byte)
        if held.count > Self.maxSwipeBytes {
            held = []
            discarding = true
            out.append(.swipe(.failure(.garbled("too long"))))
        }
        return out
    }

    /// Hands held bytes on as keys once the burst has stalled: a person typed them. A stalled
    /// burst that already looks like most of a swipe (a start sentinel, then a track's worth of
    /// characters) is a swipe cut short instead, reported so.
    public mutating func tick(_ now: UInt64) -> [Output] {
        guard now &- lastByteAt > Self.burstGapNanos else { return [] }
        discarding = false
        guard !held.isEmpty else { return [] }
        defer { held = [] }
        if held.count >= 8 {
            // Whatever of this swipe still comes is not typing.
            discarding = true
            lastByteAt = now
            return [.swipe(.failure(.incomplete))]
        }
        return held.map { .key($0) }
    }
}
