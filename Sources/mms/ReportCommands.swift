import ArgumentParser
import Foundation
import MMSCore
import MMSNode

/// `mms report …`: the chain's figures from a replica (`report --topology … --node hq`, as before)
/// and head office's reports from the report tables a node keeps with its ops.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reports: sales, members and segments, prepaid liability, points, campaigns, branches, tiers and their movements, staff; and the chain's figures per branch (the default).",
        subcommands: [ChainReport.self, SalesReportCommand.self, MembersReportCommand.self, LiabilityReportCommand.self, PointsReportCommand.self,
                      CampaignReportCommand.self, BranchesReportCommand.self, TiersReportCommand.self, TierMovesReportCommand.self,
                      StaffReportCommand.self],
        defaultSubcommand: ChainReport.self)
}

/// `--json`, `--csv` (UTF-8 with a byte-order mark) or readable text.
struct ReportFormat: ParsableArguments {
    @Flag(help: "CSV (UTF-8 with a byte-order mark, for spreadsheet programs) instead of text.") var csv = false
}

func performReport<T: Encodable & TextRendered & CSVReport>(_ options: NodeOptions, _ format: ReportFormat, _ body: () throws -> T) throws {
    try forwardIfServed(options.data)
    try perform(json: options.json, csv: format.csv ? { $0.csv } : nil, body)
}

struct SalesReportCommand: ParsableCommand, ServedCommand {
    static let configuration = CommandConfiguration(commandName: "sales",
        abstract: "Sales from one day to another, by branch, day, hour, category, product (a ranking) or staff; a stored-value payment counts as a sale of its amount.")
    @OptionGroup var options: NodeOptions
    @OptionGroup var format: ReportFormat
    @Option(help: "The first day, YYYY-MM-DD (China Standard Time).") var from: String
    @Option(help: "The last day, counted.") var to: String
    @Option(help: "branch, day, hour, category, product or staff.") var by: String = "branch"

    func run() throws {
        try performReport(options, format) {
            let grouping = try SalesReportGrouping(typed: by)
            // Days as they run where the command runs (on a chain's machines, China Standard Time).
            return try options.open().salesReport(from: from, to: to, by: grouping, zone: .current)
        }
    }
}

struct BranchesReportCommand: ParsableCommand, ServedCommand {
    static let configuration = CommandConfiguration(commandName: "branches",
        abstract: "The branches compared over a period: sales, net, share, average ticket, top-ups, new and active members, money owed; ranked by net sales.")
    @OptionGroup var options: NodeOptions
    @OptionGroup var format: ReportFormat
    @Option(help: "The first day, YYYY-MM-DD.") var from: String
    @Option(help: "The last day, counted.") var to: String

    func run() throws { try performReport(options, format) { try options.open().branchesReport(from: from, to: to, zone: .current) } }
}

struct TiersReportCommand: ParsableCommand, ServedCommand {
    static let configuration = CommandConfiguration(commandName: "tiers",
        abstract: "How the members spread over the tiers now, with what reaches each tier.")
    @OptionGroup var options: NodeOptions
    @OptionGroup var format: ReportFormat

    func run() throws { try performReport(options, format) { try options.open().tiersReport() } }
}

struct TierMovesReportCommand: ParsableCommand, ServedCommand {
    static let configuration = CommandConfiguration(commandName: "tier-moves",
        abstract: "Members who changed tier, month by month: the tier at each month's end against the month before, by today's ladder.")
    @OptionGroup var options: NodeOptions
    @OptionGroup var format: ReportFormat
    @Option(help: "The first month, YYYY-MM.") var from: String
    @Option(help: "The last month, counted.") var to: String

    func run() throws { try performReport(options, format) { try options.open().tierMovesReport(from: from, to: to) } }
}

struct StaffReportCommand: ParsableCommand, ServedCommand {
    static let configuration = CommandConfiguration(commandName: "staff",
        abstract: "Staff performance in a month, per staff member and branch: sales, net, average ticket, returns, top-ups and cards, commission; ranked by net sales.")
    @OptionGroup var options: NodeOptions
    @OptionGroup var format: ReportFormat
    @Option(help: "The month, YYYY-MM (China Standard Time).") var month: String

