/// A return of a sale, whole or some lines: a compensating op at the branch that sold. It never
/// gives back more of a line than was sold (counted across returns), gives the money back the
/// way it came — stored value first (to the card), then bank card and mobile payment, then cash,
/// each up to what it paid less what it already got back — puts goods back on the shelf, and
/// takes back the commission and points the returned part earned.
public struct SaleReturn: Equatable, Sendable {
    public struct Line: Equatable, Sendable {
        /// The line's index in the sale.
        public var index: Int
        public var sku: String
        public var quantity: Int64
        public var amount: Money
        public var commission: Money
        public var goods: Bool
        public init(index: Int, sku: String, quantity: Int64, amount: Money, commission: Money, goods: Bool) {
            self.index = index; self.sku = sku; self.quantity = quantity; self.amount = amount; self.commission = commission; self.goods = goods
        }
    }
    public var sale: OpID
    public var member: String
    public var staff: String
    /// The month the sale's commission counted in (its reversal counts there too).
    public var month: String
    public var lines: [Line]
    /// What goes back, per tender.
    public var refunds: [Tender]
    public var points: Points
    public init(sale: OpID, member: String, staff: String, month: String, lines: [Line], refunds: [Tender], points: Points) {
        self.sale = sale; self.member = member; self.staff = staff; self.month = month; self.lines = lines; self.refunds = refunds; self.points = points
    }

    public var amount: Money { Money(fen: lines.map(\.amount.fen).reduce(0, +)) }
    /// What went back to the member's stored value.
    public var storedBack: Money { Money(fen: refunds.filter { $0.kind == .stored }.map(\.amount.fen).reduce(0, +)) }
    /// The part of `storedBack` that went back to the bonus balance.
    public var bonusBack: Money { Money(fen: refunds.filter { $0.kind == .stored }.map(\.bonus.fen).reduce(0, +)) }
}

/// A sale as its cells keep it, for returns.
public struct SaleRecord: Equatable, Sendable {
    public var id: OpID
    public var sale: Sale
    public var month: String
    /// Units of each line returned so far, and money given back per tender kind.
    public var returned: [Int64]
    public var refunded: [TenderKind: Money]
}

extension Sale {
    /// The order money goes back in.
    /// A return takes from the coupon and the points first, then gives money back.
    static let refundOrder: [TenderKind] = [.coupon, .points, .stored, .bank, .mobile, .cash]
}

public enum SaleRecords {
    /// The sale `id` from a replica's cells (its op is folded into them when applied).
    public static func record(_ id: OpID, in state: StateReader) throws -> SaleRecord? {
        let e = Cell.sale(id)
        let cells = try state.texts(entity: e)
        guard let encoded = cells[Cell.saleBody], let month = cells[Cell.saleMonth], let sale = SaleCells.decode(encoded) else { return nil }
        let counters = try state.counters(entity: e)
        let returned = sale.lines.indices.map { counters[Cell.saleReturnedLine($0)]?.values.reduce(0, +) ?? 0 }
        var refunded: [TenderKind: Money] = [:]
        for kind in TenderKind.allCases { refunded[kind] = Money(fen: counters[Cell.saleRefunded(kind)]?.values.reduce(0, +) ?? 0) }
        return SaleRecord(id: id, sale: sale, month: month, returned: returned, refunded: refunded)
    }
}

/// A sale kept in one register as text, so a return can read its lines and tenders: lines as
/// `sku,qty,amount,commission,goods[,punch]` and tenders as `kind,amount`, fen throughout.
enum SaleCells {
    static func encode(_ s: Sale) -> String {
        let lines = s.lines.map { "\($0.sku),\($0.quantity),\($0.amount.fen),\($0.commission.fen),\($0.goods ? 1 : 0)" + ($0.punch ? ",1" : "") }.joined(separator: ";")
        // A coupon's code, the points spent (and their lots) and a punch card's uses go with their
        // tenders: a return gives them back.
        let tenders = s.tenders.map { t in
            "\(t.kind.rawValue),\(t.amount.fen)"
                + ([.coupon, .points, .punch].contains(t.kind) ? ",\(t.reference),\(t.units)" : "")
                + (t.lots.isEmpty ? "" : "," + t.lots.map { "\($0.year):\($0.points)" }.joined(separator: "/"))
        }.joined(separator: ";")
        return [s.member, s.card, s.staff, String(s.pointsEarned.value), String(s.total.fen), lines, tenders].joined(separator: "|")
    }

