import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MMSCore
import MMSNode
import MMSTopology
import Testing

/// The `mms` binary built beside this test bundle (`swift test` builds every product).
func mmsBinary() throws -> URL {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("mms")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.build/debug/mms").standardized
    guard FileManager.default.isExecutableFile(atPath: fallback.path) else {
        throw MMSError(.storeFailure, "The mms binary was not built next to the tests; run `swift build` first.")
    }
    return fallback
}

func temporaryNodeDirectory() -> DataDirectory {
    DataDirectory(FileManager.default.temporaryDirectory.appendingPathComponent("mms-node-\(UUID().uuidString)").path)
}

struct Output { let status: Int32; let stdout: String; let stderr: String }

/// Runs `mms` with `arguments` as a user would, to completion.
@discardableResult
func mms(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Output {
    let process = Process()
    process.executableURL = try mmsBinary()
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    if stdin != nil { process.standardInput = input }
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)); try input.fileHandleForWriting.close() }
    let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
}

func json(_ text: String) throws -> [String: Any] {
    let line = text.split(separator: "\n").last.map(String.init) ?? ""
    return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
}

/// A new node with one member holding a PIN-less stored-value card topped up with `balance`, made through the CLI.
func nodeWithCard(_ card: String, balance: String) throws -> DataDirectory {
    let directory = temporaryNodeDirectory()
    let dir = directory.url.path
    try #require(mms(["node", "init", "--data", dir, "--id", "branch-1"]).status == 0)
    let member = try #require(try json(mms(["member", "add", "--data", dir, "--name", "张伟", "--phone", "13900000002", "--birthday", "1985-12-31", "--json"]).stdout)["id"] as? String)
    try #require(mms(["card", "issue", "--data", dir, "--member", member, "--type", "stored", "--number", card]).status == 0)
    try #require(mms(["topup", "--data", dir, "--card", card, "--amount", balance]).status == 0)
    return directory
}

/// Ports on 127.0.0.1 that are free now, never fixed numbers, so parallel runs cannot collide.
func freePorts(_ count: Int) throws -> [Int] { try Endpoint.freeLoopbackPorts(count) }

/// Opens a plain TCP connection to 127.0.0.1:`port`, writes `bytes`, and waits (at most
/// `seconds`) for the other side to close. True when it closed the connection.
func sendRaw(_ bytes: [UInt8], toPort port: Int, seconds: Int = 10) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    let connected = withUnsafePointer(to: &address) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
    guard connected, bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else { return false }
    var timeout = timeval(tv_sec: seconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = read(fd, &buffer, buffer.count)
        if n == 0 { return true }      // orderly close
        if n < 0 { return errno == ECONNRESET }
    }
}

/// GETs `path` from 127.0.0.1:`port` (a node's admin address); the body, or nil.
func httpGet(port: Int, _ path: String) -> String? {
    guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { return nil }
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var body: String?
    URLSession.shared.dataTask(with: url) { data, response, _ in
        if (response as? HTTPURLResponse)?.statusCode == 200, let data { body = String(decoding: data, as: UTF8.self) }
        done.signal()
    }.resume()
    _ = done.wait(timeout: .now() + 5)
    return body
}
