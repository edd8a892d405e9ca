import Foundation
import SentimentCore
import XCTest

@testable import SentimentEvaluation

/// Reads Tests/Fixtures/baselines/NAME (written by scripts/fixtures/baselines.py).
func fixture(_ name: String) throws -> [String: Any] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/baselines/\(name)")
    return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
}

final class MetricsTests: XCTestCase {
    /// 3 classes, 8 examples, every number worked out by hand.
    func testHandComputedValues() throws {
        // gold:      a a a b b c c c
        // predicted: a a b b c c c a
        let m = try EvaluationMetrics(labels: ["a", "b", "c"], gold: [0, 0, 0, 1, 1, 2, 2, 2], predicted: [0, 0, 1, 1, 2, 2, 2, 0])
        XCTAssertEqual(m.confusion, [[2, 1, 0], [0, 1, 1], [1, 0, 2]])
        XCTAssertEqual(m.accuracy, 5.0 / 8)
        // a: TP 2, predicted 3, support 3 → P 2/3, R 2/3, F1 2/3; b: TP 1, predicted 2, support 2 → 1/2, 1/2, 1/2;
        // c: TP 2, predicted 3, support 3 → 2/3, 2/3, 2/3.
        for (c, expected) in [2.0 / 3, 0.5, 2.0 / 3].enumerated() {
            XCTAssertEqual(m.perClass[c].precision, expected, accuracy: 1e-15)
            XCTAssertEqual(m.perClass[c].recall, expected, accuracy: 1e-15)
            XCTAssertEqual(m.perClass[c].f1, expected, accuracy: 1e-15)
        }
        XCTAssertEqual(m.perClass.map(\.support), [3, 2, 3])
        XCTAssertEqual(m.macroF1, (2.0 / 3 + 0.5 + 2.0 / 3) / 3, accuracy: 1e-15)
        XCTAssertEqual(m.weightedAverage.f1, (3 * 2.0 / 3 + 2 * 0.5 + 3 * 2.0 / 3) / 8, accuracy: 1e-15)
        XCTAssertNil(m.logLoss)
    }

    /// Log loss and ECE on 4 binary predictions, by hand.
    func testHandComputedLogLossAndCalibration() throws {
        // Confidences 0.9 (right), 0.8 (wrong), 0.6 (right), 0.55 (right).
        let p: [[Double]] = [[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.55, 0.45]]
        let m = try EvaluationMetrics(labels: ["neg", "pos"], gold: [0, 0, 1, 0], predicted: [0, 1, 1, 0], probabilities: p)
        let expectedLoss = -(log(0.9) + log(0.2) + log(0.6) + log(0.55)) / 4
        XCTAssertEqual(m.logLoss!, expectedLoss, accuracy: 1e-15)
        // Bins (0.5, 0.6]: {0.6 ✓, 0.55 ✓} → acc 1, conf 0.575; (0.7, 0.8]: {0.8 ✗}; (0.8, 0.9]: {0.9 ✓}.
        // ECE = 2/4·|1 − 0.575| + 1/4·|0 − 0.8| + 1/4·|1 − 0.9| = 0.2125 + 0.2 + 0.025 = 0.4375
        XCTAssertEqual(m.expectedCalibrationError!, 0.4375, accuracy: 1e-12)
        XCTAssertEqual(m.calibration.map(\.count), [0, 0, 0, 0, 0, 2, 0, 1, 1, 0])
        print("hand-computed: log loss \(m.logLoss!), ECE \(m.expectedCalibrationError!)")
    }

    /// The same predictions through scikit-learn (fixture) and through us.
    func testMatchesScikitLearnOnRottenTomatoesPredictions() throws {
        let f = try fixture("metrics.json")
        let labels = f["labels"] as! [String]
        let gold = (f["y_true"] as! [String]).map { labels.firstIndex(of: $0)! }
        let predicted = (f["y_pred"] as! [String]).map { labels.firstIndex(of: $0)! }
        let proba = (f["proba"] as! [[NSNumber]]).map { $0.map(\.doubleValue) }
        let m = try EvaluationMetrics(labels: labels, gold: gold, predicted: predicted, probabilities: proba)
        XCTAssertEqual(m.accuracy, f["accuracy"] as! Double, accuracy: 1e-15)
        let theirs = ["precision", "recall", "f1"].flatMap { (f[$0] as! [NSNumber]).map(\.doubleValue) }
        let ours = m.perClass.map(\.precision) + m.perClass.map(\.recall) + m.perClass.map(\.f1)
        let delta = zip(ours, theirs).map { abs($0 - $1) }.max()!
        XCTAssertLessThanOrEqual(delta, 1e-15)
        XCTAssertEqual(m.perClass.map(\.support), (f["support"] as! [NSNumber]).map(\.intValue))
        XCTAssertEqual(m.macroF1, f["macro_f1"] as! Double, accuracy: 1e-15)
        XCTAssertEqual(m.weightedAverage.f1, f["weighted_f1"] as! Double, accuracy: 1e-15)
        XCTAssertEqual(m.confusion, f["confusion_matrix"] as! [[Int]])
        let logLossDelta = abs(m.logLoss! - (f["log_loss"] as! Double))
        XCTAssertLessThanOrEqual(logLossDelta, 1e-12)
        XCTAssertEqual(m.classificationReport(), f["classification_report"] as! String)
        // calibration_curve(y == labels[1], proba[:, 1], n_bins=10): non-empty bins only.
        let curve = f["calibration_curve_positive"] as! [String: [NSNumber]]
        let bins = CalibrationBin.bins(scores: proba.map { $0[1] }, outcomes: gold.map { $0 == 1 }, count: 10).filter { $0.count > 0 }
        let curveDelta = zip(bins.map(\.accuracy) + bins.map(\.meanScore),
                             curve["prob_true"]!.map(\.doubleValue) + curve["prob_pred"]!.map(\.doubleValue)).map { abs($0 - $1) }.max()!
        XCTAssertEqual(bins.count, curve["prob_true"]!.count)
        XCTAssertLessThanOrEqual(curveDelta, 1e-12)
        print("vs scikit-learn: max |Δ| P/R/F1 \(delta), log loss \(logLossDelta), calibration curve \(curveDelta)")
        print(m.classificationReport())
    }

    func testThreeClassReportWithZeroDivision() throws {
        let f = try XCTUnwrap(try fixture("metrics.json")["three_class"] as? [String: Any])
        let labels = f["labels"] as! [String]
        let m = try EvaluationMetrics(labels: labels, gold: (f["y_true"] as! [String]).map { labels.firstIndex(of: $0)! },
                                      predicted: (f["y_pred"] as! [String]).map { labels.firstIndex(of: $0)! })
        XCTAssertEqual(m.confusion, f["confusion_matrix"] as! [[Int]])
        XCTAssertEqual(m.classificationReport(digits: 4), f["classification_report_digits4"] as! String)
    }

    func testBadInputIsATypedError() {
        XCTAssertThrowsError(try EvaluationMetrics(labels: ["a", "b"], gold: [], predicted: []))
        XCTAssertThrowsError(try EvaluationMetrics(labels: ["a", "b"], gold: [0, 1], predicted: [0]))
        XCTAssertThrowsError(try EvaluationMetrics(labels: ["a", "b"], gold: [0, 2], predicted: [0, 1]))
        XCTAssertThrowsError(try EvaluationMetrics(labels: ["a", "b"], gold: [0], predicted: [0], probabilities: [[1]])) {
            XCTAssertEqual($0 as? EvaluationError, .invalidInput("probabilities must be 1 rows of 2 scores"))
        }
    }
}
