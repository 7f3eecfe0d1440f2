import Testing
@testable import MMSTillAPI

/// The QR encoder against matrices made by reference encoders: every module, the version and the
/// chosen mask, plus the limit and the SVG's escaping.
@Suite struct QRCodeTests {
    private func expectMatrix(_ text: String, _ correction: QRCode.Correction, version: Int, mask: Int, rows: [String],
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let code = try QRCode(text: text, correction: correction)
        #expect(code.version == version && code.size == 17 + 4 * version && code.mask == mask, "version, size, mask", sourceLocation: sourceLocation)
        try #require(rows.count == code.size, "reference rows", sourceLocation: sourceLocation)
        for (y, row) in rows.enumerated() {
            let drawn = String((0..<code.size).map { code.isDark(x: $0, y: y) ? "1" : "0" })
            #expect(drawn == row, "row \(y)", sourceLocation: sourceLocation)
        }
    }

    @Test func alphanumericVersion2Medium() throws {
        try expectMatrix("MC6200000001.29412345.3F9A2C7B11D04E5A", .medium, version: 2, mask: 0, rows: Self.alphanumericVersion2Medium)
    }

    @Test func chineseBytesVersion2Low() throws {
        try expectMatrix("会员卡余额查询二维码", .low, version: 2, mask: 2, rows: Self.chineseBytesVersion2Low)
    }

    @Test func numericVersion1High() throws {
        try expectMatrix("6200000001", .high, version: 1, mask: 0, rows: Self.numericVersion1High)
    }

    @Test func alphanumericVersion7Quartile() throws {
        try expectMatrix("MC6200000001.29412345.3F9A2C7B11D04E5A/MC6200000002.29412346.0B7E91D2C4A85F36/MC6200000003.29412347.77D0A1E5B93C2F4", .quartile, version: 7, mask: 0, rows: Self.alphanumericVersion7Quartile)
    }

    @Test func textTooLongForVersion40Throws() throws {
        // 2953 bytes is byte mode's limit at 40-L.
        #expect(try QRCode(text: String(repeating: "a", count: 2953), correction: .low).version == 40)
        #expect(throws: QRCode.Failure.tooLong) { try QRCode(text: String(repeating: "a", count: 2954), correction: .low) }
        #expect(throws: QRCode.Failure.tooLong) { try QRCode(text: String(repeating: "会", count: 425), correction: .high) }
    }

    @Test func svgHasTheQuietZoneAndEscapesTheLabel() throws {
        let code = try QRCode(text: "HELLO WORLD", correction: .quartile)
        let svg = code.svg(pixelsPerModule: 8, label: "Pay \"A&B\" <now>")
        #expect(svg.contains(#"viewBox="0 0 29 29""#), "\(svg)")
        #expect(svg.contains(#"width="232" height="232""#), "\(svg)")
        #expect(svg.contains("<title>Pay &quot;A&amp;B&quot; &lt;now&gt;</title>"), "\(svg)")
        #expect(svg.contains(#"aria-label="Pay &quot;A&amp;B&quot; &lt;now&gt;""#), "\(svg)")
        #expect(!svg.contains("<now>"))
        #expect(!svg.contains("\"A&B\""))
        let darkModules = (0..<code.size).flatMap { y in (0..<code.size).filter { code.isDark(x: $0, y: y) } }.count
        #expect(svg.components(separatedBy: "h1v1h-1z").count - 1 == darkModules)
    }

    // MARK: - Reference matrices, row by row from the top, "1" dark

    /// From segno 1.6.6: `segno.make('MC6200000001.29412345.3F9A2C7B11D04E5A', error='m', mode='alphanumeric', boost_error=False, micro=False)` (mask 0, which segno also chose).
    static let alphanumericVersion2Medium: [String] = [
        "1111111001011100101111111",
        "1000001010011010101000001",
        "1011101001110000101011101",
        "1011101001010101101011101",
        "1011101010010111101011101",
        "1000001000001110001000001",
        "1111111010101010101111111",
        "0000000001111001100000000",
        "1010101000000000100010010",
        "1110110000100101100111011",
        "1100101001010001101110101",
        "0110000110010110010011011",
        "0100001110101010110100101",
        "0011000110111011110101011",
        "1010011110111010110010100",
        "0100010000000100110101011",
        "1000111111110010111110110",
        "0000000011100110100011001",
        "1111111001001100101010101",
        "1000001001111111100011001",
        "1011101010001110111110101",
        "1011101001010100011101000",
        "1011101010110000101010101",
        "1000001000110000110101011",
        "1111111011000011000010101",
    ]

