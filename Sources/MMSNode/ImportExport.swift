import Foundation
import MMSCore
import MMSStore

/// Members brought in from a spreadsheet, and members, sales and ops taken out for accountants
/// and auditors. An import checks every row and reports each bad one with its line; the good
/// ones go in, and the same file again adds nothing (a phone already a member is skipped). An
/// export is an op of its own (`export_made`), so the audit trail says who took what; members'
/// personal data goes out only to a head-office admin (or the data directory's owner).
public struct ImportResult: Codable, Sendable {
    public struct RowError: Codable, Sendable { public let line: Int; public let field: String; public let error: String }
    public let file: String
    public let dryRun: Bool
    /// Data rows read (the header not counted).
    public let rows: Int
    public let added: Int
    /// Rows whose phone is already a member's: skipped, which makes a second run add nothing.
    public let skipped: Int
    public let errors: [RowError]
    /// The new members' ids (the first 1,000).
    public let members: [String]
}

public struct ExportResult: Codable, Sendable {
    public let what: String
    public let rows: Int
    public let personalData: Bool
    public let op: String
    public let csv: String
}

extension LocalNode {
    public static let maxImportBytes = 50 * 1_024 * 1_024
    public static let maxImportRows = 200_000

    /// Imports members from CSV `bytes` (UTF-8, a byte-order mark allowed): a header naming
    /// `name` and `phone` (or 姓名, 手机), and optionally `birthday` (生日). One line a row.
    public func importMembers(csv bytes: [UInt8], file: String, dryRun: Bool) throws -> ImportResult {
        try permit(.importMembers)
        guard bytes.count <= Self.maxImportBytes else {
            throw MMSError(.invalidArgument, "\(file) is over \(Self.maxImportBytes / 1_048_576) MiB; split it.", details: ["file": file])
        }
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            Array(line.last == UInt8(ascii: "\r") ? line.dropLast() : line)
        }
        if let first = lines.first, first.starts(with: [0xEF, 0xBB, 0xBF]) { lines[0] = Array(first.dropFirst(3)) }
        guard let headerBytes = lines.first, let header = String(validating: headerBytes, as: UTF8.self) else {
            throw MMSError(.invalidArgument, "\(file): the header line is not UTF-8 text; save the file as CSV UTF-8.", details: ["file": file, "line": "1"])
        }
        let columns = CSVLine.fields(header).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func column(_ names: [String]) -> Int? { columns.firstIndex { names.contains($0) } }
        guard let nameColumn = column(["name", "姓名"]), let phoneColumn = column(["phone", "手机", "手机号", "电话"]) else {
            throw MMSError(.invalidArgument, "\(file): the header must name the columns name and phone (and may name birthday), e.g. name,phone,birthday.",
                           details: ["file": file, "line": "1"])
        }
        let birthdayColumn = column(["birthday", "生日"])
        let body = lines.dropFirst().enumerated().filter { !$0.element.isEmpty }
        guard body.count <= Self.maxImportRows else {
            throw MMSError(.invalidArgument, "\(file) has \(body.count) rows, over \(Self.maxImportRows) for one import; split it.", details: ["file": file])
        }
        var errors: [ImportResult.RowError] = [], added: [String] = [], addedCount = 0, skipped = 0
        var seen: [String: Int] = [:]
        for (offset, bytes) in body {
            let line = offset + 2
            guard let text = String(validating: bytes, as: UTF8.self) else {
                errors.append(.init(line: line, field: "encoding", error: "not UTF-8 text (saved as GBK?); save the file as CSV UTF-8")); continue
            }
            let fields = CSVLine.fields(text)
            func field(_ index: Int?) -> String { index.flatMap { fields.indices.contains($0) ? fields[$0].trimmingCharacters(in: .whitespaces) : nil } ?? "" }
            let profile: MemberProfile
            do { profile = try MemberProfile(name: field(nameColumn), phone: field(phoneColumn), birthday: field(birthdayColumn)) } catch let e as MMSError {
                let which = e.message.contains("phone") ? "phone" : e.message.contains("birthday") ? "birthday" : "name"
                errors.append(.init(line: line, field: which, error: e.message)); continue
            }
            if let first = seen[profile.phone] {
                errors.append(.init(line: line, field: "phone", error: "the same phone as line \(first): a duplicate")); continue
            }
            seen[profile.phone] = line
            if try !store.members(phoneIndex: secrets.blindIndex(profile.phone)).isEmpty { skipped += 1; continue }
            guard !dryRun else { addedCount += 1; continue }
            do {
                let member = try addMember(profile)
                addedCount += 1
                if added.count < 1_000 { added.append(member.id) }
            } catch let e as MMSError where e.code == .memberExists { skipped += 1 }
        }
        return ImportResult(file: file, dryRun: dryRun, rows: body.count, added: addedCount, skipped: skipped, errors: errors, members: added)
    }

    /// Exports `what` (members, sales or ops) as CSV. Members' names, phones and birthdays go out
    /// only to a head-office admin or the directory's owner (masked for anyone else); a manager
    /// exports their branch. The export is recorded as an op.
    public func export(_ what: String, from: UInt64? = nil, to: UInt64? = nil) throws -> ExportResult {
        try permit(.exportData)
        let branch = try reportScope()
        let personalData = what == "members" && (caller.role == nil || caller.role == .hqAdmin)
        var header: [String] = [], rows: [[String]] = []
        switch what {
        case "members":
            header = ["member", "home", "joined", "name", "phone", "birthday", "principal", "bonus", "points", "spent", "purchases", "last_visit"]
            let today = Sales.day(wallMillis: clock())
            try forEachMemberPage { page in
                try store.read { state in
                    for id in page {
                        guard let m = try state.member(id), branch == nil || m.home == branch else { continue }
                        let p = try openProfile(m)
                        rows.append([id, m.home, m.joined > 0 ? CardLife.dayText(m.joined) : "",
                                     personalData ? p.name : MemberProfile.maskedName(p.name), personalData ? p.phone : p.maskedPhone,
                                     personalData ? p.birthday : "", Money(fen: try state.escrow(Cell.storedValue(member: id)).total).description,
                                     try state.bonus(of: id).description, String(try PointsLots.usable(member: id, on: today, in: state)),
                                     m.netSpend.description, "", ""])
                    }
                }
            }
            // Purchases and the last visit from the report table, where they are kept.
            var figures: [String: (Int64, Int64)] = [:]
            try store.memberFigures(ids: Set(rows.map { $0[0] })) { figures[$0] = ($1, $2) }
            rows = rows.map { r in var r = r; if let f = figures[r[0]] { r[10] = String(f.0); r[11] = f.1 > 0 ? CardLife.dayText(f.1) : "" }; return r }
        case "sales":
            header = ["op", "time", "branch", "kind", "member", "card", "staff", "operator", "total", "discount", "tenders", "lines"]
            for op in try store.opsForExport(kinds: ["sale", "sale_returned", "charge"], branch: branch, from: from, to: to) {
                var row = [op.id.description, Self.chinaTime(op.hlc.wallMillis), op.id.origin.rawValue, op.body.kind]
                switch op.body {
                case .sale(let s):
                    row += [s.member, s.card, s.staff, op.actor.operatorID, s.total.description, Money(fen: s.lines.map(\.discount.fen).reduce(0, +)).description,
                            s.tenders.map { "\($0.kind.rawValue):\($0.amount)" }.joined(separator: ";"), s.lines.map { "\($0.sku.isEmpty ? "-" : $0.sku)x\($0.quantity)" }.joined(separator: ";")]
                case .saleReturned(let r):
                    row += [r.member, "", r.staff, op.actor.operatorID, "-" + r.amount.description, "0.00",
                            r.refunds.map { "\($0.kind.rawValue):\($0.amount)" }.joined(separator: ";"), r.lines.map { "\($0.sku.isEmpty ? "-" : $0.sku)x\($0.quantity)" }.joined(separator: ";")]
                case .charge(let c):
                    row += [c.member, c.card, "", op.actor.operatorID, c.amount.description, "0.00", "stored:\(c.amount)", ""]
                default: continue
                }
                rows.append(row)
            }
        case "ops":
            header = ["op", "time", "branch", "kind", "operator", "till", "member", "card", "amount", "points"]
            for op in try store.opsForExport(kinds: nil, branch: branch, from: from, to: to) {
                let item = Self.historyItem(op)
                rows.append([item.op, Self.chinaTime(op.hlc.wallMillis), op.id.origin.rawValue, item.kind, op.actor.operatorID, op.actor.till,
                             op.body.member ?? "", item.card ?? "", item.amount ?? "", item.points.map(String.init) ?? ""])
            }
        default:
            throw MMSError(.invalidArgument, "An export is of members, sales or ops, not “\(what.prefix(20))”.")
        }
        let issued = try commit(decide: { _, _ in .exportMade(what: what, rows: Int64(rows.count), personalData: personalData) })
        return ExportResult(what: what, rows: rows.count, personalData: personalData, op: issued.op!.id.description, csv: CSV.document(header: header, rows: rows))
    }
}

/// One CSV line's fields (RFC 4180 quoting, within the line).
enum CSVLine {
    static func fields(_ line: String) -> [String] {
        var fields: [String] = [], field = "", quoted = false, chars = Array(line), i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" { if i + 1 < chars.count, chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false } } else { field.append(c) }
            } else if c == "\"" && field.isEmpty {
                quoted = true
            } else if c == "," {
                fields.append(field); field = ""
            } else {
                field.append(c)
            }
            i += 1
        }
        fields.append(field)
        return fields
    }
}
