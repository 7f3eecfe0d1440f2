import Foundation

/// Latency samples of one measured loop.
public struct Timing: Codable, Sendable {
    public let count: Int
    public let seconds: Double
    public let perSecond: Double
    public let p50Micros: Double
    public let p99Micros: Double

    init(samples: [Double], total: Double, units: Int? = nil) {
        let sorted = samples.sorted()
        func pct(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1e6 }
        count = units ?? samples.count
        seconds = total
        perSecond = total > 0 ? Double(count) / total : 0
        p50Micros = pct(0.50)
        p99Micros = pct(0.99)
    }
}

/// Times `body` `count` times, one sample per call.
func measure(_ count: Int, unitsPerCall: Int = 1, _ body: (Int) throws -> Void) rethrows -> Timing {
    var samples: [Double] = []
    samples.reserveCapacity(count)
    let start = DispatchTime.now().uptimeNanoseconds
    for i in 0..<count {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try body(i)
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    let total = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return Timing(samples: samples, total: total, units: count * unitsPerCall)
}

func elapsed(_ body: () throws -> Void) rethrows -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
}

func temporaryDirectory(_ name: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mms-bench-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}