    func run() throws { try performReport(options, format) { try options.open().staffReport(month: month) } }
}

struct MembersReportCommand: ParsableCommand, ServedCommand {
    static let configuration = CommandConfiguration(commandName: "members",
        abstract: "Members: how many, joined by month, active, dormant, never visited, zero-spend; with --segments, value classes A/B/C and the eight RFM groups.")
    @OptionGroup var options: NodeOptions
    @OptionGroup var format: ReportFormat
    @Flag(help: "Add the segments: A/B/C by spend, and RFM (recency, frequency, money).") var segments = false

    func run() throws { try performReport(options, format) { try options.open().membersReport(segments: segments) } }
}

struct LiabilityReportCommand: ParsableCommand, ServedCommand {
    static let configuration = CommandConfiguration(commandName: "liability",
        abstract: "The prepaid money owed to members: principal and bonus by home branch, reconciled with the sum of balances (and, with --fold-log, the op log).")
    @OptionGroup var options: NodeOptions
    @OptionGroup var format: ReportFormat
    @Flag(help: "Also fold the whole op log (slow on a long log) and check it against the report.") var foldLog = false

    func run() throws { try performReport(options, format) { try options.open().liabilityReport(foldLog: foldLog) } }
}

struct PointsReportCommand: ParsableCommand, ServedCommand {
    static let configuration = CommandConfiguration(commandName: "points",
        abstract: "Points outstanding and expired, by lot and by the month they expire; earned and redeemed per branch and month.")
    @OptionGroup var options: NodeOptions
    @OptionGroup var format: ReportFormat

    func run() throws { try performReport(options, format) { try options.open().pointsReport() } }
}

struct CampaignReportCommand: ParsableCommand, ServedCommand {
    static let configuration = CommandConfiguration(commandName: "campaign",
        abstract: "A campaign's results: coupons issued and used, the sales they paid, points given.")
    @OptionGroup var options: NodeOptions
    @OptionGroup var format: ReportFormat
    @Option(help: "The campaign's id (birthday gifts: birthday.YYYY).") var campaign: String

    func run() throws { try performReport(options, format) { try options.open().campaignReport(campaign) } }
}

extension ReportAsOf {
    var text: String {
        "as of \(node)'s replica at \(computedAt): " + latest.sorted { $0.key < $1.key }.map { "\($0.key) #\(vector[$0.key] ?? 0) (\($0.value))" }.joined(separator: ", ")
    }
}

extension SalesReport: TextRendered {
    public var text: String {
        var lines = ["Sales \(from) – \(to) by \(by)\(branch.map { " at \($0)" } ?? ""):"]
        for r in rows + [total] {
            let count = r.sales.map { "\($0) sales" } ?? "×\(r.quantity ?? 0)"
            lines.append("  \(r.key.padding(toLength: 14, withPad: " ", startingAt: 0)) \(r.name.map { "\($0) " } ?? "")\(count), \(r.amount), returned \(r.returned), net \(r.net)")
        }
        return (lines + ["  " + asOf.text]).joined(separator: "\n")
    }
}

extension BranchesReport: TextRendered {
    public var text: String {
        var lines = ["Branches \(from) – \(to)\(branch.map { " (\($0) only)" } ?? ""), ranked by net sales:"]
        lines += branches.map {
            "  \($0.rank). \($0.branch): net \($0.net) (\(String(format: "%.1f", $0.share)) %), \($0.sales) sales, average \($0.averageTicket); "
                + "top-ups \($0.topups) (\($0.topupCount)), bonus \($0.bonus); members \($0.members) (+\($0.newMembers) new, \($0.activeMembers) active); owed \($0.owed)"
        }
        return (lines + ["  " + asOf.text]).joined(separator: "\n")
    }
}

