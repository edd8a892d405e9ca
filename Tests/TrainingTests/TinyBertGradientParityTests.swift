import Foundation
import SentimentCore
import SentimentModels
import SentimentTensor
import XCTest

@testable import SentimentTraining

/// Whole-model checks on a tiny random BERT (C 16, 2 heads, 2 layers): finite differences with dropout ON, freezing,
/// packing, gradient accumulation, export and typed errors.
final class TinyBertGradientParityTests: XCTestCase {
    static let config: ModelConfig = {
        var c = ModelConfig()
        c.vocabSize = 30
        c.hiddenSize = 16
        c.numHiddenLayers = 2
        c.numAttentionHeads = 2
        c.intermediateSize = 24
        c.maxPositionEmbeddings = 12
        c.hiddenDropoutProb = 0.2
        c.attentionProbsDropoutProb = 0.2
        return c
    }()

    static func randomWeights(seed: UInt64) -> [String: Tensor] {
        var rng = SeededGenerator(seed: seed)
        var out: [String: Tensor] = [:]
        for (name, shape) in ParameterKeys(.bert).sequenceClassificationLayout(config, numLabels: 3) where !name.hasPrefix("classifier") {
            let n = shape.reduce(1, *)
            let isGamma = name.hasSuffix("LayerNorm.weight")
            out[name] = Tensor(shape: shape, data: (0..<n).map { _ in (isGamma ? 1 : 0) + 0.4 * rng.nextNormal() })
        }
        return out
    }

    func makeModel(problem: ProblemType = .singleLabel) throws -> TrainableClassifier {
        try TrainableClassifier(config: Self.config, weights: Self.randomWeights(seed: 3), numLabels: 3, problem: problem, seed: 9)
    }

    let batch = TrainingBatch(sequences: [[1, 5, 7, 2], [1, 9, 2], [1, 4, 4, 11, 12, 2]],
                              typeIds: [[0, 0, 0, 0], [0, 0, 0], [0, 0, 1, 1, 1, 1]], labels: [2, 0, 1])

    /// Loss with the dropout masks of pass `counter` (so finite differences see the same masks).
    func loss(_ model: TrainableClassifier, counter: UInt64, training: Bool) throws -> Float {
        model.dropout.counter = counter
        let g = model.parameters.flatValues()
        defer { try? model.parameters.load(flatValues: g) }
        return try model.forwardBackward(batch, training: training, lossScale: 0).loss
    }

    func checkFiniteDifferences(training: Bool) throws {
        let model = try makeModel()
        model.dropout.counter = 4
        model.parameters.zeroGradients()
        _ = try model.forwardBackward(batch, training: training)
        let analytic = Array(UnsafeBufferPointer(start: model.parameters.grads, count: model.parameters.count))
        var rng = SeededGenerator(seed: 77)
        var worst: Float = 0
        for e in model.parameters.entries {
            // Up to 12 elements per tensor; for embedding tables only rows the batch uses.
            var candidates = Array(0..<e.count)
            if e.name.contains("embeddings.") && !e.name.contains("LayerNorm") {
                candidates = candidates.filter { analytic[e.offset + $0] != 0 }
            }
            let picks = (0..<min(12, candidates.count)).map { _ in candidates[Int(rng.next() % UInt64(candidates.count))] }
            var maxDelta: Float = 0, scale: Float = 0
            for i in picks {
                let p = model.parameters.values + e.offset + i
                let old = p.pointee, h: Float = 1e-2
                p.pointee = old + h
                let up = try loss(model, counter: 4, training: training)
                p.pointee = old - h
                let down = try loss(model, counter: 4, training: training)
                p.pointee = old
                let numeric = (up - down) / (2 * h)
                maxDelta = max(maxDelta, abs(numeric - analytic[e.offset + i]))
                scale = max(scale, abs(analytic[e.offset + i]))
            }
            let relative = maxDelta / max(scale, 1e-3)
            worst = max(worst, relative)
            print(String(format: "%-48@ max|Δ| %.2e  rel %.2e", e.name as NSString, maxDelta, relative))
            XCTAssertLessThan(relative, 2e-2, e.name)
        }
        print("worst relative error (Float32 central differences, h 1e-2): \(worst)")
    }

