import Foundation
import Hummingbird
import Logging
import MMSCore
import MMSNode
import MMSServer
import MMSTopology

/// The outbox delivered: N members whose birthday is in three days, their reminders queued by
/// `remind`, then the sending node's `MessageSender` POSTing each to a gateway on 127.0.0.1 that
/// accepts everything, until every message is marked sent.
public struct OutboxBenchReport: Codable, Sendable {
    public let messages: Int
    public let ratePerSecond: Int
    public let seconds: Double
    public let deliveredPerSecond: Double
    /// What the gateway received: POSTs, and distinct idempotency keys among them.
    public let posts: Int
    public let keys: Int
}

extension Benchmarks {
    public static func outbox(messages: Int, ratePerSecond: Int, progress: (String) -> Void) async throws -> OutboxBenchReport {
        let directory = DataDirectory(try temporaryDirectory("outbox").appendingPathComponent("hq").path)
        try LocalNode.initialise(directory: directory, id: NodeID("hq"), role: .hq)
        let node = try LocalNode(directory: directory)
        let inThreeDays = CardLife.day(Sales.day(wallMillis: LocalNode.wallClockMillis()), plus: 3)
        progress("\(messages) members born on \(inThreeDays.dropFirst(5))")
        for i in 0..<messages {
            _ = try node.addMember(MemberProfile(name: "会员\(i)", phone: String(format: "139%08d", i), birthday: "1990-" + inThreeDays.dropFirst(5)))
        }
        let queued = try node.remind(.birthday, days: 7, dryRun: false).queued
        guard queued == messages else { throw MMSError(.storeFailure, "Queued \(queued) reminders for \(messages) members.") }

        let gateway = Gateway()
        let router = Router()
        router.post("send") { request, _ -> HTTPResponse.Status in
            await gateway.received(request.headers[.init("Idempotency-Key")!] ?? "")
            return .ok
        }
        func quiet(_ label: String) -> Logger { var logger = Logger(label: label); logger.logLevel = .critical; return logger }
        let (ports, port) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { port.yield($0.localAddress?.port ?? 0) }, logger: quiet("mms.bench.gateway"))
        let server = Task { try await app.runService() }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else { throw MMSError(.storeFailure, "The bench's gateway did not start.") }

        var messaging = Messaging(sender: try NodeID("hq"), webhook: "http://127.0.0.1:\(bound)/send")
        messaging.ratePerSecond = ratePerSecond
        let sender = MessageSender(node: node, messaging: messaging, log: quiet("mms.bench.outbox"))
        progress("delivering at most \(ratePerSecond) a second to 127.0.0.1:\(bound)")
        let start = Date()
        let sending = Task { try await sender.run() }
        // Bounded: at most ten minutes.
        while try node.outbox(status: nil, limit: 1).counts["sent"] ?? 0 < Int64(messages), Date().timeIntervalSince(start) < 600 {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        let seconds = Date().timeIntervalSince(start)
        sending.cancel()
        _ = try? await sending.value
        let (posts, keys) = await gateway.counts
        return OutboxBenchReport(messages: messages, ratePerSecond: ratePerSecond, seconds: seconds, deliveredPerSecond: Double(messages) / seconds,
                                 posts: posts, keys: keys)
    }

    actor Gateway {
        var posts = 0
        var keys: Set<String> = []
        func received(_ key: String) { posts += 1; keys.insert(key) }
        var counts: (Int, Int) { (posts, keys.count) }
    }
}
