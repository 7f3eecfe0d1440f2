/// A card as a reader gave it: the number the chain issued and what else the reader saw.
public struct CardData: Sendable, Equatable, Codable {
    /// The card number (the stripe's PAN, or a chip's UID in decimal).
    public var number: String
    public var holder: String?
    /// YYMM from the stripe.
    public var expires: String?
    /// stripe or chip.
    public var source: String
    /// What the reader sent, as text (tracks) or hex (a UID).
    public var raw: String

    public init(number: String, holder: String? = nil, expires: String? = nil, source: String, raw: String) {
        self.number = number; self.holder = holder; self.expires = expires; self.source = source; self.raw = raw
    }
}

/// What a reader delivers: a card, or a read that must be tried again (never a guessed number).
public enum ReaderEvent: Sendable, Equatable {
    case card(CardData)
    case unreadable(String)
    /// The reader's state changed (plugged in, gone, waiting): for the till's status line.
    case status(String)
}

/// Magnetic stripes, ISO/IEC 7813, as readers send them in ASCII: track 1 `%B PAN ^ NAME ^ YYMM
/// service discretionary ?` and track 2 `; PAN = YYMM service discretionary ?`, each maybe
/// followed by its LRC character. A swipe that is cut short, garbled, fails its LRC or whose
/// tracks disagree is refused with a reason, so a card number is never a guess.
public enum MagneticStripe {
    public enum Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        case incomplete, garbled(String), wrongLRC(track: Int), tracksDisagree, noTrack
        public var description: String {
            switch self {
            case .incomplete: "刷卡不完整，请重新刷卡 (half swipe)"
            case .garbled(let why): "刷卡有误，请重新刷卡 (\(why))"
            case .wrongLRC(let track): "刷卡校验失败，请重新刷卡 (track \(track) LRC)"
            case .tracksDisagree: "两个磁道卡号不一致，请重新刷卡 (tracks disagree)"
            case .noTrack: "未读到磁道，请重新刷卡 (no track read)"
            }
        }
    }

    /// Parses one swipe: any of track 1 and track 2, in that order, ending CR or LF trimmed.
    public static func parse(_ swipe: String) -> Result<CardData, Refusal> {
        let text = Array(swipe.trimmingTrailingNewlines.unicodeScalars)
        guard !text.isEmpty else { return .failure(.noTrack) }
        guard text.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }) else { return .failure(.garbled("not a track character")) }
        // Without LRC characters first, then with them (a reader sends them or it does not).
        let plain = split(text, lrc: false)
        if case .success(let tracks) = plain { return decode(tracks, raw: swipe) }
        let withLRC = split(text, lrc: true)
        if case .success(let tracks) = withLRC { return decode(tracks, raw: swipe) }
        if case .failure(let refusal) = withLRC, case .wrongLRC = refusal { return .failure(refusal) }
        if case .failure(let refusal) = plain { return .failure(refusal) }
        return .failure(.garbled("unreadable"))
    }

    struct Tracks { var one: [Unicode.Scalar]?; var two: [Unicode.Scalar]? }

    static func split(_ text: [Unicode.Scalar], lrc: Bool) -> Result<Tracks, Refusal> {
        var tracks = Tracks()
        var i = 0
        while i < text.count {
            let start = text[i]
            guard start == "%" || start == ";" else { return .failure(.garbled("no start sentinel")) }
            let isOne = start == "%"
            if (isOne && (tracks.one != nil || tracks.two != nil)) || (!isOne && tracks.two != nil) {
                return .failure(.garbled("tracks out of order"))
            }
            guard let end = text[(i + 1)...].firstIndex(of: "?") else { return .failure(.incomplete) }
            let track = Array(text[i...end])
            i = end + 1
            if lrc {
                guard i < text.count else { return .failure(.incomplete) }
                guard lrcCharacter(track, trackOne: isOne) == text[i] else { return .failure(.wrongLRC(track: isOne ? 1 : 2)) }
                i += 1
            }
            if isOne { tracks.one = track } else { tracks.two = track }
        }
        return .success(tracks)
    }

    /// The LRC character of a track from its start to its end sentinel: the XOR of the 6-bit
    /// (track 1) or 4-bit (track 2) values, written back as a character of the track's set.
    public static func lrcCharacter(_ track: [Unicode.Scalar], trackOne: Bool) -> Unicode.Scalar {
        let base: UInt32 = trackOne ? 0x20 : 0x30
        let mask: UInt32 = trackOne ? 0x3F : 0x0F
        let value = track.reduce(UInt32(0)) { $0 ^ (($1.value &- base) & mask) }
        return Unicode.Scalar(value + base)!
    }

    static func decode(_ tracks: Tracks, raw: String) -> Result<CardData, Refusal> {
        // A track the reader could not read comes as `%E?` or `;E?`.
        let one = tracks.one.flatMap { $0.count == 3 && $0[1] == "E" ? nil : $0 }
        let two = tracks.two.flatMap { $0.count == 3 && $0[1] == "E" ? nil : $0 }
        guard one != nil || two != nil else { return .failure(.noTrack) }
        var card: CardData?
        if let one {
            switch trackOne(String(String.UnicodeScalarView(one))) {
            case .success(let data): card = data
            case .failure(let refusal): return .failure(refusal)
            }
        }
        if let two {
            switch trackTwo(String(String.UnicodeScalarView(two))) {
            case .success(let data):
                if let fromOne = card {
                    guard fromOne.number == data.number else { return .failure(.tracksDisagree) }
                } else {
                    card = data
                }
            case .failure(let refusal): return .failure(refusal)
            }
        }
        card!.raw = raw
        return .success(card!)
    }

    /// `%B` PAN `^` NAME `^` YYMM service discretionary `?`
    static func trackOne(_ track: String) -> Result<CardData, Refusal> {
        guard track.hasPrefix("%B"), track.hasSuffix("?") else { return .failure(.garbled("track 1 format code")) }
        let fields = track.dropFirst(2).dropLast().split(separator: "^", omittingEmptySubsequences: false)
        guard fields.count == 3 else { return .failure(.garbled("track 1 separators")) }
        let pan = String(fields[0]), name = fields[1].trimmed(of: " "), rest = fields[2]
        guard isPAN(pan) else { return .failure(.garbled("track 1 card number")) }
        guard (2...26).contains(fields[1].count) else { return .failure(.garbled("track 1 name")) }
        guard rest.count >= 7, rest.prefix(7).allSatisfy(\.isASCIIDigit) else { return .failure(.garbled("track 1 expiry")) }
        return .success(CardData(number: pan, holder: name.isEmpty ? nil : name, expires: String(rest.prefix(4)), source: "stripe", raw: track))
    }

    /// `;` PAN `=` YYMM service discretionary `?`
    static func trackTwo(_ track: String) -> Result<CardData, Refusal> {
        guard track.hasPrefix(";"), track.hasSuffix("?") else { return .failure(.garbled("track 2 sentinels")) }
        let body = track.dropFirst().dropLast()
        guard body.allSatisfy({ $0.isASCIIDigit || $0 == "=" }) else { return .failure(.garbled("track 2 characters")) }
        let fields = body.split(separator: "=", omittingEmptySubsequences: false)
        guard fields.count == 2 else { return .failure(.garbled("track 2 separator")) }
        let pan = String(fields[0])
        guard isPAN(pan) else { return .failure(.garbled("track 2 card number")) }
        guard fields[1].count >= 7 else { return .failure(.garbled("track 2 expiry")) }
        return .success(CardData(number: pan, expires: String(fields[1].prefix(4)), source: "stripe", raw: track))
    }

    static func isPAN(_ text: String) -> Bool { (1...19).contains(text.count) && text.allSatisfy(\.isASCIIDigit) }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension StringProtocol {
    var trimmingTrailingNewlines: String {
        var s = String(self)
        while let last = s.last, last == "\r" || last == "\n" || last == "\r\n" { s.removeLast() }
        return s
    }
    func trimmed(of set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
