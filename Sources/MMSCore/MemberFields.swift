/// The extra fields head office keeps for each member (the seeds' 肤质, 过敏史, preferred brand):
/// named in the program, set per member, their values sealed with the chain's key like the
/// member's name and phone, a last-writer-wins register each.
public enum MemberFields {
    public static let maxFields = 12, maxNameLength = 16, maxValueBytes = 300

    /// A field's name: 1–16 characters, printable, no spaces or control characters.
    public static func isName(_ name: String) -> Bool {
        (1...maxNameLength).contains(name.count) && name.unicodeScalars.allSatisfy { !$0.properties.isWhitespace && $0.value >= 0x21 && $0.value != 0x7F }
    }

    /// A value as typed: at most `maxValueBytes` of UTF-8, no control characters; empty clears it.
    public static func validate(value: String, field: String) throws {
        guard value.utf8.count <= maxValueBytes, !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw MMSError(.invalidArgument, "\(field): at most \(maxValueBytes) bytes of text, on one line.", details: ["field": field])
        }
    }
}

extension Teller {
    /// One of the program's member fields set (its value sealed by the caller).
    public func setMemberField(member: String, field: String, sealedValue: [UInt8]) throws -> OpBody {
        guard try state.member(member) != nil else { throw MMSError(.unknownMember, "There is no member \(member.prefix(Limits.maxIdentifierLength)).") }
        guard try state.program().program.memberFields.contains(field) else {
            throw MMSError(.invalidArgument, "“\(field.prefix(MemberFields.maxNameLength))” is not one of head office's member fields.", details: ["field": String(field.prefix(MemberFields.maxNameLength))])
        }
        return .memberFieldSet(member: member, field: field, sealedValue: sealedValue)
    }
}
