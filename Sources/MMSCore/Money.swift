/// An amount in fen (0.01 yuan). Never a floating-point number.
public struct Money: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var fen: Int64

    public init(fen: Int64) { self.fen = fen }

    public static let zero = Money(fen: 0)

    public static func < (a: Money, b: Money) -> Bool { a.fen < b.fen }
    public static func + (a: Money, b: Money) -> Money { Money(fen: a.fen + b.fen) }
    public static func - (a: Money, b: Money) -> Money { Money(fen: a.fen - b.fen) }

    /// Parses a user-typed amount strictly: digits, optionally "." and one or two digits; no sign,
    /// exponent, spaces or separators. Returns nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count),
              let whole = parts.first, !whole.isEmpty, whole.count <= 15,
              whole.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var fen = Int64(whole)! * 100
        if parts.count == 2 {
            let frac = parts[1]
            guard (1...2).contains(frac.count), frac.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            fen += Int64(frac)! * (frac.count == 1 ? 10 : 1)
        }
        self.fen = fen
    }

    /// An amount a person typed for a payment (`field` names where, e.g. "--amount" or "amount"):
    /// strictly parsed and within the per-transaction limits, or `invalid_amount`.
    public init(typed text: String, field: String = "amount") throws {
        guard let amount = Money(parsing: text) else {
            throw MMSError(.invalidAmount, "\(field) “\(text.prefix(30))” is not an amount like 30.00 (digits, at most two decimals).",
                           details: ["amount": String(text.prefix(30))])
        }
        try Teller.requireValid(amount)
        self = amount
    }

    /// Two decimals, e.g. "70.00", "-0.50".
    public var description: String {
        let sign = fen < 0 ? "-" : ""
        let m = fen.magnitude
        let cents = m % 100
        return "\(sign)\(m / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}

/// Loyalty points. Their own type so the compiler stops points being added to money.
public struct Points: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: Int64
    public init(_ value: Int64) { self.value = value }
    public static let zero = Points(0)
    public static func < (a: Points, b: Points) -> Bool { a.value < b.value }
    public var description: String { String(value) }
}
