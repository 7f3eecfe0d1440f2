import Foundation
import MMSCore
import MMSTopology
import Testing
@testable import MMSTillAPI

/// The console's program form: every part of a program as fields and back, edits and faults.
@Suite struct ProgramFormTests {
    static let demo: Program = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../programs/demo.toml").standardized.path
        return try! ProgramFile.load(path: path)
    }()

    /// The demo program, shown as the form and posted back untouched, is the same program: no
    /// part the form shows loses or changes a rule on its way through.
    @Test func theFormCarriesEveryRuleOfTheProgram() throws {
        var fields = ProgramForm.fields(of: Self.demo)
        fields["csrf"] = "x"; fields["version"] = "1"
        let back = try ProgramForm.program(Program(), editedBy: fields)
        #expect(back.canonicalJSON() == Self.demo.canonicalJSON())
        #expect(ProgramForm.changes(from: Self.demo, to: back).isEmpty)
    }

    /// The reminders' words: each kind shown with the words it is sent with, the program's or the
    /// default; a changed one kept, a cleared one the default again, an unknown field refused, and
    /// a form from before the part existed leaves them as they were.
    @Test func theRemindersWordsAreEditedOnTheForm() throws {
        var withMessages = Self.demo
        withMessages.messages = ["birthday": "{name}，生日快乐"]
        var fields = ProgramForm.fields(of: withMessages)
        #expect(fields["message_rows"] == String(MessageKind.allCases.count))
        #expect(fields["message_text_0"] == "{name}，生日快乐" && fields["message_text_1"] == MessageKind.expiry.defaultTemplate)
        #expect(try ProgramForm.program(withMessages, editedBy: fields).messages == withMessages.messages)
        fields["message_text_0"] = ""
        fields["message_text_6"] = "{name}您好，\r\n余额仅剩{balance}元。\r\n"
        let edited = try ProgramForm.program(withMessages, editedBy: fields)
        #expect(edited.messages == ["low_balance": "{name}您好，\n余额仅剩{balance}元。"], "\(edited.messages)")
        // Posted back as the browser sends it (CRLF), a message of several lines is no change.
        var posted = ProgramForm.fields(of: edited)
        posted["message_text_6"] = posted["message_text_6"]?.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(ProgramForm.changes(from: edited, to: try ProgramForm.program(edited, editedBy: posted)).isEmpty)
        #expect(ProgramForm.changes(from: withMessages, to: edited) == ["提醒消息"])
        fields["message_text_3"] = "{nme}，次卡将用完"
        let unknown = try #require(throws: MMSError.self) { try ProgramForm.program(withMessages, editedBy: fields) }
        #expect(unknown.code == .invalidArgument && unknown.message.contains("{nme}"), "\(unknown.message)")
        // A forged kind is no kind; a kind twice is refused; a kind left out keeps its words.
        fields = ProgramForm.fields(of: withMessages)
        fields["message_kind_2"] = "sms_everyone"
        #expect(throws: MMSError.self) { try ProgramForm.program(withMessages, editedBy: fields) }
        fields["message_kind_2"] = "birthday"
        #expect(throws: MMSError.self) { try ProgramForm.program(withMessages, editedBy: fields) }
        fields = ProgramForm.fields(of: withMessages)
        fields["message_rows"] = "0"
        #expect(try ProgramForm.program(withMessages, editedBy: fields).messages == withMessages.messages)
        fields = ProgramForm.fields(of: withMessages).filter { !$0.key.hasPrefix("message_") }
        #expect(try ProgramForm.program(withMessages, editedBy: fields).messages == withMessages.messages)
    }

    /// A new coupon template on the empty row, a campaign giving it, a card product removed:
    /// one change, named by the parts it touches.
    @Test func rowsAreAddedAndRemoved() throws {
        var fields = ProgramForm.fields(of: Self.demo)
        let row = Self.demo.couponTemplates.count
        fields["coupon_template_id_\(row)"] = "CP-TEA"; fields["coupon_template_title_\(row)"] = "下午茶券"
        fields["coupon_template_value_\(row)"] = "15.00"; fields["coupon_template_weekdays_excluded_\(row)"] = "6，7"
        let campaign = Self.demo.campaigns.count
        fields["campaign_id_\(campaign)"] = "tea-gold"; fields["campaign_name_\(campaign)"] = "金卡下午茶"
        fields["campaign_coupon_\(campaign)"] = "CP-TEA"; fields["campaign_tiers_\(campaign)"] = "gold, platinum"
        fields["card_product_id_1"] = ""
        let edited = try ProgramForm.program(Self.demo, editedBy: fields)
        let tea = try #require(edited.couponTemplate("CP-TEA"))
        #expect(tea.kind == .amountOff && tea.value == Money(fen: 1_500) && tea.weekdaysExcluded == [6, 7]
                && tea.validDays == CouponTemplate.defaultValidDays && tea.perMemberLimit == CouponTemplate.defaultPerMemberLimit)
        #expect(edited.campaign("tea-gold")?.segment.tiers == [.gold, .platinum])
        #expect(edited.cardProducts.map(\.id) == Self.demo.cardProducts.map(\.id).enumerated().filter { $0.offset != 1 }.map(\.element))
        #expect(ProgramForm.changes(from: Self.demo, to: edited) == ["卡种", "优惠券模板", "营销活动"])
    }

    /// A typo names its part, row and column; a broken reference is the program's own refusal.
    @Test func faultsNameWhereTheyAre() throws {
        var fields = ProgramForm.fields(of: Self.demo)
        fields["coupon_template_value_0"] = "2O.00"
        let typo = try #require(throws: MMSError.self) { try ProgramForm.program(Self.demo, editedBy: fields) }
        #expect(typo.code == .invalidArgument && typo.message.contains("优惠券模板第 1 行") && typo.message.contains("面值"))
        fields = ProgramForm.fields(of: Self.demo)
        fields["campaign_coupon_0"] = "CP-NONE"
        let reference = try #require(throws: MMSError.self) { try ProgramForm.program(Self.demo, editedBy: fields) }
        #expect(reference.code == .invalidArgument && reference.message.contains("CP-NONE"))
        fields = ProgramForm.fields(of: Self.demo)
        fields["tier_rows"] = "100000"
        #expect(throws: MMSError.self) { try ProgramForm.program(Self.demo, editedBy: fields) }
    }

    /// A program at the limits of a list (500 coupon templates) goes through the form and back, and
    /// its form fits the body the program's page takes.
    @Test func aLargeProgramFitsItsForm() throws {
        var program = Self.demo
        program.couponTemplates += (1...(Program.maxEntries - program.couponTemplates.count)).map { n in
            CouponTemplate(id: "CP-LARGE-\(n)", title: "满\(n)减5", kind: .amountOff, value: Money(fen: 500), percent: nil, minSpend: Money(fen: Int64(n) * 100),
                           validDays: 30, weekdaysExcluded: [6, 7], skus: ["SV-001"], categories: [], branches: ["branch-1"], tiers: [.gold], perMemberLimit: 2, transferable: true)
        }
        try program.validate()
        let fields = ProgramForm.fields(of: program)
        let posted = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        #expect(posted.utf8.count < TillAPI.Limits.maxProgramFormBytes, "\(posted.utf8.count) bytes")
        #expect(try ProgramForm.program(program, editedBy: fields) == { var p = program; p.messages = program.messages; return p }())
    }
}
