import Foundation
import GRDB
import MMSCore

/// The audit trail is the op log: every op names, inside its signed bytes, the operator and the
/// till that caused it. These queries read it by operator, branch (origin), kind and time.
extension NodeStore {
    public struct AuditFilter: Sendable {
        public var operatorID: String?
        public var branch: NodeID?
        public var kind: String?
        /// HLC wall milliseconds, inclusive from, exclusive to.
        public var from: UInt64?
        public var to: UInt64?
        public var limit: Int
        public init(operatorID: String? = nil, branch: NodeID? = nil, kind: String? = nil, from: UInt64? = nil, to: UInt64? = nil, limit: Int = 1_000) {
            self.operatorID = operatorID; self.branch = branch; self.kind = kind; self.from = from; self.to = to; self.limit = limit
        }
    }

    /// Ops matching `filter`, newest first, at most `filter.limit`.
    public func audit(_ filter: AuditFilter) throws -> [Op] {
        var clauses: [String] = [], arguments: [(any DatabaseValueConvertible)?] = []
        if let op = filter.operatorID { clauses.append("operator = ?"); arguments.append(op) }
        if let branch = filter.branch { clauses.append("origin = ?"); arguments.append(branch.rawValue) }
        if let kind = filter.kind { clauses.append("kind = ?"); arguments.append(kind) }
        if let from = filter.from { clauses.append("hlc >= ?"); arguments.append(Int64(bitPattern: HLC(wallMillis: from, logical: 0).packed)) }
        if let to = filter.to { clauses.append("hlc < ?"); arguments.append(Int64(bitPattern: HLC(wallMillis: to, logical: 0).packed)) }
        let sql = "SELECT bytes FROM ops" + (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")) + " ORDER BY hlc DESC, origin, seq DESC LIMIT ?"
        arguments.append(max(0, filter.limit))
        return try guarded {
            try db.read { db in
                try Data.fetchAll(db, sql: sql, arguments: StatementArguments(arguments.map { $0?.databaseValue ?? .null })).map { try OpCodec.decode(Array($0)) }
            }
        }
    }
}
