import Foundation
import SentimentCore
import XCTest

@testable import SentimentEvaluation

/// A classifier with fixed answers: "good" → POSITIVE 0.9, "bad" → NEGATIVE 0.8, anything else POSITIVE 0.55.
struct StubClassifier: TextClassifier {
    var name = "stub"
    var labels = ["NEGATIVE", "POSITIVE"]
    func classify(_ texts: [String]) throws -> [[LabelScore]] {
        texts.map { text in
            let p: Float = text.contains("good") ? 0.9 : text.contains("bad") ? 0.2 : 0.55
            return [LabelScore(label: "POSITIVE", score: p), LabelScore(label: "NEGATIVE", score: 1 - p)].sorted { $0.score > $1.score }
        }
    }
}

final class EvaluatorTests: XCTestCase {
    func testEvaluateAlignsLabelsAndListsCasesToReview() throws {
        let texts = ["good film", "bad film", "good but bad", "meh", "bad bad"]
        let gold = ["positive", "negative", "negative", "positive", "negative"]
        let result = try Evaluator.evaluate(StubClassifier(), texts: texts, gold: gold, labels: ["negative", "positive"],
                                            data: "toy", split: "test", reviewThreshold: 0.6, batchSize: 2)
        XCTAssertEqual(result.metrics.labels, ["negative", "positive"])  // POSITIVE ↔ positive
        XCTAssertEqual(result.metrics.confusion, [[2, 1], [0, 2]])
        XCTAssertEqual(result.metrics.accuracy, 0.8, accuracy: 1e-12)
        // "meh": right but 0.55 < 0.6; "good but bad": wrong with 0.9. Least confident first.
        XCTAssertEqual(result.review.map(\.index), [3, 2])
        XCTAssertEqual(result.review.map(\.misclassified), [false, true])
        XCTAssertEqual(result.review[1].predicted, "positive")
        XCTAssertEqual(result.review[0].confidence, 0.55, accuracy: 1e-6)
        let json = try JSONEncoder().encode(result)
        XCTAssertEqual(try JSONDecoder().decode(EvaluationResult.self, from: json).review, result.review)
        let report = TerminalReport.evaluation(result)
        XCTAssertTrue(report.contains("Cases to review: 2 (1 misclassified"), report)
    }

    func testLabelAlignment() throws {
        XCTAssertEqual(try LabelAlignment.map(modelLabels: ["rotten", "fresh"], dataLabels: ["negative", "positive"]), [0, 1])
        XCTAssertEqual(try LabelAlignment.map(modelLabels: ["negative", "neutral", "positive"], dataLabels: ["negative", "positive"]), [0, nil, 1])
        XCTAssertThrowsError(try LabelAlignment.map(modelLabels: ["LABEL_0", "LABEL_1"], dataLabels: ["negative", "positive"]))
        XCTAssertTrue(LabelAlignment.same("POSITIVE", "positive"))
        XCTAssertFalse(LabelAlignment.same("negative", "positive"))
    }

    func testUnmatchedModelLabelBecomesAnExtraColumn() throws {
        struct ThreeWay: TextClassifier {
            var name = "three"
            var labels = ["negative", "neutral", "positive"]
            func classify(_ texts: [String]) throws -> [[LabelScore]] {
                texts.map { _ in [LabelScore(label: "neutral", score: 0.5), LabelScore(label: "positive", score: 0.3),
                                  LabelScore(label: "negative", score: 0.2)] }
            }
        }
        let result = try Evaluator.evaluate(ThreeWay(), texts: ["x", "y"], gold: ["positive", "negative"],
                                            labels: ["negative", "positive"], data: "toy", split: "test")
        XCTAssertEqual(result.metrics.labels, ["negative", "positive", "neutral"])
        XCTAssertEqual(result.metrics.confusion, [[0, 0, 1], [0, 0, 1], [0, 0, 0]])
        XCTAssertEqual(result.metrics.accuracy, 0)
    }

    func testTrainingLogFromTrainerMetricsLines() throws {
        let lines = """
        {"type":"step","step":1,"epoch":1,"lr":1e-05,"loss":0.70,"grad_norm":1.0,"examples_per_s":10}
        {"type":"step","step":2,"epoch":1,"lr":2e-05,"loss":0.60,"grad_norm":1.0,"examples_per_s":10}
        {"type":"epoch","step":2,"epoch":1,"dev_accuracy":0.75,"dev_macro_f1":0.7,"dev_loss":NaN,"train_loss":0.65}
        {"type":"test","step":2,"test_accuracy":0.7}
        {"type":"step","step":3,"ep
        """
        let log = try XCTUnwrap(TrainingLog.parse(Data(lines.utf8)))
        XCTAssertEqual(log.steps, [.init(step: 1, loss: 0.7), .init(step: 2, loss: 0.6)])
        XCTAssertEqual(log.epochs, [.init(step: 2, epoch: 1, devAccuracy: 0.75)])
    }

