import Foundation
import MMSCore
import MMSStore

/// What each staff member did in a month, at each branch they worked at: sales (net of returns,
/// the average ticket), the top-ups and cards they are credited with and the commission earned.
public struct StaffReport: Codable, Sendable, CSVReport {
    public struct Row: Codable, Sendable {
        /// The operator credited ("-": payments no one was credited with, such as `mms charge`).
        public let staff: String
        public let name: String
        public let branch: String
        /// By net sales, from 1, over the whole report.
        public let rank: Int
        public let sales: Int64
        public let amount: String
        public let discount: String
        public let returns: Int64
        public let returned: String
        public let net: String
        public let averageTicket: String
        public let topups: String
        public let cards: Int64
        public let commission: String
    }
    public let report: String
    public let month: String
    public let branch: String?
    public let staff: [Row]
    public let net: String
    public let commission: String
    public let asOf: ReportAsOf

    public var csvHeader: [String] {
        ["rank", "staff", "name", "branch", "sales", "amount", "discount", "returns", "returned", "net", "average_ticket", "topups", "cards", "commission"]
    }
    public var csvRows: [[String]] {
        staff.map { [String($0.rank), $0.staff, $0.name, $0.branch, String($0.sales), $0.amount, $0.discount, String($0.returns), $0.returned, $0.net,
                     $0.averageTicket, $0.topups, String($0.cards), $0.commission] }
    }
}

/// Members who changed tier, month by month: the tier each member held at the end of a month
/// against the end of the month before (`TierHistory`, under today's ladder).
public struct TierMovesReport: Codable, Sendable, CSVReport {
    public struct Move: Codable, Sendable { public let from: String; public let to: String; public let members: Int64 }
    public struct Month: Codable, Sendable {
        public let month: String
        public let up: Int64
        public let down: Int64
        public let moves: [Move]
    }
    public let report: String
    public let branch: String?
    /// `lifetime`: every figure up to the month's end; `review`: the program's review window.
    public let basis: String
    public let from: String
    public let to: String
    public let months: [Month]
    public let asOf: ReportAsOf

    public var csvHeader: [String] { ["month", "from", "to", "members"] }
    public var csvRows: [[String]] { months.flatMap { m in m.moves.map { [m.month, $0.from, $0.to, String($0.members)] } } }
}

extension LocalNode {
    /// Staff performance in `month` (YYYY-MM, China Standard Time); a manager sees their branch.
    public func staffReport(month: String) throws -> StaffReport {
        let branch = try reportScope()
        try Self.validateMonth(month)
        let first = month + "-01", last = CardLife.day(Self.firstDay(after: month), plus: -1)
        let sales = try store.staffSalesRows(try Self.hours(from: first, to: last, zone: Self.chainZone), branch: branch)
        struct Key: Hashable { let staff: String, branch: String }
        var figures: [Key: (sales: ReportFacts.SalesFigures, topups: Int64, cards: Int64, earned: Int64)] = [:]
        for row in sales { figures[Key(staff: row.staff, branch: row.branch), default: (.init(), 0, 0, 0)].sales = row.figures }
        // What the commission counters keep for the month: a slot per branch that credited the staff member.
        let credited = try store.commissionStaff(month: month)
        let names = try store.read { state -> [String: String] in
            var names: [String: String] = [:]
            for staff in credited {
                let c = try state.counters(entity: Cell.commission(month: month, staff: staff))
                for node in Set(c.values.flatMap(\.keys)) where branch == nil || node.rawValue == branch {
                    func slot(_ name: String) -> Int64 { c[name]?[node] ?? 0 }
                    let key = Key(staff: staff, branch: node.rawValue)
                    figures[key, default: (.init(), 0, 0, 0)].topups = slot(Cell.commissionTopUps)
                    figures[key, default: (.init(), 0, 0, 0)].cards = slot(Cell.commissionCards)
                    figures[key, default: (.init(), 0, 0, 0)].earned = slot(Cell.commissionEarned) - slot(Cell.commissionReturned)
                }
            }
            for staff in Set(figures.keys.map(\.staff)) where !staff.isEmpty { names[staff] = try state.operatorView(staff)?.name }
            return names
        }
        func money(_ fen: Int64) -> String { Money(fen: fen).description }
        func net(_ f: ReportFacts.SalesFigures) -> Int64 { f.amount - f.returned }
        let ranked = figures.sorted { (net($0.value.sales), $1.key.staff, $1.key.branch) > (net($1.value.sales), $0.key.staff, $0.key.branch) }
        let rows = ranked.enumerated().map { index, entry in
            let (key, f) = entry
            return StaffReport.Row(staff: key.staff.isEmpty ? "-" : key.staff, name: names[key.staff] ?? "", branch: key.branch, rank: index + 1,
                                   sales: f.sales.sales, amount: money(f.sales.amount), discount: money(f.sales.discount), returns: f.sales.returns,
                                   returned: money(f.sales.returned), net: money(net(f.sales)),
                                   averageTicket: money(f.sales.sales == 0 ? 0 : net(f.sales) / f.sales.sales),
                                   topups: money(f.topups), cards: f.cards, commission: money(f.earned))
        }
        return StaffReport(report: "staff", month: month, branch: branch, staff: rows, net: money(figures.values.map { net($0.sales) }.reduce(0, +)),
                           commission: money(figures.values.map(\.earned).reduce(0, +)), asOf: try asOf())
    }

