import ArgumentParser
import Foundation
import MMSCore
import MMSNode
import MMSStore

/// Operators: the people who log in at tills and the console. Works on a data directory whether
/// or not its node runs, and before its first start (`certs init` prepares the directories).
struct StaffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff", abstract: "Operators who log in at tills and the console: add, disable, set a password.",
        subcommands: [Add.self, Disable.self, Passwd.self, Show.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an operator. hq_admin and auditor operators are added at the head office; a branch adds its own cashiers and managers.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The operator's id, used to log in (e.g. c01).") var id: String
        @Option(help: "Their name.") var name: String
        @Option(help: "cashier, manager, hq_admin or auditor.") var role: String
        @Option(help: "Their home branch, where a cashier or manager acts (default: this node).") var branch: String?
        @Flag(help: "Read the password from standard input (one line).") var passwordStdin = false

        func run() throws {
            try perform(options) {
                guard let role = OperatorRole(rawValue: role) else {
                    throw MMSError(.invalidArgument, "--role must be one of \(OperatorRole.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                let password = try readPassword(passwordStdin)
                return try options.open().addOperator(id: id, name: name, role: role, branch: branch.map(NodeID.init), password: password)
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an operator for good: every node refuses their logins and ends their sessions once it hears.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The operator's id.") var id: String
        func run() throws { try perform(options) { try options.open().disableOperator(id) } }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set an operator's password (also lifts a lockout after wrong passwords).")
        @OptionGroup var options: NodeOptions
        @Option(help: "The operator's id.") var id: String
        @Flag(help: "Read the new password from standard input (one line).") var passwordStdin = false
        func run() throws {
            try perform(options) { try options.open().setPassword(operator: id, password: readPassword(passwordStdin)) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An operator's role, branch and status as this replica knows them.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The operator's id.") var id: String
        func run() throws { try perform(options) { try options.open().operatorResult(id) } }
    }
}

/// A password from standard input; never from an option, which other users can read in `ps`.
func readPassword(_ fromStdin: Bool) throws -> String {
    guard fromStdin else { throw MMSError(.invalidArgument, "Give --password-stdin and type the password on standard input.") }
    guard let line = readInputLine() else { throw MMSError(.invalidArgument, "No password on standard input.") }
    return line
}

struct TillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "till", abstract: "The cashier's till (`mms till --api …`), and the branch's till registrations.",
        subcommands: [TillRun.self, Register.self, Revoke.self, Close.self, Days.self], defaultSubcommand: TillRun.self)

    struct Days: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A branch's till days in a month: cash expected, counted and the difference of each close, and the days not closed yet.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The month, e.g. 2026-11.") var month: String
        @Option(help: "Another branch (head office reads every branch's books).") var branch: String?
        func run() throws { try perform(options) { try options.open().tillDays(month: month, branch: try branch.map(NodeID.init)) } }
    }

    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A till's daily close: the cash its sales left in the drawer against the cash counted; the difference is recorded.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The till's name (cli for sales made at the command line).") var till: String
        @Option(help: "The day, e.g. 2026-11-24 (default: today, China Standard Time).") var day: String?
        @Option(help: "The cash counted in the drawer, e.g. 1234.50.") var counted: String
        func run() throws {
            try perform(options) {
                guard let cash = Money(parsing: counted) else {
                    throw MMSError(.invalidAmount, "--counted “\(counted.prefix(20))” is not an amount like 1234.50.")
                }
                return try options.open().closeTill(till, day: day, counted: cash)
            }
        }
    }

    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a till of this branch; prints its token once (only a hash is kept).")
        @OptionGroup var options: NodeOptions
        @Option(help: "The till's name, unique at this branch (e.g. till-1).") var name: String
        func run() throws { try perform(options) { try options.open().registerTill(name: name) } }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a till: its token and every session opened at it stop working.")
        @OptionGroup var options: NodeOptions
        @Option(help: "The till's name.") var name: String
        func run() throws { try perform(options) { try options.open().revokeTill(name: name) } }
    }
}

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Who did what, where, when: the op log, each op with the operator and till inside its signed bytes (newest first).")
    @OptionGroup var options: NodeOptions
    @Option(name: .customLong("operator"), help: "Only this operator's ops.") var operatorID: String?
    @Option(help: "Only ops issued at this node.") var branch: String?
    @Option(help: "Only this kind of op (e.g. charge, top_up, operator_added).") var kind: String?
    @Option(help: "From this date (2026-11-01) or ISO 8601 time, inclusive.") var from: String?
    @Option(help: "Up to this date or time, exclusive.") var to: String?
    @Option(help: "At most this many entries (1–10000).") var limit: Int = 1_000
    @Flag(help: "Comma-separated values with a header row.") var csv = false

    func run() throws {
        if csv {
            try forwardIfServed(options.data)
            do { say(try result().csv) } catch let error as MMSError {
                complain("\(error.code.rawValue): \(error.message)\n")
                throw ExitCode(exitStatus(error.code))
            }
            return
        }
        try perform(options) { try result() }
    }

    private func result() throws -> AuditResult {
        func millis(_ text: String?, _ option: String) throws -> UInt64? { try text.map { try LocalNode.auditTime($0, field: "--\(option)") } }
        return try options.open().audit(NodeStore.AuditFilter(operatorID: operatorID, branch: try branch.map(NodeID.init), kind: kind,
                                                              from: try millis(from, "from"), to: try millis(to, "to"), limit: limit))
    }
}
