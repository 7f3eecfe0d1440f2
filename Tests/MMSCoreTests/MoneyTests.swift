import MMSCore
import PropertyBased
import Testing

@Suite struct MoneyTests {
    @Test(arguments: [("100.00", 10_000), ("0.5", 50), ("30", 3_000), ("0.01", 1), ("12.30", 1_230)] as [(String, Int64)])
    func parsesAmounts(text: String, fen: Int64) {
        #expect(Money(parsing: text)?.fen == fen)
    }

    @Test(arguments: ["", "-1.00", "+1", "1.234", "1e3", "1,000.00", " 1.00", "1.", ".5", "abc", "１２", "1.0.0", "9999999999999999"])
    func refusesIllFormedAmounts(text: String) {
        #expect(Money(parsing: text) == nil)
    }

    @Test func printsTwoDecimals() {
        #expect(Money(fen: 7_000).description == "70.00")
        #expect(Money(fen: 5).description == "0.05")
        #expect(Money(fen: -50).description == "-0.50")
    }

    @Test func parseOfPrintIsIdentity() async {
        await propertyCheck(input: Gen.int64(in: 0...Limits.maxAmount.fen)) { fen in
            #expect(Money(parsing: Money(fen: fen).description)?.fen == fen)
        }
    }
}
