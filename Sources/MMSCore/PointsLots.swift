/// Points expire by lot: those earned in a year belong to that year's lot, and a lot stops paying
/// after its last day (the program's `points.expiry`). Each lot is an escrow account of its own,
/// so a branch spends only the rights it holds in lots still valid on the op's day: an expired
/// lot is never spent anywhere, even by two branches cut off from each other, and no op has to
/// take it away.
public struct LotPoints: Equatable, Hashable, Sendable {
    /// The year the points were earned in (China Standard Time), which names the lot.
    public var year: Int
    public var points: Int64
    public init(year: Int, points: Int64) { self.year = year; self.points = points }
}

extension Cell {
    /// A member's lot of `year`: an escrow account (`pts:MEMBER:YEAR`).
    public static func points(member: String, year: Int) -> String { "\(pointsPrefix)\(member):\(year)" }
    /// Every points account starts so.
    public static let pointsPrefix = "pts:"
    /// On a member's entity, the points credited to the lot of a year (earned, given by a
    /// campaign, received from another member): which lots exist, and what the tier by points counts.
    public static let pointsLotPrefix = "points_year:"
    public static func pointsLot(year: Int) -> String { pointsLotPrefix + String(year) }
    /// Points a return took back: not earned after all.
    public static let pointsTakenBack = "points_taken_back"
}

public enum PointsLots {
    public struct Lot: Equatable, Sendable {
        public let year: Int
        public let account: EscrowAccount
        /// The last day its points pay (`YYYYMMDD`); nil when points never expire.
        public let lastDay: Int64?
        public var left: Int64 { account.total }
        /// `YYYY-MM-DD`, or nil for never.
        public var expires: String? { lastDay.map(CardLife.dayText) }
        public func isValid(on day: Int64) -> Bool { lastDay.map { day <= $0 } ?? true }
    }

    /// The last day (`YYYYMMDD`) points earned in `year` pay under `expiry`, or nil for never.
    public static func lastDay(ofLot year: Int, _ expiry: PointsExpiry) -> Int64? {
        switch expiry {
        case .never: nil
        case .endOfYear: Int64(year) * 10_000 + 1_231
        case .endOfNextYear: Int64(year + 1) * 10_000 + 1_231
        }
    }

    /// The expiry in force: the program's, once head office has set one (before, points never expire).
    public static func expiry(in state: any StateReader) throws -> PointsExpiry {
        let (version, program) = try state.program()
        return version > 0 ? program.points.expiry : .never
    }

    /// The member's lots, oldest first, with their last days under the program this replica holds.
    public static func lots(member: String, in state: any StateReader) throws -> [Lot] {
        let expiry = try expiry(in: state)
        return try years(member: member, in: state).map { year in
            Lot(year: year, account: try state.escrow(Cell.points(member: member, year: year)), lastDay: lastDay(ofLot: year, expiry))
        }
    }

    /// The years of the member's lots, oldest first.
    static func years(member: String, in state: any StateReader) throws -> [Int] {
        try state.counters(entity: Cell.member(member)).keys.compactMap { name in
            name.hasPrefix(Cell.pointsLotPrefix) ? Int(name.dropFirst(Cell.pointsLotPrefix.count)) : nil
        }.sorted()
    }

    /// What the member holds on `day` (`YYYYMMDD`): points that still pay, and points of lots past their last day.
    public struct Balance: Equatable, Sendable {
        public var usable: Int64 = 0
        public var expired: Int64 = 0
        public init(usable: Int64 = 0, expired: Int64 = 0) { self.usable = usable; self.expired = expired }
    }

    public static func balance(member: String, on day: Int64, in state: any StateReader) throws -> Balance {
        var balance = Balance()
        for lot in try lots(member: member, in: state) {
            if lot.isValid(on: day) { balance.usable += lot.left } else { balance.expired += lot.left }
        }
        return balance
    }

    /// The member's points that pay on `day` (`YYYY-MM-DD`): what answers and screens show.
    public static func usable(member: String, on day: String, in state: any StateReader) throws -> Int64 {
        try balance(member: member, on: CardLife.dayNumber(day), in: state).usable
    }

