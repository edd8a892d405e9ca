import Foundation
import SentimentModels
import SentimentTensor
import XCTest

@testable import SentimentTraining

/// Checkpoints and `resume`: an interrupted and resumed run must be indistinguishable from an uninterrupted one.
final class TrainerResumeTests: XCTestCase {
    private func makeTrainer(_ output: URL, configuration: TrainerConfiguration? = nil) throws -> Trainer {
        let examples = try TrainerFixtures.toyExamples()
        let configuration = configuration ?? TrainerFixtures.tinyConfiguration()
        let model = try configuration.lora.map {
            try TrainableClassifier(folder: TrainerFixtures.tinyBert, numLabels: 3, seed: 13, lora: $0)
        } ?? TrainerFixtures.tinyModel()
        let trainer = try Trainer(
            model: model, labels: TrainerFixtures.labels,
            train: Array(examples[0..<480]), dev: Array(examples[480...]),
            configuration: configuration,
            tokenizerFolder: TrainerFixtures.tinyBert, output: output)
        trainer.showProgress = false
        trainer.log = { _ in }
        return trainer
    }

    /// Step records of a metrics log without the timing field (which differs between runs).
    private func steps(_ log: URL) throws -> [[String: Double]] {
        try MetricsLog.read(log).map { record in
            var values: [String: Double] = [:]
            for (key, value) in record where key != "examples_per_s" && key != "seconds" {
                if let number = value as? Double { values[key] = number } else if let int = value as? Int { values[key] = Double(int) }
            }
            return values
        }
    }

    func testResumedRunReproducesTheUninterruptedRunExactly() throws {
        let root = try TrainerFixtures.temporaryFolder(self)
        // 480 examples / batch 16 = 30 steps per epoch, 90 in all; checkpoints every 5 steps and at epoch ends.
        let uninterrupted = try makeTrainer(root.appendingPathComponent("a"))
        let full = try uninterrupted.run()
        XCTAssertEqual(full.steps, 90)

        // Crash at step 53 (the last checkpoint was taken at step 50): steps 51-53 are lost and redone.
        let interrupted = try makeTrainer(root.appendingPathComponent("b"))
        let partial = try interrupted.run(stopAfterSteps: 53)
        XCTAssertTrue(partial.interrupted)
        XCTAssertEqual(partial.steps, 53)
        let resumed = try makeTrainer(root.appendingPathComponent("b"))   // a new process: fresh model object
        let rest = try resumed.run(resume: true)
        XCTAssertEqual(rest.steps, 90)

        let a = try steps(uninterrupted.paths.metricsLog), b = try steps(resumed.paths.metricsLog)
        XCTAssertEqual(a.count, 90 + 3)   // step records + one per epoch
        XCTAssertEqual(a, b, "resumed metrics log differs from the uninterrupted one")
        let losses = a.compactMap { $0["loss"] }
        print("losses (first, last):", losses.first!, losses.last!, "— dev accuracy per epoch:", full.devHistory.map(\.accuracy))
        XCTAssertEqual(full.devHistory, rest.devHistory)
        XCTAssertEqual(full.bestEpoch, rest.bestEpoch)
        // Bitwise-identical final parameters.
        XCTAssertEqual(uninterrupted.model.parameters.flatValues(), resumed.model.parameters.flatValues())
        // And the run learned something (3 balanced classes: chance is 1/3).
        XCTAssertGreaterThan(full.bestDev!.accuracy, 0.6)
    }

