import Foundation
import GRDB
import MMSCore
import MMSCrypto

/// Reads of the report tables (`ReportTables`): each an aggregate over a few small indexed
/// tables, never a scan of the op log. `branch` narrows a read to one branch (a manager's view).
extension NodeStore {
    /// What the replica held when a report was read: each origin's highest op and its time.
    public struct ReportVector: Sendable {
        public var origins: [(origin: String, seq: Int64, wallMillis: UInt64)]
    }

    public func reportVector() throws -> ReportVector {
        try guarded {
            try db.read { db in
                let rows = try Row.fetchAll(db, sql: """
                    SELECT h.origin, h.seq, o.hlc FROM heads h JOIN ops o ON o.origin = h.origin AND o.seq = h.seq ORDER BY h.origin
                    """)
                return ReportVector(origins: rows.map { ($0[0], $0[1], HLC(packed: UInt64(bitPattern: $0[2])).wallMillis) })
            }
        }
    }

    /// A digest of every report table's rows (their `version` left out: it is where this replica's
    /// log put them, not what they say): equal on replicas holding the same ops.
    public func reportDigest() throws -> Digest32 {
        try guarded {
            try db.read { db in
                let hasher = Blake2b()
                for table in ReportTables.tables {
                    let columns = try db.columns(in: table).map(\.name).filter { $0 != "version" }
                    let cursor = try Row.fetchCursor(db, sql: "SELECT \(columns.joined(separator: ", ")) FROM \(table) ORDER BY \(columns.joined(separator: ", "))")
                    hasher.updateField(Array(table.utf8))
                    while let row = try cursor.next() {
                        for value in row.databaseValues { hasher.updateField(Array(value.description.utf8)) }
                    }
                }
                return try Digest32(bytes: hasher.finalize())
            }
        }
    }

    /// Whole hours since 1970 (UTC), `from` counted and `until` not: the days a report covers, in
    /// the time zone `offsetSeconds` east of UTC.
    public struct Hours: Sendable {
        public let from: Int64, until: Int64, offsetSeconds: Int64
        public init(from: Int64, until: Int64, offsetSeconds: Int64) { self.from = from; self.until = until; self.offsetSeconds = offsetSeconds }
    }

    /// A sales grouping: by branch or staff, or by the day or the hour of the day (in the report's zone).
    public enum SalesGrouping: Sendable {
        case branch, staff, day, hourOfDay
        func column(_ hours: Hours) -> String {
            switch self {
            case .branch: "branch"
            case .staff: "staff"
            case .day: "CAST((hour * 3600 + \(hours.offsetSeconds)) / 86400 AS TEXT)"
            case .hourOfDay: "CAST(((hour * 3600 + \(hours.offsetSeconds)) % 86400) / 3600 AS TEXT)"
            }
        }
    }

    public struct SalesRow: Sendable {
        /// The branch or staff member; the day as days since 1970; the hour of the day.
        public let key: String
        public var sales: Int64, amount: Int64, discount: Int64, returns: Int64, returned: Int64
    }