    func testWholeModelGradientsMatchFiniteDifferencesWithoutDropout() throws { try KernelPath.onEveryPath(name) { try checkFiniteDifferences(training: false) } }
    func testWholeModelGradientsMatchFiniteDifferencesWithDropout() throws { try KernelPath.onEveryPath(name) { try checkFiniteDifferences(training: true) } }

    func testPackedBatchEqualsSequencesOneByOne() throws {
        try KernelPath.onEveryPath(name) {
            let model = try makeModel()
            let together = try model.logits(batch)
            for (i, s) in batch.sequences.enumerated() {
                let alone = try model.logits(TrainingBatch(sequences: [s], typeIds: [batch.typeIds![i]]))[0]
                let delta = zip(alone, together[i]).map { abs($0 - $1) }.max()!
                XCTAssertLessThan(delta, 1e-5, "sequence \(i)")
            }
        }
    }

    func testGradientAccumulationEqualsOneBigBatch() throws {
        try KernelPath.onEveryPath(name) {
            let model = try makeModel()
            _ = try model.forwardBackward(batch, training: false)
            let full = Array(UnsafeBufferPointer(start: model.parameters.grads, count: model.parameters.count))
            model.parameters.zeroGradients()
            let labels: [Int] = [2, 0, 1]
            for (i, s) in batch.sequences.enumerated() {
                _ = try model.forwardBackward(TrainingBatch(sequences: [s], typeIds: [batch.typeIds![i]], labels: [labels[i]]),
                                              training: false, lossScale: 1.0 / 3)
            }
            let accumulated = Array(UnsafeBufferPointer(start: model.parameters.grads, count: model.parameters.count))
            let delta = zip(full, accumulated).map { abs($0 - $1) }.max()!
            print("accumulation vs full batch: max |Δ| \(delta)")
            XCTAssertLessThan(delta, 1e-5)
        }
    }

    func testFreezingSkipsGradientsAndKeepsTheOthersExact() throws {
        try KernelPath.onEveryPath(name) {
            let model = try makeModel()
            _ = try model.forwardBackward(batch, training: false)
            let reference = Array(UnsafeBufferPointer(start: model.parameters.grads, count: model.parameters.count))
            for policy in [FreezePolicy(embeddings: true), FreezePolicy(lowerLayers: 1), FreezePolicy(wholeEncoder: true)] {
                model.freeze(policy)
                model.parameters.zeroGradients()
                _ = try model.forwardBackward(batch, training: false)
                for e in model.parameters.entries {
                    let g = Array(UnsafeBufferPointer(start: model.parameters.grads + e.offset, count: e.count))
                    if e.trainable {
                        XCTAssertEqual(g, Array(reference[e.offset..<(e.offset + e.count)]), "\(policy) \(e.name)")
                    } else {
                        XCTAssertTrue(g.allSatisfy { $0 == 0 }, "\(policy) frozen \(e.name)")
                    }
                }
            }
            model.freeze(FreezePolicy(wholeEncoder: true))
            XCTAssertEqual(model.parameters.trainableCount, 3 * 16 + 3)
            model.freeze(.none)
            XCTAssertEqual(model.parameters.trainableCount, model.parameters.count)
        }
    }

    func testLayerwiseLRMultipliers() throws {
        try KernelPath.onEveryPath(name) {
            let model = try makeModel()
            let m = model.layerwiseLRMultipliers(decay: 0.5)
            let byName = Dictionary(uniqueKeysWithValues: zip(model.parameters.entries.map(\.name), m))
            XCTAssertEqual(byName["classifier.weight"], 1)
            XCTAssertEqual(byName["bert.pooler.dense.bias"], 1)
            XCTAssertEqual(byName["bert.encoder.layer.1.output.dense.weight"], 0.5)
            XCTAssertEqual(byName["bert.encoder.layer.0.attention.self.query.weight"], 0.25)
            XCTAssertEqual(byName["bert.embeddings.word_embeddings.weight"], 0.125)
        }
    }

