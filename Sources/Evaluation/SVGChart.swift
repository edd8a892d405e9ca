import Foundation
import SentimentCore

/// Plain SVG charts written as text (no JavaScript, no external files), embedded in the HTML reports.
public enum SVGChart {
    /// Escapes text for XML / HTML content and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    static func f(_ x: Double) -> String { String(format: "%.1f", x) }

    static func text(_ x: Double, _ y: Double, _ s: String, anchor: String = "middle", size: Int = 12,
                     weight: String = "normal", fill: String = "#222", rotate: Bool = false) -> String {
        let transform = rotate ? " transform=\"rotate(-90 \(f(x)) \(f(y)))\"" : ""
        return "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" font-size=\"\(size)\" font-weight=\"\(weight)\" fill=\"\(fill)\"\(transform)>\(escape(s))</text>"
    }

    static func open(_ width: Int, _ height: Int, _ title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" font-family=\"Helvetica, Arial, sans-serif\" role=\"img\" aria-label=\"\(escape(title))\">"
            + "<rect width=\"\(width)\" height=\"\(height)\" fill=\"white\"/>"
            + text(Double(width) / 2, 20, title, size: 14, weight: "bold")
    }

    /// Confusion-matrix heat-map: rows = true class, columns = predicted class; colour = share of the row.
    public static func confusionHeatmap(_ matrix: [[Int]], labels: [String], title: String = "Confusion matrix") -> String {
        let k = labels.count
        let cell = k <= 3 ? 90.0 : max(36, 270 / Double(k))
        let left = 110.0, top = 60.0
        let width = Int(left + cell * Double(k) + 30), height = Int(top + cell * Double(k) + 50)
        var svg = open(width, height, title)
        for (r, row) in matrix.enumerated() {
            let total = max(row.reduce(0, +), 1)
            for (c, value) in row.enumerated() {
                let share = Double(value) / Double(total)
                // White → dark blue with the row share; text flips to white on dark cells.
                let red = Int(247 - share * (247 - 8)), green = Int(251 - share * (251 - 69)), blue = Int(255 - share * (255 - 148))
                let x = left + Double(c) * cell, y = top + Double(r) * cell
                svg += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(cell))\" height=\"\(f(cell))\" fill=\"rgb(\(red),\(green),\(blue))\" stroke=\"#fff\"/>"
                let ink = share > 0.5 ? "#fff" : "#222"
                svg += text(x + cell / 2, y + cell / 2, "\(value)", size: 14, weight: "bold", fill: ink)
                svg += text(x + cell / 2, y + cell / 2 + 16, String(format: "%.1f%%", 100 * share), size: 10, fill: ink)
            }
            svg += text(left - 8, top + (Double(r) + 0.5) * cell + 4, labels[r], anchor: "end")
        }
        for (c, label) in labels.enumerated() { svg += text(left + (Double(c) + 0.5) * cell, top - 8, label) }
        svg += text(left + cell * Double(k) / 2, top + cell * Double(k) + 24, "predicted", size: 12, fill: "#555")
        svg += text(16, top + cell * Double(k) / 2, "true", size: 12, fill: "#555", rotate: true)
        return svg + "</svg>"
    }

    /// Axes with ticks for charts over [xMin, xMax] × [yMin, yMax]; returns the SVG and a mapping to pixels.
    static func axes(width: Double, height: Double, x: ClosedRange<Double>, y: ClosedRange<Double>,
                     xLabel: String, yLabel: String, xTicks: [Double], yTicks: [Double],
                     format: (Double) -> String = { String(format: "%.1f", $0) },
                     xFormat: ((Double) -> String)? = nil) -> (String, (Double, Double) -> (Double, Double)) {
        let left = 56.0, right = 16.0, top = 36.0, bottom = 44.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let xSpan = max(x.upperBound - x.lowerBound, 1e-12), ySpan = max(y.upperBound - y.lowerBound, 1e-12)
        let map: (Double, Double) -> (Double, Double) = { px, py in
            (left + (px - x.lowerBound) / xSpan * plotWidth, top + (1 - (py - y.lowerBound) / ySpan) * plotHeight)
        }
        var svg = "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"#999\"/>"
        for t in yTicks {
            let (_, py) = map(x.lowerBound, t)
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(py))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(py))\" stroke=\"#eee\"/>"
            svg += text(left - 6, py + 4, format(t), anchor: "end", size: 10, fill: "#555")
        }
        for t in xTicks {
            let (px, _) = map(t, y.lowerBound)
            svg += text(px, top + plotHeight + 16, xFormat.map { $0(t) } ?? format(t), size: 10, fill: "#555")
        }
        svg += text(left + plotWidth / 2, height - 8, xLabel, size: 12, fill: "#555")
        svg += text(14, top + plotHeight / 2, yLabel, size: 12, fill: "#555", rotate: true)
        return (svg, map)
    }

    /// Confidence histogram: predictions per top-label confidence bin, split into right (green) and wrong (red).
    public static func confidenceHistogram(_ bins: [CalibrationBin], title: String = "Confidence histogram") -> String {
        let width = 420.0, height = 300.0
        let tallest = Double(bins.map(\.count).max() ?? 1)
        let yMax = max(niceCeiling(tallest), 1)
        var svg = open(Int(width), Int(height), title)
        let (axes, map) = axes(width: width, height: height, x: 0 ... 1, y: 0 ... yMax, xLabel: "confidence of the predicted label",
                               yLabel: "texts", xTicks: stride(from: 0, through: 1, by: 0.2).map { $0 },
                               yTicks: stride(from: 0, through: yMax, by: yMax / 4).map { $0 },
                               format: { $0 == $0.rounded() ? String(Int($0)) : String(format: "%.1f", $0) })
        svg += axes
        for bin in bins where bin.count > 0 {
            let right = Double((bin.accuracy * Double(bin.count)).rounded())
            let wrong = Double(bin.count) - right
            let (x0, yBase) = map(bin.lower, 0), (x1, _) = map(bin.upper, 0)
            let (_, yRight) = map(0, right), (_, yTop) = map(0, right + wrong)
            svg += "<rect x=\"\(f(x0 + 1))\" y=\"\(f(yRight))\" width=\"\(f(x1 - x0 - 2))\" height=\"\(f(yBase - yRight))\" fill=\"#4c9a5b\"><title>\(Int(right)) right</title></rect>"
            svg += "<rect x=\"\(f(x0 + 1))\" y=\"\(f(yTop))\" width=\"\(f(x1 - x0 - 2))\" height=\"\(f(yRight - yTop))\" fill=\"#d1495b\"><title>\(Int(wrong)) wrong</title></rect>"
        }
        svg += legend([("right", "#4c9a5b"), ("wrong", "#d1495b")], x: 70, y: 48)
        return svg + "</svg>"
    }

    /// Reliability diagram: accuracy against mean confidence per bin; the diagonal is perfect calibration.
    public static func reliabilityDiagram(_ bins: [CalibrationBin], ece: Double?, title: String = "Reliability diagram") -> String {
        let width = 420.0, height = 300.0
        var svg = open(Int(width), Int(height), title + (ece.map { String(format: " (ECE %.3f)", $0) } ?? ""))
        let ticks = stride(from: 0, through: 1, by: 0.2).map { $0 }
        let (axes, map) = axes(width: width, height: height, x: 0 ... 1, y: 0 ... 1, xLabel: "confidence",
                               yLabel: "accuracy", xTicks: ticks, yTicks: ticks)
        svg += axes
        let (dx0, dy0) = map(0, 0), (dx1, dy1) = map(1, 1)
        svg += "<line x1=\"\(f(dx0))\" y1=\"\(f(dy0))\" x2=\"\(f(dx1))\" y2=\"\(f(dy1))\" stroke=\"#888\" stroke-dasharray=\"4 4\"/>"
        for bin in bins where bin.count > 0 {
            let (x0, yBase) = map(bin.lower, 0), (x1, _) = map(bin.upper, 0)
            let (_, yTop) = map(0, bin.accuracy)
            svg += "<rect x=\"\(f(x0 + 1))\" y=\"\(f(yTop))\" width=\"\(f(x1 - x0 - 2))\" height=\"\(f(yBase - yTop))\" fill=\"#3a6ea5\" fill-opacity=\"0.75\"><title>\(bin.count) texts, accuracy \(String(format: "%.3f", bin.accuracy)), confidence \(String(format: "%.3f", bin.meanScore))</title></rect>"
        }
        let points = bins.filter { $0.count > 0 }.map { map($0.meanScore, $0.accuracy) }
        svg += "<polyline points=\"\(points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " "))\" fill=\"none\" stroke=\"#d1495b\" stroke-width=\"2\"/>"
        for (x, y) in points { svg += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"3\" fill=\"#d1495b\"/>" }
        svg += legend([("accuracy per bin", "#3a6ea5"), ("(mean confidence, accuracy)", "#d1495b")], x: 70, y: 48)
        return svg + "</svg>"
    }

    /// Risk–coverage curve: accuracy of the texts kept (confidence ≥ threshold) against the share kept, from the
    /// most confident text alone (left) to every text (right, the plain accuracy).
    public static func riskCoverage(_ selective: SelectiveClassification, title: String = "Coverage vs accuracy kept") -> String {
        let width = 420.0, height = 300.0
        var svg = open(Int(width), Int(height), title)
        let low = max(0, floor(((selective.curve.map(\.accuracy).min() ?? 0) - 0.02) * 20) / 20)
        let yTicks = stride(from: low, through: 1.0001, by: (1 - low) / 4).map { $0 }
        let xTicks = stride(from: 0, through: 1, by: 0.2).map { $0 }
        let (axes, map) = axes(width: width, height: height, x: 0 ... 1, y: low ... 1, xLabel: "coverage (share auto-labelled)",
                               yLabel: "accuracy kept", xTicks: xTicks, yTicks: yTicks)
        svg += axes
        let points = selective.curve.map { map($0.coverage, $0.accuracy) }
        svg += "<polyline points=\"\(points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " "))\" fill=\"none\" stroke=\"#3a6ea5\" stroke-width=\"2\"/>"
        for target in [0.95, 0.9] where target > low {
            let (x0, y) = map(0, target), (x1, _) = map(1, target)
            svg += "<line x1=\"\(f(x0))\" y1=\"\(f(y))\" x2=\"\(f(x1))\" y2=\"\(f(y))\" stroke=\"#888\" stroke-dasharray=\"4 4\"><title>\(Int(target * 100)) % accuracy</title></line>"
        }
        return svg + "</svg>"
    }

    /// A line chart of one or more series of (x, y) points.
    public static func lineChart(_ series: [(name: String, color: String, points: [(Double, Double)])], title: String,
                                 xLabel: String, yLabel: String) -> String {
        let width = 420.0, height = 300.0
        let all = series.flatMap(\.points)
        var svg = open(Int(width), Int(height), title)
        guard let xMin = all.map(\.0).min(), let xMax = all.map(\.0).max(),
              let yLow = all.map(\.1).min(), let yHigh = all.map(\.1).max() else {
            return svg + text(width / 2, height / 2, "no data") + "</svg>"
        }
        let xTicks = niceTicks(xMin, max(xMax, xMin + 1)), yTicks = niceTicks(yLow, max(yHigh, yLow + 1e-3))
        let x = xTicks.first! ... xTicks.last!, y = yTicks.first! ... yTicks.last!
        let yStep = yTicks.count > 1 ? yTicks[1] - yTicks[0] : 1
        let decimals = max(0, Int(-floor(log10(yStep) + 1e-9)))
        let (axes, map) = axes(width: width, height: height, x: x, y: y, xLabel: xLabel, yLabel: yLabel,
                               xTicks: xTicks, yTicks: yTicks, format: { String(format: "%.\(decimals)f", $0) },
                               xFormat: { $0 == $0.rounded() ? String(Int($0)) : String(format: "%g", $0) })
        svg += axes
        for s in series {
            let points = s.points.map { map($0.0, $0.1) }
            svg += "<polyline points=\"\(points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " "))\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"1.5\"/>"
            if points.count <= 50 { for (px, py) in points { svg += "<circle cx=\"\(f(px))\" cy=\"\(f(py))\" r=\"2.5\" fill=\"\(s.color)\"/>" } }
        }
        svg += legend(series.map { ($0.name, $0.color) }, x: 70, y: 48)
        return svg + "</svg>"
    }

    /// Grouped horizontal bars, one group per row label and one bar per series (the comparison chart).
    public static func barChart(_ rows: [(label: String, value: Double)], title: String, format: String = "%.3f",
                                range: ClosedRange<Double> = 0 ... 1) -> String {
        let barHeight = 26.0, left = 130.0, width = 460.0, top = 40.0
        let height = top + Double(rows.count) * (barHeight + 8) + 20
        var svg = open(Int(width), Int(height), title)
        let plot = width - left - 70
        for (i, row) in rows.enumerated() {
            let y = top + Double(i) * (barHeight + 8)
            let share = (min(max(row.value, range.lowerBound), range.upperBound) - range.lowerBound) / (range.upperBound - range.lowerBound)
            svg += text(left - 8, y + barHeight / 2 + 4, row.label, anchor: "end")
            svg += "<rect x=\"\(f(left))\" y=\"\(f(y))\" width=\"\(f(plot * share))\" height=\"\(f(barHeight))\" fill=\"#3a6ea5\"/>"
            svg += text(left + plot * share + 6, y + barHeight / 2 + 4, String(format: format, row.value), anchor: "start")
        }
        return svg + "</svg>"
    }

    static func legend(_ items: [(String, String)], x: Double, y: Double) -> String {
        var svg = ""
        for (i, item) in items.enumerated() {
            let yy = y + Double(i) * 16
            svg += "<rect x=\"\(f(x))\" y=\"\(f(yy - 9))\" width=\"10\" height=\"10\" fill=\"\(item.1)\"/>"
            svg += text(x + 15, yy, item.0, anchor: "start", size: 11)
        }
        return svg
    }

    /// Round tick values covering [low, high]: multiples of 1, 2 or 5 × 10^k, about five of them.
    static func niceTicks(_ low: Double, _ high: Double) -> [Double] {
        let rough = (high - low) / 4
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        let first = floor(low / step) * step, last = ceil(high / step) * step
        return stride(from: first, through: last + step / 2, by: step).map { $0 }
    }

    /// 1, 2, 5 × 10^k at or above x.
    static func niceCeiling(_ x: Double) -> Double {
        guard x > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(x)))
        for m in [1.0, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10] where m * magnitude >= x { return m * magnitude }
        return 10 * magnitude
    }
}
