import Foundation

/// Charts drawn on the server as SVG, inline in the page: no script, nothing fetched. A bar chart
/// is enough for every report the console shows (a series over days or hours, a mix of groups).
enum Charts {
    struct Bar: Sendable {
        let label: String
        let value: Double
        /// What the bar's tooltip and the screen reader say (the figure as the report prints it).
        let text: String
    }

    /// Vertical bars, one per value, labelled below (every `labelEvery`-th, so thirty days stay
    /// readable), the largest value marked on the axis. Negative values draw as zero-height bars.
    static func bars(_ bars: [Bar], title: String, language: Language, labelEvery: Int = 1, width: Int = 720, height: Int = 220) -> String {
        let top = 24.0, bottom = 36.0, left = 8.0, right = 8.0
        let plotWidth = Double(width) - left - right, plotHeight = Double(height) - top - bottom
        let largest = max(bars.map(\.value).max() ?? 0, 0)
        let slot = bars.isEmpty ? plotWidth : plotWidth / Double(bars.count), barWidth = min(max(slot * 0.7, 1), 48)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 \(width) \(height)" role="img" aria-label="\(escaped(title))">\
            <title>\(escaped(title))</title>\
            <line x1="\(left)" y1="\(top + plotHeight)" x2="\(Double(width) - right)" y2="\(top + plotHeight)" stroke="#8a96a3"/>\
            <text x="\(left)" y="14" font-size="12" fill="#5a6675">\(escaped(title))\(largest > 0 ? escaped(language("（最高 %@）", bars.first { $0.value == largest }!.text)) : "")</text>
            """
        for (index, bar) in bars.enumerated() {
            let h = largest > 0 ? max(bar.value, 0) / largest * plotHeight : 0
            let x = left + Double(index) * slot + (slot - barWidth) / 2
            svg += "<rect x=\"\(format(x))\" y=\"\(format(top + plotHeight - h))\" width=\"\(format(barWidth))\" height=\"\(format(h))\" fill=\"#1f6feb\">"
            svg += "<title>\(escaped(bar.label)) \(escaped(bar.text))</title></rect>"
            if index % max(labelEvery, 1) == 0 {
                svg += "<text x=\"\(format(x + barWidth / 2))\" y=\"\(format(top + plotHeight + 16))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#1d2430\">\(escaped(bar.label))</text>"
            }
        }
        return svg + "</svg>"
    }

    private static func format(_ value: Double) -> String { String(format: "%.1f", value) }
    private static func escaped(_ text: String) -> String { PageSecurity.escaped(text) }
}
