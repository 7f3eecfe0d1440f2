import ArgumentParser
import Foundation
import MMSCore
import MMSNode

@main
struct MMS: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mms",
        abstract: "MMS — the member marketing system of a store chain: members, cards, stored value, points.",
        discussion: "Every command takes --data (the node's directory) and --json (one JSON object on stdout).",
        subcommands: [Demo.self, Up.self, Status.self, Report.self, NodeCommand.self, MemberCommand.self, CardCommand.self, TopUp.self, Charge.self, Refund.self,
                      PointsCommand.self, Punch.self, CouponCommand.self, Show.self, RightsCommand.self, Sync.self,
                      SettingsCommand.self, StaffCommand.self, TillCommand.self, ProductCommand.self, PriceCommand.self, StockCommand.self, Sell.self, ReturnSale.self, CommissionCommand.self, ExpenseCommand.self, SupplierCommand.self, ProgramCommand.self, CampaignCommand.self, GiftCommand.self, PrintTest.self, PrinterCommand.self, ReaderCommand.self, Audit.self, Remind.self, Outbox.self, ImportCommand.self, ExportCommand.self, MirrorCommand.self, TopologyCommand.self, CertsCommand.self, Bench.self, Sim.self])
}

/// Options every node command takes.
struct NodeOptions: ParsableArguments {
    @Option(help: "The node's data directory.")
    var data: String

    @Flag(help: "Print one JSON object on stdout instead of readable text.")
    var json = false

    /// The node's application layer: inside the node serving the directory, its own; otherwise
    /// the store opened directly (no node runs on it).
    func open() throws -> LocalNode {
        if let serving = ServingContext.current { return serving.node }
        return try LocalNode(directory: DataDirectory(data))
    }
}

/// Runs a command body, printing its result or its error in the chosen form, and exits with the
/// error's status: 1 refused by a rule, 2 bad input, 3 node or store fault.
func perform<T: Encodable & TextRendered>(_ options: NodeOptions, _ body: () throws -> T) throws {
    try forwardIfServed(options.data)
    try perform(json: options.json, body)
}

func perform<T: Encodable & TextRendered>(json: Bool, csv: ((T) -> String)? = nil, _ body: () throws -> T) throws {
    do {
        let result = try body()
        if let csv { return emit(csv(result)) }
        say(json ? String(decoding: try JSONEncoder.snakeCase.encode(result), as: UTF8.self) : result.text)
    } catch let error as MMSError {
        if json {
            say(String(decoding: try JSONEncoder.snakeCase.encode(ErrorOutput(error)), as: UTF8.self))
        }
        complain("\(error.code.rawValue): \(error.message)\n")
        for (k, v) in error.details.sorted(by: { $0.key < $1.key }) where !json {
            complain("  \(k): \(v)\n")
        }
        throw ExitCode(exitStatus(error.code))
    }
}

func exitStatus(_ code: MMSError.Code) -> Int32 {
    switch code {
    case .invalidAmount, .invalidArgument, .invalidTopology: 2
    case .notInitialised, .alreadyInitialised, .storeFailure, .verifyFailed, .clockSkew,
         .malformedOp, .badSignature, .brokenChain, .fork, .unknownOrigin, .batchTooLarge: 3
    default: 1
    }
}

struct ErrorOutput: Encodable {
    let ok = false
    let error: String
    let message: String
    let details: [String: String]
    init(_ e: MMSError) { error = e.code.rawValue; message = e.message; details = e.details }
}

/// Parses a user-typed amount, or refuses with `invalid_amount`.
func money(_ text: String, option: String = "--amount") throws -> Money { try Money(typed: text, field: option) }
