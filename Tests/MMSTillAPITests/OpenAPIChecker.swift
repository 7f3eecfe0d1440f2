import Foundation

/// Checks an answer of the till API against the schemas of the OpenAPI document the node serves:
/// the path and method exist, the status is documented, and the JSON body fits the schema (types,
/// required properties, enums, patterns, arrays, maps and `$ref`s — the subset the document uses).
struct OpenAPIChecker {
    let document: [String: Any]

    init(json: Data) throws {
        document = try unwrap(try JSONSerialization.jsonObject(with: json) as? [String: Any], "the document is not a JSON object")
    }

    /// Problems found with `body` as the answer `status` to `method path`; empty when it conforms.
    func problems(method: String, path: String, status: Int, body: Data) -> [String] {
        let paths = document["paths"] as? [String: Any] ?? [:]
        let route = path.split(separator: "?").first.map(String.init) ?? path
        guard let (template, item) = paths.first(where: { Self.matches(template: $0.key, path: route) }), let entry = item as? [String: Any] else {
            // A path the API does not have is a 404 with the error body.
            guard status == 404, let value = try? JSONSerialization.jsonObject(with: body) else { return ["\(route) is not in the document"] }
            var found: [String] = []
            check(value, against: ["$ref": "#/components/schemas/Error"], at: "404 \(route)", into: &found)
            return found
        }
        guard let operation = entry[method.lowercased()] as? [String: Any] else {
            // A documented path asked with a method it does not take is a 405 with the error body.
            guard status == 405, let value = try? JSONSerialization.jsonObject(with: body) else { return ["\(method) \(template) is not in the document"] }
            var found: [String] = []
            check(value, against: ["$ref": "#/components/schemas/Error"], at: "405 \(template)", into: &found)
            return found
        }
        guard let response = (operation["responses"] as? [String: Any])?[String(status)] as? [String: Any] else {
            return ["\(method) \(template) does not document status \(status)"]
        }
        guard let schema = ((response["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"] else {
            // A documented body of another kind (an image) is not JSON to check.
            let others = (response["content"] as? [String: Any] ?? [:]).keys
            return body.isEmpty || !others.isEmpty ? [] : ["\(method) \(template) \(status) documents no body"]
        }
        guard let value = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else { return ["the body is not JSON"] }
        var found: [String] = []
        check(value, against: schema, at: "\(method) \(template) \(status)", into: &found)
        return found
    }

    static func matches(template: String, path: String) -> Bool {
        let t = template.split(separator: "/"), p = path.split(separator: "/")
        return t.count == p.count && zip(t, p).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
    }

    private func resolve(_ schema: Any) -> [String: Any] {
        guard let s = schema as? [String: Any] else { return [:] }
        guard let ref = s["$ref"] as? String else { return s }
        let name = ref.replacingOccurrences(of: "#/components/schemas/", with: "")
        return ((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?[name] as? [String: Any] ?? [:]
    }

    private func check(_ value: Any, against schema: Any, at where_: String, into found: inout [String]) {
        let s = resolve(schema)
        if let alternatives = s["oneOf"] as? [Any] {
            let matching = alternatives.filter { alternative in
                var problems: [String] = []
                check(value, against: alternative, at: where_, into: &problems)
                return problems.isEmpty
            }
            if matching.count != 1 { found.append("\(where_): matches \(matching.count) of its \(alternatives.count) oneOf schemas, not exactly one") }
            return
        }
        let types: [String] = (s["type"] as? String).map { [$0] } ?? (s["type"] as? [String]) ?? []
        if value is NSNull {
            if !types.isEmpty && !types.contains("null") { found.append("\(where_): null where \(types) is required") }
            return
        }
        if !types.isEmpty && !types.contains(where: { Self.isType(value, $0) }) {
            found.append("\(where_): \(value) is not \(types)"); return
        }
        if let allowed = s["enum"] as? [Any], !allowed.contains(where: { "\($0)" == "\(value)" }) { found.append("\(where_): \(value) not in \(allowed)") }
        if let pattern = s["pattern"] as? String, let text = value as? String, text.range(of: pattern, options: .regularExpression) == nil {
            found.append("\(where_): “\(text)” does not match \(pattern)")
        }
        if let object = value as? [String: Any] {
            for key in s["required"] as? [String] ?? [] where object[key] == nil { found.append("\(where_): “\(key)” is missing") }
            let properties = s["properties"] as? [String: Any] ?? [:]
            for (key, child) in object {
                if let sub = properties[key] { check(child, against: sub, at: "\(where_).\(key)", into: &found) }
                else if let extra = s["additionalProperties"] as? [String: Any] { check(child, against: extra, at: "\(where_).\(key)", into: &found) }
                else if !properties.isEmpty { found.append("\(where_): “\(key)” is not documented") }
            }
        }
        if let array = value as? [Any], let items = s["items"] {
            for (i, child) in array.enumerated() { check(child, against: items, at: "\(where_)[\(i)]", into: &found) }
        }
    }

    private static func isType(_ value: Any, _ name: String) -> Bool {
        switch name {
        case "object": value is [String: Any]
        case "array": value is [Any]
        case "string": value is String
        // JSONSerialization gives booleans as a distinct NSNumber subclass, integers as "i"/"q".
        case "boolean": "\(type(of: value))".contains("Boolean")
        case "integer": !"\(type(of: value))".contains("Boolean") && ((value as? NSNumber).map { $0.doubleValue == $0.doubleValue.rounded() } ?? false)
        case "number": value is NSNumber
        default: false
        }
    }
}

struct CheckerError: Error, CustomStringConvertible { let description: String }

func unwrap<T>(_ value: T?, _ message: String) throws -> T {
    guard let value else { throw CheckerError(description: message) }
    return value
}
