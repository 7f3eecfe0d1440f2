import ArgumentParser

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure the ledger against this machine's raw SQLite limits (see README).")
    func run() throws {}
}
