import Foundation
import Testing

/// `mms reader test --reader wedge` reading its standard input as a keyboard-wedge reader types
/// into it: a person's slow keys, then swipes arriving as bursts, good and bad.
@Suite struct ReaderCLITests {
    @Test func aWedgeReaderThroughStandardInput() throws {
        let p = Process()
        p.executableURL = try mmsBinary()
        p.arguments = ["reader", "test", "--reader", "wedge", "--count", "4", "--seconds", "30", "--json"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = FileHandle.nullDevice
        try p.run()
        func send(_ text: String) { input.fileHandleForWriting.write(Data(text.utf8)) }
        for key in ["1", "3"] { send(key); Thread.sleep(forTimeInterval: 0.15) }      // a person typing
        send("%B6200000001^WANG/FANG^2812101000?;6200000001=2812101000?\r")             // a swipe meanwhile
        Thread.sleep(forTimeInterval: 0.2)
        send(";62000X0001=2812101000?\r")                                                 // garbled
        Thread.sleep(forTimeInterval: 0.2)
        send(";6200000001=2812101000?0\r")                                                // a wrong LRC
        Thread.sleep(forTimeInterval: 0.2)
        send(";6200000001=28")                                                            // half a swipe
        let data = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try? input.fileHandleForWriting.close()
        let events = String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: String]
        }.filter { $0["event"] != "status" }
        #expect(p.terminationStatus == 0)
        try #require(events.count == 4, "\(events)")
        #expect(events[0]["event"] == "card" && events[0]["number"] == "6200000001" && events[0]["holder"] == "WANG/FANG")
        #expect(events[1]["event"] == "unreadable" && events[1]["reason"]?.contains("track 2") == true)
        #expect(events[2]["event"] == "unreadable" && events[2]["reason"]?.contains("LRC") == true)
        #expect(events[3]["event"] == "unreadable" && events[3]["reason"]?.contains("half swipe") == true)
    }

    /// `mms printer serve` shows each receipt as it comes, through a pipe too (its output was once
    /// held in stdout's buffer until exit, so a watched virtual printer showed nothing).
    @Test func theVirtualPrinterShowsAReceiptThroughAPipe() throws {
        let port = try freePorts(1)[0]
        let printer = Process()
        printer.executableURL = try mmsBinary()
        printer.arguments = ["printer", "serve", "--listen", "127.0.0.1:\(port)"]
        let output = Pipe()
        printer.standardOutput = output
        printer.standardError = FileHandle.nullDevice
        try printer.run()
        defer { printer.terminate(); printer.waitUntilExit() }
        let shown = Shown()
        output.fileHandleForReading.readabilityHandler = { handle in shown.append(handle.availableData) }
        var sent: Output?
        for _ in 0..<50 where sent?.status != 0 {
            sent = try mms(["print-test", "--printer", "tcp://127.0.0.1:\(port)"])
            if sent?.status != 0 { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(sent?.status == 0, "\(sent?.stderr ?? "")")
        let deadline = Date().addingTimeInterval(20)
        while !shown.text.contains("切纸"), Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        output.fileHandleForReading.readabilityHandler = nil
        #expect(shown.text.contains("virtual printer listening") && shown.text.contains("会员") && shown.text.contains("切纸"), "\(shown.text)")
    }

    private final class Shown: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func append(_ more: Data) { lock.lock(); data += more; lock.unlock() }
        var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
    }
}
