import Foundation
import GRDB
import MMSCore

/// Chain-wide figures from this replica (the head office's holds every op).
public struct ChainFigures: Codable, Sendable {
    public struct Figures: Codable, Sendable {
        public var members = 0
        public var topUps = Money.zero.fen
        public var spend = Money.zero.fen
        public var refunds = Money.zero.fen
        public var pointsEarned: Int64 = 0
        public var pointsRedeemed: Int64 = 0
        /// Ops of this origin held here.
        public var ops: UInt64 = 0
        public init() {}
    }
    public var branches: [String: Figures]
    public var chain: Figures
    /// Top-ups + refunds − charges, folded from the op log itself.
    public var liabilityFen: Int64
    /// The sum of every member's stored-value balance, from the materialised cells.
    public var sumOfBalancesFen: Int64
}

extension NodeStore {
    public func chainFigures() throws -> ChainFigures {
        try guarded {
            try db.read { db in
                var branches: [String: ChainFigures.Figures] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT origin, seq FROM heads") { branches[row[0], default: .init()].ops = UInt64(row[1] as Int64) }
                for row in try Row.fetchAll(db, sql: "SELECT CAST(value AS TEXT), count(*) FROM registers WHERE name = ? AND entity LIKE 'member:%' GROUP BY 1",
                                            arguments: [Cell.home]) {
                    branches[row[0], default: .init()].members = row[1]
                }
                func perNode(_ sql: String, _ apply: (inout ChainFigures.Figures, String, Int64) -> Void) throws {
                    for row in try Row.fetchAll(db, sql: sql) { apply(&branches[row[0], default: .init()], row[1], row[2]) }
                }
                try perNode("SELECT node, name, SUM(value) FROM counters WHERE entity LIKE 'sv:%' AND name IN ('credited') GROUP BY node, name") { f, _, v in f.topUps += v }
                try perNode("SELECT node, name, SUM(value) FROM counters WHERE entity LIKE 'member:%' AND name IN ('spent', 'refunded') GROUP BY node, name") { f, name, v in
                    if name == Cell.spent { f.spend += v } else { f.refunds += v; f.topUps -= v }
                }
                try perNode("SELECT node, name, SUM(value) FROM counters WHERE entity LIKE 'pts:%' AND name IN ('credited', 'debited') GROUP BY node, name") { f, name, v in
                    if name == Cell.credited { f.pointsEarned += v } else { f.pointsRedeemed += v }
                }
                var chain = ChainFigures.Figures()
                for f in branches.values {
                    chain.members += f.members; chain.topUps += f.topUps; chain.spend += f.spend; chain.refunds += f.refunds
                    chain.pointsEarned += f.pointsEarned; chain.pointsRedeemed += f.pointsRedeemed; chain.ops += f.ops
                }
                var liability: Int64 = 0
                let kinds = OpBody.storedValueKinds.map { "'\($0)'" }.joined(separator: ", ")
                let cursor = try Data.fetchCursor(db, sql: "SELECT bytes FROM ops WHERE kind IN (\(kinds))")
                while let bytes = try cursor.next() {
                    liability += try OpCodec.decode(Array(bytes)).body.storedValueChanges.map(\.fen).reduce(0, +)
                }
                let balances = try Int64.fetchOne(db, sql: """
                    SELECT COALESCE(SUM(CASE name WHEN 'credited' THEN value WHEN 'debited' THEN -value ELSE 0 END), 0)
                    FROM counters WHERE entity LIKE 'sv:%'
                    """) ?? 0
                return ChainFigures(branches: branches, chain: chain, liabilityFen: liability, sumOfBalancesFen: balances)
            }
        }
    }

    /// Stored value this node may spend now, over all members: the sum of its escrow rights.
    public func storedValueRightsHeld(by node: NodeID) throws -> Int64 {
        let prefix = Cell.storedValue(member: "")
        return try guarded {
            try db.read { db in
                try Int64.fetchOne(db, sql: """
                    SELECT COALESCE(SUM(CASE WHEN name IN (?, ?) THEN value ELSE -value END), 0) FROM counters
                    WHERE entity > ? AND entity < ? AND node = ? AND name IN (?, ?, ?, ?)
                    """, arguments: [Cell.credited, Cell.movedIn, prefix, prefix + "\u{10FFFF}", node.rawValue,
                                     Cell.credited, Cell.movedIn, Cell.movedOut, Cell.debited]) ?? 0
            }
        }
    }
}
