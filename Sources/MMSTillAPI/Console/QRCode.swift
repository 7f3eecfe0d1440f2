import Foundation

/// A QR code (ISO/IEC 18004) of a short text, drawn by the node itself so a page can show it
/// without a script or another site: one segment (numeric, alphanumeric or UTF-8 bytes, no ECI),
/// versions 1...40, the four correction levels, the mask chosen by the standard's penalty rules.
struct QRCode: Sendable {
    enum Correction: Sendable { case low, medium, quartile, high }
    enum Failure: Error { case tooLong }

    let version: Int
    /// 17 + 4 × version modules a side.
    let size: Int
    let mask: Int
    /// Row by row, `true` for a dark module.
    private let modules: [Bool]

    /// Picks the smallest version that holds `text` at `correction`; numeric mode when all digits,
    /// alphanumeric mode when every character is in the QR alphanumeric set, else byte mode (UTF-8).
    /// `mask`: nil picks the mask with the lowest penalty; 0...7 forces one (for tests).
    init(text: String, correction: Correction = .medium, mask: Int? = nil) throws {
        precondition(mask.map { (0...7).contains($0) } ?? true, "a QR mask is 0...7")
        let segment = Segment(Array(text.utf8))
        guard let version = (1...40).first(where: { segment.bitCount(version: $0) <= 8 * Self.dataCodewords(version: $0, correction) }) else {
            throw Failure.tooLong
        }
        let data = segment.codewords(version: version, capacity: Self.dataCodewords(version: version, correction))
        var grid = Grid(version: version)
        grid.place(Self.withErrorCorrection(data, version: version, correction))
        // Masks are scored before the format and version information are drawn (the standard's order
        // of steps, as segno does it), so those areas and the dark module count as light.
        let chosen = mask ?? (0...7).map { (mask: $0, penalty: grid.masked($0).penalty) }.min { $0.penalty < $1.penalty }!.mask
        var final = grid.masked(chosen)
        final.drawFormatAndVersion(correction: correction, mask: chosen)
        self.version = version
        self.size = final.size
        self.mask = chosen
        self.modules = final.dark
    }

    /// `x` is the column, `y` the row, from the top left; outside the symbol is the light quiet zone.
    func isDark(x: Int, y: Int) -> Bool {
        (0..<size).contains(x) && (0..<size).contains(y) && modules[y * size + x]
    }

    /// An SVG drawing of the code with a 4-module quiet zone, as one <path> of unit squares on a
    /// white square (the quiet zone must stay light on a dark page too); `label` goes in <title>
    /// and aria-label.
    func svg(pixelsPerModule: Int = 6, label: String) -> String {
        let side = size + 8
        var path = ""
        for y in 0..<size {
            for x in 0..<size where modules[y * size + x] { path += "M\(x + 4) \(y + 4)h1v1h-1z" }
        }
        let label = Self.escaped(label)
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(side * pixelsPerModule)" height="\(side * pixelsPerModule)" \
            viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges" role="img" aria-label="\(label)">\
            <title>\(label)</title><rect width="\(side)" height="\(side)" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }

    private static func escaped(_ text: String) -> String { PageSecurity.escaped(text) }

    // MARK: - Data encoding

    /// The text as one segment in the densest mode that holds all of it.
    private struct Segment {
        enum Mode { case numeric, alphanumeric, byte }
        let mode: Mode
        let bytes: [UInt8]

        static let alphanumericSet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".utf8)

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
            if bytes.allSatisfy({ (0x30...0x39).contains($0) }) {
                mode = .numeric
            } else if bytes.allSatisfy(Self.alphanumericSet.contains) {
                mode = .alphanumeric
            } else {
                mode = .byte
            }
        }

        /// The width of the character count grows at versions 10 and 27.
        func countBits(version: Int) -> Int {
            let band = version < 10 ? 0 : version < 27 ? 1 : 2
            switch mode {
            case .numeric: return [10, 12, 14][band]
            case .alphanumeric: return [9, 11, 13][band]
            case .byte: return [8, 16, 16][band]
            }
        }

        /// Mode indicator, count and data, before the terminator.
        func bitCount(version: Int) -> Int {
            let n = bytes.count
            let dataBits: Int
            switch mode {
            case .numeric: dataBits = 10 * (n / 3) + [0, 4, 7][n % 3]
            case .alphanumeric: dataBits = 11 * (n / 2) + 6 * (n % 2)
            case .byte: dataBits = 8 * n
            }
            return 4 + countBits(version: version) + dataBits
        }