    static func decode(_ text: String) -> Sale? {
        let parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 7, let points = Int64(parts[3]), let total = Int64(parts[4]) else { return nil }
        let lines = parts[5].split(separator: ";").map { l -> SaleLine? in
            let f = l.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 5 || f.count == 6, let q = Int64(f[1]), let a = Int64(f[2]), let c = Int64(f[3]) else { return nil }
            var line = SaleLine(sku: f[0], quantity: q, unitPrice: Money(fen: 0), discount: Money(fen: 0), amount: Money(fen: a), commission: Money(fen: c), goods: f[4] == "1")
            line.punch = f.count == 6 && f[5] == "1"
            return line
        }
        let tenders = parts[6].split(separator: ";").map { t -> Tender? in
            let f = t.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard [2, 4, 5].contains(f.count), let kind = TenderKind(rawValue: f[0]), let a = Int64(f[1]) else { return nil }
            var tender = Tender(kind: kind, amount: Money(fen: a), reference: f.count >= 4 ? f[2] : "", units: f.count >= 4 ? Int64(f[3]) ?? 0 : 0)
            if f.count == 5 {
                let lots = f[4].split(separator: "/").map { $0.split(separator: ":").compactMap { Int64($0) } }
                guard lots.allSatisfy({ $0.count == 2 }) else { return nil }
                tender.lots = lots.map { LotPoints(year: Int($0[0]), points: $0[1]) }
            }
            return tender
        }
        // A record that does not read back whole is our bug, never a sale with a part missing.
        guard !lines.contains(nil), !tenders.contains(nil) else { return nil }
        return Sale(member: parts[0], card: parts[1], staff: parts[2], lines: lines.compactMap { $0 }, tenders: tenders.compactMap { $0 }, total: Money(fen: total),
                    change: Money(fen: 0), pointsEarned: Points(points))
    }
}

