import Foundation
import MMSNode

/// One call to the branch node's till API, as the till's state machine asks for it. The shell
/// sends it (with the till or session token) and answers with what came back.
public struct APIRequest: Sendable, Equatable {
    public enum Method: String, Sendable { case get = "GET", post = "POST", delete = "DELETE" }
    public enum Credential: Sendable, Equatable { case till, session(String) }

    public var method: Method
    public var path: String
    public var body: Data?
    public var credential: Credential
    /// Set on every write: the same key on a retry lets the node answer what it did the first time.
    public var idempotencyKey: String?

    public var isWrite: Bool { method != .get }
}

/// What came back: an HTTP answer, or no answer at all after the shell's retries.
public enum APIAnswer: Sendable, Equatable {
    case http(status: Int, body: Data)
    case unreachable(String)
}

/// The till API's error body.
struct APIError: Decodable, Error {
    let error: String
    let message: String
    let details: [String: String]?

    static func from(_ answer: APIAnswer) -> APIError? {
        guard case .http(let status, let body) = answer, status >= 400 else { return nil }
        return (try? JSONDecoder().decode(APIError.self, from: body))
            ?? APIError(error: "http_\(status)", message: "The node answered HTTP \(status).", details: nil)
    }
}

/// Request bodies, in the till API's snake_case.
enum Bodies {
    struct Login: Encodable { let `operator`: String; let password: String }
    struct Charge: Encodable { let card: String; let amount: String; let pin: String?; let partial: Bool? }
    struct TopUp: Encodable { let card: String; let amount: String; let tender: String }
    struct Refund: Encodable { let card: String; let charge: String; let amount: String }
    struct Points: Encodable { let card: String; let points: Int64; let pin: String? }
    struct Punch: Encodable { let card: String; let uses: Int64; let pin: String? }
    struct Transfer: Encodable { let to: String; let amount: String; let pin: String? }
    struct PINChange: Encodable { let old: String; let new: String }
    struct CardReturn: Encodable { let pin: String?; let tender: String }
    struct Sale: Encodable {
        struct Item: Encodable { let sku: String?; let quantity: Int64?; let amount: String? }
        struct Tender: Encodable { let kind: String; let amount: String?; let reference: String? }
        let card: String?; let items: [Item]; let tenders: [Tender]?; let pin: String?
    }

    static func encode<T: Encodable>(_ value: T) -> Data {
        // Only our own plain structs are encoded here: a failure is our bug.
        try! JSONEncoder.snakeCase.encode(value)
    }
}

extension APIAnswer {
    /// The answer decoded as `T` when it is a success.
    func decoded<T: Decodable>(_ type: T.Type) -> T? {
        guard case .http(let status, let body) = self, (200..<300).contains(status) else { return nil }
        return try? JSONDecoder.snakeCase.decode(T.self, from: body)
    }
}

/// Path segments are escaped: a card number typed at the till never changes the path.
func pathSegment(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
}
