import Foundation
import SentimentCore
import SentimentData
import XCTest

@testable import SentimentEvaluation

final class ComparisonTests: XCTestCase {
    /// The JSON keys the issue names (`name`, `accuracy`, `macro_f1`, timings) and both tables.
    func testJSONKeysAndTables() throws {
        let texts = ["good film", "bad film", "good but bad", "meh"]
        let gold = ["positive", "negative", "negative", "positive"]
        let result = try Evaluator.evaluate(StubClassifier(), texts: texts, gold: gold, labels: ["negative", "positive"],
                                            data: "toy", split: "test")
        let puzzles = try PuzzleRunner.run([Puzzle(text: "good", expected: "positive", category: "negation"),
                                            Puzzle(text: "bad", expected: "positive", category: "sarcasm")], models: [StubClassifier()])
        let report = ComparisonReport(data: "toy", split: "test", testSize: 4,
                                      models: [ComparisonEntry(result, trainSeconds: 3000, source: "loaded")], puzzles: puzzles)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any])
        let model = try XCTUnwrap((object["models"] as? [[String: Any]])?.first)
        XCTAssertEqual(Set(model.keys), ["name", "accuracy", "macro_f1", "log_loss", "train_seconds", "predict_seconds",
                                         "texts_per_second", "source", "ece"])
        XCTAssertEqual(model["name"] as? String, "stub")
        XCTAssertEqual(model["accuracy"] as? Double, 0.75)
        XCTAssertEqual(object["puzzle_score"] as? [String: Int], ["stub": 1])
        let table = report.metricsTable()
        XCTAssertTrue(table.contains("| stub | 0.7500 | "), table)
        XCTAssertTrue(table.contains("| 50.0 min |"), table)
        let puzzleTable = report.puzzleTable()
        XCTAssertTrue(puzzleTable.contains("| negation | good | positive | ✓ POSITIVE 0.90 |"), puzzleTable)
        XCTAssertTrue(puzzleTable.contains("| sarcasm | bad | positive | ✗ NEGATIVE 0.80 |"), puzzleTable)
        XCTAssertTrue(puzzleTable.contains("**1/2**"), puzzleTable)
        let html = report.html(evaluations: [result])
        XCTAssertEqual(html.components(separatedBy: "<svg ").count - 1, 2 + 4)  // 2 bar charts + 4 charts of the model (risk–coverage too)
    }
}

/// `ComparisonReport.run`: every candidate on the same test split, in order, then the puzzles.
extension ComparisonTests {
    func testRunEvaluatesEveryCandidateOnTheTestSplit() throws {
        let test = [LabeledText(text: "good film", label: "positive"), LabeledText(text: "bad film", label: "negative"),
                    LabeledText(text: "good but bad", label: "negative"), LabeledText(text: "meh", label: "positive")]
        let dataset = Dataset(name: "toy", labels: ["negative", "positive"], all: test, train: [], dev: [], test: test)
        var log: [String] = []
        let (report, evaluations) = try ComparisonReport.run(
            [ComparisonCandidate(classifier: StubClassifier(), trainSeconds: 2, source: "cached", folder: nil),
             ComparisonCandidate(classifier: StubClassifier(name: "other"), trainSeconds: nil, source: "loaded", folder: nil,
                                 temperature: 2)],
            on: dataset, puzzles: [Puzzle(text: "good", expected: "positive", category: "negation")], log: { log.append($0) })
        XCTAssertEqual(log, ["evaluating stub on 4 test texts…", "evaluating other on 4 test texts…"])
        XCTAssertEqual(report.models.map(\.name), ["stub", "other"])
        XCTAssertEqual(report.models.map(\.source), ["cached", "loaded"])
        XCTAssertEqual(report.models.map(\.trainSeconds), [2, nil])
        XCTAssertEqual(report.models[0].accuracy, 0.75)
        XCTAssertEqual(report.testSize, 4)
        XCTAssertEqual(report.puzzleScore, ["stub": 1, "other": 1])
        XCTAssertEqual(evaluations.map(\.model), ["stub", "other"])
        XCTAssertNil(evaluations[0].temperature)
        XCTAssertEqual(evaluations[1].temperature, 2, "the raw-softmax metrics beside the scaled ones")
    }
}
