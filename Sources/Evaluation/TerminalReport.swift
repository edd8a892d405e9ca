import Foundation

/// Plain-text reports for the terminal.
public enum TerminalReport {
    /// Columns padded to their widest cell; columns in `rightAligned` are right-aligned (numbers).
    public static func table(headers: [String], rows: [[String]], rightAligned: Set<Int> = []) -> String {
        let widths = headers.indices.map { c in ([headers[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return rightAligned.contains(c) ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(headers), rule] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// One text shortened to `limit` characters on one line.
    public static func shorten(_ text: String, _ limit: Int) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count <= limit ? flat : String(flat.prefix(limit - 1)) + "…"
    }

    public static func evaluation(_ result: EvaluationResult, reviewLimit: Int = 15) -> String {
        let m = result.metrics
        var out = "Model \(result.model) on \(result.data) (\(result.split), \(m.count) texts)\n\n"
        out += m.classificationReport(digits: 4) + "\n"
        out += "Confusion matrix (rows = true, columns = predicted):\n"
        out += table(headers: ["true \\ predicted"] + m.labels,
                     rows: m.labels.indices.map { [m.labels[$0]] + m.confusion[$0].map(String.init) },
                     rightAligned: Set(1 ... m.labels.count)) + "\n"
        if let logLoss = m.logLoss { out += String(format: "log loss %.4f", logLoss) }
        if let ece = m.expectedCalibrationError { out += String(format: "   expected calibration error %.4f (10 bins)", ece) }
        if let t = result.temperature, let before = result.uncalibrated?.expectedCalibrationError {
            out += String(format: "; %.4f with the raw softmax (temperature %.3f fitted on dev)", before, t)
        }
        out += String(format: "\nspeed: %.0f texts/s (%.2f s)\n\n", result.textsPerSecond, result.seconds)
        if !m.calibration.isEmpty {
            out += "Confidence histogram (top-label confidence → texts, accuracy):\n"
            let tallest = max(m.calibration.map(\.count).max() ?? 1, 1)
            for bin in m.calibration where bin.lower >= 1 / Double(m.labels.count) - 1e-9 || bin.count > 0 {
                let bar = String(repeating: "█", count: Int((40 * Double(bin.count) / Double(tallest)).rounded()))
                out += String(format: "  %.1f–%.1f %6d %@ %@\n", bin.lower, bin.upper, bin.count,
                              bin.count > 0 ? String(format: "%.3f", bin.accuracy) : "  -  ", bar)
            }
            out += "\n"
        }
        if let selective = result.selective {
            let rows = [0.99, 0.98, 0.95, 0.9].compactMap { target in
                selective.threshold(targetAccuracy: target).map { p in
                    [String(format: "%.0f %%", 100 * target), String(format: "%.3f", p.threshold),
                     String(format: "%.1f %%", 100 * p.coverage), String(format: "%.2f %%", 100 * p.accuracy)]
                }
            }
            if !rows.isEmpty {
                out += "Risk–coverage (auto-label the texts at or above a confidence threshold; sentiment triage):\n"
                out += table(headers: ["target accuracy", "threshold", "coverage", "accuracy kept"], rows: rows,
                             rightAligned: [0, 1, 2, 3]) + "\n"
            }
        }
        let wrong = result.review.filter(\.misclassified).count
        out += "Cases to review: \(result.review.count) (\(wrong) misclassified, "
            + "\(result.review.count - wrong) right but below confidence \(result.reviewThreshold)); least confident first:\n"
        if !result.review.isEmpty {
            out += table(headers: ["#", "conf", "gold", "predicted", "text"],
                         rows: result.review.prefix(reviewLimit).map {
                             [String($0.index), String(format: "%.3f", $0.confidence), $0.gold,
                              $0.predicted + ($0.misclassified ? " ✗" : ""), shorten($0.text, 70)]
                         }, rightAligned: [0, 1])
            if result.review.count > reviewLimit { out += "… \(result.review.count - reviewLimit) more (--json or --report for all)\n" }
        }
        return out
    }

    public static func triage(_ s: TriageSummary) -> String {
        var out = "Threshold chosen on \(s.labelledSource) (\(s.labelledCount) labelled texts, accuracy \(String(format: "%.2f %%", 100 * s.labelledAccuracyAll)) without triage)\n"
        if let t = s.threshold {
            out += String(format: "  threshold %.4f: %.1f %% of the labelled texts at or above it (95 %% CI %.1f–%.1f %%), right %.2f %% (95 %% CI %.2f–%.2f %%)\n",
                          t, 100 * s.labelledCoverage, 100 * s.labelledCoverageInterval[0], 100 * s.labelledCoverageInterval[1],
                          100 * s.labelledAccuracy, 100 * s.labelledAccuracyInterval[0], 100 * s.labelledAccuracyInterval[1])
        } else {
            out += String(format: "  no threshold reaches %.1f %% accuracy on the labelled texts: every text goes to review\n", 100 * s.target)
        }
        out += String(format: "%d texts: %d auto-labelled, %d for review — coverage %.1f %% (95 %% CI %.1f–%.1f %%)\n",
                      s.texts, s.autoLabelled, s.forReview, 100 * s.coverage, 100 * s.coverageInterval[0], 100 * s.coverageInterval[1])
        if let a = s.autoOutput, let r = s.reviewOutput { out += "auto-labelled → \(a)\nfor review    → \(r)\n" }
        return out
    }
}

