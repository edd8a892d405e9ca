import Foundation
import SentimentCore
import SentimentData

/// One row of `sentiment compare`.
public struct ComparisonEntry: Codable, Sendable, Equatable {
    public var name: String
    public var accuracy: Double
    public var macroF1: Double
    public var logLoss: Double?
    /// Expected calibration error of the scores as served, and of the raw softmax when they are temperature-scaled.
    public var ece: Double?
    public var eceRaw: Double?
    /// Training wall time (nil when the model was trained elsewhere, e.g. a fine-tuned BERT folder).
    public var trainSeconds: Double?
    /// Wall time to classify the test split.
    public var predictSeconds: Double
    public var textsPerSecond: Double
    /// Where the model came from: "trained", "cached" or "loaded".
    public var source: String

    enum CodingKeys: String, CodingKey {
        case name, accuracy, macroF1 = "macro_f1", logLoss = "log_loss", trainSeconds = "train_seconds",
             predictSeconds = "predict_seconds", textsPerSecond = "texts_per_second", source,
             ece, eceRaw = "ece_raw"
    }

    /// "0.73 s", "53.3 min", or "-" when unknown.
    public var trainTime: String {
        guard let trainSeconds else { return "-" }
        return trainSeconds < 120 ? String(format: "%.2f s", trainSeconds) : String(format: "%.1f min", trainSeconds / 60)
    }

    public init(_ result: EvaluationResult, trainSeconds: Double?, source: String) {
        name = result.model
        accuracy = result.metrics.accuracy
        macroF1 = result.metrics.macroF1
        logLoss = result.metrics.logLoss
        ece = result.metrics.expectedCalibrationError
        eceRaw = result.uncalibrated?.expectedCalibrationError
        self.trainSeconds = trainSeconds
        predictSeconds = result.seconds
        textsPerSecond = result.textsPerSecond
        self.source = source
    }
}

/// Everything `sentiment compare` reports: metrics of every model on one test split, then the puzzles.
public struct ComparisonReport: Codable, Sendable {
    public var data: String
    public var split: String
    public var testSize: Int
    public var models: [ComparisonEntry]
    public var puzzles: [PuzzleOutcome]
    /// Right puzzle answers per model name, and how many it could answer (two-class models skip neutral puzzles).
    public var puzzleScore: [String: Int]
    public var puzzleTotal: [String: Int]

    enum CodingKeys: String, CodingKey {
        case data, split, testSize = "test_size", models, puzzles, puzzleScore = "puzzle_score", puzzleTotal = "puzzle_total"
    }

    public init(data: String, split: String, testSize: Int, models: [ComparisonEntry], puzzles: [PuzzleOutcome]) {
        self.data = data
        self.split = split
        self.testSize = testSize
        self.models = models
        self.puzzles = puzzles
        let scores = PuzzleRunner.score(puzzles)
        puzzleScore = Dictionary(uniqueKeysWithValues: scores.map { ($0.model, $0.right) })
        puzzleTotal = Dictionary(uniqueKeysWithValues: scores.map { ($0.model, $0.total) })
    }

    /// The metrics table (Markdown-compatible pipes, so it can be pasted into the README).
    public func metricsTable() -> String {
        var out = "| model | accuracy | macro-F1 | log loss | ECE (raw) | train time | texts/s |\n|---|---:|---:|---:|---:|---:|---:|\n"
        for m in models {
            out += "| \(m.name) | \(String(format: "%.4f", m.accuracy)) | \(String(format: "%.4f", m.macroF1)) | "
                + "\(m.logLoss.map { String(format: "%.4f", $0) } ?? "-") | "
                + "\(m.ece.map { String(format: "%.4f", $0) } ?? "-")\(m.eceRaw.map { String(format: " (%.4f)", $0) } ?? "") | "
                + "\(m.trainTime) | \(String(format: "%.0f", m.textsPerSecond)) |\n"
        }
        return out
    }

    /// One row per puzzle, one column per model (label and score, ✓ / ✗), then the count right per model.
    public func puzzleTable(textWidth: Int = 60) -> String {
        var out = "| category | text | expected | " + models.map(\.name).joined(separator: " | ") + " |\n"
        out += "|---|---|---|" + String(repeating: "---|", count: models.count) + "\n"
        for outcome in puzzles {
            out += "| \(outcome.puzzle.category) | \(TerminalReport.shorten(outcome.puzzle.text, textWidth)) | \(outcome.puzzle.expected) | "
            out += outcome.answers.map { $0.applicable ? "\($0.correct ? "✓" : "✗") \($0.label) \(String(format: "%.2f", $0.score))" : "– \($0.label)" }
                .joined(separator: " | ") + " |\n"
        }
        out += "| **right** | | | " + models.map { "**\(puzzleScore[$0.name] ?? 0)/\(puzzleTotal[$0.name] ?? puzzles.count)**" }.joined(separator: " | ") + " |\n"
        return out
    }

