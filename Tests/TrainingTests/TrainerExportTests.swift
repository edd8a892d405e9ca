import Foundation
import SentimentModels
import SentimentTensor
import XCTest

@testable import SentimentTraining

/// The exported HF folder: what transformers writes for the same model, and a lossless round trip.
final class TrainerExportTests: XCTestCase {
    private struct Reference: Decodable {
        struct Case: Decodable { var ids: [Int32]; var type_ids: [Int32]; var logits: [Float] }
        var cases: [Case]
        /// state_dict keys of the transformers model.
        var keys: [String]
    }

    private func reference() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: TrainerFixtures.folder.appendingPathComponent("tiny-bert-logits.json")))
    }

    private func batch(_ r: Reference) -> TrainingBatch {
        TrainingBatch(sequences: r.cases.map(\.ids), typeIds: r.cases.map(\.type_ids), labels: r.cases.map { _ in 0 })
    }

    func testExportMatchesTransformersLayoutAndReloadsToIdenticalLogits() throws {
        let r = try reference()
        // The transformers-saved classifier, head included, computes transformers' logits.
        let original = try TrainableClassifier(folder: TrainerFixtures.tinyBert, numLabels: 3, head: .fromCheckpoint)
        let logits = try original.logits(batch(r))
        var maxDelta: Float = 0
        for (ours, theirs) in zip(logits, r.cases.map(\.logits)) {
            for (a, b) in zip(ours, theirs) { maxDelta = max(maxDelta, abs(a - b)) }
        }
        print("tiny BERT logits vs transformers: max |Δ| = \(maxDelta)")
        XCTAssertLessThanOrEqual(maxDelta, 1e-4)

        let out = try TrainerFixtures.temporaryFolder(self).appendingPathComponent("exported")
        try HFExport.write(original, labels: TrainerFixtures.labels, tokenizerFrom: TrainerFixtures.tinyBert, to: out,
                           extraFiles: ["note.txt": Data("x".utf8)])
        // Same tensor names as transformers' state_dict, every one F32 with the model's shapes.
        let file = try SafeTensorsFile(contentsOf: out.appendingPathComponent("model.safetensors"))
        XCTAssertEqual(file.names.sorted(), r.keys)
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("config.json"))) as? [String: Any])
        XCTAssertEqual(config["architectures"] as? [String], ["BertForSequenceClassification"])
        XCTAssertEqual(config["id2label"] as? [String: String], ["0": "negative", "1": "neutral", "2": "positive"])
        XCTAssertEqual(config["label2id"] as? [String: Int], ["negative": 0, "neutral": 1, "positive": 2])
        XCTAssertEqual(config["model_type"] as? String, "bert")
        XCTAssertEqual(config["hidden_size"] as? Int, 32)
        for name in ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "note.txt"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), name)
        }
        // No temporary or old siblings are left behind.
        let siblings = try FileManager.default.contentsOfDirectory(atPath: out.deletingLastPathComponent().path)
        XCTAssertEqual(siblings, ["exported"])

        // Reloaded, bitwise the same logits.
        let reloaded = try TrainableClassifier(folder: out, numLabels: 3, head: .fromCheckpoint)
        XCTAssertEqual(try reloaded.logits(batch(r)), logits)
        // Exporting again replaces the folder atomically (old content gone, new complete).
        try HFExport.write(reloaded, labels: TrainerFixtures.labels, tokenizerFrom: TrainerFixtures.tinyBert, to: out)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("note.txt").path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.deletingLastPathComponent().path), ["exported"])
    }

    func testAtomicFolderKeepsTheOldFolderWhenWritingFails() throws {
        let out = try TrainerFixtures.temporaryFolder(self).appendingPathComponent("model")
        try AtomicFolder.write(to: out) { try Data("old".utf8).write(to: $0.appendingPathComponent("a.txt")) }
        struct Boom: Error {}
        XCTAssertThrowsError(try AtomicFolder.write(to: out) { folder in
            try Data("half".utf8).write(to: folder.appendingPathComponent("a.txt"))
            throw Boom()
        })
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("a.txt"), encoding: .utf8), "old")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.deletingLastPathComponent().path), ["model"])
    }

    func testConfigurationAndDataErrorsAreTyped() throws {
        var bad = TrainerConfiguration()
        bad.batchSize = 0
        XCTAssertThrowsError(try bad.validate()) { error in
            XCTAssertEqual(error as? TrainingError, .invalidHyperparameter("batch size must be ≥ 1, got 0"))
        }
        let examples = try TrainerFixtures.toyExamples()
        let out = try TrainerFixtures.temporaryFolder(self).appendingPathComponent("m")
        XCTAssertThrowsError(try Trainer(model: TrainerFixtures.tinyModel(), labels: ["only"], train: examples, dev: examples,
                                         configuration: TrainerConfiguration(), tokenizerFolder: TrainerFixtures.tinyBert, output: out)) {
            XCTAssertEqual($0 as? TrainerError, .tooFewClasses(["only"]))
        }
        XCTAssertThrowsError(try Trainer(model: TrainerFixtures.tinyModel(), labels: TrainerFixtures.labels, train: examples, dev: [],
                                         configuration: TrainerConfiguration(), tokenizerFolder: TrainerFixtures.tinyBert, output: out)) {
            XCTAssertEqual($0 as? TrainerError, .emptySplit("dev"))
        }
    }

    func testLRScheduleWarmupRoundsUpAsHF() {
        var c = TrainerConfiguration()
        c.warmupRatio = 0.1
        XCTAssertEqual(c.lrSchedule(totalSteps: 947), .linearWarmupDecay(warmup: 95, total: 947))  // ceil(94.7)
        c.schedule = .cosine
        XCTAssertEqual(c.lrSchedule(totalSteps: 100), .cosine(warmup: 10, total: 100))
        XCTAssertEqual(c.stepsPerEpoch(trainCount: 10_092), 316)
    }
}
