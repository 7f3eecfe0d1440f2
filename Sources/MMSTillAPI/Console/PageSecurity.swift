import Foundation
import Hummingbird
import HTTPTypes
import MMSCore
import MMSCrypto
import NIOConcurrencyHelpers

/// What every page carries and checks: security headers, cookies that scripts and other sites
/// cannot use, a CSRF token on every form, and a limit on sign-in attempts per address.
enum PageSecurity {
    /// Only the node's own stylesheet; no script, no frame, forms posted back here.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data: blob:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static func html(_ body: String, status: HTTPResponse.Status = .ok, cookies: [Cookie] = []) -> Response {
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .contentSecurityPolicy: contentSecurityPolicy,
            .init("X-Content-Type-Options")!: "nosniff", .init("Referrer-Policy")!: "no-referrer", .init("X-Frame-Options")!: "DENY",
        ]
        for cookie in cookies { headers.append(.init(name: .setCookie, value: cookie.description)) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// A report as a spreadsheet file: CSV, downloaded under `filename`.
    static func csv(_ body: String, filename: String) -> Response {
        Response(status: .ok, headers: [
            .contentType: "text/csv; charset=utf-8", .cacheControl: "no-store", .contentSecurityPolicy: contentSecurityPolicy,
            .contentDisposition: "attachment; filename=\"\(filename)\"", .init("X-Content-Type-Options")!: "nosniff",
        ], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// Text put into HTML or SVG markup we write ourselves (templates escape their own values).
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A redirect after a form (303: the browser GETs the page, a reload posts nothing again).
    static func seeOther(_ location: String, cookies: [Cookie] = []) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store", .contentSecurityPolicy: contentSecurityPolicy]
        for cookie in cookies { headers.append(.init(name: .setCookie, value: cookie.description)) }
        return Response(status: .seeOther, headers: headers)
    }

    /// HttpOnly, Secure, SameSite=Strict, for `path` only; `maxAge` 0 removes it.
    static func cookie(_ name: String, _ value: String, path: String, maxAge: Int) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: path, secure: true, httpOnly: true, sameSite: .strict)
    }

    /// A form's token before sign-in: random, in a cookie and in the form (double submit).
    static func newFormToken() -> String { Hex.encode(randomBytes(32)) }

    /// A signed-in form's token: derived from the session, which the page's scripts never see.
    static func formToken(session: String) -> String {
        let mac = Blake2b(key: Array(session.utf8.prefix(64)))
        mac.update("mms.console.csrf.v1")
        return Hex.encode(mac.finalize())
    }

    static func tokensMatch(_ a: String?, _ b: String?) -> Bool {
        guard let a, let b, a.utf8.count == 64, b.utf8.count == 64 else { return false }
        return constantTimeEqual(Array(a.utf8), Array(b.utf8))
    }
}

/// Sign-in attempts per client address: at most `limit` in `windowSeconds` (the PIN and password
/// lockouts guard each card and operator; this guards against guessing across many of them).
final class SignInLimiter: Sendable {
    let limit: Int, windowSeconds: Double
    private let attempts = NIOLockedValueBox<[String: [Date]]>([:])

    init(limit: Int = 10, windowSeconds: Double = 60) { self.limit = limit; self.windowSeconds = windowSeconds }

    /// Counts an attempt from `address`; false when it is over the limit.
    func allow(_ address: String, now: Date = Date()) -> Bool {
        attempts.withLockedValue { attempts in
            if attempts.count > 10_000 { attempts = attempts.filter { $0.value.last.map { now.timeIntervalSince($0) < windowSeconds } ?? false } }
            let recent = (attempts[address] ?? []).filter { now.timeIntervalSince($0) < windowSeconds }
            guard recent.count < limit else { attempts[address] = recent; return false }
            attempts[address] = recent + [now]
            return true
        }
    }
}