    /// LoRA: the checkpoint holds only the adapters, the head and their AdamW moments (the base reloads from its
    /// folder), and a resumed run still ends bitwise where the uninterrupted one does; the export is a peft adapter.
    func testResumedLoRARunReproducesTheUninterruptedRunExactly() throws {
        let root = try TrainerFixtures.temporaryFolder(self)
        var configuration = TrainerFixtures.tinyConfiguration()
        configuration.lora = LoRAConfiguration(rank: 4, alpha: 8, targets: [.query, .value, .intermediate])
        configuration.learningRate = 1e-2
        let uninterrupted = try makeTrainer(root.appendingPathComponent("a"), configuration: configuration)
        let full = try uninterrupted.run()
        let interrupted = try makeTrainer(root.appendingPathComponent("b"), configuration: configuration)
        _ = try interrupted.run(stopAfterSteps: 53)
        let checkpoint = TrainerPaths(output: root.appendingPathComponent("b")).checkpoint.appendingPathComponent("state.safetensors")
        let file = try SafeTensorsFile(contentsOf: checkpoint)
        XCTAssertEqual(file.info("trainable_parameters")?.elementCount, interrupted.model.parameters.trainableCount)
        XCTAssertEqual(file.info("adamw.m")?.elementCount, interrupted.model.parameters.trainableCount)
        XCTAssertNil(file.info("parameters"), "no copy of the frozen base")
        let resumed = try makeTrainer(root.appendingPathComponent("b"), configuration: configuration)
        let rest = try resumed.run(resume: true)
        XCTAssertEqual(try steps(uninterrupted.paths.metricsLog), try steps(resumed.paths.metricsLog))
        XCTAssertEqual(full.devHistory, rest.devHistory)
        XCTAssertEqual(uninterrupted.model.parameters.flatValues(), resumed.model.parameters.flatValues())
        XCTAssertGreaterThan(full.bestDev!.accuracy, 0.5, "the adapters learn the toy task (chance: 1/3)")
        // The exported best model is an adapter folder that loads back (merged) to the trainer's logits.
        let exported = uninterrupted.paths.model
        XCTAssertTrue(LoRAAdapter.isAdapterFolder(exported))
        XCTAssertFalse(FileManager.default.fileExists(atPath: exported.appendingPathComponent("model.safetensors").path))
        let merged = try AutoModel.load(baseFolder: TrainerFixtures.tinyBert, adapter: LoRAAdapter(folder: exported))
        let examples = try TrainerFixtures.toyExamples()
        let batch = TrainingBatch(sequences: examples[480..<488].map(\.ids), labels: examples[480..<488].map(\.label))
        let ours = try uninterrupted.model.logits(batch).flatMap { $0 }
        let loaded = try merged.classify(try PackedBatch(sequences: batch.sequences)).storage
        XCTAssertLessThan(zip(ours, loaded).map { abs($0 - $1) }.max()!, 1e-4)
    }

    func testResumeRefusesAnotherConfigurationAndReportsMissingOrCorruptCheckpoints() throws {
        let root = try TrainerFixtures.temporaryFolder(self)
        let output = root.appendingPathComponent("m")
        XCTAssertThrowsError(try makeTrainer(output).run(resume: true)) { error in
            guard case TrainerError.noCheckpoint = error else { return XCTFail("got \(error)") }
            print("missing:", error)
        }
        _ = try makeTrainer(output).run(stopAfterSteps: 6)   // checkpoint at step 5
        var other = TrainerFixtures.tinyConfiguration()
        other.learningRate = 1e-3
        XCTAssertThrowsError(try makeTrainer(output, configuration: other).run(resume: true)) { error in
            XCTAssertEqual(error as? TrainerError, .resumeMismatch("the configuration"))
        }
        // Truncate the tensors file: a clear error, not a crash or silent garbage.
        let tensors = TrainerPaths(output: output).checkpoint.appendingPathComponent("state.safetensors")
        let data = try Data(contentsOf: tensors)
        try data.prefix(data.count / 2).write(to: tensors)
        XCTAssertThrowsError(try makeTrainer(output).run(resume: true)) { error in print("truncated:", error) }
        // Garbage JSON state.
        try Data("{not json".utf8).write(to: TrainerPaths(output: output).checkpoint.appendingPathComponent("trainer_state.json"))
        XCTAssertThrowsError(try makeTrainer(output).run(resume: true)) { error in
            guard case TrainerError.corruptCheckpoint = error else { return XCTFail("got \(error)") }
        }
    }

    func testEarlyStoppingEndsTheRunAndKeepsTheBestEpoch() throws {
        let root = try TrainerFixtures.temporaryFolder(self)
        var c = TrainerFixtures.tinyConfiguration()
        c.epochs = 8
        c.learningRate = 5e-2   // far too high: dev accuracy stops improving quickly
        c.schedule = .constant
        c.warmupRatio = 0
        c.patience = 1
        let trainer = try makeTrainer(root.appendingPathComponent("m"), configuration: c)
        let summary = try trainer.run()
        print("dev accuracy per epoch:", summary.devHistory.map(\.accuracy), "best epoch", summary.bestEpoch ?? -1)
        XCTAssertTrue(summary.stoppedEarly)
        XCTAssertLessThan(summary.epochsCompleted, 8)
        // The model holds the best epoch's weights: its dev accuracy is the best one recorded.
        let best = summary.devHistory.map(\.accuracy).max()!
        XCTAssertEqual(summary.bestDev!.accuracy, best)
        XCTAssertEqual(try trainer.evaluate(trainer.dev).metrics.accuracy, best)
    }
}
