import Foundation
import MMSCore
import MMSNode
import Testing

/// Durability: a real `mms` process commits a stream of charges and is killed with SIGKILL at
/// random moments. After restart every acknowledged charge is there, nothing is half-applied,
/// and `verify` passes.
@Suite struct CrashTests {
    @Test func sigkillMidStreamLosesNoAcknowledgedCharge() throws {
        let directory = try nodeWithCard("C1", balance: "50000.00")
        let dir = directory.url.path

        var rng = SystemRandomNumberGenerator()
        var acknowledged: [String] = []
        let rounds = 5
        for round in 0..<rounds {
            let process = Process()
            process.executableURL = try mmsBinary()
            process.arguments = ["bench", "charges", "--data", dir, "--card", "C1", "--count", "200000", "--key-prefix", "r\(round)-"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            let reader = LineCollector(out.fileHandleForReading)
            try process.run()
            // Let it commit for a while, then kill it without warning at a random moment.
            let deadline = Date().addingTimeInterval(5)
            while reader.lines.count < 20 && Date() < deadline { usleep(5_000) }
            usleep(UInt32.random(in: 20_000...300_000, using: &rng))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            let acks = reader.finish().filter { $0.hasPrefix("ack ") }.map { String($0.split(separator: " ")[1]) }
            #expect(acks.count >= 20, "round \(round) acknowledged only \(acks.count) charges before the kill")
            acknowledged += acks
        }

        let node = try LocalNode(directory: directory)
        let verification = try node.verify()
        #expect(verification.ok)
        let committed = verification.ops - 3  // all but the member, the card and the top-up
        #expect(committed >= acknowledged.count, "acknowledged \(acknowledged.count), committed \(committed)")
        #expect(committed <= acknowledged.count + rounds, "at most one commit per kill can miss its acknowledgement")
        #expect(try node.show(card: "C1").balance == Money(fen: 5_000_000 - Int64(committed)).description)
        for key in acknowledged {
            let replay = try node.charge(card: "C1", amount: Money(fen: 1), pin: nil, requestKey: key)
            #expect(replay.replayed, "acknowledged charge \(key) is missing after the crash")
        }
    }
}

/// Reads a pipe to its end on a thread of its own, so the writer never blocks on a full pipe.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while case let chunk = handle.availableData, !chunk.isEmpty {
                lock.lock(); buffer.append(chunk); lock.unlock()
            }
            done.signal()
        }
    }

    var lines: [Substring] {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: buffer, as: UTF8.self).split(separator: "\n")
    }

    /// Waits for end of file and returns the complete lines (a torn last line is dropped).
    func finish() -> [String] {
        done.wait()
        lock.lock(); defer { lock.unlock() }
        let text = String(decoding: buffer, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        if !text.hasSuffix("\n"), !lines.isEmpty { lines.removeLast() }
        return lines
    }
}

/// Several tills on one node directory at once: every charge commits exactly once.
@Suite struct ConcurrentTillTests {
    @Test func concurrentProcessesShareOneStore() throws {
        let dir = try nodeWithCard("C9", balance: "100.00").url.path
        let tills = (0..<4).map { till -> Process in
            let p = Process()
            p.executableURL = try! mmsBinary()
            p.arguments = ["bench", "charges", "--data", dir, "--card", "C9", "--amount", "0.25", "--count", "40", "--key-prefix", "till\(till)-"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            return p
        }
        for p in tills { try p.run() }
        for p in tills { p.waitUntilExit(); #expect(p.terminationStatus == 0) }
        // 4 tills × 40 charges × 0.25 = 40.00
        #expect(try json(mms(["show", "--data", dir, "--card", "C9", "--json"]).stdout)["balance"] as? String == "60.00")
        #expect(try mms(["node", "verify", "--data", dir]).status == 0)
    }
}
