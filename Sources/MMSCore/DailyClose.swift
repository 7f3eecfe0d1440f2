/// The daily close of a till: the cash its drawer should hold from the day's sales (cash taken,
/// less change, less cash given back on returns), against what the cashier counted. Sales and
/// returns add to per-till, per-day counters as they happen, so the close reads two numbers.
public struct TillClose: Equatable, Sendable {
    public var till: String
    /// YYYY-MM-DD, China Standard Time.
    public var day: String
    public var expected: Money
    public var counted: Money
    /// Counted minus expected: negative when cash is missing.
    public var difference: Int64
    public init(till: String, day: String, expected: Money, counted: Money, difference: Int64) {
        self.till = till; self.day = day; self.expected = expected; self.counted = counted; self.difference = difference
    }
}

extension Teller {
    /// Closes `till`'s `day` at this branch with the cash counted; once per till and day.
    public func closeTill(_ till: String, day: String, counted: Money) throws -> OpBody {
        try Identifier.validate(till, what: "till")
        let registered = try state.till(branch: origin, name: till) != nil
        guard till == Actor.commandLineTill || registered else {
            throw MMSError(.unknownTill, "There is no till \(till) at \(origin) (the command line's is \(Actor.commandLineTill)).", details: ["till": till])
        }
        guard Sales.isDay(day) else { throw MMSError(.invalidArgument, "The day “\(day.prefix(20))” is not a date like 2026-11-24.") }
        guard counted.fen >= 0, counted.fen <= Limits.maxAmount.fen * 100 else { throw MMSError(.invalidAmount, "The cash counted is out of range.") }
        let e = Cell.tillDay(branch: origin, till: till, day: day)
        guard try !state.flags(entity: e).contains(Cell.tillClosed) else {
            throw MMSError(.invalidArgument, "Till \(till) was already closed for \(day).", details: ["till": till, "day": day])
        }
        let expected = try Self.expectedCash(state.counters(entity: e), at: origin)
        return .tillClosed(TillClose(till: till, day: day, expected: Money(fen: expected), counted: counted, difference: counted.fen - expected))
    }

    public static func expectedCash(_ counters: [String: [NodeID: Int64]], at branch: NodeID) -> Int64 {
        (counters[Cell.tillCashIn]?[branch] ?? 0) - (counters[Cell.tillCashOut]?[branch] ?? 0)
    }
}

extension Sales {
    /// A day the calendar has, `YYYY-MM-DD`: what people may type.
    public static func isDay(_ text: String) -> Bool {
        // 2026-02-30 comes back from the calendar as 2026-03-02.
        isDayShape(text) && CardLife.day(text, plus: 0) == text
    }

    /// `YYYY-MM-DD` with a month of 1–12 and a day of 1–31: what ops already signed may carry
    /// (an op accepted once is never refused later by a stricter check).
    public static func isDayShape(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0].count == 4 && parts[1].count == 2 && parts[2].count == 2
            && parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) && (1...12).contains(Int(parts[1]) ?? 0) && (1...31).contains(Int(parts[2]) ?? 0)
    }
}

extension Cell {
    /// One till's cash for one day at one branch.
    /// Its own prefix: the till registrations live under `till:`.
    public static func tillDay(branch: NodeID, till: String, day: String) -> String { "drawer:\(branch.rawValue):\(till):\(day)" }
    public static let tillCashIn = "cash_in", tillCashOut = "cash_out", tillClosed = "closed",
                      tillCounted = "counted", tillExpected = "expected"
}