    /// Every points account ever credited or debited: one per lot (for checks that walk them all).
    public static func isPointsAccount(_ account: String) -> Bool { account.hasPrefix(Cell.pointsPrefix) }

    /// The year of a lot's account.
    public static func year(ofAccount account: String) -> Int? {
        isPointsAccount(account) ? account.split(separator: ":").last.flatMap { Int($0) } : nil
    }

    /// Units `from ..< from + count` of `lots` taken newest lot first: what a return gives back of
    /// a points tender, after `from` given back by earlier returns (the newest points go back
    /// first, so the member keeps the points that last longest).
    public static func slice(_ lots: [LotPoints], from: Int64, count: Int64) -> [LotPoints] {
        var skip = from, rest = count, slice: [LotPoints] = []
        for lot in lots.sorted(by: { $0.year > $1.year }) where rest > 0 {
            let skipped = min(skip, lot.points)
            skip -= skipped
            let take = min(rest, lot.points - skipped)
            if take > 0 { slice.append(LotPoints(year: lot.year, points: take)); rest -= take }
        }
        return slice
    }
}

extension Teller {
    /// The lot whose rights a manager moves `points` of: the oldest still valid today of which
    /// this node holds that many (a move is one op, of one account).
    public func pointsLotToMove(_ points: Int64, of member: String) throws -> String {
        let lots = try PointsLots.lots(member: member, in: state)
        let day = lots.contains { $0.lastDay != nil } ? CardLife.dayNumber(today) : 0
        let valid = lots.filter { $0.isValid(on: day) }
        guard let lot = valid.first(where: { $0.account.rights(at: origin) >= points }) else {
            let most = valid.map { $0.account.rights(at: origin) }.max() ?? 0
            throw MMSError(.insufficientPoints, "No lot of the member's points has \(points) held here to move; the most one has is \(max(0, most)).",
                           details: ["requested": String(points), "rights_here": String(max(0, most))])
        }
        return lot.account.account
    }

    /// Takes `points` of the member's points for a spend decided today: from the lots still valid
    /// today, oldest first, each within the rights this node holds of it. Refused with the numbers
    /// (usable, expired, held here, held elsewhere) when they fall short.
    func takePoints(_ points: Int64, of member: String) throws -> [LotPoints] {
        let lots = try PointsLots.lots(member: member, in: state)
        // Only lots that expire need the op's day.
        let day = lots.contains { $0.lastDay != nil } ? CardLife.dayNumber(today) : 0
        var taken: [LotPoints] = [], rest = points
        for lot in lots where rest > 0 && lot.isValid(on: day) {
            let here = min(rest, max(0, lot.account.rights(at: origin)))
            if here > 0 { taken.append(LotPoints(year: lot.year, points: here)); rest -= here }
        }
        guard rest > 0 else { return taken }
        let valid = lots.filter { $0.isValid(on: day) }
        let usable = valid.map(\.left).reduce(0, +), expired = lots.filter { !$0.isValid(on: day) }.map(\.left).reduce(0, +)
        let here = points - rest
        var details = ["requested": String(points), "balance": String(max(0, usable)), "rights_here": String(here)]
        if expired > 0 { details["expired"] = String(expired) }
        var elsewhere: [NodeID: Int64] = [:]
        for lot in valid { for holder in lot.account.holders where holder.node != origin && holder.rights > 0 { elsewhere[holder.node, default: 0] += holder.rights } }
        if !elsewhere.isEmpty {
            details["held_elsewhere"] = elsewhere.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            // The oldest valid lot with rights elsewhere: the account to ask its holders for.
            if let lot = valid.first(where: { $0.account.holders.contains { $0.node != origin && $0.rights > 0 } }) { details["account"] = lot.account.account }
        }
        guard usable >= points else {
            throw MMSError(.insufficientPoints, "Not enough points: \(max(0, usable)) can be used\(expired > 0 ? " (\(expired) expired)" : ""), \(points) were asked.",
                           details: details)
        }
        throw MMSError(.insufficientPoints,
                       "Only \(here) of the member's \(usable) points can be used at this branch now; the rest is held at \(elsewhere.keys.sorted().map(\.rawValue).joined(separator: ", ")).",
                       details: details)
    }
}
