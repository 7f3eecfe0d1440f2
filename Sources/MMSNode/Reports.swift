import Foundation
import MMSCore
import MMSStore

/// What head office learns: sales, members and their segments, the prepaid money owed, points,
/// campaigns — each read from the report tables this replica keeps with its ops, scoped by the
/// caller's role (a manager sees their branch, head office and auditors the chain), and stating
/// the vector it was computed at. One use case per report, for the command line and the till API.
public struct ReportAsOf: Codable, Sendable, Equatable {
    /// Origin → the highest op of it this replica holds.
    public let vector: [String: Int64]
    /// Origin → the time of that op (China Standard Time): how far behind each branch this replica is.
    public let latest: [String: String]
    /// The replica that computed the report, and when (by its clock).
    public let node: String
    public let computedAt: String
}

/// A report's rows as CSV: UTF-8 with a byte-order mark, so spreadsheet programs open Chinese
/// correctly; a header line, then one line per row.
public protocol CSVReport { var csvHeader: [String] { get }; var csvRows: [[String]] { get } }

extension CSVReport {
    public var csv: String { CSV.document(header: csvHeader, rows: csvRows) }
}

public enum CSV {
    public static let byteOrderMark = "\u{FEFF}"

    public static func document(header: [String], rows: [[String]]) -> String {
        byteOrderMark + ([header] + rows).map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// A field quoted when it holds a comma, a quote or a line break (RFC 4180). A field a
    /// spreadsheet would run as a formula gets a leading apostrophe.
    static func field(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@".contains(first), Double(value) == nil { value = "'" + value }
        guard value.contains(where: { ",\"\r\n".contains($0) }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

public struct SalesReport: Codable, Sendable, CSVReport {
    public struct Row: Codable, Sendable {
        public let key: String
        public var name: String?
        public var quantity: Int64?
        public var sales: Int64?
        public let amount: String
        public var discount: String?
        public var returns: Int64?
        public let returned: String
        public let net: String
    }
    public let report: String
    public let by: String
    public let from: String
    public let to: String
    /// The branch the caller may see, or nil for the chain.
    public let branch: String?
    public let rows: [Row]
    public let total: Row
    public let asOf: ReportAsOf

    public var csvHeader: [String] { [by] + (["product", "category"].contains(by) ? ["name", "quantity"] : ["sales"]) + ["amount", "returned", "net"] }
    public var csvRows: [[String]] {
        rows.map { r in [r.key] + (["product", "category"].contains(by) ? [r.name ?? "", String(r.quantity ?? 0)] : [String(r.sales ?? 0)]) + [r.amount, r.returned, r.net] }
    }
}

public struct MembersReport: Codable, Sendable, CSVReport {
    public struct Month: Codable, Sendable { public let month: String; public let joined: Int64 }
    public struct Segment: Codable, Sendable { public let segment: String; public let name: String; public let members: Int64 }
    public struct Segments: Codable, Sendable {
        /// A: the top 20 % of members by spend, B: the next 30 %, C: the rest.
        public let value: [String: Int64]
        /// The eight RFM groups: recency (a visit within 90 days), frequency and spend (at least the average).
        public let rfm: [Segment]
    }
    public let report: String
    public let branch: String?
    public let members: Int64
    public let joinedByMonth: [Month]
    public let active30d: Int64
    public let active90d: Int64
    /// Visited before, but not within 90 days.
    public let dormant: Int64
    public let neverVisited: Int64
    public let zeroSpend: Int64
    public var segments: Segments?
    public let asOf: ReportAsOf

    public var csvHeader: [String] { ["figure", "members"] }
    public var csvRows: [[String]] {
        var rows = [["members", String(members)], ["active_30d", String(active30d)], ["active_90d", String(active90d)], ["dormant", String(dormant)],
                    ["never_visited", String(neverVisited)], ["zero_spend", String(zeroSpend)]]
        rows += joinedByMonth.map { ["joined \($0.month)", String($0.joined)] }
        if let segments {
            rows += segments.value.sorted { $0.key < $1.key }.map { ["value \($0.key)", String($0.value)] }
            rows += segments.rfm.map { ["\($0.segment) \($0.name)", String($0.members)] }
        }
        return rows
    }
}

public struct LiabilityReport: Codable, Sendable, CSVReport {
    public struct Branch: Codable, Sendable { public let branch: String; public let members: Int64; public let principal, bonus, total: String }
    public struct Reconciliation: Codable, Sendable {
        /// The sums of every balance in the materialised cells.
        public let sumOfBalances: String
        public let sumOfBonus: String
        /// The principal folded from the op log itself (`--fold-log`), when asked.
        public var opLog: String?
        public let reconciled: Bool
    }
    public let report: String
    public let branch: String?
    /// By the members' home branch.
    public let branches: [Branch]
    public let chain: Branch
    /// Where the principal's escrow rights sit now, per node (chain-wide readers only).
    public var rightsHeld: [String: String]?
    public var reconciliation: Reconciliation?
    public let asOf: ReportAsOf

    public var csvHeader: [String] { ["branch", "members", "principal", "bonus", "total"] }
    public var csvRows: [[String]] { (branches + [chain]).map { [$0.branch, String($0.members), $0.principal, $0.bonus, $0.total] } }
}

public struct PointsReport: Codable, Sendable, CSVReport {
    public struct Lot: Codable, Sendable { public let year: Int; public let points: Int64; public let expires: String?; public let usable: Bool }
    public struct Month: Codable, Sendable { public let month: String; public let points: Int64 }
    public struct Branch: Codable, Sendable { public let branch: String; public let earned: Int64; public let redeemed: Int64 }
    public struct BranchMonth: Codable, Sendable { public let month: String; public let branch: String; public let earned: Int64; public let redeemed: Int64 }
    public let report: String
    public let branch: String?
    /// Points that pay today, and points of lots past their last day.
    public let outstanding: Int64
    public let expired: Int64
    public let lots: [Lot]
    public let expiringByMonth: [Month]
    public let branches: [Branch]
    public let byMonth: [BranchMonth]
    public let asOf: ReportAsOf

    public var csvHeader: [String] { ["month", "branch", "earned", "redeemed"] }
    public var csvRows: [[String]] { byMonth.map { [$0.month, $0.branch, String($0.earned), String($0.redeemed)] } }
}

/// The branches side by side over a period: what each sold, took in top-ups, won in members and
/// owes, ranked by net sales with each one's share of the chain's.
public struct BranchesReport: Codable, Sendable, CSVReport {
    public struct Branch: Codable, Sendable {
        public let branch: String
        public let rank: Int
        public let sales: Int64
        public let net: String
        /// This branch's net sales ÷ the chain's, in percent (one decimal).
        public let share: Double
        public let averageTicket: String
        public let returned: String
        public let topups: String
        public let topupCount: Int64
        public let bonus: String
        /// Members of this home branch who joined in the period, who last visited in it or later, and all of them.
        public let newMembers: Int64
        public let activeMembers: Int64
        public let members: Int64
        /// Principal and bonus its home members hold now.
        public let owed: String
    }
    public let report: String
    public let from: String
    public let to: String
    public let branch: String?
    public let branches: [Branch]
    public let asOf: ReportAsOf

    public var csvHeader: [String] {
        ["branch", "rank", "sales", "net", "share_percent", "average_ticket", "returned", "topups", "topup_count", "bonus", "new_members", "active_members", "members", "owed"]
    }
    public var csvRows: [[String]] {
        branches.map { [$0.branch, String($0.rank), String($0.sales), $0.net, String(format: "%.1f", $0.share), $0.averageTicket, $0.returned,
                        $0.topups, String($0.topupCount), $0.bonus, String($0.newMembers), String($0.activeMembers), String($0.members), $0.owed] }
    }
}

/// How the members spread over the tiers now, with what reaches each tier.
public struct TiersReport: Codable, Sendable, CSVReport {
    public struct Row: Codable, Sendable {
        public let tier: String
        public let name: String
        public let members: Int64
        /// Percent of the members in scope, one decimal.
        public let share: Double
        /// What reaches the tier (absent: that way does not): net spend, one top-up, points earned.
        public let spend: String?
        public let singleTopup: String?
        public let points: Int64?
    }
    public let report: String
    public let branch: String?
    /// `lifetime`: every figure ever; `review`: the program's review window of years.
    public let basis: String
    public let members: Int64
    public let tiers: [Row]
    public let asOf: ReportAsOf

    public var csvHeader: [String] { ["tier", "name", "members", "share_percent", "spend", "single_topup", "points"] }
    public var csvRows: [[String]] {
        tiers.map { [$0.tier, $0.name, String($0.members), String(format: "%.1f", $0.share), $0.spend ?? "", $0.singleTopup ?? "", $0.points.map(String.init) ?? ""] }
    }
}

public struct CampaignReport: Codable, Sendable, CSVReport {
    public let report: String
    public let campaign: String
    public let name: String?
    public let couponsIssued: Int64
    public let couponsUsed: Int64
    /// Used ÷ issued.
    public let redemptionRate: Double
    public let faceValue: String
    /// What the sales the campaign's coupons paid came to.
    public let revenue: String
    public let pointsMembers: Int64
    public let points: Int64
    public let asOf: ReportAsOf

    public var csvHeader: [String] { ["campaign", "coupons_issued", "coupons_used", "redemption_rate", "face_value", "revenue", "points_members", "points"] }
    public var csvRows: [[String]] {
        [[campaign, String(couponsIssued), String(couponsUsed), String(format: "%.4f", redemptionRate), faceValue, revenue, String(pointsMembers), String(points)]]
    }
}

/// How a sales report is grouped: by a column of the sales table, or by the lines' product or category.
public enum SalesReportGrouping: String, Sendable, CaseIterable {
    case branch, day, hour, category, product, staff

    /// A grouping as typed (`--by`, `?by=`), or a refusal naming the ones there are.
    public init(typed text: String) throws {
        guard let grouping = Self(rawValue: text) else {
            throw MMSError(.invalidArgument, "by is one of \(Self.allCases.map(\.rawValue).joined(separator: ", ")), not “\(text.prefix(20))”.")
        }
        self = grouping
    }
}

extension LocalNode {
    /// The branch a report is narrowed to: a manager's own; nil (the chain) for head office and auditors.
    func reportScope() throws -> String? {
        try permit(.readReports)
        guard let role = caller.role, !role.isChainWide else { return nil }
        return id.rawValue
    }

    func asOf() throws -> ReportAsOf {
        let vector = try store.reportVector()
        return ReportAsOf(vector: Dictionary(uniqueKeysWithValues: vector.origins.map { ($0.origin, $0.seq) }),
                          latest: Dictionary(uniqueKeysWithValues: vector.origins.map { ($0.origin, Self.chinaTime($0.wallMillis)) }),
                          node: id.rawValue, computedAt: Self.chinaTime(clock()))
    }

    /// `YYYY-MM-DD HH:mm:ss` in China Standard Time.
    static func chinaTime(_ millis: UInt64) -> String {
        let seconds = millis / 1_000 + 8 * 3_600
        return Sales.day(wallMillis: millis) + String(format: " %02llu:%02llu:%02llu", seconds % 86_400 / 3_600, seconds % 3_600 / 60, seconds % 60)
    }

    /// The hours from the start of `from` to the end of `to` (days, both counted) in `zone`.
    static func hours(from: String, to: String, zone: TimeZone) throws -> NodeStore.Hours {
        for (name, day) in [("--from", from), ("--to", to)] where !Sales.isDay(day) {
            throw MMSError(.invalidArgument, "\(name) “\(day.prefix(20))” is not a day like 2026-11-01.")
        }
        guard from <= to else { throw MMSError(.invalidArgument, "--from \(from) is after --to \(to).") }
        let first = CardLife.epochDays(from), last = CardLife.epochDays(to)
        let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(first * 86_400))))
        return NodeStore.Hours(from: (first * 86_400 - offset) / 3_600, until: ((last + 1) * 86_400 - offset) / 3_600, offsetSeconds: offset)
    }

    /// The chain's zone, China Standard Time: what its date rules and the till API's reports use.
    public static let chainZone = TimeZone(secondsFromGMT: 8 * 3_600)!

    /// Sales from `from` to `to`, both days counted, as days run in `zone` (the command line: the
    /// machine's own; the till API: the chain's).
    public func salesReport(from: String, to: String, by: SalesReportGrouping, zone: TimeZone = LocalNode.chainZone) throws -> SalesReport {
        let branch = try reportScope()
        let hours = try Self.hours(from: from, to: to, zone: zone)
        func money(_ fen: Int64) -> String { Money(fen: fen).description }
        var rows: [SalesReport.Row] = []
        switch by {
        case .branch, .day, .hour, .staff:
            let grouping: NodeStore.SalesGrouping = switch by { case .branch: .branch; case .staff: .staff; case .day: .day; default: .hourOfDay }
            rows = try store.salesRows(hours, by: grouping, branch: branch).map { r in
                let key = switch by {
                case .staff where r.key.isEmpty: "-"
                case .day: Sales.day(epochDays: Int64(r.key) ?? 0)
                case .hour: String(format: "%02d:00", Int(r.key) ?? 0)
                default: r.key
                }
                return SalesReport.Row(key: key, sales: r.sales, amount: money(r.amount), discount: money(r.discount),
                                       returns: r.returns, returned: money(r.returned), net: money(r.amount - r.returned))
            }
        case .product, .category:
            // Kept by the chain's days (China Standard Time), whatever the zone asked for.
            let lines = try store.productRows(fromDay: CardLife.dayNumber(from), toDay: CardLife.dayNumber(to), branch: branch)
            let products = try store.read { state in
                try Dictionary(uniqueKeysWithValues: Set(lines.map(\.sku)).map { ($0, try Catalogue.product($0, in: state)) })
            }
            var grouped: [String: (name: String, quantity: Int64, amount: Int64, returned: Int64)] = [:]
            for line in lines {
                let product = products[line.sku] ?? nil
                let key = by == .product ? (line.sku.isEmpty ? "-" : line.sku) : (product?.category ?? "-")
                let name = by == .product ? (line.sku.isEmpty ? Sales.amountLineName : product?.name ?? "") : key
                grouped[key, default: (name, 0, 0, 0)].quantity += line.quantity - line.returnedQuantity
                grouped[key, default: (name, 0, 0, 0)].amount += line.amount
                grouped[key, default: (name, 0, 0, 0)].returned += line.returnedAmount
            }
            // A ranking: the best sellers first.
            rows = grouped.sorted { ($0.value.amount - $0.value.returned, $1.key) > ($1.value.amount - $1.value.returned, $0.key) }.map { key, g in
                SalesReport.Row(key: key, name: g.name, quantity: g.quantity, amount: money(g.amount), returned: money(g.returned), net: money(g.amount - g.returned))
            }
        }
        let amount = rows.map { Money(parsing: $0.amount)!.fen }.reduce(0, +), returned = rows.map { Money(parsing: $0.returned)!.fen }.reduce(0, +)
        var total = SalesReport.Row(key: "total", amount: money(amount), returned: money(returned), net: money(amount - returned))
        if rows.contains(where: { $0.sales != nil }) {
            total.sales = rows.compactMap(\.sales).reduce(0, +); total.returns = rows.compactMap(\.returns).reduce(0, +)
            total.discount = money(rows.compactMap { $0.discount.flatMap(Money.init(parsing:))?.fen }.reduce(0, +))
        } else {
            total.quantity = rows.compactMap(\.quantity).reduce(0, +)
        }
        return SalesReport(report: "sales", by: by.rawValue, from: from, to: to, branch: branch, rows: rows, total: total, asOf: try asOf())
    }

    /// The branches compared from `from` to `to` (days counted, in `zone`); a manager sees their own.
    public func branchesReport(from: String, to: String, zone: TimeZone = LocalNode.chainZone) throws -> BranchesReport {
        let branch = try reportScope()
        let hours = try Self.hours(from: from, to: to, zone: zone)
        func money(_ fen: Int64) -> String { Money(fen: fen).description }
        let sales = Dictionary(uniqueKeysWithValues: try store.salesRows(hours, by: .branch, branch: branch).map { ($0.key, $0) })
        let topups = Dictionary(uniqueKeysWithValues: try store.moneyRows(hours, branch: branch).map { ($0.branch, $0.figures) })
        let owed = Dictionary(uniqueKeysWithValues: try store.liabilityRows(branch: branch).map { ($0.home, $0) })
        let activity = Dictionary(uniqueKeysWithValues: try store.memberActivity(joinedFrom: CardLife.dayNumber(from), joinedTo: CardLife.dayNumber(to),
                                                                                 visitedFrom: CardLife.dayNumber(from), branch: branch).map { ($0.home, $0) })
        let names = Set(sales.keys).union(topups.keys).union(activity.keys).union(owed.keys.filter { !$0.isEmpty })
        func net(_ name: String) -> Int64 { sales[name].map { $0.amount - $0.returned } ?? 0 }
        let chainNet = names.map(net).reduce(0, +)
        let ranked = names.sorted { (net($0), $1) > (net($1), $0) }
        let branches = ranked.enumerated().map { index, name in
            let s = sales[name], t = topups[name], o = owed[name], a = activity[name]
            let count = s?.sales ?? 0
            return BranchesReport.Branch(
                branch: name, rank: index + 1, sales: count, net: money(net(name)),
                share: chainNet == 0 ? 0 : (Double(net(name)) * 1_000 / Double(chainNet)).rounded() / 10,
                averageTicket: money(count == 0 ? 0 : net(name) / count), returned: money(s?.returned ?? 0),
                topups: money(t?.topups ?? 0), topupCount: t?.topupCount ?? 0, bonus: money(t?.bonus ?? 0),
                newMembers: a?.joined ?? 0, activeMembers: a?.visited ?? 0, members: o?.members ?? 0, owed: money((o?.principal ?? 0) + (o?.bonus ?? 0)))
        }
        return BranchesReport(report: "branches", from: from, to: to, branch: branch, branches: branches, asOf: try asOf())
    }

    /// The members of each tier now (a manager: their branch's members). Decided by the core's
    /// ladder over the figures the report tables keep; under a tier review, over the figures of
    /// the review's years (`TierHistory`, from each member's months).
    public func tiersReport() throws -> TiersReport {
        let branch = try reportScope()
        let (ladder, review) = try store.read { (try $0.tierLadder(), try $0.program().program.tierReview) }
        var counts: [Tier: Int64] = [:]
        if review == nil {
            try store.tierFigures(branch: branch) { counts[ladder.tier($0), default: 0] += 1 }
        } else {
            let history = TierHistory(ladder: ladder, review: review), month = CardLife.dayNumber(Sales.day(wallMillis: clock())) / 100
            var decided: Int64 = 0
            try store.memberMonths(branch: branch) { _, months in counts[history.tier(endOf: month, months), default: 0] += 1; decided += 1 }
            // Members whose figures never changed hold the lowest tier.
            let all = try store.memberCounts(branch: branch, since30: 0, since90: 0).members
            counts[ladder.tier(TierFigures()), default: 0] += all - decided
        }
        let total = counts.values.reduce(0, +)
        let rows = ladder.steps.map { step in
            TiersReport.Row(tier: step.tier.rawValue, name: step.name, members: counts[step.tier] ?? 0,
                            share: total == 0 ? 0 : (Double(counts[step.tier] ?? 0) * 1_000 / Double(total)).rounded() / 10,
                            spend: step.spend?.description, singleTopup: step.singleTopup?.description, points: step.points)
        }
        return TiersReport(report: "tiers", branch: branch, basis: review == nil ? "lifetime" : "review", members: total, tiers: rows, asOf: try asOf())
    }

    public func membersReport(segments: Bool) throws -> MembersReport {
        let branch = try reportScope()
        let today = CardLife.dayNumber(Sales.day(wallMillis: clock()))
        func daysAgo(_ n: Int64) -> Int64 { CardLife.dayNumber(CardLife.day(CardLife.dayText(today), plus: -n)) }
        let (since30, since90) = (daysAgo(30), daysAgo(90))
        let counts = try store.memberCounts(branch: branch, since30: since30, since90: since90)
        var report = MembersReport(report: "members", branch: branch, members: counts.members,
                                   joinedByMonth: counts.joinedByMonth.map { .init(month: String(format: "%04lld-%02lld", $0.month / 100, $0.month % 100), joined: $0.members) },
                                   active30d: counts.visitedSince30, active90d: counts.visitedSince90, dormant: counts.dormant,
                                   neverVisited: counts.neverVisited, zeroSpend: counts.zeroSpend, asOf: try asOf())
        if segments {
            var figures: [(spent: Int64, purchases: Int64, recent: Bool)] = []
            try store.memberFigures(branch: branch) { spent, purchases, lastVisit in figures.append((spent, purchases, lastVisit >= since90)) }
            report.segments = MemberSegments.of(figures)
        }
        return report
    }

    public func liabilityReport(foldLog: Bool) throws -> LiabilityReport {
        let branch = try reportScope()
        func money(_ fen: Int64) -> String { Money(fen: fen).description }
        let rows = try store.liabilityRows(branch: branch)
        let branches = rows.filter { !$0.home.isEmpty }.map {
            LiabilityReport.Branch(branch: $0.home, members: $0.members, principal: money($0.principal), bonus: money($0.bonus), total: money($0.principal + $0.bonus))
        }
        let (principal, bonus) = (rows.map(\.principal).reduce(0, +), rows.map(\.bonus).reduce(0, +))
        var report = LiabilityReport(report: "liability", branch: branch, branches: branches,
                                     chain: .init(branch: branch ?? "chain", members: branches.map(\.members).reduce(0, +), principal: money(principal),
                                                  bonus: money(bonus), total: money(principal + bonus)),
                                     asOf: try asOf())
        guard branch == nil else { return report }
        // Head office's view reconciles the tables with the cells (and, asked, with the log).
        let cells = try store.balancesFromCells()
        report.rightsHeld = cells.rights.filter { $0.value != 0 }.mapValues(money)
        var reconciliation = LiabilityReport.Reconciliation(sumOfBalances: money(cells.principal), sumOfBonus: money(cells.bonus), opLog: nil,
                                                            reconciled: cells.principal == principal && cells.bonus == bonus)
        if foldLog {
            let fold = try store.chainFigures().liabilityFen
            reconciliation = .init(sumOfBalances: reconciliation.sumOfBalances, sumOfBonus: reconciliation.sumOfBonus, opLog: money(fold),
                                   reconciled: reconciliation.reconciled && fold == principal)
        }
        report.reconciliation = reconciliation
        return report
    }

    public func pointsReport() throws -> PointsReport {
        let branch = try reportScope()
        let today = CardLife.dayNumber(Sales.day(wallMillis: clock()))
        let expiry = try store.read { try PointsLots.expiry(in: $0) }
        let lots = try store.lotRows().filter { $0.points != 0 }.map { lot -> PointsReport.Lot in
            let last = PointsLots.lastDay(ofLot: lot.year, expiry)
            return .init(year: lot.year, points: lot.points, expires: last.map(CardLife.dayText), usable: last.map { today <= $0 } ?? true)
        }
        var expiring: [String: Int64] = [:]
        for lot in lots where lot.usable { if let expires = lot.expires { expiring[String(expires.prefix(7)), default: 0] += lot.points } }
        let rows = try store.pointsRows(branch: branch)
        var perBranch: [String: (Int64, Int64)] = [:]
        for row in rows { perBranch[row.branch, default: (0, 0)].0 += row.earned; perBranch[row.branch, default: (0, 0)].1 += row.redeemed }
        // A manager sees their branch's points moves; what members hold is the chain's figure.
        return PointsReport(report: "points", branch: branch,
                            outstanding: lots.filter(\.usable).map(\.points).reduce(0, +), expired: lots.filter { !$0.usable }.map(\.points).reduce(0, +),
                            lots: lots, expiringByMonth: expiring.sorted { $0.key < $1.key }.map { .init(month: $0.key, points: $0.value) },
                            branches: perBranch.sorted { $0.key < $1.key }.map { .init(branch: $0.key, earned: $0.value.0, redeemed: $0.value.1) },
                            byMonth: rows.map { .init(month: $0.month, branch: $0.branch, earned: $0.earned, redeemed: $0.redeemed) }, asOf: try asOf())
    }

    public func campaignReport(_ campaign: String) throws -> CampaignReport {
        // Campaigns are head office's, over the whole chain.
        if try reportScope() != nil { throw MMSError(.notPermitted, "Campaign results are head office's: a \(caller.role?.rawValue ?? "") sees their branch's reports.") }
        let f = try store.campaignFigures(campaign)
        let name = try store.read { try $0.program().program.campaign(campaign)?.name }
        guard f.coupons > 0 || f.pointsMembers > 0 || name != nil else {
            throw MMSError(.notFound, "There is no campaign “\(campaign.prefix(40))” in the program or the reports.", details: ["campaign": String(campaign.prefix(40))])
        }
        return CampaignReport(report: "campaign", campaign: campaign, name: name, couponsIssued: f.coupons, couponsUsed: f.used,
                              redemptionRate: f.coupons > 0 ? Double(f.used) / Double(f.coupons) : 0, faceValue: Money(fen: f.value).description,
                              revenue: Money(fen: f.revenue).description, pointsMembers: f.pointsMembers, points: f.points, asOf: try asOf())
    }
}

/// Members' segments by value and RFM, from their figures. The thresholds are the scope's own:
/// the average purchases and spend, and a visit within 90 days.
enum MemberSegments {
    static let rfm: [(segment: String, name: String, recent: Bool, frequent: Bool, valuable: Bool)] = [
        ("important_value", "重要价值客户", true, true, true), ("important_develop", "重要发展客户", true, false, true),
        ("important_keep", "重要保持客户", false, true, true), ("important_retain", "重要挽留客户", false, false, true),
        ("general_value", "一般价值客户", true, true, false), ("general_develop", "一般发展客户", true, false, false),
        ("general_keep", "一般保持客户", false, true, false), ("general_retain", "一般挽留客户", false, false, false),
    ]

