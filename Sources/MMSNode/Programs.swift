import MMSCore
import MMSStore

/// The program in force at this replica: every rule, as one document, and its version.
public struct ProgramResult: Codable, Sendable, Equatable {
    public let version: Int64
    public let program: Program
    /// The op that set it, on a write.
    public var op: String?
}

/// What a proposed program would do, before it is saved: members whose tier would rise or fall,
/// and each tier's members now and after.
public struct ProgramPreview: Codable, Sendable, Equatable {
    public struct Row: Codable, Sendable, Equatable {
        public let tier: String, name: String
        public let before: Int64, after: Int64
    }
    /// The version the change would replace.
    public let version: Int64
    public let members: Int64, up: Int64, down: Int64
    public let tiers: [Row]
}

extension LocalNode {
    /// Head office replaces the program whole (validated; the next version). Every replica
    /// applies it from this op on. With `basedOn`, the version the editor started from: refused
    /// when another change was saved since (`program_changed`), so no edit silently undoes another.
    public func setProgram(_ program: Program, basedOn: Int64? = nil) throws -> ProgramResult {
        try permit(.changeSettings)
        let issued = try commit(decide: { teller, _ in
            if let basedOn, let current = try? teller.state.program().version, current != basedOn {
                throw MMSError(.programChanged, "The program changed (version \(current)) since version \(basedOn) was opened; open it again.",
                               details: ["version": String(current), "based_on": String(basedOn)])
            }
            return try teller.setProgram(program)
        })
        var result = try showProgram()
        result.op = issued.op?.id.description
        return result
    }

    /// Head office's program, to change it: head office's alone (a branch reads it through `showProgram`).
    public func programToEdit() throws -> ProgramResult {
        try permit(.changeSettings)
        return try showProgram()
    }

    /// What saving `proposed` would do to the members' tiers, with nothing written: each member
    /// in scope decided by today's ladder and by the proposed one, on the basis the tier report
    /// uses (lifetime figures, or a review's years). Validated as the save would be.
    public func previewProgram(_ proposed: Program) throws -> ProgramPreview {
        try permit(.changeSettings)
        try proposed.validate()
        let (version, program, settings) = try store.read { state in
            let (version, program) = try state.program()
            return (version, program, try state.settings())
        }
        let before = TierLadder(program: program, settings: settings), after = TierLadder(program: proposed, settings: settings)
        var counts: [Tier: (before: Int64, after: Int64)] = [:], up: Int64 = 0, down: Int64 = 0, members: Int64 = 0
        func count(_ old: Tier, _ new: Tier, times: Int64 = 1) {
            counts[old, default: (0, 0)].before += times; counts[new, default: (0, 0)].after += times
            if new > old { up += times } else if new < old { down += times }
            members += times
        }
        if proposed.tierReview != nil || program.tierReview != nil {
            let month = CardLife.dayNumber(Sales.day(wallMillis: clock())) / 100
            let old = TierHistory(ladder: before, review: program.tierReview), new = TierHistory(ladder: after, review: proposed.tierReview)
            var decided: Int64 = 0
            try store.memberMonths(branch: nil) { _, months in count(old.tier(endOf: month, months), new.tier(endOf: month, months)); decided += 1 }
            let all = try store.memberCounts(branch: nil, since30: 0, since90: 0).members
            count(before.tier(TierFigures()), after.tier(TierFigures()), times: all - decided)
        } else {
            try store.tierFigures(branch: nil) { count(before.tier($0), after.tier($0)) }
        }
        let names = Dictionary(before.steps.map { ($0.tier, $0.name) } + after.steps.map { ($0.tier, $0.name) }, uniquingKeysWith: { _, new in new })
        let tiers = Tier.allCases.filter { counts[$0] != nil || names[$0] != nil }.map { tier in
            ProgramPreview.Row(tier: tier.rawValue, name: names[tier] ?? tier.rawValue, before: counts[tier]?.before ?? 0, after: counts[tier]?.after ?? 0)
        }
        return ProgramPreview(version: version, members: members, up: up, down: down, tiers: tiers)
    }

    public func showProgram() throws -> ProgramResult {
        try permit(.lookUp)
        let (version, program) = try store.read { try $0.program() }
        return ProgramResult(version: version, program: program, op: nil)
    }
}
