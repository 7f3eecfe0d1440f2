import Foundation

/// A member's personal data as typed at the till, checked and normalised. Sealed before it
/// becomes an op; never stored in the clear.
public struct MemberProfile: Equatable, Sendable, Codable {
    public let name: String
    /// Digits only, an optional leading "+".
    public let phone: String
    /// ISO date, YYYY-MM-DD; empty when the member did not give it.
    public let birthday: String

    public init(name: String, phone: String, birthday: String = "") throws {
        let name = name.trimmingCharacters(in: .whitespaces)
        try Teller.validateName(name, what: "name")
        let phone = try Self.validatedPhone(phone)
        guard birthday.isEmpty || Self.isDate(birthday) else {
            throw MMSError(.invalidArgument, "The birthday “\(birthday.prefix(30))” is not a date like 1990-05-01 (or leave it out).")
        }
        self.name = name
        self.phone = phone
        self.birthday = birthday
    }

    /// A phone as typed, with the spaces and dashes between digits taken out: the form that is
    /// sealed and blind-indexed, so "+86 138-0000-0099" finds "+8613800000099".
    public static func normalisedPhone(_ typed: String) -> String { typed.filter { $0 != " " && $0 != "-" } }

    /// The normalised phone, or `invalid_argument` when it is not 5–20 digits with an optional +.
    public static func validatedPhone(_ typed: String) throws -> String {
        let phone = normalisedPhone(typed)
        let digits = phone.hasPrefix("+") ? phone.dropFirst() : Substring(phone)
        guard (5...20).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw MMSError(.invalidArgument, "The phone number “\(phone.prefix(30))” is not valid: use 5–20 digits, with an optional leading + (spaces and dashes between digits are ignored).")
        }
        return phone
    }

    /// The phone with all but the first three and last four digits hidden, for screens and receipts.
    public var maskedPhone: String {
        guard phone.count > 7 else { return phone }
        return String(phone.prefix(3)) + String(repeating: "*", count: phone.count - 7) + String(phone.suffix(4))
    }

    /// A name with all but its first character hidden (张三丰 → 张**), for screens and receipts.
    public static func maskedName(_ name: String) -> String {
        guard let first = name.first else { return name }
        return String(first) + String(repeating: "*", count: max(1, name.count - 1))
    }

    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1900...2200).contains(y), (1...12).contains(m) else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return (1...days).contains(d)
    }
}
