import ArgumentParser
import Foundation
import MMSCore
import MMSNode

/// `mms import members` and `mms export members|sales|ops`.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Bring members in from a CSV file.", subcommands: [Members.self])

    struct Members: ParsableCommand, ServedCommand {
        static let configuration = CommandConfiguration(
            abstract: "Members from CSV (UTF-8): a header with name and phone (and birthday); each bad row reported with its line, the good ones added; the same file again adds nothing.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The CSV file.") var file: String
        @Flag(help: "Check every row and report; add nothing.") var dryRun = false

        func run() throws {
            try perform(options) {
                let bytes: [UInt8]
                do {
                    let attributes = try FileManager.default.attributesOfItem(atPath: file)
                    guard (attributes[.size] as? Int ?? 0) <= LocalNode.maxImportBytes else {
                        throw MMSError(.invalidArgument, "\(file) is over \(LocalNode.maxImportBytes / 1_048_576) MiB; split it.")
                    }
                    bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
                } catch let e as MMSError { throw e } catch {
                    throw MMSError(.invalidArgument, "\(file) cannot be read: \(error.localizedDescription)", details: ["file": file])
                }
                return try options.open().importMembers(csv: bytes, file: file, dryRun: dryRun)
            }
        }
    }
}

struct ExportCommand: ParsableCommand, ServedCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export members, sales or ops as CSV (UTF-8 with a byte-order mark) for accountants and auditors; members' personal data only to a head-office admin. Recorded in the audit trail.")
    @Argument(help: "members, sales or ops.") var what: String
    @OptionGroup var options: NodeOptions
    @Flag(help: "CSV on stdout (the default); --json wraps it with the row count and the audit op.") var csv = false
    @Option(help: "sales and ops from this day or time on (a day is midnight UTC, as `mms audit` reads it).") var from: String?
    @Option(help: "…and before this one.") var to: String?

    func run() throws {
        try forwardIfServed(options.data)
        try perform(json: options.json, csv: options.json ? nil : { $0.csv }) {
            try options.open().export(what, from: try from.map { try LocalNode.auditTime($0, field: "--from") }, to: try to.map { try LocalNode.auditTime($0, field: "--to") })
        }
    }
}

extension ImportResult: TextRendered {
    public var text: String {
        var lines = ["\(file): \(rows) rows; \(dryRun ? "would add" : "added") \(added), skipped \(skipped) (already members), \(errors.count) with errors"]
        lines += errors.map { "  line \($0.line) (\($0.field)): \($0.error)" }
        return lines.joined(separator: "\n")
    }
}

extension ExportResult: TextRendered {
    public var text: String { "Exported \(rows) \(what) rows\(personalData ? " with personal data" : ""). [op \(op)]" }
}
