import ArgumentParser
import Foundation
import MMSCore
import MMSNode

/// `mms remind` and `mms outbox`: reminders as lists and as messages, and what became of them.
struct Remind: ParsableCommand, ServedCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reminders: birthdays, card expiry and renewal, punch cards running low, points expiring, dormant members, low balances — listed and queued to the outbox once per member and occasion.",
        discussion: "A branch reminds the members whose home it is; head office, every member. --dry-run lists without queuing.")
    @OptionGroup var options: NodeOptions
    @Option(help: "birthday, expiry, renewal, punch-low, points-expiring, dormant or low-balance.") var kind: String
    @Option(help: "Days ahead (birthday, expiry, points-expiring) or back (renewal; dormant: no visit for this many days).") var days: Int64 = 7
    @Option(help: "punch-low: uses left at most (default 2); low-balance: below this amount (default 50.00).") var below: String?
    @Flag(help: "List only; queue no message.") var dryRun = false

    func run() throws {
        try perform(options) {
            guard let kind = MessageKind(option: kind) else {
                throw MMSError(.invalidArgument, "--kind is one of \(MessageKind.allCases.map { $0.rawValue.replacingOccurrences(of: "_", with: "-") }.joined(separator: ", ")).")
            }
            return try options.open().remind(kind, days: days, below: below, dryRun: dryRun)
        }
    }
}

struct Outbox: ParsableCommand, ServedCommand {
    static let configuration = CommandConfiguration(abstract: "The messages queued for the chain's gateway: queued, sent or failed, with their attempts.")
    @OptionGroup var options: NodeOptions
    @Option(help: "queued, sent or failed.") var status: String?
    @Option(help: "At most this many, newest first.") var limit = 100

    func run() throws { try perform(options) { try options.open().outbox(status: status, limit: limit) } }
}

extension ReminderList: TextRendered {
    public var text: String {
        var lines = ["\(kind) reminders for the next \(days) days, \(scope == "chain" ? "every member" : "\(scope)'s members"): \(entries.count)\(dryRun ? " (dry run)" : ", \(queued) queued")"]
        lines += entries.map { e in
            "  \(e.member) \(e.name) \(e.phone) " + e.fields.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                + (e.queued ? "  → outbox" : e.note.map { "  (\($0))" } ?? "")
        }
        return lines.joined(separator: "\n")
    }
}

extension OutboxList: TextRendered {
    public var text: String {
        var lines = ["Outbox: " + counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")]
        lines += messages.map { m in
            "  \(m.key) [\(m.status)] queued \(m.queuedAt) by \(m.queuedBy), \(m.attempts) attempt\(m.attempts == 1 ? "" : "s")"
                + (m.sentAt.map { ", sent \($0)" } ?? "") + (m.nextAttempt.map { ", next \($0)" } ?? "") + (m.lastError.map { " — \($0)" } ?? "")
        }
        return lines.joined(separator: "\n")
    }
}

extension ConsentResult: TextRendered {
    public var text: String { "Member \(member) \(messages ? "agrees to" : "wants no") messages. [op \(op)]" }
}
