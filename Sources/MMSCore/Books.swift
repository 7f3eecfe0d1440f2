/// The branch's books: what it spends, by category and month. Like stock, a branch writes only
/// its own books (each op counts in the issuing branch's slot); head office reads every branch's.
public enum Books {
    public static let maxCategoryLength = 20
    public static let maxNoteLength = 100
}

extension Teller {
    /// An expense paid by this branch (rent, wages, utilities…).
    public func addExpense(category: String, amount: Money, note: String) throws -> OpBody {
        try Catalogue.validateText(category, "category", max: Books.maxCategoryLength)
        try Catalogue.validateText(note, "note", max: Books.maxNoteLength, allowEmpty: true)
        try Self.requireValid(amount)
        return .expenseAdded(category: category, amount: amount, note: note)
    }
}

extension Cell {
    /// One branch's books for one month (YYYY-MM, China Standard Time).
    public static func books(branch: NodeID, month: String) -> String { "books:\(branch.rawValue):\(month)" }
    public static let expensePrefix = "expense:"
    public static func expense(_ category: String) -> String { expensePrefix + category }
}
