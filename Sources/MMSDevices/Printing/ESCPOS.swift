/// ESC/POS commands as bytes: the one place that knows the printer's command language. A receipt
/// is built from these; `ESCPOSDecoder` reads them back for `mms printer serve`.
public enum ESCPOS {
    public static let initialise: [UInt8] = [0x1B, 0x40]
    /// `FS &`: Chinese (double-byte) mode, so the printer reads GB18030/GBK text as characters.
    public static let chineseOn: [UInt8] = [0x1C, 0x26]
    public static let chineseOff: [UInt8] = [0x1C, 0x2E]
    public static func bold(_ on: Bool) -> [UInt8] { [0x1B, 0x45, on ? 1 : 0] }
    /// `GS !`: character size, 1–8 times wide and high.
    public static func size(width: Int, height: Int) -> [UInt8] {
        precondition((1...8).contains(width) && (1...8).contains(height), "ESC/POS sizes are 1–8")
        return [0x1D, 0x21, UInt8((width - 1) << 4 | (height - 1))]
    }
    public enum Alignment: UInt8, Sendable { case left = 0, centre = 1, right = 2 }
    public static func align(_ alignment: Alignment) -> [UInt8] { [0x1B, 0x61, alignment.rawValue] }
    public static let lineFeed: [UInt8] = [0x0A]
    /// `ESC d n`: feed n lines.
    public static func feed(_ lines: UInt8) -> [UInt8] { [0x1B, 0x64, lines] }
    /// `GS V 66 0`: feed to the cutter, then cut leaving a hinge (partial cut).
    public static let partialCut: [UInt8] = [0x1D, 0x56, 0x42, 0x00]
    /// `ESC p`: a pulse on the cash drawer's pin 2 (about 100 ms on, 100 ms off).
    public static let kickDrawer: [UInt8] = [0x1B, 0x70, 0x00, 0x32, 0x32]
    /// `DLE EOT 4`: ask for the paper-roll status (one byte back, where the printer answers).
    public static let askPaperStatus: [UInt8] = [0x10, 0x04, 0x04]
    /// `DLE EOT 1`: ask for the printer status (online or offline).
    public static let askPrinterStatus: [UInt8] = [0x10, 0x04, 0x01]

    /// A QR code, model 2, of `data` (`GS ( k`): select the model, the module size, the error
    /// level, store the data, print it.
    public static func qrCode(_ data: [UInt8], moduleSize: UInt8 = 6) -> [UInt8] {
        precondition(data.count + 3 <= 0xFFFF, "a QR code holds less than 64 KiB")
        let stored = data.count + 3
        return [0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]      // model 2
            + [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, moduleSize]       // module size
            + [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31]             // error level M
            + [0x1D, 0x28, 0x6B, UInt8(stored & 0xFF), UInt8(stored >> 8), 0x31, 0x50, 0x30] + data
            + [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]             // print
    }

    /// What a printer's reply to `DLE EOT 4` says about the paper.
    public enum Paper: String, Sendable, Codable { case ok, nearEnd = "near_end", out }
    public static func paper(fromStatus byte: UInt8) -> Paper {
        if byte & 0x60 != 0 { return .out }
        if byte & 0x0C != 0 { return .nearEnd }
        return .ok
    }
}