    func testTrainingLogIsFoundInTheModelFolderOrTheTrainersWorkFolder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sk-log-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let model = root.appendingPathComponent("my-model"), work = root.appendingPathComponent(".my-model.training")
        for folder in [model, work] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        XCTAssertNil(TrainingLog.load(folder: model))
        try Data(#"{"type":"step","step":1,"loss":0.5}"#.utf8).write(to: work.appendingPathComponent("metrics.jsonl"))
        XCTAssertEqual(TrainingLog.load(folder: model)?.steps, [.init(step: 1, loss: 0.5)])  // a run still going on
        try Data(#"{"type":"step","step":9,"loss":0.1}"#.utf8).write(to: model.appendingPathComponent("metrics.jsonl"))
        XCTAssertEqual(TrainingLog.load(folder: model)?.steps, [.init(step: 9, loss: 0.1)])  // the finished model's copy
    }

    func testHTMLReportIsSelfContainedAndEscaped() throws {
        var result = try Evaluator.evaluate(StubClassifier(), texts: ["good <script>", "bad & worse"], gold: ["negative", "negative"],
                                            labels: ["negative", "positive"], data: "toy", split: "test")
        result.trainingLog = TrainingLog(steps: [.init(step: 1, loss: 0.7), .init(step: 2, loss: 0.5)],
                                         epochs: [.init(step: 2, epoch: 1, devAccuracy: 0.8)])
        let html = HTMLReport.evaluation(result)
        XCTAssertFalse(html.contains("<script"))
        XCTAssertTrue(html.contains("good &lt;script&gt;"))
        XCTAssertEqual(html.components(separatedBy: "<svg ").count - 1, 6)  // heat-map, histogram, reliability, risk–coverage, loss, dev accuracy
        XCTAssertFalse(html.contains("http://") && html.contains("src="))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sk-eval-\(UUID().uuidString).html")
        defer { try? FileManager.default.removeItem(at: url) }
        try HTMLReport.write(html, to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), html)
    }

    func testPuzzlesRunAndLoad() throws {
        XCTAssertGreaterThanOrEqual(Puzzles.builtIn.count, 20)
        XCTAssertEqual(Set(Puzzles.builtIn.map(\.category)),
                       ["sarcasm", "negation", "double negation", "intensity", "contrast", "mixed aspects"])
        let outcomes = try PuzzleRunner.run([Puzzle(text: "good", expected: "positive", category: "x"),
                                             Puzzle(text: "bad", expected: "positive", category: "x")], models: [StubClassifier()])
        XCTAssertEqual(outcomes.map { $0.answers[0].correct }, [true, false])
        XCTAssertEqual(PuzzleRunner.score(outcomes).first?.right, 1)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sk-puzzles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = folder.appendingPathComponent("p.csv")
        try "text,expected,category\n\"Not bad, at all.\",positive,negation\n".write(to: good, atomically: true, encoding: .utf8)
        XCTAssertEqual(try Puzzles.load(file: good), [Puzzle(text: "Not bad, at all.", expected: "positive", category: "negation")])
        let bad = folder.appendingPathComponent("q.csv")
        try "sentence,label\nx,positive\n".write(to: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Puzzles.load(file: bad)) { error in
            guard case .malformedFile = error as? EvaluationError else { return XCTFail("\(error)") }
        }
    }
}

/// A calibrated classifier's evaluation also reports its raw scores (p^T renormalised = softmax(z)).
final class CalibratedEvaluationTests: XCTestCase {
    struct Scaled: TextClassifier {
        let name = "scaled"
        let labels = ["negative", "positive"]
        let logits: [String: [Double]]
        let temperature: Double
        func classify(_ texts: [String]) throws -> [[LabelScore]] {
            texts.map { t in
                let z = logits[t]!.map { $0 / temperature }
                let e = z.map { exp($0 - z.max()!) }
                return zip(labels, e).map { LabelScore(label: $0, score: Float($1 / e.reduce(0, +))) }.sorted { $0.score > $1.score }
            }
        }
    }

    func testUncalibratedMetricsAreTheRawSoftmaxes() throws {
        let logits = ["a": [2.0, -1.0], "b": [-0.5, 3.0], "c": [1.0, 1.5], "d": [4.0, -4.0]]
        let texts = ["a", "b", "c", "d"], gold = ["negative", "positive", "negative", "negative"]
        let calibrated = try Evaluator.evaluate(Scaled(logits: logits, temperature: 2), texts: texts, gold: gold,
                                                labels: ["negative", "positive"], data: "toy", split: "test", temperature: 2)
        let raw = try Evaluator.evaluate(Scaled(logits: logits, temperature: 1), texts: texts, gold: gold,
                                         labels: ["negative", "positive"], data: "toy", split: "test")
        let before = try XCTUnwrap(calibrated.uncalibrated)
        XCTAssertEqual(before.logLoss!, raw.metrics.logLoss!, accuracy: 1e-6)
        XCTAssertEqual(before.expectedCalibrationError!, raw.metrics.expectedCalibrationError!, accuracy: 1e-6)
        XCTAssertEqual(before.accuracy, calibrated.metrics.accuracy)
        XCTAssertNotEqual(calibrated.metrics.logLoss!, raw.metrics.logLoss!)
        XCTAssertNil(raw.uncalibrated)
        let html = HTMLReport.evaluation(calibrated)
        XCTAssertTrue(html.contains("Reliability, raw softmax") && html.contains("Reliability, T = 2.00"))
    }
}
