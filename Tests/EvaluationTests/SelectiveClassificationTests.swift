import Foundation
import SentimentCore
import SentimentData
import XCTest

@testable import SentimentEvaluation

/// Threshold selection for triage on synthetic confidences with known answers; Wilson intervals vs scipy.
final class SelectiveClassificationTests: XCTestCase {
    /// 10 texts at known confidences: the curve, and the lowest threshold reaching each target, worked by hand.
    func testThresholdForTargetAccuracyOnAKnownCase() throws {
        let confidences = [0.99, 0.97, 0.95, 0.93, 0.90, 0.90, 0.80, 0.70, 0.60, 0.55]
        let correct = [true, true, true, false, true, true, true, false, true, false]
        let s = try SelectiveClassification(confidences: confidences, correct: correct)
        // The tie at 0.90 is one point (a threshold keeps both or neither).
        XCTAssertEqual(s.curve.map(\.kept), [1, 2, 3, 4, 6, 7, 8, 9, 10])
        XCTAssertEqual(s.curve.map(\.correct), [1, 2, 3, 3, 5, 6, 6, 7, 7])
        // ≥ 0.85: 6 of 7 (0.857) at 0.80 is the widest; 6/8 at 0.70 is not.
        let p85 = try XCTUnwrap(s.threshold(targetAccuracy: 0.85))
        XCTAssertEqual(p85.threshold, 0.80)
        XCTAssertEqual(p85.coverage, 0.7, accuracy: 1e-12)
        // ≥ 0.9: only the first three (3 of 3); 5 of 6 = 0.833 fails.
        XCTAssertEqual(s.threshold(targetAccuracy: 0.9)?.threshold, 0.95)
        // Everything: 0.7 accuracy at coverage 1.
        XCTAssertEqual(s.threshold(targetAccuracy: 0.7)?.kept, 10)
        // minimumKept: 3 texts are too few evidence when 5 are required → none reaches 0.9.
        XCTAssertNil(s.threshold(targetAccuracy: 0.9, minimumKept: 5))
        XCTAssertNil(s.threshold(targetAccuracy: 1.01))
    }

    /// Many texts whose correctness probability equals their confidence (perfect calibration, seeded): the chosen
    /// threshold's kept accuracy is at least the target, and the next lower threshold's is below it.
    func testThresholdOnCalibratedSyntheticConfidences() throws {
        var state: UInt64 = 14
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        let confidences = (0..<20_000).map { _ in 0.5 + 0.5 * uniform() }
        let correct = confidences.map { uniform() < $0 }
        let s = try SelectiveClassification(confidences: confidences, correct: correct)
        let p = try XCTUnwrap(s.threshold(targetAccuracy: 0.95))
        XCTAssertGreaterThanOrEqual(p.accuracy, 0.95)
        let index = s.curve.firstIndex(of: p)!
        XCTAssertTrue(s.curve[(index + 1)...].allSatisfy { $0.accuracy < 0.95 })
        // Kept accuracy above t is the mean of U(t, 1) = (1 + t) / 2 → t ≈ 0.90, coverage ≈ 0.2.
        print(String(format: "calibrated synthetic: threshold %.4f, coverage %.4f, accuracy %.4f", p.threshold, p.coverage, p.accuracy))
        XCTAssertEqual(p.threshold, 0.90, accuracy: 0.01)
        XCTAssertEqual(p.coverage, 0.2, accuracy: 0.02)
    }

    func testWilsonIntervalAndNormalQuantileMatchScipy() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/judgement/wilson.json")
        let f = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        var delta = 0.0
        for case let c as [String: Any] in f["intervals"] as! [Any] {
            let (lo, hi) = SelectiveClassification.wilsonInterval(successes: c["successes"] as! Int, trials: c["trials"] as! Int)
            delta = max(delta, abs(lo - (c["lower"] as! Double)), abs(hi - (c["upper"] as! Double)))
        }
        for case let q as [String: Any] in f["quantiles"] as! [Any] {
            delta = max(delta, abs(SelectiveClassification.normalQuantile(q["p"] as! Double) - (q["z"] as! Double)))
        }
        print("Wilson intervals and normal quantiles vs scipy: max |Δ| \(delta)")
        XCTAssertLessThan(delta, 1e-12)
    }

    func testBadInputIsAClearError() {
        XCTAssertThrowsError(try SelectiveClassification(confidences: [], correct: []))
        XCTAssertThrowsError(try SelectiveClassification(confidences: [0.5], correct: [true, false]))
        XCTAssertThrowsError(try SelectiveClassification(confidences: [.nan], correct: [true]))
    }
}

