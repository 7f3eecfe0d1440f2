import Foundation
import MMSCore
import TOMLKit

/// What is wrong with a chain file: which file, which field, why — as the file's error code.
struct FileFault: Error {
    let code: MMSError.Code, file: String, field: String, reason: String
    var error: MMSError { MMSError(code, "\(file): \(field): \(reason).", details: ["file": file, "field": field, "reason": reason]) }
}

/// Reading a chain file (the topology, a program): its text, then its TOML.
enum TOMLFile {
    static func text(path: String, code: MMSError.Code) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw FileFault(code: code, file: path, field: "-", reason: "cannot read the file").error }
        guard let text = String(data: data, encoding: .utf8) else { throw FileFault(code: code, file: path, field: "-", reason: "not UTF-8 text").error }
        return text
    }

    static func table(_ text: String, file: String, maxBytes: Int, code: MMSError.Code) throws -> TOMLTable {
        guard text.utf8.count <= maxBytes else { throw FileFault(code: code, file: file, field: "-", reason: "larger than \(maxBytes / 1024) KiB").error }
        do { return try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw FileFault(code: code, file: file, field: "line \(e.source.begin.line), column \(e.source.begin.column)", reason: "not valid TOML: \(e.description)").error
        }
    }
}

/// Typed, named fields of a TOML file, read by hand rather than through Codable so that an
/// unknown or misspelt field is an error naming it, never silently ignored. A reader says how a
/// fault reads (which file, which field).
protocol TOMLReading {
    associatedtype Fault: Error
    func fault(_ field: String, _ reason: String) -> Fault
}

extension TOMLReading {
        func allowOnly(_ table: TOMLTable, _ known: [String], at: String) throws {
            for key in table.keys.sorted() where !known.contains(key) {
                throw fault(at.isEmpty ? key : "\(at).\(key)", "unknown field (known here: \(known.joined(separator: ", ")))")
            }
        }

        func optionalTable(_ table: TOMLTable, _ key: String) throws -> TOMLTable? {
            guard let value = table[key] else { return nil }
            guard let t = value.table else { throw fault(key, "must be a table") }
            return t
        }

        func string(_ table: TOMLTable, _ key: String, at: String) throws -> String {
            guard let value = table[key] else { throw fault("\(at).\(key)", "missing") }
            guard let s = value.string else { throw fault("\(at).\(key)", "must be a string") }
            return s
        }

        func identifier(_ table: TOMLTable, _ key: String, at: String) throws -> String {
            let s = try string(table, key, at: at)
            do { try Identifier.validate(s, what: key) } catch let e as MMSError { throw fault("\(at).\(key)", e.message.trimmingCharacters(in: ["."])) }
            return s
        }

        func integer(_ table: TOMLTable, _ key: String, at: String, in range: ClosedRange<Int>) throws -> Int? {
            guard let value = table[key] else { return nil }
            guard let n = value.int else { throw fault("\(at).\(key)", "must be a whole number") }
            guard range.contains(n) else { throw fault("\(at).\(key)", "\(n) is outside \(range.lowerBound)…\(range.upperBound)") }
            return n
        }

    func optionalString(_ table: TOMLTable, _ key: String, at: String) throws -> String? {
        table[key] == nil ? nil : try string(table, key, at: at)
    }

    func bool(_ table: TOMLTable, _ key: String, at: String) throws -> Bool? {
        guard let value = table[key] else { return nil }
        guard let b = value.bool else { throw fault("\(at).\(key)", "must be true or false") }
        return b
    }

    /// An amount written as a string with at most two decimals ("500.00"), never a float.
    func money(_ table: TOMLTable, _ key: String, at: String) throws -> Money? {
        guard let value = table[key] else { return nil }
        guard let s = value.string, let m = Money(parsing: s) else { throw fault("\(at).\(key)", "must be an amount in quotes, like \"500.00\"") }
        return m
    }

    func strings(_ table: TOMLTable, _ key: String, at: String) throws -> [String] {
        guard let value = table[key] else { return [] }
        guard let array = value.array else { throw fault("\(at).\(key)", "must be a list of strings") }
        return try array.map { item in
            guard let s = item.string else { throw fault("\(at).\(key)", "must be a list of strings") }
            return s
        }
    }

    func tables(_ table: TOMLTable, _ key: String) throws -> [TOMLTable] {
        guard let value = table[key] else { return [] }
        guard let array = value.array else { throw fault(key, "must be a list of tables ([[\(key)]])") }
        return try array.map { item in
            guard let t = item.table else { throw fault(key, "must be a list of tables ([[\(key)]])") }
            return t
        }
    }
}
