import Foundation
import GRDB
import MMSCore

/// Operators' sessions at this node's tills: node-local rows, never replicated. A session names
/// its operator and till; whether either may still act is read from the replicated state on
/// every request, so a disabled operator or a revoked till stops at once.
extension NodeStore {
    public struct Session: Sendable, Equatable {
        public let operatorID: String
        public let till: String
        public let created: UInt64
        public let expires: UInt64
    }

    public func createSession(tokenHash: [UInt8], operator id: String, till: String, now: UInt64, expires: UInt64) throws {
        try write { db in
            // Expired rows go as new ones come, so the table stays the size of the open sessions.
            try db.execute(sql: "DELETE FROM sessions WHERE expires <= ?", arguments: [Int64(now)])
            try db.execute(sql: "INSERT INTO sessions (token_hash, operator, till, created, expires) VALUES (?, ?, ?, ?, ?)",
                           arguments: [Data(tokenHash), id, till, Int64(now), Int64(expires)])
        }
    }

    public func session(tokenHash: [UInt8]) throws -> Session? {
        try read(session: tokenHash) { session, _ in session }
    }

    /// A session and the state, in one read: what every till request checks first.
    public func read<T>(session tokenHash: [UInt8], _ body: (Session?, any StateReader) throws -> T) throws -> T {
        try guarded {
            try db.read { db in
                let session = try Row.fetchOne(db.cachedStatement(sql: "SELECT operator, till, created, expires FROM sessions WHERE token_hash = ?"),
                                               arguments: [Data(tokenHash)])
                    .map { Session(operatorID: $0[0], till: $0[1], created: UInt64($0[2] as Int64), expires: UInt64($0[3] as Int64)) }
                return try body(session, DatabaseState(db: db))
            }
        }
    }

    public func endSession(tokenHash: [UInt8]) throws {
        try write { db in try db.execute(sql: "DELETE FROM sessions WHERE token_hash = ?", arguments: [Data(tokenHash)]) }
    }
}