    /// From segno 1.6.6: `segno.make('会员卡余额查询二维码', error='l', mode='byte', encoding='utf-8', boost_error=False, micro=False)` (mask 2, which segno also chose),
    /// with segno's padding fixed as in segno issue #148: 1.6.6 inserts a stray 0x00 data codeword when
    /// the bit stream ends on a byte boundary, as it always does in byte mode. python-qrcode 8.2 with
    /// mask_pattern=2 gives the same matrix.
    static let chineseBytesVersion2Low: [String] = [
        "1111111001001000001111111",
        "1000001011011010101000001",
        "1011101001101110101011101",
        "1011101011001110101011101",
        "1011101000011101001011101",
        "1000001010110000001000001",
        "1111111010101010101111111",
        "0000000000010100100000000",
        "1111101111101101010101010",
        "1111000011010100100111111",
        "1101011001011110111101100",
        "1001100001100111101000101",
        "1001101111000100100011110",
        "1001110011111001010010010",
        "1001001101010100010100000",
        "1011000100111100011111101",
        "1011101001010111111110011",
        "0000000011011001100011000",
        "1111111011110010101010010",
        "1000001001010101100011100",
        "1011101011001100111110010",
        "1011101010010110000001111",
        "1011101011111101111011001",
        "1000001011000101100100101",
        "1111111011111000111101111",
    ]

    /// From segno 1.6.6: `segno.make('6200000001', error='h', mode='numeric', boost_error=False, micro=False)` (mask 0, which segno also chose).
    static let numericVersion1High: [String] = [
        "111111101101101111111",
        "100000100100001000001",
        "101110100101101011101",
        "101110101100101011101",
        "101110100110101011101",
        "100000100111001000001",
        "111111101010101111111",
        "000000000111100000000",
        "001011101000110001001",
        "010001000100111001010",
        "011101111001110010110",
        "110011011101111001011",
        "000101110011111010111",
        "000000001100100101011",
        "111111100111010100100",
        "100000101011000111011",
        "101110101000010100101",
        "101110100010001101010",
        "101110101011111010101",
        "100000100110110101000",
        "111111100101000011101",
    ]

    /// From segno 1.6.6: `segno.make('MC6200000001.29412345.3F9A2C7B11D04E5A/MC6200000002.29412346.0B7E91D2C4A85F36/MC6200000003.29412347.77D0A1E5B93C2F4', error='q', mode='alphanumeric', boost_error=False, micro=False)` (mask 0, which segno also chose).
    static let alphanumericVersion7Quartile: [String] = [
        "111111101001001001010111000010011000101111111",
        "100000101101111011110010100100001001001000001",
        "101110101001011001111010010111101101001011101",
        "101110101010000111011110011101001101101011101",
        "101110101101111100111111110110000011101011101",
        "100000100110100010011000110000001100001000001",
        "111111101010101010101010101010101010101111111",
        "000000001100100100001000100001110011100000000",
        "011010110101011101111111110010100010101011111",
        "001010010101001000111001000000101111010101111",
        "111110111001010110100011011100111010101010101",
        "101111000101010100110000010010000001010110111",
        "011101111110011000011000011100111000111101000",
        "011110000010001001111111110110100110111011010",
        "010100111111111111011101101000110110111110111",
        "100110010111110000101000010011100100110101011",
        "110100111111010110100010000100101010101010111",
        "111001010111010011011000000111110101010101001",
        "101110110001101101100011101011000010101011000",
        "001011000011000110011101110001011001010010000",
        "100011111100001001011111111011101110111110100",
        "110010001110101111001000110001001101100010110",
        "111110101111110000111010111011111110101010010",
        "011010001111101011101000101001001100100011100",
        "100011111000111011101111111110101011111110000",
        "010101001000000100101100110110110101010011010",
        "110001110000011101000000100000101011111100001",
        "111010001010100001001010111011010000101000110",
        "101110101011101000110111001101101111001010101",
        "110100010100111001111100101001110010010001010",
        "111110110111001011100010111110101100001100000",
        "000000010010011011101110101000000001010111000",
        "101001110000110100001001110111101000101100110",
        "100011000010001011010100011101110001110111111",
        "000010110101001010111011100000011000111011001",
        "011110000111010100011110100010011101010001000",
        "100110111100000100001111111010111110111110010",
        "000000001001011111001000110100100101100011000",
        "111111101001111011011010110110001010101010101",
        "100000100100101101111000110101010101100011000",
        "101110101010010110001111101000001010111110101",
        "101110100111110100010001000100100101010110101",
        "101110101110111000001101011100101010101011001",
        "100000101100011010100011111100100110110110011",
        "111111100000010111101000001100001011001010001",
    ]
}
