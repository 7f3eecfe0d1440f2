import CPCSC
import Foundation

/// Contactless cards through PC/SC: wait for a card on the reader, ask its UID with
/// `FF CA 00 00 00` (answered by the UID and `90 00`), then wait until it is taken away, so one
/// tap is one read. libpcsclite is loaded when this reader is first used; a machine without
/// it runs every other reader.
public final class PCSCReader: @unchecked Sendable {
    public static let getUID: [UInt8] = [0xFF, 0xCA, 0x00, 0x00, 0x00]
    let context: Int
    /// Only this reader (a name or a part of it); the first reader otherwise.
    let wanted: String?
    var reader: String?
    var state: UInt = 0
    /// The last card read, until it is removed: a card resting on the reader is read once.
    var resting = false
    /// pcscd's event count (the state's upper 16 bits) when that card was read: a card swapped
    /// for another between two waits changes it.
    var restingEvents: UInt = 0

    public init(reader wanted: String? = nil) throws {
        self.wanted = wanted
        let loaded = mms_pcsc_load()
        guard loaded == 0 else { throw Self.error(loaded, doing: "load PC/SC") }
        var context = 0
        let rv = mms_pcsc_establish(&context)
        guard rv == 0 else { throw Self.error(rv, doing: "reach pcscd") }
        self.context = context
    }

    deinit { _ = mms_pcsc_release(context) }

    static func error(_ code: Int, doing what: String) -> DeviceError {
        let text = String(cString: mms_pcsc_describe(code))
        switch code {
        case MMS_PCSC_NO_SERVICE: return DeviceError("PC/SC: cannot \(what): pcscd is not running (\(text)).")
        case MMS_PCSC_NO_READERS: return DeviceError("PC/SC: no card reader is plugged in.")
        default: return DeviceError("PC/SC: cannot \(what): \(text).")
        }
    }

    /// Reader names pcscd knows now.
    public func readers() throws -> [String] {
        var length: UInt = 4096
        var buffer = [CChar](repeating: 0, count: Int(length))
        let rv = mms_pcsc_list(context, &buffer, &length)
        if rv == MMS_PCSC_NO_READERS { return [] }
        guard rv == 0 else { throw Self.error(rv, doing: "list readers") }
        return buffer.prefix(Int(length)).split(separator: 0).map { String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    }

    /// Waits up to `timeoutMillis` for a card and answers its read, a refusal, or a change of
    /// the reader's state; nil when nothing happened.
    public func next(timeoutMillis: UInt) throws -> ReaderEvent? {
        guard let name = reader else {
            let all = try readers()
            guard let found = all.first(where: { wanted == nil || $0.contains(wanted!) }) else {
                Thread.sleep(forTimeInterval: Double(min(timeoutMillis, 1_000)) / 1_000)
                return .status(wanted.map { "没有读卡器 “\($0)” (reader not found; have: \(all.joined(separator: ", ")))" } ?? "没有读卡器 (no PC/SC reader)")
            }
            reader = found; state = 0; resting = false
            return .status("读卡器就绪: \(found)")
        }
        var newState = state
        let rv = mms_pcsc_wait(context, name, timeoutMillis, &newState)
        if rv == MMS_PCSC_TIMEOUT { return nil }
        if rv == MMS_PCSC_READER_GONE || rv == MMS_PCSC_UNKNOWN_READER || newState & MMS_PCSC_STATE_UNKNOWN != 0 || newState & MMS_PCSC_STATE_UNAVAILABLE != 0 {
            reader = nil
            return .status("读卡器已拔出 (reader \(name) removed)")
        }
        guard rv == 0 else { throw Self.error(rv, doing: "watch the reader") }
        state = newState
        if newState & MMS_PCSC_STATE_EMPTY != 0 { resting = false; return nil }
        let events = newState >> 16
        guard newState & MMS_PCSC_STATE_PRESENT != 0, !resting || events != restingEvents else { return nil }
        resting = true
        restingEvents = events
        return readUID(name)
    }

    func readUID(_ name: String) -> ReaderEvent {
        var card = 0
        var proto: UInt = 0
        var rv = mms_pcsc_connect(context, name, &card, &proto)
        guard rv == 0 else { resting = false; return .unreadable("读卡失败，请重新拍卡 (\(Self.error(rv, doing: "connect to the card").message))") }
        defer { _ = mms_pcsc_disconnect(card) }
        var reply = [UInt8](repeating: 0, count: 258)
        var length = UInt(reply.count)
        rv = mms_pcsc_transmit(card, proto, Self.getUID, UInt(Self.getUID.count), &reply, &length)
        guard rv == 0 else { resting = false; return .unreadable("卡片移开太快，请重新拍卡 (\(Self.error(rv, doing: "read the card").message))") }
        return Self.parseUID(Array(reply.prefix(Int(length))))
    }

    /// The answer to `FF CA 00 00 00`: UID bytes then `90 00`; anything else is refused.
    public static func parseUID(_ reply: [UInt8]) -> ReaderEvent {
        let hex = reply.map { hexByte($0) }.joined(separator: " ")
        guard reply.count >= 3, reply.suffix(2) == [0x90, 0x00] else {
            return .unreadable("读卡失败，请重新拍卡 (card answered \(hex.isEmpty ? "nothing" : hex))")
        }
        let uid = Array(reply.dropLast(2))
        guard uid.count <= 10 else { return .unreadable("读卡失败 (UID of \(uid.count) bytes)") }
        return .card(CardData(number: cardNumber(uid: uid), source: "chip", raw: uid.map { hexByte($0) }.joined()))
    }

    /// A chip card's number: its UID as a big-endian unsigned integer in decimal, ten digits
    /// for a 4-byte UID (how ID-card readers print it, and how the chain registers such cards).
    public static func cardNumber(uid: [UInt8]) -> String {
        if uid.count <= 8 {
            let value = uid.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let digits = String(value)
            let width = uid.count <= 4 ? 10 : 20
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return uid.map { hexByte($0) }.joined()
    }
}