    public func salesRows(_ hours: Hours, by: SalesGrouping, branch: String?) throws -> [SalesRow] {
        try guarded {
            try db.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT \(by.column(hours)), SUM(sales), SUM(amount), SUM(discount), SUM(returns), SUM(returned) FROM report_sales
                    WHERE hour >= ? AND hour < ? AND (? IS NULL OR branch = ?) GROUP BY 1 ORDER BY min(hour), 1
                    """, arguments: [hours.from, hours.until, branch, branch]).map {
                    SalesRow(key: $0[0], sales: $0[1], amount: $0[2], discount: $0[3], returns: $0[4], returned: $0[5])
                }
            }
        }
    }

    /// Sales in `hours` by the staff member credited and the branch they sold at (staff "" for
    /// payments no one was credited with).
    public func staffSalesRows(_ hours: Hours, branch: String?) throws -> [(staff: String, branch: String, figures: ReportFacts.SalesFigures)] {
        try guarded {
            try db.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT staff, branch, SUM(sales), SUM(amount), SUM(discount), SUM(returns), SUM(returned) FROM report_sales
                    WHERE hour >= ? AND hour < ? AND (? IS NULL OR branch = ?) GROUP BY staff, branch
                    """, arguments: [hours.from, hours.until, branch, branch]).map {
                    var f = ReportFacts.SalesFigures()
                    (f.sales, f.amount, f.discount, f.returns, f.returned) = ($0[2], $0[3], $0[4], $0[5], $0[6])
                    return ($0[0], $0[1], f)
                }
            }
        }
    }

    public struct ProductRow: Sendable {
        public let sku: String
        public var quantity: Int64, amount: Int64, returnedQuantity: Int64, returnedAmount: Int64
    }

    /// Lines sold from one day to another (`YYYYMMDD`, China Standard Time, both counted), by SKU.
    public func productRows(fromDay: Int64, toDay: Int64, branch: String?) throws -> [ProductRow] {
        try guarded {
            try db.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT sku, SUM(quantity), SUM(amount), SUM(returned_quantity), SUM(returned_amount) FROM report_product_days
                    WHERE day BETWEEN ? AND ? AND (? IS NULL OR branch = ?) GROUP BY sku
                    """, arguments: [fromDay, toDay, branch, branch]).map {
                    ProductRow(sku: $0[0], quantity: $0[1], amount: $0[2], returnedQuantity: $0[3], returnedAmount: $0[4])
                }
            }
        }
    }

    /// Prepaid money taken and given back in `hours`, by branch.
    public func moneyRows(_ hours: Hours, branch: String?) throws -> [(branch: String, figures: ReportFacts.MoneyFigures)] {
        try guarded {
            try db.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT branch, SUM(topups), SUM(topup_count), SUM(bonus), SUM(card_refunds), SUM(bonus_forfeited) FROM report_money
                    WHERE hour >= ? AND hour < ? AND (? IS NULL OR branch = ?) GROUP BY branch ORDER BY branch
                    """, arguments: [hours.from, hours.until, branch, branch]).map {
                    var f = ReportFacts.MoneyFigures()
                    (f.topups, f.topupCount, f.bonus, f.cardRefunds, f.bonusForfeited) = ($0[1], $0[2], $0[3], $0[4], $0[5])
                    return ($0[0], f)
                }
            }
        }
    }

    /// Members by home branch: how many, the principal and bonus they hold.
    public func liabilityRows(branch: String?) throws -> [(home: String, members: Int64, principal: Int64, bonus: Int64)] {
        try guarded {
            try db.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT home, members, principal, bonus FROM report_homes WHERE members > 0 AND (? IS NULL OR home = ?) ORDER BY home
                    """, arguments: [branch, branch]).map { ($0[0], $0[1], $0[2], $0[3]) }
            }
        }
    }

    /// Members by home branch: how many joined between two days and how many last visited on or
    /// after `visitedFrom` (days as `YYYYMMDD`).
    public func memberActivity(joinedFrom: Int64, joinedTo: Int64, visitedFrom: Int64, branch: String?) throws -> [(home: String, joined: Int64, visited: Int64)] {
        try guarded {
            try db.read { db in
                // Branch by branch (the homes' sums list them): the joins of the days, and the
                // members whose last visit is in range, a range of the activity index each.
                let homes = try String.fetchAll(db, sql: "SELECT home FROM report_homes WHERE members > 0 AND home != '' AND (? IS NULL OR home = ?) ORDER BY home",
                                                arguments: [branch, branch])
                let joined = try db.cachedStatement(sql: "SELECT coalesce(SUM(members), 0) FROM report_joins WHERE day BETWEEN ? AND ? AND home = ?")
                let visited = try db.cachedStatement(sql: "SELECT count(*) FROM report_members WHERE home = ? AND last_visit >= ?")
                return try homes.map { home in
                    (home, try Int64.fetchOne(joined, arguments: [joinedFrom, joinedTo, home]) ?? 0, try Int64.fetchOne(visited, arguments: [home, visitedFrom]) ?? 0)
                }
            }
        }
    }

    /// The sums of every balance in the materialised cells (principal and bonus), and the
    /// principal rights each node holds: what the report tables must agree with.
    public func balancesFromCells() throws -> (principal: Int64, bonus: Int64, rights: [String: Int64]) {
        func range(_ prefix: String) -> [any DatabaseValueConvertible] { [prefix, prefix + "\u{10FFFF}"] }
        let sv = Cell.storedValue(member: ""), bonus = Cell.bonus(member: "")
        return try guarded {
            try db.read { db in
                let sum = """
                    SELECT coalesce(SUM(CASE name WHEN 'credited' THEN value WHEN 'debited' THEN -value ELSE 0 END), 0) FROM counters WHERE entity > ? AND entity < ?
                    """
                let principal = try Int64.fetchOne(db, sql: sum, arguments: StatementArguments(range(sv))) ?? 0
                let bonusTotal = try Int64.fetchOne(db, sql: sum, arguments: StatementArguments(range(bonus))) ?? 0
                var rights: [String: Int64] = [:]
                for row in try Row.fetchAll(db, sql: """
                    SELECT node, SUM(CASE WHEN name IN ('credited', 'moved_in') THEN value ELSE -value END) FROM counters
                    WHERE entity > ? AND entity < ? GROUP BY node
                    """, arguments: StatementArguments(range(sv))) { rights[row[0]] = row[1] }
                return (principal, bonusTotal, rights)
            }
        }
    }

    /// The members in scope counted in one pass: all, visited since each day (`YYYYMMDD`),
    /// visited before but not since `dormantBefore`, never visited, zero spend; and joined per month (`YYYYMM`).
    public struct MemberCounts: Sendable {
        public let members, visitedSince30, visitedSince90, dormant, neverVisited, zeroSpend: Int64
        public let joinedByMonth: [(month: Int64, members: Int64)]
    }

    public func memberCounts(branch: String?, since30: Int64, since90: Int64) throws -> MemberCounts {
        try guarded {
            try db.read { db in
                let row = try Row.fetchOne(db, sql: """
                    SELECT count(*), coalesce(SUM(last_visit >= ?), 0), coalesce(SUM(last_visit >= ?), 0), coalesce(SUM(last_visit > 0 AND last_visit < ?), 0),
                           coalesce(SUM(last_visit = 0), 0), coalesce(SUM(spent <= 0), 0)
                    FROM report_members WHERE home IS NOT NULL AND (? IS NULL OR home = ?)
                    """, arguments: [since30, since90, since90, branch, branch])!
                let joined = try Row.fetchAll(db, sql: """
                    SELECT day / 100, SUM(members) FROM report_joins WHERE (? IS NULL OR home = ?) GROUP BY 1 ORDER BY 1
                    """, arguments: [branch, branch]).map { (month: $0[0] as Int64, members: $0[1] as Int64) }
                return MemberCounts(members: row[0], visitedSince30: row[1], visitedSince90: row[2], dormant: row[3], neverVisited: row[4], zeroSpend: row[5],
                                    joinedByMonth: joined)
            }
        }
    }

    /// Every member's figures in scope, for segments: spend, purchases, last visit.
    public func memberFigures(branch: String?, _ each: (_ spent: Int64, _ purchases: Int64, _ lastVisit: Int64) -> Void) throws {
        try guarded {
            try db.read { db in
                let cursor = try Row.fetchCursor(db, sql: "SELECT spent, purchases, last_visit FROM report_members WHERE home IS NOT NULL AND (? IS NULL OR home = ?)",
                                                 arguments: [branch, branch])
                while let row = try cursor.next() { each(row[0], row[1], row[2]) }
            }
        }
    }

    /// Every member's tier figures in scope (home branch), for the tier report.
    public func tierFigures(branch: String?, _ each: (TierFigures) -> Void) throws {
        try guarded {
            try db.read { db in
                let cursor = try Row.fetchCursor(db, sql: "SELECT tier_spend, largest_topup, tier_points FROM report_members WHERE home IS NOT NULL AND (? IS NULL OR home = ?)",
                                                 arguments: [branch, branch])
                while let row = try cursor.next() { each(TierFigures(netSpend: row[0], largestTopUp: row[1], pointsEarned: row[2])) }
            }
        }
    }

    /// Each member's tier figures changed month by month (`YYYYMM`, ascending), member after
    /// member, for those whose home is in scope.
    public func memberMonths(branch: String?, _ each: (_ member: String, _ months: [(month: Int64, figures: TierFigures)]) -> Void) throws {
        try guarded {
            try db.read { db in
                let cursor = try Row.fetchCursor(db, sql: """
                    SELECT m.member, m.month, m.tier_spend, m.largest_topup, m.tier_points FROM report_member_months m
                    JOIN report_members r ON r.member = m.member
                    WHERE r.home IS NOT NULL AND (? IS NULL OR r.home = ?) ORDER BY m.member, m.month
                    """, arguments: [branch, branch])
                var member: String?, months: [(month: Int64, figures: TierFigures)] = []
                while let row = try cursor.next() {
                    let id: String = row[0]
                    if id != member, let previous = member { each(previous, months); months.removeAll(keepingCapacity: true) }
                    member = id
                    months.append((row[1], TierFigures(netSpend: row[2], largestTopUp: row[3], pointsEarned: row[4])))
                }
                if let member { each(member, months) }
            }
        }
    }

    /// Members who visited, but last on or before `day` (`YYYYMMDD`), with that day.
    public func lastVisits(before day: Int64, home: String?) throws -> [(member: String, lastVisit: Int64)] {
        try guarded {
            try db.read { db in
                try Row.fetchAll(db, sql: "SELECT member, last_visit FROM report_members WHERE last_visit > 0 AND last_visit <= ? AND (? IS NULL OR home = ?) ORDER BY member",
                                 arguments: [day, home, home]).map { ($0[0], $0[1]) }
            }
        }
    }

    /// Members holding some stored value (principal and bonus), but less than `below` fen.
    public func lowBalances(below: Int64, home: String?) throws -> [(member: String, fen: Int64)] {
        try guarded {
            try db.read { db in
                try Row.fetchAll(db, sql: "SELECT member, principal + bonus FROM report_members WHERE principal + bonus > 0 AND principal + bonus < ? AND (? IS NULL OR home = ?) ORDER BY member",
                                 arguments: [below, home, home]).map { ($0[0], $0[1]) }
            }
        }
    }

    /// Purchases and last visit (`YYYYMMDD`) of each member in `ids`.
    public func memberFigures(ids: Set<String>, _ each: (_ member: String, _ purchases: Int64, _ lastVisit: Int64) -> Void) throws {
        try guarded {
            try db.read { db in
                let statement = try db.cachedStatement(sql: "SELECT purchases, last_visit FROM report_members WHERE member = ?")
                for id in ids { if let row = try Row.fetchOne(statement, arguments: [id]) { each(id, row[0], row[1]) } }
            }
        }
    }

    /// Ops of `kinds` (every kind when nil) of `branch` (every origin when nil) between two HLC wall
    /// times, oldest first: what an export writes out.
    public func opsForExport(kinds: [String]?, branch: String?, from: UInt64?, to: UInt64?) throws -> [Op] {
        var clauses: [String] = [], arguments: [any DatabaseValueConvertible] = []
        if let kinds { clauses.append("kind IN (\(kinds.map { _ in "?" }.joined(separator: ",")))"); arguments += kinds }
        if let branch { clauses.append("origin = ?"); arguments.append(branch) }
        if let from { clauses.append("hlc >= ?"); arguments.append(Int64(bitPattern: HLC(wallMillis: from, logical: 0).packed)) }
        if let to { clauses.append("hlc < ?"); arguments.append(Int64(bitPattern: HLC(wallMillis: to, logical: 0).packed)) }
        let sql = "SELECT bytes FROM ops" + (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")) + " ORDER BY hlc, origin, seq"
        return try guarded {
            try db.read { db in try Data.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { try OpCodec.decode(Array($0)) } }
        }
    }

    /// Points left in each year's lot.
    public func lotRows() throws -> [(year: Int, points: Int64)] {
        try guarded { try db.read { db in try Row.fetchAll(db, sql: "SELECT year, points FROM report_lots ORDER BY year").map { ($0[0], $0[1]) } } }
    }

    /// Points earned and redeemed, by month and branch.
    public func pointsRows(branch: String?) throws -> [(month: String, branch: String, earned: Int64, redeemed: Int64)] {
        try guarded {
            try db.read { db in
                try Row.fetchAll(db, sql: "SELECT month, branch, earned, redeemed FROM report_points WHERE (? IS NULL OR branch = ?) ORDER BY month, branch",
                                 arguments: [branch, branch]).map { ($0[0], $0[1], $0[2], $0[3]) }
            }
        }
    }

    /// A campaign's coupons (issued, used, the sales they paid) and points (members, points).
    public func campaignFigures(_ campaign: String) throws -> (coupons: Int64, used: Int64, revenue: Int64, value: Int64, pointsMembers: Int64, points: Int64) {
        try guarded {
            try db.read { db in
                let c = try Row.fetchOne(db, sql: """
                    SELECT count(*), coalesce(SUM(used > 0), 0), coalesce(SUM(revenue), 0), coalesce(SUM(value), 0) FROM report_coupons WHERE campaign = ?
                    """, arguments: [campaign])!
                let p = try Row.fetchOne(db, sql: "SELECT members, points FROM report_campaign_points WHERE campaign = ?", arguments: [campaign])
                return (c[0], c[1], c[2], c[3], p?[0] ?? 0, p?[1] ?? 0)
            }
        }
    }
}