extension Teller {
    /// Returns `quantities` (line index → units) of sale `id`; an empty map returns all that is left.
    public func returnSale(_ id: OpID, quantities: [Int: Int64]) throws -> OpBody {
        guard let record = try SaleRecords.record(id, in: state) else {
            throw MMSError(.unknownSale, "There is no sale \(id) here.", details: ["sale": id.description])
        }
        guard id.origin == origin else {
            throw MMSError(.notPermitted, "Sale \(id) was made at \(id.origin); it is returned there.", details: ["sale": id.description])
        }
        let sale = record.sale
        let asked = quantities.isEmpty
            ? Dictionary(uniqueKeysWithValues: sale.lines.indices.map { ($0, sale.lines[$0].quantity - record.returned[$0]) }).filter { $0.value > 0 }
            : quantities
        guard !asked.isEmpty else { throw MMSError(.invalidArgument, "Everything of sale \(id) has been returned already.", details: ["sale": id.description]) }
        var lines: [SaleReturn.Line] = []
        for (index, quantity) in asked.sorted(by: { $0.key < $1.key }) {
            guard sale.lines.indices.contains(index) else {
                throw MMSError(.invalidArgument, "Sale \(id) has no line \(index + 1).", details: ["sale": id.description])
            }
            let line = sale.lines[index]
            let left = line.quantity - record.returned[index]
            guard quantity > 0, quantity <= left else {
                throw MMSError(.invalidArgument, "Line \(index + 1) of sale \(id) (\(line.sku)) has \(left) unit(s) left to return, not \(quantity).",
                               details: ["sale": id.description, "line": String(index + 1), "left": String(left)])
            }
            // The last units returned take what is left of the line's amount: no fen is lost to rounding.
            func share(_ whole: Money) -> Money {
                quantity == left ? Money(fen: whole.fen - (whole.fen * record.returned[index] + line.quantity / 2) / line.quantity)
                                 : Money(fen: (whole.fen * quantity + line.quantity / 2) / line.quantity)
            }
            lines.append(.init(index: index, sku: line.sku, quantity: quantity, amount: share(line.amount), commission: share(line.commission), goods: line.goods))
        }
        // Lines a punch card's uses paid get their uses back; the rest goes back the way it was paid.
        let punched = lines.filter { sale.lines[$0.index].punch }
        var owed = lines.map(\.amount.fen).reduce(0, +) - punched.map(\.amount.fen).reduce(0, +)
        var refunds: [Tender] = []
        if !punched.isEmpty, let tender = sale.tenders.first(where: { $0.kind == .punch }) {
            refunds.append(Tender(kind: .punch, amount: Money(fen: punched.map(\.amount.fen).reduce(0, +)), reference: tender.reference,
                                  units: punched.map(\.quantity).reduce(0, +)))
        }
        for kind in Sale.refundOrder where owed > 0 {
            let paid = sale.tenders.filter { $0.kind == kind }.map(\.amount.fen).reduce(0, +)
            let room = paid - (record.refunded[kind]?.fen ?? 0) - (kind == .cash ? Self.cashChange(sale) : 0)
            let back = min(owed, max(0, room))
            guard back > 0 else { continue }
            owed -= back
            var refund = Tender(kind: kind, amount: Money(fen: back))
            if kind == .stored { refund.bonus = try bonusBack(of: id, amount: refund.amount) }
            if let used = sale.tenders.first(where: { $0.kind == kind }), kind == .coupon || kind == .points {
                let before = record.refunded[kind]?.fen ?? 0
                refund.reference = used.reference
                if kind == .points {
                    // Whole points, in proportion; the last part returned takes what is left.
                    let given = before * used.units / paid
                    refund.units = (before + back) * used.units / paid - given
                    refund.lots = PointsLots.slice(used.lots, from: given, count: refund.units)
                } else if before + back == paid, let coupon = try state.coupon(used.reference), coupon.validUntil == 0 || CardLife.dayNumber(today) <= coupon.validUntil {
                    refund.units = 1
                }
            }
            refunds.append(refund)
        }
        precondition(owed == 0, "a return asked more than its sale's tenders took")
        let storedBack = refunds.filter { $0.kind == .stored }.map(\.amount.fen).reduce(0, +)
        if storedBack > 0 {
            // The sale's refundable rights: a refund through `refund` may have used some.
            try requireRights(try state.escrow(Cell.refundable(charge: id)), storedBack, code: .invalidAmount,
                              unit: { Money(fen: $0).description }, what: "refundable stored value of sale \(id)")
        }
        let returnedAmount = lines.map(\.amount.fen).reduce(0, +)
        var points = sale.total.fen == 0 ? 0 : sale.pointsEarned.value * returnedAmount / sale.total.fen
        if points > 0 {
            // Points already spent elsewhere are not taken back below what this branch holds.
            points = min(points, max(0, try state.escrow(Cell.points(member: sale.member, year: Int(record.month.prefix(4)) ?? 0)).rights(at: origin)))
        }
        return .saleReturned(SaleReturn(sale: id, member: sale.member, staff: sale.staff, month: record.month, lines: lines, refunds: refunds,
                                        points: Points(points)))
    }

    /// Cash that came back as change was never taken: it is not given back again.
    static func cashChange(_ sale: Sale) -> Int64 {
        sale.tenders.map(\.amount.fen).reduce(0, +) - sale.total.fen
    }
}

extension Cell {
    public static func sale(_ id: OpID) -> String { "sale:\(id.origin.rawValue)/\(id.seq)" }
    public static let saleBody = "body", saleMonth = "month", saleDay = "day"
    public static func saleReturnedLine(_ index: Int) -> String { "returned:\(index)" }
    public static func saleRefunded(_ kind: TenderKind) -> String { "refunded:\(kind.rawValue)" }
    public static let commissionReturned = "returned"
}
