import Foundation
import MMSCore
import MMSNode
import Testing

/// A full disk: the store refuses with `store_failure`, nothing is half-applied, and every charge
/// acknowledged before the disk filled is still there. Needs a small tmpfs, so it runs where the
/// tests may mount one (root on Linux, as in CI) and is skipped, visibly, elsewhere.
@Suite(.enabled(if: SmallDisk.canMount, "needs permission to mount a tmpfs"))
struct FullDiskTests {
    @Test func aFullDiskRefusesCleanly() throws {
        let disk = try SmallDisk(kilobytes: 1_200)
        defer { disk.unmount() }
        let dir = disk.path + "/node"
        try #require(mms(["node", "init", "--data", dir, "--id", "branch-1"]).status == 0)
        let member = try #require(try json(mms(["member", "add", "--data", dir, "--name", "赵敏", "--phone", "13500000005", "--birthday", "1992-07-07", "--json"]).stdout)["id"] as? String)
        try #require(mms(["card", "issue", "--data", dir, "--member", member, "--type", "stored", "--number", "C1"]).status == 0)
        try #require(mms(["topup", "--data", dir, "--card", "C1", "--amount", "50000.00"]).status == 0)

        let out = try mms(["bench", "charges", "--data", dir, "--card", "C1", "--count", "100000", "--json"])
        #expect(out.status == 3)
        #expect(try json(out.stdout)["error"] as? String == "store_failure")
        #expect(out.stderr.contains("disk is full"))
        let acknowledged = out.stdout.split(separator: "\n").filter { $0.hasPrefix("ack ") }.map { String($0.split(separator: " ")[1]) }
        #expect(!acknowledged.isEmpty)

        let node = try LocalNode(directory: DataDirectory(dir))
        let verification = try node.verify()
        #expect(verification.ok)
        #expect(verification.ops - 3 == acknowledged.count, "exactly the acknowledged charges are stored")
        for key in acknowledged.suffix(5) {
            #expect(try node.charge(card: "C1", amount: Money(fen: 1), pin: nil, requestKey: key).replayed)
        }
    }
}

/// A tmpfs of a few hundred kilobytes, mounted for one test.
struct SmallDisk {
    let path: String

    static let canMount: Bool = {
        guard let disk = try? SmallDisk(kilobytes: 64) else { return false }
        disk.unmount()
        return true
    }()

    init(kilobytes: Int) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("mms-disk-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path]) == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            throw MMSError(.storeFailure, "cannot mount a tmpfs at \(path)")
        }
    }

    func unmount() {
        _ = Self.run("/bin/umount", [path])
        try? FileManager.default.removeItem(atPath: path)
    }

    private static func run(_ tool: String, _ arguments: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}
