import Foundation

/// Self-contained HTML reports: inline CSS and SVG charts, nothing fetched, no JavaScript.
public enum HTMLReport {
    public static func evaluation(_ result: EvaluationResult, maxReviewRows: Int = 300) -> String {
        page(title: "SentimentKit evaluation: \(result.model) on \(result.data)", body: evaluationSection(result, maxReviewRows: maxReviewRows))
    }

    /// `sentiment triage --report`: the risk–coverage curve of the labelled texts and the threshold chosen on it.
    public static func triage(_ summary: TriageSummary, selective: SelectiveClassification, model: String) -> String {
        var html = "<p class=\"muted\">Threshold chosen on \(SVGChart.escape(summary.labelledSource)) (\(summary.labelledCount) labelled texts)</p><div>"
        html += kpi("target accuracy", String(format: "%.3f", summary.target))
        html += kpi("threshold", summary.threshold.map { String(format: "%.4f", $0) } ?? "none reaches the target")
        html += kpi(String(format: "coverage of the file (95 %% CI %.3f–%.3f)", summary.coverageInterval[0], summary.coverageInterval[1]),
                    String(format: "%.3f", summary.coverage))
        html += kpi(String(format: "labelled accuracy of the auto share (95 %% CI %.3f–%.3f)",
                           summary.labelledAccuracyInterval[0], summary.labelledAccuracyInterval[1]),
                    String(format: "%.3f", summary.labelledAccuracy))
        html += kpi("texts auto-labelled / for review", "\(summary.autoLabelled) / \(summary.forReview)") + "</div>"
        html += "<h2>Risk–coverage on the labelled texts</h2><div class=\"charts\">" + SVGChart.riskCoverage(selective) + "</div>"
        return page(title: "SentimentKit triage: \(model)", body: html)
    }

    /// Writes `html` to `url` atomically.
    public static func write(_ html: String, to url: URL) throws {
        try Data(html.utf8).write(to: url, options: .atomic)
    }

    static let style = """
    body{font-family:Helvetica,Arial,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
    h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
    table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
    th{background:#f4f6f8}td.n{text-align:right;font-variant-numeric:tabular-nums}
    .charts{display:flex;flex-wrap:wrap;gap:16px}.charts svg{border:1px solid #eee}
    .nowrap{white-space:nowrap}.wrong{color:#b3261e;font-weight:bold}.ok{color:#2e7d32;font-weight:bold}.muted{color:#666;font-size:13px}
    pre{background:#f7f7f7;padding:10px;font-size:13px;overflow-x:auto}
    .kpi{display:inline-block;margin:4px 18px 4px 0}.kpi b{font-size:20px;display:block}
    """

    static func page(title: String, body: String) -> String {
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(SVGChart.escape(title))</title>"
            + "<style>\(style)</style></head><body><h1>\(SVGChart.escape(title))</h1>\n\(body)\n"
            + "<p class=\"muted\">Written by SentimentKit (sentiment evaluate / compare).</p></body></html>\n"
    }

    static func kpi(_ name: String, _ value: String) -> String {
        "<span class=\"kpi\"><b>\(SVGChart.escape(value))</b>\(SVGChart.escape(name))</span>"
    }

    static func evaluationSection(_ result: EvaluationResult, maxReviewRows: Int) -> String {
        let m = result.metrics
        let e = SVGChart.escape
        var html = "<p class=\"muted\">\(e(result.data)), split \(e(result.split)), \(m.count) texts</p><div>"
        html += kpi("accuracy", String(format: "%.4f", m.accuracy)) + kpi("macro F1", String(format: "%.4f", m.macroF1))
        if let logLoss = m.logLoss { html += kpi("log loss", String(format: "%.4f", logLoss)) }
        if let ece = m.expectedCalibrationError {
            if let before = result.uncalibrated?.expectedCalibrationError {
                html += kpi(String(format: "ECE (raw softmax %.4f)", before), String(format: "%.4f", ece))
            } else {
                html += kpi("ECE", String(format: "%.4f", ece))
            }
        }
        if let t = result.temperature { html += kpi("temperature (fitted on dev)", String(format: "%.3f", t)) }
        html += kpi("texts/s", String(format: "%.0f", result.textsPerSecond)) + "</div>"
        html += "<h2>Classification report</h2><pre>\(e(m.classificationReport(digits: 4)))</pre>"
        html += "<h2>Charts</h2><div class=\"charts\">" + SVGChart.confusionHeatmap(m.confusion, labels: m.labels)
        if !m.calibration.isEmpty {
            html += SVGChart.confidenceHistogram(m.calibration)
            if let before = result.uncalibrated, !before.calibration.isEmpty {
                html += SVGChart.reliabilityDiagram(before.calibration, ece: before.expectedCalibrationError,
                                                    title: "Reliability, raw softmax")
                html += SVGChart.reliabilityDiagram(m.calibration, ece: m.expectedCalibrationError,
                                                    title: String(format: "Reliability, T = %.2f", result.temperature ?? 1))
            } else {
                html += SVGChart.reliabilityDiagram(m.calibration, ece: m.expectedCalibrationError)
            }
        }
        if let selective = result.selective, selective.curve.count > 1 {
            html += SVGChart.riskCoverage(selective)
        }
        if let log = result.trainingLog {
            if !log.steps.isEmpty {
                html += SVGChart.lineChart([("training loss", "#3a6ea5", log.steps.map { (Double($0.step), $0.loss) })],
                                           title: "Training loss", xLabel: "step", yLabel: "loss")
            }
            if !log.epochs.isEmpty {
                html += SVGChart.lineChart([("dev accuracy", "#d1495b", log.epochs.map { (Double($0.step), $0.devAccuracy) })],
                                           title: "Dev accuracy per epoch", xLabel: "step", yLabel: "accuracy")
            }
        }
        html += "</div>"
        let wrong = result.review.filter(\.misclassified).count
        html += "<h2>Cases to review</h2><p>\(result.review.count) texts: \(wrong) misclassified, "
            + "\(result.review.count - wrong) right but with confidence below \(result.reviewThreshold). Least confident first"
            + (result.review.count > maxReviewRows ? "; the first \(maxReviewRows) are shown (all are in --json)." : ".") + "</p>"
        html += "<table><tr><th>#</th><th>confidence</th><th>gold</th><th>predicted</th><th>text</th></tr>"
        for c in result.review.prefix(maxReviewRows) {
            html += "<tr><td class=\"n\">\(c.index)</td><td class=\"n\">\(String(format: "%.3f", c.confidence))</td><td>\(e(c.gold))</td>"
                + "<td class=\"\(c.misclassified ? "wrong" : "ok")\">\(e(c.predicted))</td><td>\(e(c.text))</td></tr>"
        }
        return html + "</table>"
    }
}
