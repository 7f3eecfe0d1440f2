import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// The till's HTTPS client to its branch node's till API, trusting only the chain's CA. A request
/// that gets no answer (connection refused, reset, timed out) is tried again with the same
/// idempotency key, so a payment that did go through is answered, never repeated.
public final class TillClient: @unchecked Sendable {
    public let base: String
    let tillToken: String
    let configuration: HTTPClient.Configuration
    let lock = NSLock()
    /// Replaced after a request gets no answer: a pool that saw its node vanish keeps backing
    /// off its reconnects, and the retry must not wait behind that.
    var client: HTTPClient
    /// Tries per request, with these pauses between them.
    public static let retryPauses: [Double] = [0.3, 1.0, 2.0]
    /// Longer than the node's own limit on a request (30 s), which covers asking for rights.
    public static let requestTimeout: TimeAmount = .seconds(35)

    public init(api: String, caFile: String, tillToken: String) throws {
        guard let url = URL(string: api), url.scheme == "https", url.host != nil else {
            throw TillFailure("--api must be the branch node's https:// address (e.g. https://127.0.0.1:8401), not “\(api)”.")
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        } catch {
            throw TillFailure("--cacert \(caFile): not a readable PEM certificate file (\(error)).")
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(3), read: Self.requestTimeout)
        self.configuration = configuration
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        base = api.hasSuffix("/") ? String(api.dropLast()) : api
        self.tillToken = tillToken
    }

    public func shutdown() { try? current.syncShutdown() }

    var current: HTTPClient { lock.lock(); defer { lock.unlock() }; return client }

    func replaceClient() {
        lock.lock()
        let old = client
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        lock.unlock()
        old.shutdown { _ in }
    }

    public func send(_ request: APIRequest) async -> APIAnswer {
        var lastError = ""
        for attempt in 0...Self.retryPauses.count {
            if attempt > 0 { try? await Task.sleep(nanoseconds: UInt64(Self.retryPauses[attempt - 1] * 1e9)) }
            do {
                return try await once(request)
            } catch {
                lastError = Self.describe(error)
                replaceClient()
            }
        }
        return .unreachable(lastError)
    }

    func once(_ request: APIRequest) async throws -> APIAnswer {
        var http = HTTPClientRequest(url: base + request.path)
        http.method = HTTPMethod(rawValue: request.method.rawValue)
        let token = switch request.credential {
        case .till: tillToken
        case .session(let token): token
        }
        http.headers.add(name: "Authorization", value: "Bearer \(token)")
        http.headers.add(name: "Accept", value: "application/json")
        if let key = request.idempotencyKey { http.headers.add(name: "Idempotency-Key", value: key) }
        if let body = request.body {
            http.headers.add(name: "Content-Type", value: "application/json")
            http.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await current.execute(http, timeout: Self.requestTimeout)
        let body = try await response.body.collect(upTo: 4 << 20)
        return .http(status: Int(response.status.code), body: Data(body.readableBytesView))
    }

    static func describe(_ error: Error) -> String {
        let text = "\(error)"
        if text.contains("connectTimeout") || text.contains("connect timed out") { return "connection timed out" }
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if text.contains("deadlineExceeded") || text.contains("readTimeout") { return "no answer in time" }
        return String(text.prefix(120))
    }
}
