/// Messages to members (reminders) and the rules that shape them: what a message of each kind
/// says, who may be sent one, and the one key that makes a message once per member and occasion
/// in the whole chain — however many nodes run the same reminder, even cut off from each other.
public struct MessageQueued: Equatable, Sendable {
    public var key: String
    public var member: String
    public var kind: MessageKind
    /// The template's fields other than the member's name (which the sender opens from the seal).
    public var fields: [String: String]
    public init(key: String, member: String, kind: MessageKind, fields: [String: String]) {
        self.key = key; self.member = member; self.kind = kind; self.fields = fields
    }
}

/// What a reminder is about.
public enum MessageKind: String, Sendable, CaseIterable, Codable {
    case birthday, expiry, renewal
    case punchLow = "punch_low", pointsExpiring = "points_expiring", dormant, lowBalance = "low_balance"

    /// The command line's and the till API's spelling (`punch-low`).
    public init?(option: String) { self.init(rawValue: option.replacingOccurrences(of: "-", with: "_")) }

    /// What a message says unless head office's program says otherwise (`[messages]`), in
    /// Chinese, with `{field}` filled in when it is sent.
    public var defaultTemplate: String {
        switch self {
        case .birthday: "{name}您好，{date}是您的生日，本店祝您生日快乐！生日当月到店消费可享会员礼遇。"
        case .expiry: "{name}您好，您的会员卡{card}将于{date}到期，余额{balance}元仍可使用，请及时到店续卡。"
        case .renewal: "{name}您好，您的会员卡{card}已于{date}到期，余额{balance}元为您保留，续卡后即可继续使用。"
        case .punchLow: "{name}您好，您的计次卡{card}仅剩{uses}次，欢迎到店续购。"
        case .pointsExpiring: "{name}您好，您有{points}积分将于{date}到期，请及时兑换礼品或抵扣消费。"
        case .dormant: "{name}您好，您已{days}天没有光临本店，我们为您准备了会员专享礼遇，期待您的到来。"
        case .lowBalance: "{name}您好，您的会员卡{card}余额仅剩{balance}元，欢迎到店充值。"
        }
    }

    /// The fields a template may name.
    public static let fields: Set<String> = ["name", "date", "card", "balance", "points", "uses", "days"]
}

/// A reminder the chain's sending node runs on its own each day (`[messaging] daily`): a kind,
/// and how many days ahead it looks (behind, for dormant members), as `birthday:7`.
public struct DailyReminder: Sendable, Equatable {
    public let kind: MessageKind
    public let days: Int64

    public init(_ text: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let kind = MessageKind(option: String(parts[0])) else {
            throw MMSError(.invalidArgument, "“\(text.prefix(40))” is not KIND:DAYS with KIND one of \(MessageKind.allCases.map { $0.rawValue.replacingOccurrences(of: "_", with: "-") }.joined(separator: ", ")), e.g. birthday:7.")
        }
        guard let days = parts.count == 2 ? Int64(parts[1]) : 7, (0...366).contains(days) else {
            throw MMSError(.invalidArgument, "“\(text.prefix(40))”: the days are a number from 0 to 366.")
        }
        self.kind = kind; self.days = days
    }
}

public enum Messages {
    /// One message per member and occasion: the birthday of a year, a card's last day, a lot's
    /// expiry, a month of dormancy.
    public static func key(_ kind: MessageKind, member: String, occasion: String) -> String { "\(kind.rawValue):\(member):\(occasion)" }

    public static let maxTemplateLength = 300
    public static let maxFieldLength = 60

    /// `template` with every `{field}` filled in; a field not given is left out.
    public static func render(_ template: String, _ fields: [String: String]) -> String {
        var text = template
        for field in MessageKind.fields { text = text.replacingOccurrences(of: "{\(field)}", with: fields[field] ?? "") }
        return text
    }

