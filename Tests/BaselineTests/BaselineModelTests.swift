import Foundation
import SentimentCore
import XCTest

@testable import SentimentBaselines

/// Training on a toy corpus, classify, explain, and the model file: round trip, atomic save, typed errors.
final class BaselineModelTests: XCTestCase {
    let train = LabeledTexts(
        texts: ["a great film", "great acting and a great story", "wonderful and moving", "a moving story",
                "a terrible film", "boring and terrible", "awful acting", "a boring story"],
        labels: [1, 1, 1, 1, 0, 0, 0, 0])
    let dev = LabeledTexts(texts: ["great story", "terrible acting", "wonderful film", "boring film"], labels: [1, 0, 1, 0])

    func testBothKindsTrainClassifyAndRoundTrip() throws {
        for kind in BaselineKind.allCases {
            let model = try BaselineTrainer.train(kind: kind, labels: ["negative", "positive"], train: train, dev: dev)
            XCTAssertEqual(model.training?.devAccuracy, 1, "\(kind)")
            let scores = try model.classify(["what a great, wonderful film", "boring, awful"])
            XCTAssertEqual(scores.map { $0[0].label }, ["positive", "negative"], "\(kind)")
            for s in scores {
                XCTAssertEqual(s.map(\.score).reduce(0, +), 1, accuracy: 1e-6)
                XCTAssertGreaterThanOrEqual(s[0].score, s[1].score)
            }
            let explained = model.topFeatures(count: 3)
            XCTAssertEqual(explained.map(\.label), ["negative", "positive"])
            XCTAssertTrue(explained[1].terms.contains { $0.term == "great" }, "\(explained)")
            XCTAssertTrue(explained[0].terms.allSatisfy { $0.weight < 0 })

            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sk-baseline-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            try model.save(to: folder)
            XCTAssertTrue(BaselineModel.isModelFolder(folder))
            let loaded = try BaselineModel.load(folder: folder)
            XCTAssertEqual(try loaded.classify(["great film", "boring film"]), try model.classify(["great film", "boring film"]))
            XCTAssertEqual(loaded.training, model.training)
            XCTAssertEqual(try BaselineModel.resolve(folder.path)?.name, kind.rawValue)
        }
    }

    func testThreeClassModel() throws {
        let texts = ["good good", "great good", "bad bad", "awful bad", "okay fine", "fine okay"]
        let labels = [2, 2, 0, 0, 1, 1]
        for kind in BaselineKind.allCases {
            let model = try BaselineTrainer.train(kind: kind, labels: ["negative", "neutral", "positive"],
                                                  train: LabeledTexts(texts: texts, labels: labels), dev: nil, C: 10)
            XCTAssertEqual(try model.classify(["good great", "bad awful", "fine okay"]).map { $0[0].label },
                           ["positive", "negative", "neutral"], "\(kind)")
            XCTAssertEqual(model.topFeatures(count: 2).map(\.label), ["negative", "neutral", "positive"])
        }
    }

    func testModelFileErrorsAreTyped() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sk-baseline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        XCTAssertThrowsError(try BaselineModel.load(folder: folder)) {
            XCTAssertEqual($0 as? BaselineError, .notABaselineFolder(folder.path))
        }
        XCTAssertNil(try BaselineModel.resolve(folder.path))
        let file = folder.appendingPathComponent(BaselineModel.fileName)
        let model = try BaselineTrainer.train(kind: .bowSVM, labels: ["negative", "positive"], train: train, dev: dev)
        try model.save(to: folder)
        let good = try String(contentsOf: file, encoding: .utf8)

        try String(good.prefix(good.count / 2)).write(to: file, atomically: true, encoding: .utf8)  // truncated
        XCTAssertThrowsError(try BaselineModel.load(folder: folder)) { error in
            guard case .corruptModel = error as? BaselineError else { return XCTFail("\(error)") }
        }
        try good.replacingOccurrences(of: "\"version\":1", with: "\"version\":7").write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try BaselineModel.load(folder: folder)) {
            XCTAssertEqual($0 as? BaselineError, .unsupportedVersion(found: 7, supported: 1))
        }
        try good.replacingOccurrences(of: "\"labels\":[\"negative\",\"positive\"]", with: "\"labels\":[\"a\",\"b\",\"c\"]")
            .write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try BaselineModel.load(folder: folder)) {
            XCTAssertEqual($0 as? BaselineError, .corruptModel("1 classifier outputs for 3 labels"))
        }
        XCTAssertThrowsError(try model.classify(["fine", "  "])) {
            XCTAssertEqual($0 as? BaselineError, .invalidInput("text 1 is empty"))
        }
    }

    /// The SVM score mapping: a > 0 fitted on dev keeps the SVM's own label (sign of the decision value).
    func testScoreScaleKeepsTheDecisionAndLowersLogLoss() {
        let decision: [[Double]] = [[2], [1], [-0.5], [-1.5], [0.3], [-0.2]]
        let labels = [1, 1, 0, 0, 0, 1]
        let a = ScoreScale.fit(decision: decision, labels: labels)
        func loss(_ a: Double) -> Double {
            zip(decision, labels).reduce(0) { $0 - log(LogisticRegression.probabilities([a * $1.0[0]])[$1.1]) }
        }
        XCTAssertGreaterThan(a, 0)
        XCTAssertLessThanOrEqual(loss(a), loss(a * 1.01))
        XCTAssertLessThanOrEqual(loss(a), loss(a / 1.01))
        print("score scale a = \(a), log loss \(loss(a) / 6) (a = 1: \(loss(1) / 6))")
    }
}
