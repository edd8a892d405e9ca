import Foundation
import SentimentCore
import SentimentModels
import SentimentTensor
import XCTest

@testable import SentimentTraining

/// AdamW, schedules, clipping and losses against PyTorch values (Tests/Fixtures/training, scripts/fixtures/training.py).
final class TrainingOptimTests: XCTestCase {
    func testAdamWMatchesTorchOverFourSteps() throws {
        let f = try TrainingFixtures.file("optim.safetensors")
        let initial = try f.tensor("adamw.initial"), grads = try f.tensor("adamw.grads"), values = try f.tensor("adamw.values")
        let n = initial.count
        let store = ParameterStore(layout: [("w.weight", [n])])
        try store.setValue("w.weight", initial)
        var adam = AdamW(parameterCount: n, weightDecay: 0.1)
        for step in 0..<4 {
            for i in 0..<n { store.grads[i] = grads.storage[step * n + i] }
            adam.update(store, lr: 1e-2)
            let delta = (0..<n).map { abs(store.values[$0] - values.storage[step * n + $0]) }.max()!
            print("AdamW step \(step + 1): max |Δ| \(delta)")
            XCTAssertLessThan(delta, 1e-6)
        }
        XCTAssertEqual(adam.step, 4)
    }

    func testAdamWSkipsFrozenAndDoesNotDecayBiasOrLayerNorm() {
        let store = ParameterStore(layout: [("a.weight", [2]), ("a.bias", [2]), ("LayerNorm.weight", [2]), ("frozen.weight", [2])])
        XCTAssertEqual(store.entries.map(\.decays), [true, false, false, true])
        for i in 0..<8 { store.values[i] = 1 }
        store.setFrozen(true) { $0.hasPrefix("frozen") }
        var adam = AdamW(parameterCount: 8, weightDecay: 0.5)
        adam.update(store, lr: 0.1)   // zero gradients: only decoupled decay moves parameters
        XCTAssertEqual(Array(UnsafeBufferPointer(start: store.values, count: 8)), [0.95, 0.95, 1, 1, 1, 1, 1, 1])
    }

    func testLearningRateMultipliersActLikeTorchParamGroups() {
        // Entry "b" with multiplier 0.25 must move exactly as a separate AdamW at lr·0.25 would move it.
        let store = ParameterStore(layout: [("a.weight", [3]), ("b.weight", [3])])
        let alone = ParameterStore(layout: [("b.weight", [3])])
        var rng = SeededGenerator(seed: 5)
        for i in 0..<6 { store.values[i] = rng.nextNormal() }
        for i in 0..<3 { alone.values[i] = store.values[3 + i] }
        var adam = AdamW(parameterCount: 6, weightDecay: 0.1), single = AdamW(parameterCount: 3, weightDecay: 0.1)
        for _ in 0..<3 {
            for i in 0..<6 { store.grads[i] = rng.nextNormal() }
            for i in 0..<3 { alone.grads[i] = store.grads[3 + i] }
            adam.update(store, lr: 0.01, lrMultipliers: [1, 0.25])
            single.update(alone, lr: 0.0025)
        }
        for i in 0..<3 { XCTAssertEqual(store.values[3 + i], alone.values[i], accuracy: 1e-7) }
    }

    func testAdamWStateRoundTripsThroughTensors() throws {
        let store = ParameterStore(layout: [("w", [3])])
        for i in 0..<3 { store.grads[i] = Float(i) + 0.5 }
        var adam = AdamW(parameterCount: 3)
        adam.update(store, lr: 0.1)
        var restored = try JSONDecoder().decode(AdamW.self, from: JSONEncoder().encode(adam.withoutMoments))
        try restored.load(stateTensors: adam.stateTensors())
        XCTAssertEqual(restored, adam)
        XCTAssertThrowsError(try restored.load(stateTensors: ["adamw.m": Tensor(shape: [2])])) {
            XCTAssertEqual($0 as? TrainingError, .missingWeight("adamw.v"))
        }
    }

