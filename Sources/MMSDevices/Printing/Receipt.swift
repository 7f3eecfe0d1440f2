import Foundation

/// What a receipt says, before it is laid out for a paper width. The till fills it from the
/// node's answer; nothing here decides an amount.
public struct Receipt: Codable, Sendable, Equatable {
    public var shop: String
    public var branch: String
    public var till: String
    public var cashier: String
    /// When the node answered, already formatted for the shop's clock.
    public var time: String
    /// e.g. 储值消费, 充值, 退款.
    public var title: String
    public var card: String?
    public var member: String?
    public var tier: String?
    /// Label → amount lines, e.g. ("消费金额", "88.00").
    public var lines: [Line]
    /// What the customer paid in all, printed large.
    public var total: String?
    /// How it was paid, e.g. ("储值", "88.00"), ("现金", "100.00").
    public var tenders: [Line]
    public var balance: String?
    public var pointsEarned: Int64?
    public var points: Int64?
    public var couponsUsed: [String]
    /// The op id, for looking the payment up later.
    public var op: String
    /// Where the QR code points: the member's page.
    public var link: String?
    /// Open the cash drawer: a cash tender was taken.
    public var opensDrawer: Bool
    public var footer: String?

    public struct Line: Codable, Sendable, Equatable {
        public var label: String
        public var value: String
        public init(_ label: String, _ value: String) { self.label = label; self.value = value }
    }

    public init(shop: String, branch: String, till: String, cashier: String, time: String, title: String,
                card: String? = nil, member: String? = nil, tier: String? = nil, lines: [Line] = [], total: String? = nil, tenders: [Line] = [],
                balance: String? = nil, pointsEarned: Int64? = nil, points: Int64? = nil, couponsUsed: [String] = [],
                op: String, link: String? = nil, opensDrawer: Bool = false, footer: String? = "谢谢惠顾，欢迎再次光临") {
        self.shop = shop; self.branch = branch; self.till = till; self.cashier = cashier; self.time = time; self.title = title
        self.card = card; self.member = member; self.tier = tier; self.lines = lines; self.total = total; self.tenders = tenders
        self.balance = balance; self.pointsEarned = pointsEarned; self.points = points; self.couponsUsed = couponsUsed
        self.op = op; self.link = link; self.opensDrawer = opensDrawer; self.footer = footer
    }

    /// A card number with all but its last four digits hidden: 6200000001 → ******0001.
    public static func mask(card: String) -> String {
        guard card.count > 4 else { return card }
        return String(repeating: "*", count: card.count - 4) + card.suffix(4)
    }
}

/// The paper: 58 mm rolls take 32 columns, 80 mm rolls 48 (a CJK character counts two).
public enum PaperWidth: Int, Sendable, Codable, CaseIterable {
    case mm58 = 58, mm80 = 80
    public var columns: Int { self == .mm58 ? 32 : 48 }
}

/// Lays a receipt out as ESC/POS bytes for one paper width and text encoding.
public struct ReceiptPrinter: Sendable {
    public var paper: PaperWidth
    public var encoding: PrinterEncoding

    public init(paper: PaperWidth = .mm58, encoding: PrinterEncoding = .gb18030) {
        self.paper = paper; self.encoding = encoding
    }

    /// The receipt's text lines as they will print (without styles), each at most `columns` wide.
    public func textLines(_ receipt: Receipt) -> [String] {
        body(receipt).compactMap { if case .text(let line, _) = $0 { line } else { nil } }
    }

    public func bytes(_ receipt: Receipt) -> [UInt8] {
        var out = ESCPOS.initialise
        if encoding != .utf8 { out += ESCPOS.chineseOn }
        for piece in body(receipt) {
            switch piece {
            case .text(let line, let style):
                out += ESCPOS.align(style.centred ? .centre : .left)
                if style.large { out += ESCPOS.size(width: 2, height: 2) }
                if style.bold { out += ESCPOS.bold(true) }
                out += encoding.encode(line) + ESCPOS.lineFeed
                if style.bold { out += ESCPOS.bold(false) }
                if style.large { out += ESCPOS.size(width: 1, height: 1) }
            case .qr(let link):
                out += ESCPOS.align(.centre) + ESCPOS.qrCode(Array(link.utf8)) + ESCPOS.lineFeed + ESCPOS.align(.left)
            }
        }
        out += ESCPOS.feed(3) + ESCPOS.partialCut
        if receipt.opensDrawer { out += ESCPOS.kickDrawer }
        return out
    }

    struct Style { var bold = false, large = false, centred = false }
    enum Piece { case text(String, Style), qr(String) }

    func body(_ r: Receipt) -> [Piece] {
        let columns = paper.columns
        let rule = String(repeating: "-", count: columns)
        func line(_ text: String, _ style: Style = Style()) -> [Piece] {
            // Double size halves the room on a line.
            DisplayWidth.wrap(DisplayWidth.printable(text), columns: style.large ? columns / 2 : columns).map { .text($0, style) }
        }
        func pair(_ label: String, _ value: String, bold: Bool = false) -> [Piece] {
            let label = DisplayWidth.printable(label), value = DisplayWidth.printable(value)
            // A value too wide to share the line goes under its label, right-aligned and wrapped.
            guard DisplayWidth.of(label) + 1 + DisplayWidth.of(value) > columns else {
                return [.text(DisplayWidth.spread(label, value, columns: columns), Style(bold: bold))]
            }
            return line(label, Style(bold: bold)) + DisplayWidth.wrap(value, columns: columns).map {
                .text(DisplayWidth.pad($0, to: columns, alignRight: true), Style(bold: bold))
            }
        }
        var pieces: [Piece] = []
        pieces += line(r.shop, Style(bold: true, large: true, centred: true))
        pieces += line(r.branch, Style(centred: true))
        pieces += line(r.title, Style(bold: true, centred: true))
        pieces += [.text(rule, Style())]
        pieces += pair("收银台", r.till) + pair("收银员", r.cashier) + pair("时间", r.time)
        if let card = r.card { pieces += pair("会员卡", Receipt.mask(card: card)) }
        if let member = r.member { pieces += pair("会员", member) }
        if let tier = r.tier, !tier.isEmpty { pieces += pair("等级", tier) }
        pieces += [.text(rule, Style())]
        for item in r.lines { pieces += pair(item.label, item.value) }
        if let total = r.total {
            pieces += [.text(DisplayWidth.spread("合计", total, columns: columns / 2), Style(bold: true, large: true))]
        }
        if !r.tenders.isEmpty {
            pieces += [.text(rule, Style())]
            for tender in r.tenders { pieces += pair(tender.label, tender.value, bold: true) }
        }
        for code in r.couponsUsed { pieces += pair("优惠券", code) }
        pieces += [.text(rule, Style())]
        if let balance = r.balance { pieces += pair("余额", balance, bold: true) }
        if let earned = r.pointsEarned, earned != 0 { pieces += pair("本次积分", "\(earned)") }
        if let points = r.points { pieces += pair("积分余额", "\(points)") }
        pieces += line("单号 " + r.op)
        if let link = r.link { pieces += [.qr(link)] + line("扫码查看会员账户", Style(centred: true)) }
        if let footer = r.footer { pieces += line(footer, Style(centred: true)) }
        return pieces
    }
}
