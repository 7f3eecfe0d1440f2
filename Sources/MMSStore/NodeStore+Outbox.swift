import Foundation
import GRDB
import MMSCore

/// The outbox: messages queued by any node (replicated, one per key), and how the sending node
/// delivered each (node-local). Delivery state is written only here, by the node's sender.
extension NodeStore {
    public struct OutboxMessage: Sendable, Equatable {
        public let key: String
        public let member: String
        public let kind: String
        public let fields: [String: String]
        /// When it was queued (HLC wall milliseconds) and by which node.
        public let queuedMillis: UInt64
        public let origin: String
        public let status: String
        public let attempts: Int64
        public let nextAttemptMillis: Int64
        public let lastError: String?
        public let sentMillis: Int64?
    }

    static let outboxColumns = """
        o.key, o.member, o.kind, o.fields, o.queued, o.origin, d.status, d.attempts, d.next_attempt, d.last_error, d.sent_at
        FROM outbox o JOIN outbox_delivery d ON d.key = o.key
        """

    static func outboxMessage(_ row: Row) -> OutboxMessage {
        OutboxMessage(key: row[0], member: row[1], kind: row[2], fields: ReportTables.decode(row[3]),
                      queuedMillis: HLC(packed: UInt64(bitPattern: row[4])).wallMillis, origin: row[5], status: row[6], attempts: row[7],
                      nextAttemptMillis: row[8], lastError: row[9], sentMillis: row[10])
    }

    /// Messages whose next attempt is due at `now`, oldest first.
    public func outboxDue(now: UInt64, limit: Int) throws -> [OutboxMessage] {
        try guarded {
            try db.read { db in
                try Row.fetchAll(db, sql: "SELECT \(Self.outboxColumns) WHERE d.status = 'queued' AND d.next_attempt <= ? ORDER BY d.next_attempt, o.queued LIMIT ?",
                                 arguments: [Int64(now), limit]).map(Self.outboxMessage)
            }
        }
    }

    /// The newest messages (or those of `status`), and how many there are of each status.
    public func outbox(status: String?, limit: Int) throws -> (messages: [OutboxMessage], counts: [String: Int64]) {
        try guarded {
            try db.read { db in
                let messages = try Row.fetchAll(db, sql: "SELECT \(Self.outboxColumns) WHERE (? IS NULL OR d.status = ?) ORDER BY o.queued DESC LIMIT ?",
                                                arguments: [status, status, limit]).map(Self.outboxMessage)
                var counts: [String: Int64] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT status, count(*) FROM outbox_delivery GROUP BY status") { counts[row[0]] = row[1] }
                return (messages, counts)
            }
        }
    }

    /// What the sender's attempt at `key` came to: sent, failed for good, or queued again for `nextAttempt`.
    public func recordDelivery(key: String, status: String, attempts: Int64, nextAttempt: UInt64, error: String?, sentAt: UInt64?) throws {
        try write { db in
            try db.execute(sql: "UPDATE outbox_delivery SET status = ?, attempts = ?, next_attempt = ?, last_error = ?, sent_at = ? WHERE key = ?",
                           arguments: [status, attempts, Int64(nextAttempt), error.map { String($0.prefix(200)) }, sentAt.map(Int64.init), key])
        }
    }
}
