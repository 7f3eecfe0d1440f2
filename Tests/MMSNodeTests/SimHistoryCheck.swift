import Foundation

/// An outside checker of `mms sim --history`: it reads the file alone — none of the simulator's
/// code — and judges the run's invariants from it. It knows how each op kind moves stored value
/// and rights (the fold below is written from docs, on purpose apart from the core's).
struct HistoryCheck {
    var header: [String: Any] = [:]
    var ops: [[String: Any]] = []
    var finals: [[String: Any]] = []
    var end: [String: Any] = [:]
    var requests: [[String: Any]] = []

    init(file: String) throws {
        for line in try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            if object["header"] as? Bool == true { header = object }
            else if object["end"] as? Bool == true { end = object }
            else if object["final"] as? Bool == true { finals.append(object) }
            else if object["op"] is String, object["vv"] != nil { ops.append(object) }
            else { requests.append(object) }
        }
    }

    static func fen(_ value: Any?) -> Int64 {
        guard let text = value as? String else { return 0 }
        let parts = text.split(separator: ".")
        return (Int64(parts[0]) ?? 0) * 100 + (parts.count > 1 ? Int64(parts[1]) ?? 0 : 0)
    }

    /// How an op moves members' stored value: (member, fen) pairs.
    static func storedValue(_ op: [String: Any]) -> [(String, Int64)] {
        let member = op["member"] as? String ?? ""
        switch op["kind"] as? String {
        case "top_up", "refund": return [(member, fen(op["amount"]))]
        case "charge": return [(member, -fen(op["amount"]))]
        case "sale": return [(member, -fen(op["stored"]))]
        case "sale_returned": return [(member, fen(op["stored_back"]))]
        case "balance_transferred": return [(op["from_member"] as! String, -fen(op["amount"])), (op["to_member"] as! String, fen(op["amount"]))]
        case "card_returned": return [(member, -fen(op["refunded"]))]
        default: return []
        }
    }

    /// Each member's final balance at every node is what the ops give (only after a heal that converged).
    func bankProblems() -> [String] {
        var expected: [String: Int64] = [:]
        for op in ops { for (member, fen) in Self.storedValue(op) { expected[member, default: 0] += fen } }
        return finals.compactMap { f in
            let member = f["member"] as! String
            return Self.fen(f["balance"]) == expected[member, default: 0] ? nil : "\(member) at \(f["node"]!): \(f["balance"]!) ≠ \(expected[member, default: 0])"
        }
    }

    /// A coupon is spent no more often than it was issued and given back by a return.
    func couponProblems() -> [String] {
        var credits: [String: Int] = [:], spends: [String: Int] = [:]
        for op in ops {
            switch op["kind"] as? String {
            case "coupon_issued": credits[op["code"] as! String, default: 0] += 1
            case "coupon_redeemed": spends[op["code"] as! String, default: 0] += 1
            case "sale": for t in op["tenders"] as! [[String: Any]] where t["kind"] as? String == "coupon" { spends[t["code"] as! String, default: 0] += 1 }
            case "sale_returned":
                for r in op["refunds"] as! [[String: Any]] where r["kind"] as? String == "coupon" && (r["units"] as? Int ?? 0) > 0 { credits[r["code"] as! String, default: 0] += 1 }
            default: break
            }
        }
        return spends.filter { $0.value > credits[$0.key, default: 0] }.map { "coupon \($0.key) spent \($0.value)×" }
    }

    /// No node spends a member's stored value beyond the rights it held when it decided: its own
    /// credits and debits, the rights it moved out, and the rights moved to it by ops its version
    /// vector covered.
    func rightsProblems() -> [String] {
        var inbound: [String: [(origin: String, seq: Int, units: Int64)]] = [:]   // "node|account"
        for op in ops where op["kind"] as? String == "rights_transferred" {
            let id = (op["op"] as! String).split(separator: "/")
            inbound["\(op["to"]!)|\(op["account"]!)", default: []].append((String(id[0]), Int(id[1])!, (op["units"] as? NSNumber)?.int64Value ?? 0))
        }
        var own: [String: Int64] = [:]   // "node|account": credits − debits − moved out, by the node's own ops
        var problems: [String] = []
        let byNode = Dictionary(grouping: ops, by: { $0["node"] as! String })
        for (node, list) in byNode {
            for op in list.sorted(by: { Int(($0["op"] as! String).split(separator: "/")[1])! < Int(($1["op"] as! String).split(separator: "/")[1])! }) {
                var spent: Set<String> = []
                for (member, fen) in Self.storedValue(op) {
                    own["\(node)|sv:\(member)", default: 0] += fen
                    if fen < 0 { spent.insert("sv:\(member)") }
                }
                if op["kind"] as? String == "rights_transferred", let account = op["account"] as? String, account.hasPrefix("sv:") {
                    own["\(node)|\(account)", default: 0] -= (op["units"] as? NSNumber)?.int64Value ?? 0
                    spent.insert(account)
                }
                let vv = op["vv"] as! [String: Any]
                for account in spent {
                    let moved = inbound["\(node)|\(account)", default: []].filter { $0.seq <= ((vv[$0.origin] as? NSNumber)?.intValue ?? 0) }.map(\.units).reduce(0, +)
                    let rights = own["\(node)|\(account)", default: 0] + moved
                    if rights < 0 { problems.append("\(op["op"]!) left \(node)'s rights in \(account) at \(rights)") }
                }
            }
        }
        return problems
    }

    /// No spend (a redemption, a points tender, a transfer) takes points from a lot past its last
    /// day, by the op's own time in China Standard Time and the program's `points.expiry`: a lot
    /// of year Y pays through Y-12-31 (`end_of_year`) or (Y+1)-12-31 (`end_of_next_year`).
    func expiredPointsProblems() -> [String] {
        var expiry = "never"
        var problems: [String] = []
        for op in ops {
            let kind = op["kind"] as? String
            if kind == "program_set", let document = op["document"] as? String,
               let program = try? JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any],
               let points = program["points"] as? [String: Any] {
                expiry = points["expiry"] as? String ?? "never"
            }
            let lots: [[String: Any]] = switch kind {
            case "points_redeemed", "points_transferred": [op["lots"] as? [String: Any] ?? [:]]
            case "sale": (op["tenders"] as? [[String: Any]] ?? []).compactMap { $0["lots"] as? [String: Any] }
            default: []
            }
            let millis = (op["hlc"] as? NSNumber)?.int64Value ?? 0
            let year = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(secondsFromGMT: 8 * 3_600)!, from: Date(timeIntervalSince1970: Double(millis) / 1_000)).year!
            for lot in lots.flatMap(\.keys).compactMap(Int.init) {
                let lastYear: Int? = switch expiry { case "end_of_year": lot; case "end_of_next_year": lot + 1; default: nil }
                if let lastYear, year > lastYear { problems.append("\(op["op"]!) spent points of lot \(lot) in \(year)") }
            }
        }
        return problems
    }

    /// No card is spent by a node whose vector covered the op that stopped it.
    func blockedCardProblems() -> [String] {
        var stops: [String: [(origin: String, seq: Int)]] = [:]
        for op in ops {
            let id = (op["op"] as! String).split(separator: "/")
            switch op["kind"] as? String {
            case "card_reported", "card_returned": stops[op["card"] as! String, default: []].append((String(id[0]), Int(id[1])!))
            default: break
            }
        }
        var problems: [String] = []
        for op in ops {
            let cards: [String] = switch op["kind"] as? String {
            case "charge", "points_redeemed", "punch_used", "card_returned": [op["card"] as! String]
            case "sale": (op["card"] as? String).map { $0.isEmpty ? [] : [$0] } ?? []
            case "balance_transferred": [op["from_card"] as! String, op["to_card"] as! String]
            default: []
            }
            let vv = op["vv"] as! [String: Any]
            for card in cards where stops[card, default: []].contains(where: { $0.seq <= ((vv[$0.origin] as? NSNumber)?.intValue ?? 0) }) {
                problems.append("\(op["op"]!) spent card \(card) after its stop")
            }
        }
        return problems
    }
}