    /// Tier movements from month `from` to `to` (YYYY-MM, both counted); a manager sees their
    /// branch's members.
    public func tierMovesReport(from: String, to: String) throws -> TierMovesReport {
        let branch = try reportScope()
        for (name, month) in [("--from", from), ("--to", to)] where !Sales.isMonth(month) {
            throw MMSError(.invalidArgument, "\(name) “\(month.prefix(20))” is not a month like 2026-11.")
        }
        guard from <= to else { throw MMSError(.invalidArgument, "--from \(from) is after --to \(to).") }
        func number(_ month: String) -> Int64 { CardLife.dayNumber(month + "-01") / 100 }
        var months: [Int64] = []
        var month = from
        while month <= to { months.append(number(month)); month = String(Self.firstDay(after: month).prefix(7)) }
        guard months.count <= 120 else { throw MMSError(.invalidArgument, "A tier movement report covers at most 120 months.") }
        let before = number(String(CardLife.day(from + "-01", plus: -1).prefix(7)))
        let (ladder, review) = try store.read { (try $0.tierLadder(), try $0.program().program.tierReview) }
        let history = TierHistory(ladder: ladder, review: review)
        var moves: [Int64: [Tier: [Tier: Int64]]] = [:]
        try store.memberMonths(branch: branch) { _, figures in
            var held = history.tier(endOf: before, figures)
            for month in months {
                let now = history.tier(endOf: month, figures)
                if now != held { moves[month, default: [:]][held, default: [:]][now, default: 0] += 1 }
                held = now
            }
        }
        let names = Dictionary(uniqueKeysWithValues: ladder.steps.map { ($0.tier, $0.name) })
        let rows = months.map { month -> TierMovesReport.Month in
            let m = moves[month] ?? [:]
            let list = m.flatMap { from, tos in tos.map { (from: from, to: $0.key, members: $0.value) } }.sorted { ($0.from, $0.to) < ($1.from, $1.to) }
            return .init(month: String(format: "%04lld-%02lld", month / 100, month % 100),
                         up: list.filter { $0.to > $0.from }.map(\.members).reduce(0, +), down: list.filter { $0.to < $0.from }.map(\.members).reduce(0, +),
                         moves: list.map { .init(from: names[$0.from] ?? $0.from.rawValue, to: names[$0.to] ?? $0.to.rawValue, members: $0.members) })
        }
        return TierMovesReport(report: "tier-moves", branch: branch, basis: review == nil ? "lifetime" : "review", from: from, to: to, months: rows, asOf: try asOf())
    }

    /// The first day of the month after `month` (YYYY-MM).
    static func firstDay(after month: String) -> String {
        let year = Int(month.prefix(4))!, next = Int(month.suffix(2))! + 1
        return next > 12 ? String(format: "%04d-01-01", year + 1) : String(format: "%04d-%02d-01", year, next)
    }
}
