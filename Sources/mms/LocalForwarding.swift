import ArgumentParser
import Foundation
import MMSCore
import MMSNode

/// What a command sees when it runs inside the node that serves its data directory (it came
/// through `DIR/node.sock`): the node's own application layer, its rights broker, and buffers for
/// what the command prints.
final class ServingContext: @unchecked Sendable {
    let node: LocalNode
    let broker: LocalNode.RightsBroker?
    private var stdinLines: [Substring]
    private(set) var stdout = "", stderr = ""
    private let lock = NSLock()

    init(node: LocalNode, broker: LocalNode.RightsBroker?, stdin: String?) {
        self.node = node; self.broker = broker
        stdinLines = (stdin ?? "").split(separator: "\n", omittingEmptySubsequences: false)
    }

    @TaskLocal static var current: ServingContext?

    func write(_ text: String, error: Bool) { lock.lock(); if error { stderr += text } else { stdout += text }; lock.unlock() }
    func readLine() -> String? { lock.lock(); defer { lock.unlock() }; return stdinLines.isEmpty ? nil : String(stdinLines.removeFirst()) }

    /// Runs one command line for `request.user` against `node`, as the CLI would have run it on the
    /// directory, and answers what it printed and its exit status.
    static func execute(_ request: LocalCommand.Request, node: LocalNode, broker: LocalNode.RightsBroker?) -> LocalCommand.Reply {
        let context = ServingContext(node: node.acting(as: Caller(actor: .directoryOwner(request.user), role: nil)), broker: broker, stdin: request.stdin)
        var status: Int32 = 0
        do {
            var command = try MMS.parseAsRoot(request.arguments)
            guard command is any ServedCommand else {
                throw MMSError(.invalidArgument, "`mms \(request.arguments.prefix(2).joined(separator: " "))` does not run inside a running node; stop the node to use it on its directory.")
            }
            try $current.withValue(context) { try command.run() }
        } catch let error as MMSError {
            context.write("\(error.code.rawValue): \(error.message)\n", error: true)
            status = exitStatus(error.code)
        } catch {
            let code = MMS.exitCode(for: error)
            if code != .success { context.write(MMS.fullMessage(for: error) + "\n", error: true) }
            status = code.rawValue
        }
        return LocalCommand.Reply(stdout: context.stdout, stderr: context.stderr, status: status)
    }
}

/// Commands that work on a data directory and may run inside the node serving it.
protocol ServedCommand {}

/// Writes a line to standard output, or into the serving node's reply.
func say(_ text: String) { emit(text + "\n") }

/// Writes `text` as it is (a CSV document, say) to standard output, at once (some commands run
/// long and are watched live, through a pipe or a file too), or into the serving node's reply.
func emit(_ text: String) {
    if let context = ServingContext.current { context.write(text, error: false) } else { print(text, terminator: ""); fflush(nil) }
}

/// Writes to standard error, or into the serving node's reply.
func complain(_ text: String) {
    if let context = ServingContext.current { context.write(text, error: true) } else { FileHandle.standardError.write(Data(text.utf8)) }
}

/// When a node serves `data`, sends it this whole command line (and standard input, for the
/// commands that read it), prints what it answers and exits with its status. Returns only when no
/// node serves the directory, or when already running inside one.
func forwardIfServed(_ data: String) throws {
    guard ServingContext.current == nil else { return }
    let arguments = Array(CommandLine.arguments.dropFirst())
    let stdin = arguments.contains("--password-stdin") ? readLine(strippingNewline: false) : nil
    let user = ProcessInfo.processInfo.environment["USER"] ?? NSUserName()
    guard let reply = try LocalCommand.send(LocalCommand.Request(arguments: arguments, user: user, stdin: stdin), to: DataDirectory(data)) else {
        if let stdin { pushedBackStdin = stdin }
        return
    }
    FileHandle.standardOutput.write(Data(reply.stdout.utf8))
    FileHandle.standardError.write(Data(reply.stderr.utf8))
    throw ExitCode(reply.status)
}

/// A line of standard input read to forward a command, kept for the local run when no node answered.
nonisolated(unsafe) var pushedBackStdin: String?

/// One line of standard input: the command's own, or the one forwarded with it.
func readInputLine() -> String? {
    if let context = ServingContext.current { return context.readLine() }
    if let line = pushedBackStdin { pushedBackStdin = nil; return line.hasSuffix("\n") ? String(line.dropLast()) : line }
    return readLine(strippingNewline: true)
}

extension NodeCommand.Info: ServedCommand {}
extension NodeCommand.Verify: ServedCommand {}
extension NodeCommand.Trust: ServedCommand {}
extension MemberCommand.Add: ServedCommand {}
extension MemberCommand.Find: ServedCommand {}
extension CardCommand.Issue: ServedCommand {}
extension CardCommand.Replace: ServedCommand {}
extension CardCommand.Lost: ServedCommand {}
extension CardCommand.Block: ServedCommand {}
extension CardCommand.Unlock: ServedCommand {}
extension CardCommand.Transfer: ServedCommand {}
extension CardCommand.PIN: ServedCommand {}
extension CardCommand.Return: ServedCommand {}
extension CardCommand.Renew: ServedCommand {}
extension SettingsCommand.Set: ServedCommand {}
extension RightsCommand.Move: ServedCommand {}
extension RightsCommand.Request: ServedCommand {}
extension Sync: ServedCommand {}
extension TopUp: ServedCommand {}
extension Charge: ServedCommand {}
extension Refund: ServedCommand {}
extension Sale: ServedCommand {}
extension PointsCommand.Redeem: ServedCommand {}
extension Punch: ServedCommand {}
extension Show: ServedCommand {}
extension CouponCommand.Issue: ServedCommand {}
extension CouponCommand.Redeem: ServedCommand {}
extension StaffCommand.Add: ServedCommand {}
extension StaffCommand.Disable: ServedCommand {}
extension StaffCommand.Passwd: ServedCommand {}
extension StaffCommand.Show: ServedCommand {}
extension TillCommand.Register: ServedCommand {}
extension TillCommand.Revoke: ServedCommand {}
extension Audit: ServedCommand {}
