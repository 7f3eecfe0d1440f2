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
        return out.joined(separator: "\n")
    }
}