    func testMultiLabelUsesSigmoidBCE() throws {
        try KernelPath.onEveryPath(name) {
            let model = try makeModel(problem: .multiLabel)
            XCTAssertEqual(model.loss, .sigmoidBCE)
            let targets: [[Float]] = [[1, 0, 1], [0, 0, 0], [0, 1, 1]]
            let multi = TrainingBatch(sequences: batch.sequences, typeIds: batch.typeIds, targets: .multiLabel(targets))
            let (loss, logits) = try model.forwardBackward(multi, training: false)
            var expected: Double = 0
            for (row, t) in zip(logits, targets) {
                for (z, y) in zip(row, t) { expected -= Double(y) * log(1 / (1 + exp(-Double(z)))) + Double(1 - y) * log(1 - 1 / (1 + exp(-Double(z)))) }
            }
            XCTAssertEqual(Double(loss), expected / 9, accuracy: 1e-5)
        }
    }

    func testDropoutStateMakesTrainingReproducible() throws {
        try KernelPath.onEveryPath(name) {
            let a = try makeModel(), b = try makeModel()
            let la = try (0..<3).map { _ in try a.forwardBackward(batch).loss }
            let lb = try (0..<3).map { _ in try b.forwardBackward(batch).loss }
            XCTAssertEqual(la, lb)
            XCTAssertEqual(a.dropout.counter, 3)
            XCTAssertNotEqual(la[0], try a.evaluate(batch).loss, "training forward uses dropout")
            let restored = try makeModel()
            restored.dropout = try JSONDecoder().decode(DropoutRNG.self, from: JSONEncoder().encode(a.dropout))
            let next = try a.forwardBackward(batch).loss
            XCTAssertEqual(try restored.forwardBackward(batch).loss, next)
        }
    }

    func testExportUsesHFNamesAndConfig() throws {
        let model = try makeModel()
        let tensors = model.hfTensors()
        XCTAssertEqual(tensors.count, model.parameters.entries.count)
        XCTAssertEqual(tensors["classifier.weight"]?.shape, [3, 16])
        XCTAssertNotNil(tensors["bert.encoder.layer.1.attention.self.key.bias"])
        let json = try JSONSerialization.jsonObject(with: model.hfConfigJSON(labels: ["neg", "neu", "pos"])) as! [String: Any]
        XCTAssertEqual(json["architectures"] as? [String], ["BertForSequenceClassification"])
        XCTAssertEqual((json["id2label"] as? [String: String])?["2"], "pos")
        XCTAssertEqual(json["hidden_size"] as? Int, 16)
        XCTAssertThrowsError(try model.hfConfigJSON(labels: ["a"]))
        // Xavier head: zero bias, weights within ±√(6 / (3 + 16)).
        let w = model.parameters.value("classifier.weight")!.storage
        XCTAssertTrue(w.allSatisfy { abs($0) <= (6.0 / 19).squareRoot() } && Set(w).count == w.count)
        XCTAssertEqual(model.parameters.value("classifier.bias")!.storage, [0, 0, 0])
    }

    /// The trainer reads checkpoints through inference's `CheckpointReader`: a bare base model's keys (no `bert.`),
    /// legacy LayerNorm `gamma` / `beta` names and [1, n] biases load to exactly the same parameters.
    func testCheckpointKeyVariantsLoadTheSameParameters() throws {
        let reference = try makeModel()
        var variant: [String: Tensor] = [:]
        for (name, tensor) in Self.randomWeights(seed: 3) {
            var key = name.hasPrefix("bert.") ? String(name.dropFirst(5)) : name
            if key.contains("LayerNorm.") {
                key = key.hasSuffix(".weight") ? String(key.dropLast(7)) + ".gamma" : String(key.dropLast(5)) + ".beta"
            }
            variant[key] = key.hasSuffix(".bias") && tensor.shape.count == 1 ? tensor.reshaped([1, tensor.count]) : tensor
        }
        XCTAssertTrue(variant.keys.contains("encoder.layer.0.attention.output.LayerNorm.gamma"))
        let loaded = try TrainableClassifier(config: Self.config, weights: variant, numLabels: 3, seed: 9)
        XCTAssertEqual(loaded.parameters.flatValues(), reference.parameters.flatValues())
    }

