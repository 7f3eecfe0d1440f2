import Foundation
import MMSDevices
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct MagneticStripeTests {
    static let trackOne = "%B6200000001^WANG/WEI^2812101000000?"
    static let trackTwo = ";6200000001=2812101000?"

    /// A track with its LRC character, computed here from ISO 7813's definition.
    static func withLRC(_ track: String, one: Bool) -> String {
        let base: UInt32 = one ? 0x20 : 0x30, mask: UInt32 = one ? 0x3F : 0x0F
        let lrc = track.unicodeScalars.reduce(UInt32(0)) { $0 ^ (($1.value - base) & mask) }
        return track + String(Unicode.Scalar(lrc + base)!)
    }

    @Test func bothTracksGiveTheCardNumberHolderAndExpiry() throws {
        let card = try MagneticStripe.parse(Self.trackOne + Self.trackTwo + "\r").get()
        #expect(card.number == "6200000001" && card.holder == "WANG/WEI" && card.expires == "2812" && card.source == "stripe")
        #expect(try MagneticStripe.parse(Self.trackTwo).get().number == "6200000001")
        #expect(try MagneticStripe.parse(Self.trackOne).get().number == "6200000001")
        // A track the reader could not read is sent as E; the other one still counts.
        #expect(try MagneticStripe.parse("%E?" + Self.trackTwo).get().number == "6200000001")
    }

    @Test func lrcIsCheckedWhereTheReaderSendsIt() throws {
        let good = Self.withLRC(Self.trackOne, one: true) + Self.withLRC(Self.trackTwo, one: false)
        #expect(try MagneticStripe.parse(good).get().number == "6200000001")
        var bad = Self.withLRC(Self.trackTwo, one: false)
        let last = bad.unicodeScalars.last!.value
        bad = String(bad.dropLast()) + String(Unicode.Scalar(last == 0x30 ? 0x31 : 0x30)!)
        #expect(MagneticStripe.parse(bad) == .failure(.wrongLRC(track: 2)))
    }

    @Test func garbledHalfAndDisagreeingSwipesAreRefusedNeverGuessed() {
        #expect(MagneticStripe.parse(";62000000") == .failure(.incomplete))
        #expect(MagneticStripe.parse("%B6200000001^WANG") == .failure(.incomplete))
        if case .failure(.garbled) = MagneticStripe.parse(";62000X0001=2812101?") {} else { Issue.record("a letter in track 2 is garbled") }
        if case .failure(.garbled) = MagneticStripe.parse(";6200000001?") {} else { Issue.record("no separator is garbled") }
        if case .failure(.garbled) = MagneticStripe.parse("%B6200000001^W^2812101?") {} else { Issue.record("a 1-letter name is garbled") }
        #expect(MagneticStripe.parse(Self.trackOne + ";6200000002=2812101000?") == .failure(.tracksDisagree))
        #expect(MagneticStripe.parse("%E?;E?") == .failure(.noTrack))
        if case .failure = MagneticStripe.parse("6200000001") {} else { Issue.record("typed digits are not a swipe") }
    }
}

@Suite struct SwipeDetectorTests {
    /// Feeds `text` one byte every `gap` ms from `start` ms; returns the outputs and the end time.
    static func type(_ text: String, into detector: inout SwipeDetector, from start: UInt64, gap: UInt64) -> ([SwipeDetector.Output], UInt64) {
        var out: [SwipeDetector.Output] = []
        var t = start
        for byte in text.utf8 {
            out += detector.tick(t * 1_000_000)      // the shell's idle wait before the byte came
            out += detector.feed(byte, at: t * 1_000_000)
            t += gap
        }
        out += detector.tick((t + 200) * 1_000_000)
        return (out, t + 200)
    }

    @Test func aSwipeArrivingWhileAPersonTypesIsTheRightCardAndTheirKeysStayKeys() throws {
        var detector = SwipeDetector()
        var (out, t) = Self.type("13", into: &detector, from: 0, gap: 150)            // a person
        let (swipe, t2) = Self.type(MagneticStripeTests.trackOne + MagneticStripeTests.trackTwo + "\r", into: &detector, from: t, gap: 3)
        let (more, _) = Self.type("8", into: &detector, from: t2, gap: 150)
        out += swipe + more; t = t2
        #expect(out.count == 4)
        #expect(out[0] == .key(UInt8(ascii: "1")) && out[1] == .key(UInt8(ascii: "3")) && out[3] == .key(UInt8(ascii: "8")))
        guard case .swipe(.success(let card)) = out[2] else { Issue.record("no swipe in \(out)"); return }
        #expect(card.number == "6200000001")
    }

