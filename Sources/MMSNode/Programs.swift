import MMSCore
import MMSStore

/// The program in force at this replica: every rule, as one document, and its version.
public struct ProgramResult: Codable, Sendable, Equatable {
    public let version: Int64
    public let program: Program
    /// The op that set it, on a write.
    public var op: String?
}

extension LocalNode {
    /// Head office replaces the program whole (validated; the next version). Every replica
    /// applies it from this op on.
    public func setProgram(_ program: Program) throws -> ProgramResult {
        try permit(.changeSettings)
        let issued = try commit(decide: { teller, _ in try teller.setProgram(program) })
        var result = try showProgram()
        result.op = issued.op?.id.description
        return result
    }

    /// Head office's program, to change it: head office's alone (a branch reads it through `showProgram`).
    public func programToEdit() throws -> ProgramResult {
        try permit(.changeSettings)
        return try showProgram()
    }

    public func showProgram() throws -> ProgramResult {
        try permit(.lookUp)
        let (version, program) = try store.read { try $0.program() }
        return ProgramResult(version: version, program: program, op: nil)
    }
}
