import Foundation
import MMSDevices
import MMSTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A contactless card of the test's own, speaking vsmartcard's vpcd protocol: it connects to the
/// virtual reader's port (127.0.0.1:35963) and answers in frames of a 2-byte big-endian length
/// and a payload: a 1-byte payload is a control (4 asks for the ATR), a longer one an APDU.
final class VirtualCard: @unchecked Sendable {
    static let atr: [UInt8] = [0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00, 0x03, 0x06, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x6A]
    let uid: [UInt8]
    /// Leave the reader (close the connection) when asked for the UID, as a card taken away mid-read.
    let removeOnRead: Bool
    var fd: Int32 = -1

    init(uid: [UInt8], removeOnRead: Bool = false) { self.uid = uid; self.removeOnRead = removeOnRead }

    /// The card's answer to an APDU.
    func answer(_ apdu: [UInt8]) -> [UInt8] {
        apdu.starts(with: [0xFF, 0xCA, 0x00, 0x00]) ? uid + [0x90, 0x00] : [0x6D, 0x00]
    }

    /// Puts the card on the reader; false when no vpcd listens.
    func insert(port: UInt16 = 35963) -> Bool {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 } }
        guard connected else { close(fd); fd = -1; return false }
        let socket = fd
        Thread.detachNewThread { [self] in serve(socket) }
        return true
    }

    func remove() { if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)); close(fd); fd = -1 } }

    func serve(_ socket: Int32) {
        func readExactly(_ n: Int) -> [UInt8]? {
            var out = [UInt8](repeating: 0, count: n)
            var got = 0
            while got < n {
                let r = out[got...].withUnsafeMutableBytes { read(socket, $0.baseAddress, n - got) }
                if r <= 0 { return nil }
                got += r
            }
            return out
        }
        func reply(_ payload: [UInt8]) {
            let frame = [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
            _ = frame.withUnsafeBytes { write(socket, $0.baseAddress, $0.count) }
        }
        while let header = readExactly(2) {
            let length = Int(header[0]) << 8 | Int(header[1])
            guard let payload = readExactly(length) else { return }
            if payload.count == 1 {
                if payload[0] == 4 { reply(Self.atr) }
                continue
            }
            if removeOnRead && payload.starts(with: [0xFF, 0xCA]) { remove(); return }
            reply(answer(payload))
        }
    }
}

/// PC/SC with Debian's vpcd driver in a real pcscd. `.ci/run` installs and starts them; where
/// pcscd cannot run, the test says so and checks the APDU layer against the card alone.
@Suite(.serialized) struct PCSCTests {
    static let reader = "Virtual PCD 00 00"

    static let socketPath = "/run/pcscd/pcscd.comm"

    /// True when a pcscd answers on its socket (a socket file alone may be left from a pcscd that
    /// is gone); as root, a missing or dead pcscd is started once.
    static func pcscdRunning() -> Bool {
        if socketAnswers() { return true }
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/pcscd"), getuid() == 0 else { return false }
        try? FileManager.default.removeItem(atPath: socketPath)
        try? FileManager.default.removeItem(atPath: "/run/pcscd/pcscd.pid")
        // Not through Process: the daemon would hold what Process and other tests wait on.
        guard runDetached("/usr/sbin/pcscd", []) == 0 else { return false }
        for _ in 0..<50 where !socketAnswers() { Thread.sleep(forTimeInterval: 0.1) }
        return socketAnswers()
    }

    static func socketAnswers() -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in socketPath.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
    }

    /// Reads until a card or a refusal comes (at most `seconds`).
    func nextRead(_ reader: PCSCReader, seconds: Double = 10) throws -> ReaderEvent? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let event = try reader.next(timeoutMillis: 200) {
                if case .status = event { continue }
                return event
            }
        }
        return nil
    }

    @Test func theUIDOfATappedCardIsItsNumberAndAnythingElseIsRefused() {
        let card = VirtualCard(uid: [0x04, 0xA1, 0xB2, 0xC3])
        #expect(PCSCReader.parseUID(card.answer(PCSCReader.getUID)) == .card(CardData(number: "0077705923", source: "chip", raw: "04A1B2C3")))
        if case .unreadable = PCSCReader.parseUID([0x6A, 0x81]) {} else { Issue.record("an error status is refused") }
        if case .unreadable = PCSCReader.parseUID([0x90, 0x00]) {} else { Issue.record("no UID is refused") }
        if case .unreadable = PCSCReader.parseUID([0x04, 0x11]) {} else { Issue.record("a missing 90 00 is refused") }
    }

    @Test func aCardOnTheVirtualReaderIsReadOnceAndACardTakenAwayMidReadIsRefused() throws {
        guard Self.pcscdRunning() else {
            print("PCSCTests: pcscd with vsmartcard-vpcd is not running here and cannot be started; only the APDU layer was tested.")
            return
        }
        let reader = try PCSCReader(reader: Self.reader)
        let readers = try reader.readers()
        try #require(readers.contains(Self.reader), "vpcd's reader is listed: \(readers)")

        let card = VirtualCard(uid: [0x04, 0xA1, 0xB2, 0xC3])
        try #require(card.insert(), "vpcd listens on 127.0.0.1:35963")
        #expect(try nextRead(reader) == .card(CardData(number: "0077705923", source: "chip", raw: "04A1B2C3")))
        #expect(try nextRead(reader, seconds: 1.5) == nil, "a card left on the reader is read once")
        card.remove()
        Thread.sleep(forTimeInterval: 1)

        let fleeting = VirtualCard(uid: [0x11, 0x22, 0x33, 0x44], removeOnRead: true)
        try #require(fleeting.insert())
        guard case .unreadable(let why)? = try nextRead(reader) else { Issue.record("a card removed mid-read gave no refusal"); return }
        #expect(why.contains("重新拍卡"))
        fleeting.remove()
        Thread.sleep(forTimeInterval: 1)

        let again = VirtualCard(uid: [0x11, 0x22, 0x33, 0x44])
        try #require(again.insert())
        #expect(try nextRead(reader) == .card(CardData(number: "0287454020", source: "chip", raw: "11223344")))
        again.remove()
    }

    @Test func aReaderThatIsNotThereIsSaidSo() throws {
        guard Self.pcscdRunning() else { return }
        let reader = try PCSCReader(reader: "No Such Reader 9")
        guard case .status(let text)? = try reader.next(timeoutMillis: 100) else { Issue.record("no status"); return }
        #expect(text.contains("No Such Reader 9"))
    }
}
