import Foundation
import MMSCore
import Testing
@testable import MMSNode
@testable import MMSTillAPI

/// The console in English: every phrase it writes has its English, the templates' markup is
/// untouched by the translation, and a program form's fault is told in the reader's language.
@Suite struct LanguageTests {
    /// Every Chinese run of every console template has its English, and the English templates
    /// hold no Chinese at all (the member's page is Chinese only and is not compiled in English).
    @Test func everyTemplateOfTheConsoleHasItsEnglish() {
        #expect(Templates.compiled.untranslated.isEmpty, "\(Templates.compiled.untranslated)")
        for (name, source) in Templates.sources where !name.hasPrefix("member-") {
            var missing: [String] = []
            let english = English.translate(source, missing: &missing)
            #expect(!english.unicodeScalars.contains(where: English.isChinese), "\(name): \(english)")
            // The markup is the Chinese template's: the same tags, the same mustache.
            #expect(Self.markup(english) == Self.markup(source), "\(name)")
        }
    }

    /// Every Chinese string the console's Swift writes (titles, messages, labels, the program
    /// form's parts) is a phrase with English; only the member's page's own strings are not.
    @Test func everyPhraseTheConsoleWritesHasItsEnglish() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/MMSTillAPI/Console").standardized
        let memberPageOnly: Set = ["会员码", "\\($0) 到期", "长期有效", ",，、"]
        var untranslated: [String] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where !["Templates.swift", "Language.swift"].contains(file) {
            for line in try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8).split(separator: "\n")
            where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                for literal in line.matches(of: /"((?:[^"\\]|\\.)*)"/).map({ String($0.output.1) })
                where literal.unicodeScalars.contains(where: English.isChinese) && !memberPageOnly.contains(literal) && English.phrases[literal] == nil {
                    untranslated.append("\(file): \(literal)")
                }
            }
        }
        #expect(untranslated.isEmpty, "\(untranslated)")
        // The names the node's reports give the RFM segments, and the tables the pages read.
        let tables = MemberSegments.rfm.map(\.name) + TillAPI.tierNames.values + TillAPI.kindNames.values + TillAPI.reasons.values
            + TillAPI.cardActions.values.flatMap { [$0.name, $0.warning] }
        #expect(tables.filter { English.phrases[$0] == nil }.isEmpty)
        // The program form's every title, note, label and choice (its values are the program's: a reminder's words are Chinese).
        let form = ProgramForm.values(ProgramForm.fields(of: Program()), in: .english)
        let words = form.flatMap { part -> [Any] in
            let cells = (part["rows"] as? [[String: Any]] ?? []).flatMap { $0["cells"] as? [[String: Any]] ?? [] }
            return [part["title"] ?? "", part["note"] ?? ""] + cells.flatMap { cell -> [Any] in
                [cell["label"] ?? "", cell["shown"] ?? "", cell["placeholder"] ?? ""] + (cell["options"] as? [[String: Any]] ?? []).map { $0["label"] ?? "" }
            }
        }.map { "\($0)" }
        #expect(words.count > 100 && words.filter { $0.unicodeScalars.contains(where: English.isChinese) }.isEmpty, "\(words)")
    }

    @Test func aPhraseIsLookedUpWholeAndItsSpacesKept() {
        var missing: [String] = []
        #expect(English.translate(#"<p title="会员照片">{{name}} · 会员号 {{id}}</p>"#, missing: &missing) == #"<p title="Member's photo">{{name}} · member no. {{id}}</p>"#)
        #expect(English.translate("<b>已保存为第 {{v}} 版，正在同步到各门店。</b>", missing: &missing) == "<b>Saved as version {{v}}, on its way to every branch.</b>")
        #expect(missing.isEmpty)
        _ = English.translate("<p>没有这个短语</p>", missing: &missing)
        #expect(missing == ["没有这个短语"])
        #expect(Language.english("已添加员工 %@", "m02") == "Operator m02 added" && Language.chinese("已添加员工 %@", "m02") == "已添加员工 m02")
        #expect(Language.english("an English message the rules wrote") == "an English message the rules wrote")
        #expect(Language.english("收银台 %@ 的令牌（只显示这一次，请配置到收银台）：%@", "till-%@", "t.1") == "Till till-%@'s token (shown this once: set it on the till): t.1")
    }

    /// A typo on the program's form is named in the reader's language, at the same part, row and column.
    @Test func aProgramFaultIsToldInTheReadersLanguage() throws {
        var fields = ProgramForm.fields(of: ProgramFormTests.demo)
        fields["coupon_template_value_0"] = "2O.00"
        let english = try #require(throws: MMSError.self) { try ProgramForm.program(ProgramFormTests.demo, editedBy: fields, in: .english) }
        #expect(english.message == "Coupon templates, row 1: Value ¥ must be an amount, such as 20.00: “2O.00”.", "\(english.message)")
        let chinese = try #require(throws: MMSError.self) { try ProgramForm.program(ProgramFormTests.demo, editedBy: fields, in: .chinese) }
        #expect(chinese.message == "优惠券模板第 1 行：面值 ¥须为金额，如 20.00：“2O.00”。", "\(chinese.message)")
        #expect(english.details == chinese.details)
    }

    /// The language switch goes back to the console page it was chosen on, and nowhere else.
    @Test func theSwitchGoesBackToTheConsolePageOnly() {
        #expect(TillAPI.consolePage(back: "/console/reports?from=2026-11-01&to=2026-11-30") == "/console/reports?from=2026-11-01&to=2026-11-30")
        #expect(TillAPI.consolePage(back: "/console/members/m-1") == "/console/members/m-1")
        for elsewhere in ["https://elsewhere.example/console", "//elsewhere.example/console", "/m", "javascript:alert(1)", "", "/consolation", "/console-elsewhere",
                          "/console/../m", "/console/%2e%2e/m"] {
            #expect(TillAPI.consolePage(back: elsewhere) == "/console", "\(elsewhere)")
        }
        #expect(TillAPI.consolePage(back: nil) == "/console")
        // The page's switch names the page it is on.
        let page = Templates.render("console-home", ["back": "/console/reports?from=2026-11-01"], in: .chinese)
        #expect(page.contains(#"href="/console/language?to=en&amp;back=/console/reports%3Ffrom%3D2026-11-01""#), "\(page)")
        #expect(Templates.render("console-home", [:], in: .english).contains(#"<html lang="en">"#))
    }

    /// A template's tags and mustache, in order: what the translation must leave as it was.
    static func markup(_ template: String) -> [String] {
        template.matches(of: /<[^>]*>|\{\{[^}]*\}\}/).map { String($0.output) }.map { tag in
            // An attribute's value may be a phrase (alt, aria-label): the tag's shape is what stays.
            tag.replacing(/"[^"]*"/, with: "\"\"")
        }
    }
}
