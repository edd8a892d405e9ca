import Foundation
import SentimentBaselines
import SentimentCore
import SentimentData
import XCTest

@testable import SentimentPipelines

/// Baseline folders work wherever a model is named: `ModelLocator.classifier` / `load`, pipeline options, `classify --model DIR`.
final class BaselineClassifierTests: XCTestCase {
    func testBaselineFolderClassifiesWithPipelineOptions() throws {
        let texts = ["great fun", "lovely and great", "superb film", "dull and boring", "awful mess", "boring plot"]
        let model = try BaselineTrainer.train(kind: .tfidfLogReg, labels: ["negative", "positive"],
                                              train: LabeledTexts(texts: texts, labels: [1, 1, 1, 0, 0, 0]), dev: nil, C: 10)
        let folder = try PipelineFixtures.temporaryFolder("pipelines-baseline")
        defer { try? FileManager.default.removeItem(at: folder) }
        try model.save(to: folder)

        let classifier = try ModelLocator.classifier(folder.path)
        XCTAssertTrue(classifier is BaselineModel)
        guard case .classifier(let loaded, let explainer) = try ModelLocator.load(folder.path) else { return XCTFail("a classifier") }
        XCTAssertTrue(loaded is BaselineModel)
        XCTAssertNil(explainer, "a baseline has no token importance")
        let inputs = ["a great film", "so boring"]
        let all = try classifier.classify(inputs, options: ClassificationOptions(topK: nil, batchSize: 1))
        XCTAssertEqual(all.map(\.scores), try model.classify(inputs), "same scores as the model's own classify")
        XCTAssertEqual(all.map(\.label), ["positive", "negative"])
        let top1 = try classifier.classify(inputs, options: ClassificationOptions())
        XCTAssertEqual(top1.map(\.scores), all.map { [$0.scores[0]] })
        XCTAssertThrowsError(try classifier.classify(["ok", " "], options: ClassificationOptions())) {
            XCTAssertEqual($0 as? PipelineError, .emptyText(index: 1))
        }
    }
}
