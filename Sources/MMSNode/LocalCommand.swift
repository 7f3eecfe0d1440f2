import Foundation
import MMSCore

/// While a node serves a data directory it is the only writer of its store: a command given
/// `--data DIR` reaches it through the socket `DIR/node.sock` and runs inside the node, on the
/// same application layer and commit path as the till API. The socket's authority is the file
/// system: the directory is 0700 and the socket 0600, so only the directory's owner can connect
/// (as with a database's local socket).
public enum LocalCommand {
    /// A bound on a request line (argv plus standard input) and on a reply, against a runaway client.
    public static let maxRequestBytes = 64 * 1024
    public static let maxReplyBytes = 64 * 1024 * 1024
    public static let socketName = "node.sock"
    /// Seconds a connection may take to send its command line before the node drops it.
    public static let requestSeconds: Int64 = 30

    public struct Request: Codable, Sendable {
        public let arguments: [String]
        /// The OS user who typed the command: the ops it causes name `os:<user>`.
        public let user: String
        /// Standard input, for the commands that read it (`--password-stdin`).
        public let stdin: String?
        public init(arguments: [String], user: String, stdin: String?) { self.arguments = arguments; self.user = user; self.stdin = stdin }
    }

    public struct Reply: Codable, Sendable {
        public let stdout: String
        public let stderr: String
        public let status: Int32
        public init(stdout: String, stderr: String, status: Int32) { self.stdout = stdout; self.stderr = stderr; self.status = status }
    }

    public static func socketPath(_ directory: DataDirectory) -> String { directory.url.appendingPathComponent(socketName).path }

    /// Sends `request` to the node serving `directory` and waits for its reply. Nil when no node
    /// answers there (none running, or a socket left by a node that died): the caller then opens
    /// the store itself.
    public static func send(_ request: Request, to directory: DataDirectory) throws -> Reply? {
        let path = socketPath(directory)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
        guard connected else { return nil }
        var line = try JSONEncoder().encode(request)
        guard line.count < maxRequestBytes else { throw MMSError(.invalidArgument, "The command is too long to send to the node.") }
        line.append(0x0A)
        guard line.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == line.count else {
            throw MMSError(.storeFailure, "The node serving \(directory.url.path) did not take the command.")
        }
        var reply = Data(), buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            reply.append(contentsOf: buffer[0..<n])
            guard reply.count <= maxReplyBytes else { break }
        }
        guard let decoded = try? JSONDecoder().decode(Reply.self, from: reply) else {
            throw MMSError(.storeFailure, "The node serving \(directory.url.path) stopped before it answered; the command may or may not have run. Check with `mms show` or `mms audit`.")
        }
        return decoded
    }
}