        /// The data codewords: the segment, the terminator, zero bits to a byte, then 0xEC 0x11 … to `capacity`.
        func codewords(version: Int, capacity: Int) -> [UInt8] {
            var bits = BitBuffer()
            switch mode {
            case .numeric:
                bits.append(0b0001, 4)
                bits.append(bytes.count, countBits(version: version))
                for start in stride(from: 0, to: bytes.count, by: 3) {
                    let digits = bytes[start..<min(start + 3, bytes.count)]
                    bits.append(digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }, [0, 4, 7, 10][digits.count])
                }
            case .alphanumeric:
                bits.append(0b0010, 4)
                bits.append(bytes.count, countBits(version: version))
                let values = bytes.map { Self.alphanumericSet.firstIndex(of: $0)! }
                for start in stride(from: 0, to: values.count, by: 2) {
                    if start + 1 < values.count {
                        bits.append(values[start] * 45 + values[start + 1], 11)
                    } else {
                        bits.append(values[start], 6)
                    }
                }
            case .byte:
                bits.append(0b0100, 4)
                bits.append(bytes.count, countBits(version: version))
                for byte in bytes { bits.append(Int(byte), 8) }
            }
            bits.append(0, min(4, 8 * capacity - bits.count))
            bits.append(0, (8 - bits.count % 8) % 8)
            var result = bits.bytes
            for pad in 0..<capacity - result.count { result.append(pad % 2 == 0 ? 0xEC : 0x11) }
            return result
        }
    }

    private struct BitBuffer {
        private(set) var bits: [Bool] = []
        var count: Int { bits.count }

        mutating func append(_ value: Int, _ width: Int) {
            for i in stride(from: width - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) }
        }

        /// Whole bytes, most significant bit first (the count is a multiple of 8 by then).
        var bytes: [UInt8] {
            stride(from: 0, to: bits.count, by: 8).map { start in
                bits[start..<start + 8].reduce(0) { $0 << 1 | ($1 ? 1 : 0) }
            }
        }
    }

    // MARK: - Error correction

    /// ISO/IEC 18004 table 9, indexed by version (index 0 unused): error correction codewords per block…
    private static let eccPerBlock: [Correction: [Int]] = [
        .low: [0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        .medium: [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
        .quartile: [0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        .high: [0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
    ]
    /// … and the number of blocks.
    private static let blockCount: [Correction: [Int]] = [
        .low: [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
        .medium: [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
        .quartile: [0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
        .high: [0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
    ]

    /// Every codeword the symbol holds: all modules but the function patterns, format and version information.
    private static func totalCodewords(version: Int) -> Int {
        var modules = (16 * version + 128) * version + 64
        if version >= 2 {
            let alignments = version / 7 + 2
            modules -= (25 * alignments - 10) * alignments - 55
            if version >= 7 { modules -= 36 }
        }
        return modules / 8
    }

    private static func dataCodewords(version: Int, _ correction: Correction) -> Int {
        totalCodewords(version: version) - eccPerBlock[correction]![version] * blockCount[correction]![version]
    }

    /// Splits the data into blocks (the shorter ones first), adds each block's Reed–Solomon codewords,
    /// and interleaves: the data codewords column by column, then the error correction codewords.
    private static func withErrorCorrection(_ data: [UInt8], version: Int, _ correction: Correction) -> [UInt8] {
        let blocks = blockCount[correction]![version], eccLength = eccPerBlock[correction]![version]
        let shortLength = data.count / blocks, longBlocks = data.count % blocks
        let generator = ReedSolomon.generator(degree: eccLength)
        var dataBlocks: [ArraySlice<UInt8>] = []
        var start = 0
        for index in 0..<blocks {
            let length = shortLength + (index >= blocks - longBlocks ? 1 : 0)
            dataBlocks.append(data[start..<start + length])
            start += length
        }
        let eccBlocks = dataBlocks.map { ReedSolomon.remainder($0, generator) }
        var result: [UInt8] = []
        for column in 0...shortLength {
            for block in dataBlocks where column < block.count { result.append(block[block.startIndex + column]) }
        }
        for column in 0..<eccLength {
            for block in eccBlocks { result.append(block[column]) }
        }
        return result
    }

    /// Reed–Solomon over GF(256) with the polynomial x⁸ + x⁴ + x³ + x² + 1 (0x11D), generator roots α⁰ … αⁿ⁻¹.
    private enum ReedSolomon {
        static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
            var product = 0
            for bit in stride(from: 7, through: 0, by: -1) {
                product = (product << 1) ^ ((product >> 7) * 0x11D)
                product ^= ((Int(b) >> bit) & 1) * Int(a)
            }
            return UInt8(product)
        }

        /// The generator's coefficients, highest power first, without the leading 1.
        static func generator(degree: Int) -> [UInt8] {
            var coefficients = [UInt8](repeating: 0, count: degree)
            coefficients[degree - 1] = 1
            var root: UInt8 = 1
            for _ in 0..<degree {
                // Multiply by (x - root).
                for j in 0..<degree {
                    coefficients[j] = multiply(coefficients[j], root)
                    if j + 1 < degree { coefficients[j] ^= coefficients[j + 1] }
                }
                root = multiply(root, 2)
            }
            return coefficients
        }

        /// The remainder of data · xⁿ divided by the generator: the n error correction codewords.
        static func remainder(_ data: ArraySlice<UInt8>, _ generator: [UInt8]) -> [UInt8] {
            var remainder = [UInt8](repeating: 0, count: generator.count)
            for byte in data {
                let factor = byte ^ remainder.removeFirst()
                remainder.append(0)
                for i in remainder.indices { remainder[i] ^= multiply(generator[i], factor) }
            }
            return remainder
        }
    }

    // MARK: - The matrix

    private struct Grid {
        let version: Int
        let size: Int
        var dark: [Bool]
        /// Finder, separator, timing and alignment patterns, the dark module, format and version areas: not data, never masked.
        var isFunction: [Bool]

        init(version: Int) {
            self.version = version
            size = 17 + 4 * version
            dark = Array(repeating: false, count: size * size)
            isFunction = Array(repeating: false, count: size * size)
            for i in 0..<size {
                set(6, i, i % 2 == 0)
                set(i, 6, i % 2 == 0)
            }
            // Finders with their light separators: concentric squares, dark at distance 0, 1 and 3 from the centre.
            for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
                for dy in -4...4 {
                    for dx in -4...4 where (0..<size).contains(cx + dx) && (0..<size).contains(cy + dy) {
                        let distance = max(abs(dx), abs(dy))
                        set(cx + dx, cy + dy, distance != 2 && distance != 4)
                    }
                }
            }
            // Alignment patterns on every pair of centres, except the three that fall on finders.
            let centres = Self.alignmentCentres(version: version)
            for cx in centres {
                for cy in centres where !(cx == 6 && cy == 6) && !(cx == 6 && cy == size - 7) && !(cx == size - 7 && cy == 6) {
                    for dy in -2...2 {
                        for dx in -2...2 { set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1) }
                    }
                }
            }
            // Reserved, light until the mask is chosen (the timing patterns cross at 6).
            for i in 0...8 where i != 6 {
                set(8, i, false)
                set(i, 8, false)
            }
            for i in 0..<8 {
                set(size - 1 - i, 8, false)
                set(8, size - 1 - i, false)
            }
            if version >= 7 {
                for i in 0..<18 {
                    set(size - 11 + i % 3, i / 3, false)
                    set(i / 3, size - 11 + i % 3, false)
                }
            }
        }

        /// 6, then evenly spaced (by an even step) back from size - 7; none on version 1.
        static func alignmentCentres(version: Int) -> [Int] {
            guard version > 1 else { return [] }
            let count = version / 7 + 2
            let step = version == 32 ? 26 : (version * 4 + count * 2 + 1) / (count * 2 - 2) * 2
            let last = 17 + 4 * version - 7
            return [6] + (0..<count - 1).map { last - step * $0 }.reversed()
        }

        private mutating func set(_ x: Int, _ y: Int, _ isDark: Bool) {
            dark[y * size + x] = isDark
            isFunction[y * size + x] = true
        }

        /// The codeword bits, most significant first, in two-module columns zigzagging up and down
        /// from the bottom right, skipping the vertical timing column; leftover modules stay light.
        mutating func place(_ codewords: [UInt8]) {
            var bit = 0
            var right = size - 1
            while right >= 1 {
                if right == 6 { right = 5 }
                let upward = (right + 1) & 2 == 0
                for step in 0..<size {
                    let y = upward ? size - 1 - step : step
                    for x in [right, right - 1] where !isFunction[y * size + x] && bit < codewords.count * 8 {
                        dark[y * size + x] = (codewords[bit / 8] >> (7 - bit % 8)) & 1 == 1
                        bit += 1
                    }
                }
                right -= 2
            }
        }

        /// A copy with mask `pattern` applied to the data modules (x is the column, y the row).
        func masked(_ pattern: Int) -> Grid {
            var copy = self
            for y in 0..<size {
                for x in 0..<size where !isFunction[y * size + x] {
                    let flip: Bool
                    switch pattern {
                    case 0: flip = (x + y) % 2 == 0
                    case 1: flip = y % 2 == 0
                    case 2: flip = x % 3 == 0
                    case 3: flip = (x + y) % 3 == 0
                    case 4: flip = (y / 2 + x / 3) % 2 == 0
                    case 5: flip = x * y % 2 + x * y % 3 == 0
                    case 6: flip = (x * y % 2 + x * y % 3) % 2 == 0
                    default: flip = ((x + y) % 2 + x * y % 3) % 2 == 0
                    }
                    if flip { copy.dark[y * size + x].toggle() }
                }
            }
            return copy
        }

        /// Format information (level and mask, BCH(15,5) with 0x537, XOR 0x5412) twice, the dark module,
        /// and from version 7 the version number (BCH(18,6) with 0x1F25) twice.
        mutating func drawFormatAndVersion(correction: Correction, mask: Int) {
            let level = [Correction.low: 1, .medium: 0, .quartile: 3, .high: 2][correction]!
            let format = Self.bch(level << 3 | mask, generator: 0x537, degree: 10) ^ 0x5412
            func bit(_ value: Int, _ i: Int) -> Bool { (value >> i) & 1 == 1 }
            // Around the top-left finder: column 8 going down (skipping the timing row), then row 8 going left.
            for i in 0...5 { set(8, i, bit(format, i)) }
            set(8, 7, bit(format, 6))
            set(8, 8, bit(format, 7))
            set(7, 8, bit(format, 8))
            for i in 9..<15 { set(14 - i, 8, bit(format, i)) }
            // The copy: row 8 under the top-right finder, then column 8 beside the bottom-left one.
            for i in 0..<8 { set(size - 1 - i, 8, bit(format, i)) }
            for i in 8..<15 { set(8, size - 15 + i, bit(format, i)) }
            set(8, size - 8, true)
            guard version >= 7 else { return }
            let info = Self.bch(version, generator: 0x1F25, degree: 12)
            for i in 0..<18 {
                set(size - 11 + i % 3, i / 3, bit(info, i))
                set(i / 3, size - 11 + i % 3, bit(info, i))
            }
        }

        /// `data` followed by the remainder of its division by `generator` (a polynomial of `degree`) over GF(2).
        static func bch(_ data: Int, generator: Int, degree: Int) -> Int {
            var remainder = data
            for _ in 0..<degree { remainder = (remainder << 1) ^ ((remainder >> (degree - 1)) * generator) }
            return data << degree | remainder
        }

        // MARK: Penalty (ISO/IEC 18004 7.8.3: N1 = 3, N2 = 3, N3 = 40, N4 = 10)

        var penalty: Int {
            var score = 0
            for i in 0..<size {
                score += Self.linePenalty((0..<size).map { dark[i * size + $0] })
                score += Self.linePenalty((0..<size).map { dark[$0 * size + i] })
            }
            // N2: every 2×2 block of one colour (overlapping blocks each count).
            for y in 0..<size - 1 {
                for x in 0..<size - 1 {
                    let colour = dark[y * size + x]
                    if dark[y * size + x + 1] == colour && dark[(y + 1) * size + x] == colour && dark[(y + 1) * size + x + 1] == colour {
                        score += 3
                    }
                }
            }
            // N4: 10 for every full 5 % the dark share is away from 50 %.
            let darkCount = dark.filter { $0 }.count, total = size * size
            score += 10 * (abs(20 * darkCount - 10 * total) / total)
            return score
        }

        /// N1 and N3 along one row or column.
        private static let finderLike: [Bool] = [true, false, true, true, true, false, true]

        static func linePenalty(_ line: [Bool]) -> Int {
            var score = 0
            // N1: a run of 5 or more of one colour scores 3, plus 1 per module past 5.
            var runStart = 0
            for i in 1...line.count where i == line.count || line[i] != line[runStart] {
                if i - runStart >= 5 { score += i - runStart - 2 }
                runStart = i
            }
            // N3: dark-light-dark-dark-dark-light-dark with 4 light modules before or after it, each
            // occurrence counted (segno skips one that overlaps the last counted); beyond the edge is the quiet zone.
            func isLight(_ range: Range<Int>) -> Bool { range.allSatisfy { !line.indices.contains($0) || !line[$0] } }
            for start in 0...(line.count - 7) where line[start..<start + 7].elementsEqual(finderLike) {
                if isLight(start - 4..<start) || isLight(start + 7..<start + 11) { score += 40 }
            }
            return score
        }
    }
}