    func testBadInputsGiveTypedErrors() throws {
        let model = try makeModel()
        func expect(_ b: TrainingBatch, _ error: TrainingError, line: UInt = #line) {
            XCTAssertThrowsError(try model.forwardBackward(b), line: line) { XCTAssertEqual($0 as? TrainingError, error, line: line) }
        }
        expect(TrainingBatch(sequences: [], labels: []), .emptyBatch)
        expect(TrainingBatch(sequences: [[1], []], labels: [0, 0]), .emptySequence(index: 1))
        expect(TrainingBatch(sequences: [[1, 30]], labels: [0]), .tokenOutOfRange(index: 0, id: 30, vocabularySize: 30))
        expect(TrainingBatch(sequences: [Array(repeating: 1, count: 13)], labels: [0]),
               .sequenceTooLong(index: 0, length: 13, maxPositions: 12))
        expect(TrainingBatch(sequences: [[1]], labels: [3]), .labelOutOfRange(index: 0, label: 3, numLabels: 3))
        expect(TrainingBatch(sequences: [[1], [2]], labels: [0]), .targetCountMismatch(sequences: 2, targets: 1))
        XCTAssertThrowsError(try TrainableClassifier(config: Self.config, weights: [:], numLabels: 2)) {
            XCTAssertEqual($0 as? TrainingError, .missingWeight("bert.embeddings.word_embeddings.weight"))
        }
        var weights = Self.randomWeights(seed: 1)
        weights["bert.encoder.layer.0.output.dense.weight"] = Tensor(shape: [2, 2])
        XCTAssertThrowsError(try TrainableClassifier(config: Self.config, weights: weights, numLabels: 2)) {
            XCTAssertEqual($0 as? TrainingError,
                           .shapeMismatch(name: "bert.encoder.layer.0.output.dense.weight", expected: [16, 24], got: [2, 2]))
        }
        XCTAssertThrowsError(try TrainableClassifier(folder: URL(fileURLWithPath: "/nonexistent"), numLabels: 2)) {
            XCTAssertEqual($0 as? ModelError, .missingFile("/nonexistent"))
        }
        XCTAssertThrowsError(try TrainableClassifier(config: Self.config, weights: Self.randomWeights(seed: 1), numLabels: 1,
                                                     problem: .regression)) {
            guard case .invalidHyperparameter = $0 as? TrainingError else { return XCTFail("\($0)") }
        }
        // A folder whose weights file is truncated: the one checkpoint loader's error, as inference gives it.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-bert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.config.jsonData().write(to: folder.appendingPathComponent("config.json"))
        let full = SafeTensors.serialize(Self.randomWeights(seed: 1))
        try full.prefix(full.count / 2).write(to: folder.appendingPathComponent("model.safetensors"))
        XCTAssertThrowsError(try TrainableClassifier(folder: folder, numLabels: 2)) {
            guard case .weights(let why) = $0 as? ModelError else { return XCTFail("\($0)") }
            XCTAssertTrue(why.contains("data area"), why)
        }
        try full.write(to: folder.appendingPathComponent("model.safetensors"))
        XCTAssertEqual(try TrainableClassifier(folder: folder, numLabels: 2).parameters.count,
                       try makeModel().parameters.count - 16 * 3 - 3 + 16 * 2 + 2, "complete folder loads")
        var relu = Self.config
        relu.hiddenAct = .relu
        XCTAssertThrowsError(try TrainableClassifier(config: relu, weights: Self.randomWeights(seed: 1), numLabels: 2)) {
            guard case .invalidConfig = $0 as? TrainingError else { return XCTFail("\($0)") }
        }
    }
}
