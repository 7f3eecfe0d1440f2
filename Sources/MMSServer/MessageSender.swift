import AsyncHTTPClient
import Foundation
import Logging
import MMSCore
import MMSNode
import MMSStore
import MMSTopology
import NIOCore
import ServiceLifecycle

/// The chain's sending node delivers the outbox to its gateway (`[messaging]` in the topology):
/// each message POSTed as JSON with its key as `Idempotency-Key`, at most `rate_per_second`,
/// never in quiet hours, retried with back-off (`Delivery`). Its state is in the store, so a
/// restarted node goes on where it stopped and sends nothing twice.
public struct MessageSender: Service {
    let node: LocalNode
    let messaging: Messaging
    let log: Logger

    public init(node: LocalNode, messaging: Messaging, log: Logger) { self.node = node; self.messaging = messaging; self.log = log }

    struct Body: Encodable { let key: String; let member: String; let kind: String; let phone: String; let text: String }

    public func run() async throws {
        let token = try messaging.tokenFile.map { file -> String in
            do { return try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) } catch {
                throw MMSError(.invalidTopology, "messaging.token_file \(file) cannot be read: \(error.localizedDescription)")
            }
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        log.info("sending the outbox", metadata: ["webhook": "\(messaging.webhook)"])
        var lastDailyRun: String?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let started = Date()
            if !messaging.daily.isEmpty, let day = Messages.dailyRunDue(at: messaging.dailyAt, now: LocalNode.wallClockMillis(), lastRun: lastDailyRun) {
                runDailyReminders(day)
                lastDailyRun = day
            }
            var sent = 0
            if !Messages.isQuiet(messaging.quietHours, at: LocalNode.wallClockMillis()) {
                for message in (try? node.store.outboxDue(now: LocalNode.wallClockMillis(), limit: messaging.ratePerSecond)) ?? [] {
                    await deliver(message, client: client, token: token)
                    sent += 1
                }
            }
            // At most rate_per_second a second; a second's rest when there was nothing to send.
            let rest = sent < messaging.ratePerSecond ? 1.0 : max(0, 1.0 - Date().timeIntervalSince(started))
            try? await Task.sleep(nanoseconds: UInt64(rest * 1e9))
        }
        try await client.shutdown()
    }

    /// The day's reminders, queued once per member and occasion however often they run (a
    /// restarted node runs them again: nothing new is queued).
    func runDailyReminders(_ day: String) {
        for reminder in messaging.daily {
            do {
                let list = try node.remind(reminder.kind, days: reminder.days, dryRun: false)
                log.info("daily reminders", metadata: ["day": "\(day)", "kind": "\(reminder.kind.rawValue)", "queued": "\(list.queued)"])
            } catch {
                log.error("daily reminders failed", metadata: ["day": "\(day)", "kind": "\(reminder.kind.rawValue)", "error": "\(error)"])
            }
        }
    }

    func deliver(_ message: NodeStore.OutboxMessage, client: HTTPClient, token: String?) async {
        let outcome: Delivery.Outcome
        do {
            let (phone, text) = try node.messageForGateway(message)
            var request = HTTPClientRequest(url: messaging.webhook)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.headers.add(name: "Idempotency-Key", value: message.key)
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(Body(key: message.key, member: message.member, kind: message.kind, phone: phone, text: text))))
            let response = try await client.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            outcome = Delivery.outcome(status: Int(response.status.code))
        } catch let error as MMSError {
            outcome = .refused(error.message)
        } catch {
            outcome = .failed("\(error)")
        }
        let next = Delivery.after(outcome, attempts: message.attempts, now: LocalNode.wallClockMillis(), maxAttempts: messaging.maxAttempts)
        do {
            try node.store.recordDelivery(key: message.key, status: next.status, attempts: next.attempts, nextAttempt: next.nextAttempt, error: next.error,
                                          sentAt: next.status == "sent" ? LocalNode.wallClockMillis() : nil)
        } catch {
            log.error("outbox state not saved", metadata: ["key": "\(message.key)", "error": "\(error)"])
        }
        if next.status != "sent" { log.notice("message not delivered", metadata: ["key": "\(message.key)", "status": "\(next.status)", "error": "\(next.error ?? "")"]) }
    }
}
