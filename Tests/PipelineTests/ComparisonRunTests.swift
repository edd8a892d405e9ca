import Foundation
import SentimentBaselines
import SentimentCore
import SentimentData
import SentimentEvaluation
import XCTest

@testable import SentimentPipelines

/// `sentiment compare`'s workflow on a toy data set in an empty cache: both baselines trained, then cached; the BERT
/// models named, or none built; a baseline named as a BERT model refused.
final class ComparisonRunTests: XCTestCase {
    func testBaselinesAreTrainedThenCachedBesideTheNamedModels() throws {
        let home = try PipelineFixtures.temporaryFolder("comparison-run")
        defer { try? FileManager.default.removeItem(at: home) }
        let cache = ArtifactCache(root: home)
        let words = [("great", "positive"), ("lovely", "positive"), ("superb", "positive"), ("fine", "neutral"),
                     ("plain", "neutral"), ("dull", "negative"), ("awful", "negative"), ("boring", "negative")]
        let texts = (0..<96).map { i in LabeledText(text: "\(words[i % 8].0) film number \(i)", label: words[i % 8].1) }
        let dataset = Dataset(name: "toy", labels: ["negative", "neutral", "positive"], all: texts,
                              train: Array(texts[0..<64]), dev: Array(texts[64..<80]), test: Array(texts[80...]))
        let comparison = try ComparisonRun(dataset: dataset, cache: cache)

        var log: [String] = []
        let first = try comparison.candidates(bert: [PipelineFixtures.tinyBert.path], log: { log.append($0) })
        XCTAssertEqual(first.map(\.source), ["trained", "trained", "loaded"])
        XCTAssertEqual(first.map(\.classifier.name), ["bow-svm", "tfidf-logreg", "tiny-bert"])
        XCTAssertEqual(first[2].folder?.path, PipelineFixtures.tinyBert.path)
        XCTAssertNil(first[2].trainSeconds, "no training record in the fixture")
        XCTAssertTrue(log.contains("bow-svm: training on toy (C tuned on dev)…"), "\(log)")
        XCTAssertTrue(BaselineModel.isModelFolder(comparison.baselineFolder(.bowSVM)))
        XCTAssertEqual(comparison.baselineFolder(.tfidfLogReg), cache.modelsDirectory.appendingPathComponent("tfidf-logreg-toy"))

        // Cached the second time; no default model is built in this cache: a note says so.
        log = []
        let second = try comparison.candidates(bert: [], log: { log.append($0) })
        XCTAssertEqual(second.map(\.source), ["cached", "cached"])
        XCTAssertEqual(log.first, "bow-svm: cached at \(comparison.baselineFolder(.bowSVM).path)")
        XCTAssertTrue(log.last?.hasPrefix("note: no BERT model in the comparison") == true, "\(log)")

        XCTAssertThrowsError(try comparison.candidates(bert: [comparison.baselineFolder(.bowSVM).path])) {
            XCTAssertTrue("\($0)".contains("is the bow-svm baseline (or given twice)"), "\($0)")
        }

        let (report, evaluations) = try comparison.run(
            bert: [PipelineFixtures.tinyBert.path], puzzles: [Puzzle(text: "a great film", expected: "positive", category: "plain")])
        XCTAssertEqual(report.models.map(\.name), ["bow-svm", "tfidf-logreg", "tiny-bert"])
        XCTAssertEqual(report.testSize, 16)
        XCTAssertEqual(evaluations.count, 3)
        XCTAssertEqual(report.puzzles.count, 1)

        let empty = Dataset(name: "empty", labels: ["a", "b"], all: [], train: [], dev: [], test: [])
        XCTAssertThrowsError(try ComparisonRun(dataset: empty, cache: cache)) {
            XCTAssertEqual($0 as? EvaluationError, .invalidInput("the test split of empty is empty"))
        }
    }
}
