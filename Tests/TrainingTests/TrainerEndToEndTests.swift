import Foundation
import SentimentData
import SentimentModels
import SentimentTokenizers
import XCTest

@testable import SentimentTraining

/// Whole fine-tuning jobs (`FineTuning.run`, what `sentiment train` calls): data → tokenizer → trainer → HF folder.
final class TrainerEndToEndTests: XCTestCase {
    /// Reloads an exported folder and checks that it computes exactly the logits recorded at the end of training.
    private func assertReloadsToIdenticalLogits(_ result: FineTuningResult, maxLength: Int) throws {
        let folder = URL(fileURLWithPath: result.model)
        let reloaded = try TrainableClassifier(folder: folder, numLabels: result.labels.count, head: .fromCheckpoint)
        let tokenizer = try AutoTokenizer.load(folder: folder)
        let examples = try FineTuning.encode(
            result.sampleLogits.map { LabeledText(text: $0.text, label: result.labels[0], textPair: $0.pair) },
            labels: result.labels, tokenizer: tokenizer, maxLength: maxLength, split: "sample")
        let logits = try Trainer.predict(reloaded, examples, batchSize: 8).logits
        XCTAssertFalse(logits.isEmpty)
        XCTAssertEqual(logits, result.sampleLogits.map(\.logits), "reloaded folder gives different logits")
    }

    func testToyFileWithSentencePairsTrainsEndToEnd() throws {
        let out = try TrainerFixtures.temporaryFolder(self).appendingPathComponent("toy-model")
        var recipe = FineTuningRecipe(base: TrainerFixtures.tinyBert.path, data: TrainerFixtures.toyCSV.path,
                                      configuration: TrainerFixtures.tinyConfiguration())
        recipe.pairColumn = "second"
        let result = try FineTuning.run(recipe, output: out, showProgress: false)
        let test = try XCTUnwrap(result.test)
        print(String(format: "toy: dev accuracy %.3f, test accuracy %.3f macro-F1 %.3f (%d test), %.1f examples/s",
                     result.dev.accuracy, test.accuracy, test.macroF1, test.count, result.training.examplesPerSecond))
        XCTAssertEqual(result.labels, ["negative", "neutral", "positive"])
        XCTAssertEqual(result.trainExamples + result.dev.count + test.count, 600)
        XCTAssertGreaterThan(test.accuracy, 0.6)   // chance: 1/3
        for file in ["config.json", "model.safetensors", "vocab.txt", "tokenizer.json", "training_summary.json", "metrics.jsonl"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), file)
        }
        // The checkpoint is gone after a complete run; the log has one record per step and per epoch.
        let paths = TrainerPaths(output: out)
        XCTAssertFalse(FileManager.default.fileExists(atPath: paths.checkpoint.path))
        XCTAssertEqual(try MetricsLog.read(paths.metricsLog).count, result.training.steps + 3)
        let summary = try JSONDecoder().decode(FineTuningResult.self, from: Data(contentsOf: out.appendingPathComponent("training_summary.json")))
        XCTAssertEqual(summary.test, result.test)
        // What the layers below the trainer read of it (compare, triage, models).
        XCTAssertEqual(try FineTuningRecord.load(folder: out), result.record)
        XCTAssertEqual(result.record.recipe.pairColumn, "second")
        try assertReloadsToIdenticalLogits(result, maxLength: recipe.configuration.maxLength)
    }

    /// The recipes and the names the pipelines know (SentimentData's `DefaultModelCatalog`) are the same models.
    func testEveryDefaultModelHasARecipe() {
        XCTAssertEqual(DefaultModels.recipes.keys.sorted(), DefaultModelCatalog.names)
        XCTAssertEqual(DefaultModelCatalog.folder("sentiment-en", cache: ArtifactCache(root: URL(fileURLWithPath: "/c"))).path,
                       "/c/models/sentiment-en")
    }

    /// The CI run of issue 5, now the distilled default recipe (issue 33: MiniLM learning from the shipped
    /// sentiment-en's logits on its training texts — Rotten Tomatoes, polar tweets, polar drug reviews): the first
    /// 1,000 training examples, 1 epoch, max length 64, judged on the three test splits together.
    func testMiniLMOnAThousandRottenTomatoesExamplesBeatsTheMajorityClass() throws {
        var recipe = try XCTUnwrap(DefaultModels.recipes["sentiment-en-fast"])
        recipe.configuration.limit = 1_000
        recipe.configuration.epochs = 1
        recipe.configuration.maxLength = 64
        recipe.configuration.checkpointEverySteps = nil
        let out = try TrainerFixtures.temporaryFolder(self).appendingPathComponent("minilm-rt")
        let result = try FineTuning.run(recipe, output: out, showProgress: false)
        let test = try XCTUnwrap(result.test)
        let dataset = try FineTuning.loadData(recipe, cache: .default)
        let majority = Double(dataset.labelCounts(.test).max()!) / Double(dataset.test.count)
        print(String(format: "MiniLM 1,000 examples × 1 epoch: test accuracy %.2f %% (majority %.2f %%), macro-F1 %.2f %%, "
                     + "dev accuracy %.2f %%, %.1f training examples/s, %.0f s wall",
                     100 * test.accuracy, 100 * majority, 100 * test.macroF1, 100 * result.dev.accuracy,
                     result.training.examplesPerSecond, result.wallSeconds))
        XCTAssertEqual(test.count, dataset.test.count)
        XCTAssertGreaterThan(dataset.test.count, 1_341, "Rotten Tomatoes' test split and the other domains'")
        XCTAssertGreaterThan(test.accuracy, majority + 0.10)
        XCTAssertGreaterThan(test.macroF1, 0.6)
        try assertReloadsToIdenticalLogits(result, maxLength: 64)
    }
}