    /// A template is text of at most `maxTemplateLength` characters naming only known fields.
    public static func validate(template: String, kind: String) throws {
        guard !template.isEmpty, template.count <= maxTemplateLength else {
            throw MMSError(.invalidArgument, "messages.\(kind): a template is 1–\(maxTemplateLength) characters.")
        }
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { throw MMSError(.invalidArgument, "messages.\(kind): a “{” without its “}”.") }
            let field = String(rest[rest.index(after: open)..<close])
            guard MessageKind.fields.contains(field) else {
                throw MMSError(.invalidArgument, "messages.\(kind): unknown field {\(field.prefix(20))}; the fields are \(MessageKind.fields.sorted().joined(separator: ", ")).")
            }
            rest = rest[rest.index(after: close)...]
        }
    }

    /// Quiet hours as `HH:MM-HH:MM` (China Standard Time; may run past midnight): whether `millis` falls in them.
    public static func isQuiet(_ hours: (from: Int, until: Int)?, at millis: UInt64) -> Bool {
        guard let hours else { return false }
        let minute = minuteOfDay(millis)
        return hours.from <= hours.until ? (minute >= hours.from && minute < hours.until) : (minute >= hours.from || minute < hours.until)
    }

    /// The minute of the day at `millis`, China Standard Time.
    static func minuteOfDay(_ millis: UInt64) -> Int { Int((millis / 60_000 + 8 * 60) % 1_440) }

    /// The day (China time) whose daily reminders are due at `millis`: from minute `at` of each
    /// day, once (nil: not yet today, or `lastRun` was today).
    public static func dailyRunDue(at minute: Int, now millis: UInt64, lastRun: String?) -> String? {
        let today = Sales.day(wallMillis: millis)
        return minuteOfDay(millis) >= minute && lastRun != today ? today : nil
    }

    /// Reads `HH:MM` into a minute of the day.
    public static func timeOfDay(_ text: String) throws -> Int {
        let parts = text.split(separator: ":").compactMap { Int($0) }
        guard parts.count == 2, (0..<24).contains(parts[0]), (0..<60).contains(parts[1]), text.count == 5 else {
            throw MMSError(.invalidArgument, "“\(text.prefix(20))” is not a time of day like 09:30.")
        }
        return parts[0] * 60 + parts[1]
    }

    /// Reads `HH:MM-HH:MM` into minutes of the day.
    public static func quietHours(_ text: String) throws -> (from: Int, until: Int) {
        let parts = text.split(separator: "-").map { $0.split(separator: ":").compactMap { Int($0) } }
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && (0..<24).contains($0[0]) && (0..<60).contains($0[1]) }) else {
            throw MMSError(.invalidArgument, "quiet_hours “\(text.prefix(20))” is not HH:MM-HH:MM, e.g. 21:00-09:00.")
        }
        return (parts[0][0] * 60 + parts[0][1], parts[1][0] * 60 + parts[1][1])
    }
}

/// How the sending node treats each attempt at a message: delivered, refused for good by the
/// gateway (a 4xx other than 408 and 429: a bad phone, say), or failed and tried again after a
/// back-off that doubles from 1 s to an hour, until `maxAttempts`. The gateway gets the message's
/// key as its `Idempotency-Key`, so an attempt that went through but was not acknowledged is
/// never sent twice.
public enum Delivery {
    public enum Outcome: Equatable, Sendable { case delivered, refused(String), failed(String) }

    public struct Next: Equatable, Sendable {
        public let status: String
        public let attempts: Int64
        public let nextAttempt: UInt64
        public let error: String?
    }

    public static func after(_ outcome: Outcome, attempts before: Int64, now: UInt64, maxAttempts: Int) -> Next {
        let attempts = before + 1
        switch outcome {
        case .delivered: return Next(status: "sent", attempts: attempts, nextAttempt: now, error: nil)
        case .refused(let why): return Next(status: "failed", attempts: attempts, nextAttempt: now, error: why)
        case .failed(let why):
            guard attempts < Int64(maxAttempts) else { return Next(status: "failed", attempts: attempts, nextAttempt: now, error: why) }
            return Next(status: "queued", attempts: attempts, nextAttempt: now + backoffMillis(attempts), error: why)
        }
    }

    /// 1 s after the first failure, doubling, at most an hour.
    public static func backoffMillis(_ attempts: Int64) -> UInt64 { min(3_600_000, 1_000 << UInt64(min(attempts - 1, 12))) }

    /// What an HTTP status says of an attempt.
    public static func outcome(status: Int) -> Outcome {
        switch status {
        case 200..<300: .delivered
        case 408, 429: .failed("gateway answered \(status)")
        case 400..<500: .refused("gateway refused it: \(status)")
        default: .failed("gateway answered \(status)")
        }
    }
}

extension Cell {
    /// A member's consent to messages: "0" when they said no (the default is yes).
    public static let messageConsent = "consent_messages"
    /// On a member's entity, one raise-once flag per message key queued for them.
    public static let messagePrefix = "message:"
}

extension Teller {
    /// A message to queue: refused when the member does not want messages (`not_permitted`).
    public func queueMessage(_ kind: MessageKind, member: String, occasion: String, fields: [String: String]) throws -> OpBody {
        guard try state.member(member) != nil else {
            throw MMSError(.unknownMember, "There is no member \(member.prefix(Limits.maxIdentifierLength)).", details: ["member": String(member.prefix(Limits.maxIdentifierLength))])
        }
        guard try state.texts(entity: Cell.member(member))[Cell.messageConsent] != "0" else {
            throw MMSError(.notPermitted, "Member \(member) does not want messages.", details: ["member": member])
        }
        let key = Messages.key(kind, member: member, occasion: occasion)
        try Identifier.validate(key, what: "message key")
        return .messageQueued(MessageQueued(key: key, member: member, kind: kind, fields: fields.filter { $0.key != "name" && MessageKind.fields.contains($0.key) }))
    }

    public func setConsent(member: String, messages: Bool) throws -> OpBody {
        guard try state.member(member) != nil else {
            throw MMSError(.unknownMember, "There is no member \(member.prefix(Limits.maxIdentifierLength)).", details: ["member": String(member.prefix(Limits.maxIdentifierLength))])
        }
        return .consentSet(member: member, messages: messages)
    }
}
