import Foundation
import MMSCore
import MMSStore

/// Reminders (a list a branch can call down, and messages to the outbox) and the outbox itself.
public struct ReminderList: Codable, Sendable {
    public struct Entry: Codable, Sendable {
        public let member: String
        /// Masked, as on every screen.
        public let name: String
        public let phone: String
        /// What it is about: the day, the card, the balance, the points, the uses, the days away.
        public let fields: [String: String]
        public let key: String
        public let consent: Bool
        /// Queued to the outbox by this run (false: dry run, no consent, or queued before).
        public let queued: Bool
        public let note: String?
    }
    public let kind: String
    public let days: Int64
    /// The members looked at: those whose home is this branch, or the chain's at head office.
    public let scope: String
    public let dryRun: Bool
    public let entries: [Entry]
    public let queued: Int
}

public struct OutboxList: Codable, Sendable {
    public struct Message: Codable, Sendable {
        public let key: String
        public let member: String
        public let kind: String
        public let fields: [String: String]
        public let queuedAt: String
        public let queuedBy: String
        public let status: String
        public let attempts: Int64
        public let nextAttempt: String?
        public let lastError: String?
        public let sentAt: String?
    }
    public let counts: [String: Int64]
    public let messages: [Message]
}

public struct ConsentResult: Codable, Sendable { public let op: String; public let member: String; public let messages: Bool }

extension LocalNode {
    /// Reminders of `kind` for the next (or, for renewal and dormancy, the last) `days` days, over
    /// the members whose home is this branch (every member at head office): listed, and queued as
    /// messages once per member and occasion unless `dryRun`. `below` is punch-low's uses or
    /// low-balance's amount.
    public func remind(_ kind: MessageKind, days: Int64, below: String? = nil, dryRun: Bool) throws -> ReminderList {
        try permit(.sendReminders)
        guard (0...366).contains(days) else { throw MMSError(.invalidArgument, "--days is from 0 to 366.") }
        let now = clock(), today = Sales.day(wallMillis: now)
        let home: String? = role == .hq ? nil : id.rawValue
        var found: [(member: String, occasion: String, fields: [String: String])] = []
        let within = { (day: Int64) in CardLife.epochDays(CardLife.dayText(day)) - CardLife.epochDays(today) }
        switch kind {
        case .dormant:
            for (member, lastVisit) in try store.lastVisits(before: CardLife.dayNumber(CardLife.day(today, plus: -days)), home: home) {
                found.append((member, CardLife.dayText(lastVisit), ["days": String(-within(lastVisit)), "date": CardLife.dayText(lastVisit)]))
            }
        case .lowBalance:
            let threshold = try below.map { try Money(typed: $0, field: "--below") } ?? Money(fen: 5_000)
            for (member, fen) in try store.lowBalances(below: threshold.fen, home: home) {
                found.append((member, String(today.prefix(7)), ["balance": Money(fen: fen).description]))
            }
        default:
            let uses = try below.map { text -> Int64 in
                guard let n = Int64(text), (1...Limits.maxPunchUses).contains(n) else { throw MMSError(.invalidArgument, "--below is a number of uses from 1, e.g. 2.") }
                return n
            } ?? 2
            try forEachMemberPage { page in
                try store.read { state in
                    for id in page {
                        guard let member = try state.member(id), home == nil || member.home == home else { continue }
                        found += try occasions(kind, member, state: state, today: today, days: days, uses: uses).map { (id, $0.occasion, $0.fields) }
                    }
                }
            }
        }
        var entries: [ReminderList.Entry] = [], queued = 0
        for f in found {
            let key = Messages.key(kind, member: f.member, occasion: f.occasion)
            let (profile, consent, already) = try store.read { state -> (MemberProfile?, Bool, Bool) in
                guard let view = try state.member(f.member) else { return (nil, false, false) }
                let flags = try state.flags(entity: Cell.member(f.member))
                return (try openProfile(view), try state.texts(entity: Cell.member(f.member))[Cell.messageConsent] != "0", flags.contains(Cell.messagePrefix + key))
            }
            var sent = false, note: String?
            if !consent { note = "no consent to messages" } else if already { note = "queued before" } else if !dryRun {
                _ = try commit(decide: { teller, _ in try teller.queueMessage(kind, member: f.member, occasion: f.occasion, fields: f.fields) })
                sent = true; queued += 1
            }
            entries.append(.init(member: f.member, name: profile.map { MemberProfile.maskedName($0.name) } ?? "", phone: profile?.maskedPhone ?? "",
                                 fields: f.fields, key: key, consent: consent, queued: sent, note: note))
        }
        return ReminderList(kind: kind.rawValue, days: days, scope: home ?? "chain", dryRun: dryRun, entries: entries, queued: queued)
    }