    @Test func aPersonTypingASentinelSlowlyTypesKeysAndASwipeIsNeverKeys() {
        var detector = SwipeDetector()
        let (typed, _) = Self.type(";12\r", into: &detector, from: 0, gap: 120)
        #expect(typed == ";12\r".utf8.map { .key($0) })
        let (swiped, _) = Self.type(MagneticStripeTests.trackTwo + "\r", into: &detector, from: 1_000, gap: 2)
        #expect(swiped.count == 1)
        #expect(!swiped.contains { if case .key = $0 { true } else { false } }, "no byte of a swipe is ever a key (a PIN field never sees it)")
    }

    @Test func aBurstThatStallsIsAHalfSwipeAndItsRestIsNotTyped() {
        var detector = SwipeDetector()
        var out: [SwipeDetector.Output] = []
        var t: UInt64 = 0
        for byte in ";6200000001=28".utf8 { out += detector.feed(byte, at: t); t += 2_000_000 }
        out += detector.tick(t + 100_000_000)
        #expect(out == [.swipe(.failure(.incomplete))])
        t += 110_000_000
        for byte in "12101000?\r".utf8 { out += detector.feed(byte, at: t); t += 2_000_000 }
        #expect(out == [.swipe(.failure(.incomplete))], "the rest of the swipe is not keys")
        #expect(detector.feed(UInt8(ascii: "5"), at: t + 200_000_000) == [.key(UInt8(ascii: "5"))])
    }

    @Test func bytesReadLateAfterABusyMomentAreStillOneSwipe() {
        // All of a swipe read at once, 300 ms after it was typed: no pause was seen, so one swipe.
        var detector = SwipeDetector()
        var out: [SwipeDetector.Output] = []
        for byte in ";6200000001=2812101000?\r".utf8 { out += detector.feed(byte, at: 300_000_000) }
        guard case .swipe(.success(let card))? = out.first, out.count == 1 else { Issue.record("\(out)"); return }
        #expect(card.number == "6200000001")
    }
}

/// A serial reader on a real pseudo-terminal: the test writes what a reader sends to the master
/// side, `SerialReader` opens the slave path with termios like a /dev/ttyUSB0.
@Suite struct SerialReaderTests {
    @Test func swipesThroughAPseudoTerminal() throws {
        var master: Int32 = 0, slave: Int32 = 0
        var name = [CChar](repeating: 0, count: 128)
        try #require(openpty(&master, &slave, &name, nil, nil) == 0)
        defer { close(master); close(slave) }
        let path = String(cString: name)
        let reader = try SerialReader(SerialReader.Settings(parsing: "\(path):9600:8N1"))
        func send(_ text: String) { _ = text.utf8CString.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count - 1) } }

        send(MagneticStripeTests.trackOne + MagneticStripeTests.trackTwo + "\r")
        guard case .card(let card)? = try reader.next(timeoutMillis: 2_000) else { Issue.record("no card"); return }
        #expect(card.number == "6200000001" && card.holder == "WANG/WEI")

        send(MagneticStripeTests.withLRC(MagneticStripeTests.trackTwo, one: false) + "\r")
        guard case .card(let withLRC)? = try reader.next(timeoutMillis: 2_000) else { Issue.record("no card with LRC"); return }
        #expect(withLRC.number == "6200000001")

        send(";6200000001=2812101000?0\r")   // a wrong LRC
        guard case .unreadable(let why)? = try reader.next(timeoutMillis: 2_000) else { Issue.record("a wrong LRC was accepted"); return }
        #expect(why.contains("LRC"))

        send(";62000000")                    // a half swipe: no end, no CR
        guard case .unreadable(let half)? = try reader.next(timeoutMillis: 2_000) else { Issue.record("a half swipe was accepted"); return }
        #expect(half.contains("half swipe"))

        send("%B62^^garbage\r")
        guard case .unreadable? = try reader.next(timeoutMillis: 2_000) else { Issue.record("garbage was accepted"); return }
        #expect(try reader.next(timeoutMillis: 100) == nil)
    }

    @Test func badSerialSettingsAreClearErrors() {
        #expect(throws: DeviceError.self) { try SerialReader.Settings(parsing: "/dev/ttyS0:1234") }
        #expect(throws: DeviceError.self) { try SerialReader.Settings(parsing: "/dev/ttyS0:9600:9Z1") }
        #expect(throws: DeviceError.self) { try SerialReader(SerialReader.Settings(parsing: "/nonexistent/ttyUSB9")) }
        #expect(throws: DeviceError.self) { try SerialReader(SerialReader.Settings(parsing: "/dev/null")) }   // not a serial line
    }
}
