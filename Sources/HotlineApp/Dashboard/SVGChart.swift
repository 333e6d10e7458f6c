import Foundation
import HotlineCore

/// Charts drawn by the server as SVG (no chart library in the browser): every value is also text
/// in the markup, so screen readers and tests read the numbers, and each chart has a title.
enum SVGChart {
    /// One named series of values (nil: nothing to count that period).
    struct Series {
        var name: String
        var values: [Double?]
    }

    static let colors = ["#1f6feb", "#d9480f", "#2b8a3e", "#862e9c", "#e8590c", "#0b7285", "#5c940d", "#c2255c", "#495057", "#364fc7"]

    static func escape(_ s: String) -> String { XMLText.escape(s) }

    static func number(_ v: Double, unit: String) -> String {
        unit == "%" ? String(format: "%.1f%%", v) : String(Int(v.rounded()))
    }

    /// Lines over periods (e.g. the three rates by month), 0…`maxValue`.
    static func line(title: String, labels: [String], series: [Series], maxValue: Double = 100, unit: String = "%") -> String {
        let (w, h, left, bottom, top) = (640.0, 260.0, 44.0, 40.0, 16.0)
        let plotW = w - left - 16, plotH = h - bottom - top
        let step = labels.count > 1 ? plotW / Double(labels.count - 1) : 0
        func x(_ i: Int) -> Double { left + Double(i) * step }
        func y(_ v: Double) -> Double { top + plotH * (1 - min(max(v / maxValue, 0), 1)) }
        var out = "<svg class=\"chart\" viewBox=\"0 0 \(Int(w)) \(Int(h + 20.0 * Double(series.count)))\" role=\"img\" aria-label=\"\(escape(title))\">"
        out += "<title>\(escape(title))</title>"
        for g in stride(from: 0.0, through: maxValue, by: maxValue / 4) {
            out += "<line class=\"grid\" x1=\"\(left)\" x2=\"\(w - 16)\" y1=\"\(y(g))\" y2=\"\(y(g))\"/>"
            out += "<text class=\"axis\" x=\"\(left - 6)\" y=\"\(y(g) + 4)\" text-anchor=\"end\">\(number(g, unit: unit))</text>"
        }
        for (i, l) in labels.enumerated() {
            out += "<text class=\"axis\" x=\"\(x(i))\" y=\"\(h - bottom + 18)\" text-anchor=\"middle\">\(escape(l))</text>"
        }
        for (k, s) in series.enumerated() {
            let color = colors[k % colors.count]
            let points = s.values.enumerated().compactMap { i, v in v.map { "\(x(i)),\(y($0))" } }
            if points.count > 1 { out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>" }
            for (i, v) in s.values.enumerated() {
                guard let v else { continue }
                out += "<circle cx=\"\(x(i))\" cy=\"\(y(v))\" r=\"3\" fill=\"\(color)\"><title>\(escape(s.name)) \(escape(labels[i])): \(number(v, unit: unit))</title></circle>"
                out += "<text class=\"value\" x=\"\(x(i))\" y=\"\(y(v) - 6)\" text-anchor=\"middle\" fill=\"\(color)\" data-series=\"\(escape(s.name))\" data-label=\"\(escape(labels[i]))\">\(number(v, unit: unit))</text>"
            }
            let ly = h + 14 + 20.0 * Double(k)
            out += "<rect x=\"\(left)\" y=\"\(ly - 9)\" width=\"10\" height=\"10\" fill=\"\(color)\"/><text class=\"legend\" x=\"\(left + 16)\" y=\"\(ly)\">\(escape(s.name))</text>"
        }
        return out + "</svg>"
    }

    /// Horizontal bars, one group per label with a bar per series (e.g. the three rates by member).
    static func bars(title: String, labels: [String], series: [Series], maxValue: Double? = nil, unit: String = "%") -> String {
        let top = maxValue ?? max(1, series.flatMap { $0.values.compactMap { $0 } }.max() ?? 1)
        let (w, left, barH, gap) = (640.0, 150.0, 14.0, 10.0)
        let groupH = barH * Double(series.count) + gap
        let h = groupH * Double(labels.count) + 24 + 20.0 * Double(series.count > 1 ? series.count : 0)
        let plotW = w - left - 70
        var out = "<svg class=\"chart\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\" aria-label=\"\(escape(title))\"><title>\(escape(title))</title>"
        for (i, l) in labels.enumerated() {
            let gy = 8 + groupH * Double(i)
            out += "<text class=\"axis\" x=\"\(left - 6)\" y=\"\(gy + groupH / 2)\" text-anchor=\"end\">\(escape(l))</text>"
            for (k, s) in series.enumerated() {
                let by = gy + barH * Double(k)
                guard let v = s.values[i] else {
                    out += "<text class=\"value\" x=\"\(left + 4)\" y=\"\(by + barH - 3)\">–</text>"
                    continue
                }
                let bw = plotW * min(max(v / top, 0), 1)
                out += "<rect x=\"\(left)\" y=\"\(by)\" width=\"\(bw)\" height=\"\(barH - 2)\" fill=\"\(colors[k % colors.count])\"><title>\(escape(l)) \(escape(s.name)): \(number(v, unit: unit))</title></rect>"
                out += "<text class=\"value\" x=\"\(left + bw + 4)\" y=\"\(by + barH - 3)\" data-series=\"\(escape(s.name))\" data-label=\"\(escape(l))\">\(number(v, unit: unit))</text>"
            }
        }
        if series.count > 1 {
            for (k, s) in series.enumerated() {
                let ly = h - 20.0 * Double(series.count - k) + 12
                out += "<rect x=\"\(left)\" y=\"\(ly - 9)\" width=\"10\" height=\"10\" fill=\"\(colors[k % colors.count])\"/><text class=\"legend\" x=\"\(left + 16)\" y=\"\(ly)\">\(escape(s.name))</text>"
            }
        }
        return out + "</svg>"
    }
}