    public func html(evaluations: [EvaluationResult]) -> String {
        let e = SVGChart.escape
        var body = "<p class=\"muted\">\(e(data)), split \(e(split)), \(testSize) texts; every model on the same texts.</p>"
        body += "<h2>Models</h2><table><tr><th>model</th><th>accuracy</th><th>macro-F1</th><th>log loss</th><th>train time</th><th>texts/s</th><th>source</th></tr>"
        for m in models {
            body += "<tr><td>\(e(m.name))</td><td class=\"n\">\(String(format: "%.4f", m.accuracy))</td><td class=\"n\">\(String(format: "%.4f", m.macroF1))</td>"
                + "<td class=\"n\">\(m.logLoss.map { String(format: "%.4f", $0) } ?? "-")</td>"
                + "<td class=\"n\">\(m.trainTime)</td>"
                + "<td class=\"n\">\(String(format: "%.0f", m.textsPerSecond))</td><td>\(e(m.source))</td></tr>"
        }
        body += "</table><div class=\"charts\">"
        let low = floor(max(0, (models.map(\.accuracy).min() ?? 0) - 0.1) * 10) / 10  // a zoomed axis, said in the title
        body += SVGChart.barChart(models.map { ($0.name, $0.accuracy) },
                                  title: low > 0 ? String(format: "Test accuracy (axis from %.1f)", low) : "Test accuracy", range: low ... 1)
        if !puzzles.isEmpty {
            body += SVGChart.barChart(models.map { ($0.name, Double(puzzleScore[$0.name] ?? 0)) }, title: "Puzzles right (of \(puzzles.count))",
                                      format: "%.0f", range: 0 ... Double(puzzles.count))
        }
        body += "</div>"
        if !puzzles.isEmpty {
            body += "<h2>Puzzles</h2><table><tr><th>category</th><th>text</th><th>expected</th>" + models.map { "<th>\(e($0.name))</th>" }.joined() + "</tr>"
            for outcome in puzzles {
                body += "<tr><td>\(e(outcome.puzzle.category))</td><td>\(e(outcome.puzzle.text))</td><td>\(e(outcome.puzzle.expected))</td>"
                body += outcome.answers.map {
                    !$0.applicable ? "<td class=\"muted nowrap\">– \(e($0.label))</td>"
                        : "<td class=\"\($0.correct ? "ok" : "wrong") nowrap\">\($0.correct ? "✓" : "✗") \(e($0.label)) \(String(format: "%.2f", $0.score))</td>"
                }.joined() + "</tr>"
            }
            body += "<tr><th colspan=\"3\">right</th>" + models.map { "<th>\(puzzleScore[$0.name] ?? 0)/\(puzzleTotal[$0.name] ?? puzzles.count)</th>" }.joined() + "</tr></table>"
        }
        for evaluation in evaluations {
            body += "<h2>\(e(evaluation.model))</h2>" + HTMLReport.evaluationSection(evaluation, maxReviewRows: 50)
        }
        return HTMLReport.page(title: "SentimentKit comparison on \(data)", body: body)
    }
}

/// A model in a comparison: the classifier and where it came from.
public struct ComparisonCandidate: Sendable {
    public var classifier: any TextClassifier
    /// Training wall time, when known (a baseline's, or the trainer's record beside a fine-tuned folder).
    public var trainSeconds: Double?
    /// "trained", "cached" or "loaded".
    public var source: String
    /// The model folder: its training curves (metrics.jsonl) go into the report.
    public var folder: URL?
    /// The temperature its scores are scaled by (a calibrated pipeline), for the raw-softmax metrics beside them.
    public var temperature: Double?

    public init(classifier: any TextClassifier, trainSeconds: Double?, source: String, folder: URL?, temperature: Double? = nil) {
        self.classifier = classifier
        self.trainSeconds = trainSeconds
        self.source = source
        self.folder = folder
        self.temperature = temperature
    }
}

extension ComparisonReport {
    /// Evaluates every candidate on the test split of `dataset` (in order, each announced on `log`), then asks them
    /// all the puzzles: the report, and each model's full evaluation (for the HTML report).
    public static func run(
        _ candidates: [ComparisonCandidate], on dataset: Dataset, puzzles: [Puzzle], log: (String) -> Void = { _ in }
    ) throws -> (report: ComparisonReport, evaluations: [EvaluationResult]) {
        let texts = dataset.test.map(\.text), gold = dataset.test.map(\.label)
        var evaluations: [EvaluationResult] = []
        var entries: [ComparisonEntry] = []
        for candidate in candidates {
            log("evaluating \(candidate.classifier.name) on \(texts.count) test texts…")
            var result = try Evaluator.evaluate(candidate.classifier, texts: texts, gold: gold, labels: dataset.labels,
                                                data: dataset.name, split: "test", temperature: candidate.temperature)
            result.trainingLog = candidate.folder.flatMap { TrainingLog.load(folder: $0) }
            evaluations.append(result)
            entries.append(ComparisonEntry(result, trainSeconds: candidate.trainSeconds, source: candidate.source))
        }
        let outcomes = try PuzzleRunner.run(puzzles, models: candidates.map(\.classifier))
        let report = ComparisonReport(data: dataset.name, split: "test", testSize: texts.count, models: entries, puzzles: outcomes)
        return (report, evaluations)
    }
}