/// `Triage.decide`: the split of new texts at the threshold chosen on labelled ones.
final class TriageTests: XCTestCase {
    func testSplitAtTheChosenThresholdWithIntervals() throws {
        let labelled = try SelectiveClassification(confidences: [0.99, 0.97, 0.95, 0.93, 0.90, 0.90, 0.80, 0.70, 0.60, 0.55],
                                                   correct: [true, true, true, false, true, true, true, false, true, false])
        let (summary, auto, review) = try Triage.decide(labelled: labelled, labelledSource: "synthetic", target: 0.85,
                                                        minimumKept: 1, confidences: [0.5, 0.8, 0.95, 0.79, 0.99])
        XCTAssertEqual(summary.threshold, 0.80)
        XCTAssertEqual(auto, [1, 2, 4])
        XCTAssertEqual(review, [0, 3])
        XCTAssertEqual(summary.coverage, 0.6, accuracy: 1e-12)
        XCTAssertEqual(summary.labelledAccuracy, 6.0 / 7.0, accuracy: 1e-12)
        XCTAssertEqual(summary.labelledAccuracyAll, 0.7, accuracy: 1e-12)
        let (lo, hi) = SelectiveClassification.wilsonInterval(successes: 3, trials: 5)
        XCTAssertEqual(summary.coverageInterval, [lo, hi])
        // Unreachable target: nothing auto-labelled, everything for review.
        let none = try Triage.decide(labelled: labelled, labelledSource: "synthetic", target: 0.99, minimumKept: 5,
                                     confidences: [0.99, 0.5])
        XCTAssertNil(none.summary.threshold)
        XCTAssertEqual(none.auto, [])
        XCTAssertEqual(none.review, [0, 1])
        XCTAssertThrowsError(try Triage.decide(labelled: labelled, labelledSource: "x", target: 1.5, minimumKept: 1, confidences: [0.5]))
    }
}

/// `Triage.split`, `Triage.selective` and `Triage.devSplit`: what `sentiment triage` runs around `decide`.
extension TriageTests {
    func testSplitKeepsColumnsRowsAndLines() throws {
        let labelled = try SelectiveClassification(confidences: [0.99, 0.9, 0.8, 0.6], correct: [true, true, true, false])
        let table = TabularFile(columns: ["id", "text", "label", "score"],
                                rows: [["1", "a", "x", "0.5"], ["2", "b", "y", "0.95"], ["3", "c", "x", "0.85"]],
                                lines: [2, 4, 5], source: "posts.csv")
        let (summary, auto, review) = try Triage.split(table, confidences: [0.5, 0.95, 0.85], labelled: labelled,
                                                       labelledSource: "sample", target: 1, minimumKept: 1)
        XCTAssertEqual(summary.threshold, 0.8)
        XCTAssertEqual(auto.columns, table.columns)
        XCTAssertEqual(auto.rows, [["2", "b", "y", "0.95"], ["3", "c", "x", "0.85"]])
        XCTAssertEqual(auto.lines, [4, 5])
        XCTAssertEqual(review.rows, [["1", "a", "x", "0.5"]])
        XCTAssertEqual(review.lines, [2])
        XCTAssertEqual(review.source, "posts.csv")
    }

    func testSelectiveOnLabelledTextsRefusesLabelsTheModelLacks() throws {
        let labelled = [LabeledText(text: "good", label: "POSITIVE"), LabeledText(text: "bad", label: "POSITIVE"),
                        LabeledText(text: "meh", label: "NEGATIVE")]
        let selective = try Triage.selective(StubClassifier(), on: labelled)
        XCTAssertEqual(selective.total, 3)
        XCTAssertEqual(selective.curve.map(\.correct), [1, 1, 1], "good ✓ 0.9, bad ✗ 0.8, meh ✗ 0.55")
        XCTAssertThrowsError(try Triage.selective(StubClassifier(), on: [LabeledText(text: "x", label: "neutral")])) {
            XCTAssertEqual("\($0)", "labelled text has label 'neutral', which the model does not have (NEGATIVE, POSITIVE)")
        }
    }

    /// A fine-tuned folder names its data in training_summary.json: its dev split; without the file, a clear error.
    func testDevSplitOfTheDataTheModelWasTrainedOn() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("triage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        XCTAssertThrowsError(try Triage.devSplit(ofModelIn: folder, model: "my-model")) {
            XCTAssertEqual("\($0)", "my-model has no training_summary.json to find its dev split: give --labelled FILE (text and label columns)")
        }
        let data = folder.appendingPathComponent("data.csv")
        try Data(("text,label\n" + (0..<200).map { "text number \($0),\($0 % 3 == 0 ? "a" : "b")" }.joined(separator: "\n")).utf8)
            .write(to: data)
        let summary = """
            {"recipe": {"base": "b", "data": "\(data.path)", "textColumn": "text", "labelColumn": "label"},
             "labels": ["a", "b"], "training": {"trainingSeconds": 1}}
            """
        try Data(summary.utf8).write(to: folder.appendingPathComponent(FineTuningRecord.fileName))
        let (texts, source) = try Triage.devSplit(ofModelIn: folder, model: "my-model")
        XCTAssertEqual(texts, try Datasets.load(file: data).dev)
        XCTAssertFalse(texts.isEmpty)
        XCTAssertEqual(source, "\(data.path) dev split")
    }
}
