import ArgumentParser
import Foundation
import MMSCore
import MMSNode
import MMSTopology

/// `mms program`: head office's membership program (card products, tiers, points, coupon
/// templates, gifts, campaigns) as one versioned document.
struct ProgramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "program", abstract: "Head office's membership program: every rule in force, set whole from a file.",
        subcommands: [Show.self, Set.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every rule in force here, as one document, with its version.")
        @OptionGroup var options: NodeOptions
        func run() throws { try perform(options) { try options.open().showProgram() } }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the program with a file's (head office): validated whole, then replicated as the next version.",
            discussion: "programs/demo.toml documents every rule. An unknown field, a bad value or a broken reference refuses the whole file.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The program file (TOML).") var file: String
        func run() throws { try perform(options) { try options.open().setProgram(try ProgramFile.load(path: file)) } }
    }
}

extension ProgramCommand.Show: ServedCommand {}
extension ProgramCommand.Set: ServedCommand {}

extension ProgramResult: TextRendered {
    public var text: String {
        var out = ["Program version \(version)" + (op.map { " [op \($0)]" } ?? "")]
        if version == 0 { out.append("  (head office has not set a program: the chain settings apply)") }
        out += program.tiers.map { "  tier \($0.tier.rawValue) \($0.name): discount \($0.discount)%, points ×\(Double($0.pointsMultiplier) / 100)" }
        out += program.cardProducts.map { "  card product \($0.id) \($0.name) (\($0.type.rawValue))" }
        out += program.couponTemplates.map { "  coupon template \($0.id) \($0.title)" }
        out += program.gifts.map { "  gift \($0.id) \($0.name): \($0.points) points" }
        out += program.campaigns.map { "  campaign \($0.id) \($0.name)" }
        let p = program.points
        if version > 0 {
            out.append("  points: \(p.perYuan) per yuan" + p.categories.map { ", \($0.category) \($0.perYuan)" }.joined()
                       + ", \(p.redeemPerYuan) pay 1.00, expiry \(p.expiry.rawValue)" + (p.memberDay.map { ", member day \($0) (×\(Double(p.memberDayMultiplier) / 100))" } ?? "")
                       + p.events.map { ", \($0.name) \($0.from)–\($0.until) ×\(Double($0.multiplier) / 100)" }.joined() + (p.transferable ? ", transferable" : ""))
        }
        out += program.bonuses.map { "  bonus: top up \($0.topup), get \($0.bonus)" + ($0.from == nil && $0.until == nil ? "" : " (\($0.from ?? "…")–\($0.until ?? "…"))") }
        for (name, reward) in [("welcome gift", program.welcome), ("referral reward", program.referral)] {
            guard let reward else { continue }
            out.append("  \(name): " + [reward.coupon.map { "coupon \($0)" }, reward.points.map { "\($0) points" }].compactMap { $0 }.joined(separator: " + "))
        }
        return out.joined(separator: "\n")
    }
}

/// `mms campaign run`: head office gives a campaign's coupon or points to its segment, once each.
struct CampaignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "campaign", abstract: "Campaigns of the program (head office).", subcommands: [Run.self, Birthdays.self])

    struct Birthdays: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "生日礼: every member born in the month whose tier gives a birthday coupon gets it, once that year.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The month, e.g. 2026-12.") var month: String
        func run() throws { try perform(options) { try options.open().runBirthdays(month: month) } }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give the campaign's coupon or points to every member in its segment who has not had it; running it again gives nothing twice.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The campaign's id in the program, e.g. birthday-2026-12.") var campaign: String
        func run() throws { try perform(options) { try options.open().runCampaign(campaign) } }
    }
}

extension CampaignCommand.Run: ServedCommand {}
extension CampaignCommand.Birthdays: ServedCommand {}
extension PointsCommand.Transfer: ServedCommand {}
extension CouponCommand.Transfer: ServedCommand {}
extension CardCommand.Companion: ServedCommand {}

extension CouponTransferResult: TextRendered {
    public var text: String {
        "Coupon \(code) given by \(from) to \(to)." + (replayed ? " (already done: this is its answer again)" : "") + " [op \(op)]"
    }
}

extension PointsTransferResult: TextRendered {
    public var text: String {
        "Gave \(points) points from card \(card) (\(member), now \(pointsBalance)) to \(to) (now \(toPointsBalance))."
            + (replayed ? " (already done: this is its answer again)" : "") + " [op \(op)]"
    }
}

extension CampaignRunResult: TextRendered {
    public var text: String {
        "Campaign \(campaign) (\(name)): \(eligible) member(s) in the segment; \(issued) given now, \(already) had it already"
            + (skipped > 0 ? ", \(skipped) refused: " + refusals.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: "; ") : "") + "."
    }
}

extension PointsCommand.Expiring: ServedCommand {}

extension PointsExpiring: TextRendered {
    public var text: String {
        var out = ["Points expiring before \(before): \(expiring) across \(members.count) member(s)"]
        out += members.map { m in "  \(m.member)  \(m.expiring) of \(m.points): " + m.lots.map { "\($0.points) from \($0.year) (until \($0.expires))" }.joined(separator: ", ") }
        return out.joined(separator: "\n")
    }
}

/// `mms gift redeem`: 积分兑换, a gift of the program's catalogue for the member's points.
struct GiftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gift", abstract: "The points catalogue (积分兑换).", subcommands: [Redeem.self])

    struct Redeem: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a gift of the program's catalogue for its points (within what this branch holds); one unit leaves this branch's stock.")
        @OptionGroup var till: TillOptions
        @Option(help: "The gift's id in the program, e.g. G-01.") var gift: String
        @Option var pin: String?
        func run() throws {
            try perform(till.node) { try till.node.open().redeemGift(card: till.card, gift: gift, pin: pin, requestKey: try till.validatedRequestID()) }
        }
    }
}

extension GiftCommand.Redeem: ServedCommand {}
