import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The character set a printer expects for text. GB18030 is the default (a superset of GBK and
/// GB2312, so every Chinese name can be printed); some printers want GBK or UTF-8 instead.
public enum PrinterEncoding: String, Sendable, CaseIterable, Codable {
    case gb18030, gbk, utf8 = "utf-8"

    var iconvName: String {
        switch self {
        case .gb18030: "GB18030"
        case .gbk: "GBK"
        case .utf8: "UTF-8"
        }
    }

    /// `text` in this encoding; a character the encoding lacks becomes `?` (GBK only; GB18030
    /// covers all of Unicode).
    public func encode(_ text: String) -> [UInt8] {
        if self == .utf8 { return Array(text.utf8) }
        var out: [UInt8] = []
        for character in text {
            let bytes = Self.convert(Array(String(character).utf8), from: "UTF-8", to: iconvName)
            out += bytes ?? Array("?".utf8)
        }
        return out
    }

    /// `bytes` in this encoding as a string, or nil where they are not valid in it.
    public func decode(_ bytes: [UInt8]) -> String? {
        if self == .utf8 { return String(validating: bytes, as: UTF8.self) }
        return Self.convert(bytes, from: iconvName, to: "UTF-8").flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// One conversion through glibc's iconv; nil when the input is not valid in `from`.
    static func convert(_ input: [UInt8], from: String, to: String) -> [UInt8]? {
        let cd = iconv_open(to, from)
        guard cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        var source = input.map { CChar(bitPattern: $0) }
        var target = [CChar](repeating: 0, count: input.count * 4 + 8)
        var inLeft = source.count
        var outLeft = target.count
        let status = source.withUnsafeMutableBufferPointer { sourceBuffer in
            target.withUnsafeMutableBufferPointer { targetBuffer in
                var inPointer = sourceBuffer.baseAddress
                var outPointer = targetBuffer.baseAddress
                return iconv(cd, &inPointer, &inLeft, &outPointer, &outLeft)
            }
        }
        guard status != -1, inLeft == 0 else { return nil }
        return target[0..<(target.count - outLeft)].map { UInt8(bitPattern: $0) }
    }
}