    static func of(_ members: [(spent: Int64, purchases: Int64, recent: Bool)]) -> MembersReport.Segments {
        let count = Int64(members.count)
        let averageSpend = count > 0 ? Double(members.map(\.spent).reduce(0, +)) / Double(count) : 0
        let averagePurchases = count > 0 ? Double(members.map(\.purchases).reduce(0, +)) / Double(count) : 0
        var groups: [String: Int64] = [:]
        for m in members {
            let key = rfm.first { $0.recent == m.recent && $0.frequent == (Double(m.purchases) >= averagePurchases && m.purchases > 0)
                && $0.valuable == (Double(m.spent) >= averageSpend && m.spent > 0) }!.segment
            groups[key, default: 0] += 1
        }
        // A, B, C: the top 20 % by spend, the next 30 %, the rest (members who spent nothing are C).
        let spends = members.map(\.spent).sorted(by: >)
        let a = spends.prefix(Int(count) / 5).filter { $0 > 0 }.count
        let b = spends.dropFirst(a).prefix(Int(count) / 2 - a).filter { $0 > 0 }.count
        return MembersReport.Segments(value: ["A": Int64(a), "B": Int64(b), "C": count - Int64(a + b)],
                                      rfm: rfm.map { .init(segment: $0.segment, name: $0.name, members: groups[$0.segment] ?? 0) })
    }
}

/// This node's links as its server sees them: the peers linked now, and per peer the ops this
/// node holds that the peer's last vector lacked.
public struct PeerLinks: Sendable {
    public let connected: Set<NodeID>
    public let lag: [NodeID: UInt64]
    public init(connected: Set<NodeID>, lag: [NodeID: UInt64]) { self.connected = connected; self.lag = lag }
}

/// The chain at a glance, as this replica knows it: every node it trusts, whether it is linked to
/// it now and how far behind it is, how many of its ops are here and when the last was made, and
/// the stored value it may spend without asking (its escrow rights).
public struct ChainGlance: Codable, Sendable {
    public struct Node: Codable, Sendable {
        public let id: String
        public let role: String
        /// Nil for this node itself, or when the node runs without a server (the command line).
        public let linked: Bool?
        public let lag: UInt64?
        public let ops: Int64
        public let lastHeard: String?
        public let escrowHeld: String
    }
    public let node: String
    public let nodes: [Node]
    public let computedAt: String
}

extension LocalNode {
    /// Head office's view of every node (a branch's operators read their branch's reports only).
    public func chainGlance(links: PeerLinks?) throws -> ChainGlance {
        guard try reportScope() == nil else { throw MMSError(.notPermitted, "The chain at a glance is head office's.") }
        let vector = Dictionary(uniqueKeysWithValues: try store.reportVector().origins.map { ($0.origin, (seq: $0.seq, wallMillis: $0.wallMillis)) })
        let nodes = try NodeRole.allCases.flatMap { role in try store.trustedOrigins(role: role).map { (id: $0, role: role) } }.sorted { $0.id < $1.id }
        return ChainGlance(node: id.rawValue, nodes: try nodes.map { n in
            let here = vector[n.id.rawValue], isSelf = n.id == id
            return ChainGlance.Node(id: n.id.rawValue, role: n.role.rawValue, linked: isSelf ? nil : links.map { $0.connected.contains(n.id) },
                                    lag: isSelf ? nil : links?.lag[n.id], ops: here?.seq ?? 0, lastHeard: here.map { Self.chinaTime($0.wallMillis) },
                                    escrowHeld: Money(fen: try store.storedValueRightsHeld(by: n.id)).description)
        }, computedAt: Self.chinaTime(clock()))
    }
}
