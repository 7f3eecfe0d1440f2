/// How many terminal or receipt columns text takes: a CJK (East Asian wide) character takes two,
/// a combining mark none, everything else one. Receipts (32 or 48 columns) and the till's screen
/// align amounts with it, so a Chinese name never pushes a figure out of its column.
public enum DisplayWidth {
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v == 0 || (0x300...0x36F).contains(v) || (0x200B...0x200F).contains(v) { return 0 }
        if v < 0x1100 { return 1 }
        let wide: [ClosedRange<UInt32>] = [
            0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD,
        ]
        return wide.contains { $0.contains(v) } ? 2 : 1
    }

    public static func of(_ text: String) -> Int { text.unicodeScalars.reduce(0) { $0 + of($1) } }

    /// `text` without control characters (C0, DEL, C1): text from outside (a member's name, a
    /// coupon title, a message) must never become a printer command or a terminal escape.
    public static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && !(0x7F...0x9F).contains($0.value) }))
    }

    /// The longest prefix of `text` that fits in `columns`.
    public static func prefix(_ text: String, columns: Int) -> String {
        var used = 0
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let w = of(scalar)
            if used + w > columns { break }
            used += w
            out.append(scalar)
        }
        return String(out)
    }

    /// `text` cut or padded with spaces to exactly `columns`.
    public static func pad(_ text: String, to columns: Int, alignRight: Bool = false) -> String {
        let cut = prefix(printable(text), columns: columns)
        let fill = String(repeating: " ", count: max(0, columns - of(cut)))
        return alignRight ? fill + cut : cut + fill
    }

    /// A label on the left and a value on the right of one line of `columns` (the value wins
    /// when both do not fit: an amount is never cut).
    public static func spread(_ left: String, _ right: String, columns: Int) -> String {
        let room = max(0, columns - of(right) - 1)
        return pad(left, to: room) + " " + right
    }

    /// `text` broken into lines of at most `columns`.
    public static func wrap(_ text: String, columns: Int) -> [String] {
        guard columns > 0 else { return [text] }
        var lines: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            let line = prefix(String(rest), columns: columns)
            guard !line.isEmpty else { break }
            lines.append(line)
            rest = rest.dropFirst(line.count)
        }
        return lines.isEmpty ? [""] : lines
    }
}