    func testSchedulesMatchTransformers() throws {
        let f = try TrainingFixtures.file("optim.safetensors")
        for (key, schedule) in [("linear", LRSchedule.linearWarmupDecay(warmup: 5, total: 20)),
                                ("cosine", .cosine(warmup: 5, total: 20)), ("constant", .constant(warmup: 5))] {
            let ref = try f.tensor("schedule.\(key)").storage
            let ours = (0..<ref.count).map { schedule.multiplier(step: $0) }
            let delta = zip(ours, ref).map { abs($0 - $1) }.max()!
            print("schedule \(key): max |Δ| \(delta)")
            XCTAssertLessThan(delta, 1e-6, key)
        }
        XCTAssertEqual(LRSchedule.linearWarmupDecay(warmup: 3, total: 10).multiplier(step: 0), 0, "HF: first update at lr 0")
    }

    func testClipGradientNormMatchesTorchRule() {
        let store = ParameterStore(layout: [("a", [2]), ("b", [1]), ("c", [1])])
        store.grads[0] = 3; store.grads[1] = 0; store.grads[2] = 4; store.grads[3] = 100
        store.setFrozen(true) { $0 == "c" }   // frozen gradients were zeroed and do not count
        let norm = clipGradientNorm(store, maxNorm: 1)
        XCTAssertEqual(norm, 5, accuracy: 1e-6)
        XCTAssertEqual(store.grads[0], 3 / (5 + 1e-6), accuracy: 1e-7)
        XCTAssertEqual(store.grads[2], 4 / (5 + 1e-6), accuracy: 1e-7)
        XCTAssertEqual(clipGradientNorm(store, maxNorm: 10), 1, accuracy: 1e-5)
        XCTAssertEqual(store.grads[0], 3 / (5 + 1e-6), accuracy: 1e-7, "no scaling below maxNorm")
    }

    func testLossesMatchTorch() throws {
        let f = try TrainingFixtures.file("losses.safetensors")
        let logits = try f.tensor("ce.logits").storage, labels = try f.int64("ce.labels").map { Int($0) }
        let weights = try f.tensor("ce.weights").storage
        for (key, loss) in [("plain", Loss.softmaxCrossEntropy()),
                            ("weighted_smoothed", .softmaxCrossEntropy(classWeights: weights, labelSmoothing: 0.1))] {
            var grad = [Float](repeating: 0, count: logits.count)
            let value = loss.evaluate(logits: logits, batch: 5, classes: 3, targets: .classes(labels), dLogits: &grad)
            let refLoss = try f.tensor("ce.\(key).loss").storage[0], refGrad = try f.tensor("ce.\(key).grad").storage
            let delta = zip(grad, refGrad).map { abs($0 - $1) }.max()!
            print("CE \(key): loss \(value) vs \(refLoss), grad max |Δ| \(delta)")
            XCTAssertEqual(value, refLoss, accuracy: 1e-6)
            XCTAssertLessThan(delta, 1e-6)
        }
        let z = try f.tensor("bce.logits").storage, t = try f.tensor("bce.targets").storage
        let targets = (0..<4).map { Array(t[($0 * 3)..<($0 * 3 + 3)]) }
        var grad = [Float](repeating: 0, count: z.count)
        let value = Loss.sigmoidBCE.evaluate(logits: z, batch: 4, classes: 3, targets: .multiLabel(targets), dLogits: &grad,
                                             scale: 2)
        let delta = zip(grad, try f.tensor("bce.grad").storage).map { abs($0 / 2 - $1) }.max()!
        print("BCE: loss \(value) vs \(try f.tensor("bce.loss").storage[0]), grad max |Δ| \(delta)")
        XCTAssertEqual(value, try f.tensor("bce.loss").storage[0], accuracy: 1e-6)
        XCTAssertLessThan(delta, 1e-6)
    }
}
