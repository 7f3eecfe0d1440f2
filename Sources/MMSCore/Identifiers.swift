/// A node's id as written in the topology, e.g. "branch-1" or "hq".
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let rawValue: String
    public init(_ rawValue: String) throws {
        try Identifier.validate(rawValue, what: "node id")
        self.rawValue = rawValue
    }
    /// For ids read back from our own store, which validated them on the way in (hot path).
    public init(stored rawValue: String) { self.rawValue = rawValue }
    public static func < (a: NodeID, b: NodeID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { rawValue }
}

/// Identifies one op: the origin that issued it and its position in the origin's sequence (from 1).
public struct OpID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let origin: NodeID
    public let seq: UInt64
    public init(origin: NodeID, seq: UInt64) { self.origin = origin; self.seq = seq }
    public static func < (a: OpID, b: OpID) -> Bool { (a.origin, a.seq) < (b.origin, b.seq) }
    public var description: String { "\(origin.rawValue)/\(seq)" }

    /// Parses "origin/seq", the form `description` prints.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let seq = UInt64(parts[1]), seq > 0 else {
            throw MMSError(.invalidArgument, "“\(text.prefix(80))” is not an op id like branch-1/5.")
        }
        self.init(origin: try NodeID(String(parts[0])), seq: seq)
    }
}

public enum Identifier {
    /// Identifiers are short, printable ASCII without spaces or slashes: they appear in keys and logs.
    public static func validate(_ value: String, what: String) throws {
        let ok = !value.isEmpty && value.utf8.count <= Limits.maxIdentifierLength
            && value.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.:".unicodeScalars.contains($0)) }
        guard ok else {
            throw MMSError(.invalidArgument, "The \(what) “\(value.prefix(80))” is not valid: use 1–\(Limits.maxIdentifierLength) letters, digits, '-', '_', '.' or ':'.")
        }
    }
}