extension TiersReport: TextRendered {
    public var text: String {
        var lines = ["Tiers\(branch.map { " of \($0)'s members" } ?? ""): \(members) members (\(basis == "review" ? "by the review window" : "by every figure ever"))"]
        lines += tiers.map { row in
            let reach = [row.spend.map { "spend \($0)" }, row.singleTopup.map { "one top-up \($0)" }, row.points.map { "\($0) points" }].compactMap { $0 }
            return "  \(row.name) (\(row.tier)): \(row.members), \(String(format: "%.1f", row.share)) %\(reach.isEmpty ? "" : " — reached by " + reach.joined(separator: " or "))"
        }
        return (lines + ["  " + asOf.text]).joined(separator: "\n")
    }
}

extension TierMovesReport: TextRendered {
    public var text: String {
        var lines = ["Tier movements \(from) – \(to)\(branch.map { " of \($0)'s members" } ?? "") (\(basis == "review" ? "by the review window" : "by every figure ever")):"]
        for month in months {
            lines.append("  \(month.month): \(month.up) up, \(month.down) down" + (month.moves.isEmpty ? "" : " — " + month.moves.map { "\($0.from) → \($0.to) \($0.members)" }.joined(separator: ", ")))
        }
        return (lines + ["  " + asOf.text]).joined(separator: "\n")
    }
}

extension StaffReport: TextRendered {
    public var text: String {
        var lines = ["Staff \(month)\(branch.map { " at \($0)" } ?? ""), ranked by net sales: net \(net), commission \(commission)"]
        lines += staff.map {
            "  \($0.rank). \($0.staff)\($0.name.isEmpty ? "" : " \($0.name)") at \($0.branch): net \($0.net), \($0.sales) sales, average \($0.averageTicket), "
                + "\($0.returns) returns (\($0.returned)); top-ups \($0.topups), \($0.cards) cards; commission \($0.commission)"
        }
        return (lines + ["  " + asOf.text]).joined(separator: "\n")
    }
}

extension MembersReport: TextRendered {
    public var text: String {
        var lines = ["Members\(branch.map { " of \($0)" } ?? ""): \(members); active in 30 days \(active30d), in 90 days \(active90d); dormant \(dormant); never visited \(neverVisited); zero spend \(zeroSpend)"]
        lines += joinedByMonth.map { "  joined \($0.month): \($0.joined)" }
        if let segments {
            lines.append("  value: A \(segments.value["A"] ?? 0), B \(segments.value["B"] ?? 0), C \(segments.value["C"] ?? 0)")
            lines += segments.rfm.map { "  \($0.name) (\($0.segment)): \($0.members)" }
        }
        return (lines + ["  " + asOf.text]).joined(separator: "\n")
    }
}

extension LiabilityReport: TextRendered {
    public var text: String {
        var lines = ["Prepaid liability\(branch.map { " of \($0)'s members" } ?? ""): \(chain.total) (principal \(chain.principal), bonus \(chain.bonus)), \(chain.members) members"]
        lines += branches.map { "  \($0.branch): \($0.total) (principal \($0.principal), bonus \($0.bonus)), \($0.members) members" }
        if let r = reconciliation {
            lines.append("  sum of balances \(r.sumOfBalances) + bonus \(r.sumOfBonus)\(r.opLog.map { ", op log \($0)" } ?? ""): \(r.reconciled ? "reconciled" : "NOT RECONCILED")")
        }
        return (lines + ["  " + asOf.text]).joined(separator: "\n")
    }
}

extension PointsReport: TextRendered {
    public var text: String {
        var lines = ["Points outstanding \(outstanding) (expired, never spent: \(expired))"]
        lines += lots.map { "  lot \($0.year): \($0.points)\($0.expires.map { $0 < "9" ? ", pays through \($0)" : "" } ?? ", never expires")\($0.usable ? "" : " (expired)")" }
        lines += branches.map { "  \($0.branch): earned \($0.earned), redeemed \($0.redeemed)" }
        return (lines + ["  " + asOf.text]).joined(separator: "\n")
    }
}

extension CampaignReport: TextRendered {
    public var text: String {
        "Campaign \(campaign)\(name.map { " (\($0))" } ?? ""): \(couponsIssued) coupons issued, \(couponsUsed) used (\(String(format: "%.1f", redemptionRate * 100)) %), face value \(faceValue), sales they paid \(revenue); points to \(pointsMembers) members, \(points) points\n  " + asOf.text
    }
}