    /// A member's occasions for `kind` on `today`: their birthday within `days`, their cards'
    /// last days, their punch cards running low, their points lots ending.
    private func occasions(_ kind: MessageKind, _ member: MemberView, state: any StateReader, today: String, days: Int64, uses: Int64) throws
        -> [(occasion: String, fields: [String: String])] {
        let todayNumber = CardLife.dayNumber(today), horizon = CardLife.dayNumber(CardLife.day(today, plus: days))
        switch kind {
        case .birthday:
            let birthday = try openProfile(member).birthday
            guard birthday.count == 10 else { return [] }
            // This year's birthday, or next year's once it has passed; 29 February is the 28th in other years.
            for year in [Int(today.prefix(4))!, Int(today.prefix(4))! + 1] {
                var day = String(format: "%04d", year) + birthday.dropFirst(4)
                if !Sales.isDay(day) { day = String(format: "%04d-02-28", year) }
                let number = CardLife.dayNumber(day)
                if number >= todayNumber { return number <= horizon ? [(String(year), ["date": "\(Int(day.dropFirst(5).prefix(2))!)月\(Int(day.suffix(2))!)日"])] : [] }
            }
            return []
        case .expiry, .renewal:
            let balance = try state.escrow(Cell.storedValue(member: member.id)).total + state.bonus(of: member.id).fen
            return try state.cards(of: member.id).filter { card in
                guard card.expires > 0, card.status == .active else { return false }
                return kind == .expiry ? (todayNumber...horizon).contains(card.expires)
                    : (CardLife.dayNumber(CardLife.day(today, plus: -days))..<todayNumber).contains(card.expires)
            }.map { ("\($0.number)-\($0.expires)", ["card": $0.number, "date": CardLife.dayText($0.expires), "balance": Money(fen: balance).description]) }
        case .punchLow:
            return try state.cards(of: member.id).filter { $0.type == .punch && $0.status == .active }.compactMap { card in
                let left = try state.escrow(card.punchAccount).total
                return (1...uses).contains(left) ? ("\(card.number)-\(left)", ["card": card.number, "uses": String(left)]) : nil
            }
        case .pointsExpiring:
            return try PointsLots.lots(member: member.id, in: state).filter { lot in
                lot.left > 0 && lot.isValid(on: todayNumber) && (lot.lastDay.map { $0 <= horizon } ?? false)
            }.map { (CardLife.dayText($0.lastDay!), ["points": String($0.left), "date": CardLife.dayText($0.lastDay!)]) }
        case .dormant, .lowBalance:
            return []
        }
    }

    /// A member says yes or no to messages (asked at the till or on their page).
    public func setConsent(member: String, messages: Bool) throws -> ConsentResult {
        try permit(.addMember)
        let issued = try commit(decide: { teller, _ in try teller.setConsent(member: member, messages: messages) })
        return ConsentResult(op: issued.op!.id.description, member: member, messages: messages)
    }

    /// The outbox at this node: the messages queued in the chain and how far the sender got.
    public func outbox(status: String?, limit: Int) throws -> OutboxList {
        try permit(.readReports)
        if let status, !["queued", "sent", "failed"].contains(status) {
            throw MMSError(.invalidArgument, "--status is queued, sent or failed, not “\(status.prefix(20))”.")
        }
        let (messages, counts) = try store.outbox(status: status, limit: min(max(limit, 1), 10_000))
        // A manager sees their branch's members' messages.
        let home: Set<String>? = try reportScope() == nil ? nil : Set(try store.read { state in try messages.compactMap { try state.member($0.member)?.home == self.id.rawValue ? $0.member : nil } })
        return OutboxList(counts: counts, messages: messages.filter { home?.contains($0.member) ?? true }.map { m in
            OutboxList.Message(key: m.key, member: m.member, kind: m.kind, fields: m.fields, queuedAt: Self.chinaTime(m.queuedMillis), queuedBy: m.origin,
                               status: m.status, attempts: m.attempts, nextAttempt: m.status == "queued" && m.attempts > 0 ? Self.chinaTime(UInt64(m.nextAttemptMillis)) : nil,
                               lastError: m.lastError, sentAt: m.sentMillis.map { Self.chinaTime(UInt64($0)) })
        })
    }

    /// A message as the gateway receives it: the member's phone and the text in full (opened from
    /// the seal here, at the sender, never carried in an op).
    public func messageForGateway(_ message: NodeStore.OutboxMessage) throws -> (phone: String, text: String) {
        try store.read { state in
            guard let view = try state.member(message.member), let kind = MessageKind(rawValue: message.kind) else {
                throw MMSError(.unknownMember, "Member \(message.member) of message \(message.key) is not known here.")
            }
            let profile = try openProfile(view)
            var fields = message.fields
            fields["name"] = profile.name
            return (profile.phone, Messages.render(try state.program().program.template(kind), fields))
        }
    }
}
