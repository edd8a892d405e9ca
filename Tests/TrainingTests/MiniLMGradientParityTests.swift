import Foundation
import SentimentData
import SentimentModels
import SentimentTensor
import XCTest

@testable import SentimentTraining

/// Fixtures written by scripts/fixtures/training.py.
enum TrainingFixtures {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/training")

    static func file(_ name: String) throws -> SafeTensorsFile {
        try SafeTensorsFile(contentsOf: folder.appendingPathComponent(name))
    }

    /// The cached MiniLM folder; the test fails when it is missing (the Makefile fetches it before the tests).
    static func miniLM() throws -> URL { try ArtifactCache.default.locate("all-MiniLM-L6-v2") }
}

/// PyTorch parity of the whole training model: all-MiniLM-L6-v2 + classification head, dropout off.
final class MiniLMGradientParityTests: XCTestCase {
    func loadParityModel() throws -> (TrainableClassifier, SafeTensorsFile, TrainingBatch) {
        let fixture = try TrainingFixtures.file("minilm_parity.safetensors")
        let model = try TrainableClassifier(folder: TrainingFixtures.miniLM(), numLabels: 2, seed: 1)
        try model.parameters.setValue("classifier.weight", fixture.tensor("classifier.weight"))
        try model.parameters.setValue("classifier.bias", fixture.tensor("classifier.bias"))
        let ids = try fixture.int64("input_ids"), lengths = try fixture.int64("lengths").map { Int($0) }
        let labels = try fixture.int64("labels").map { Int($0) }
        let width = ids.count / lengths.count
        let sequences = lengths.enumerated().map { b, t in (0..<t).map { Int32(ids[b * width + $0]) } }
        return (model, fixture, TrainingBatch(sequences: sequences, labels: labels))
    }

    func testLossLogitsAndEveryGradientMatchPyTorch() throws {
        try KernelPath.onEveryPath(name) {
            let (model, fixture, batch) = try loadParityModel()
            let (loss, logits) = try model.forwardBackward(batch, training: false)
            let refLoss = try fixture.tensor("loss").storage[0]
            let refLogits = try fixture.tensor("logits").storage
            let logitsDelta = zip(logits.flatMap { $0 }, refLogits).map { abs($0 - $1) }.max()!
            print("loss \(loss) vs \(refLoss) |Δ| \(abs(loss - refLoss)); logits max |Δ| \(logitsDelta)")
            XCTAssertEqual(loss, refLoss, accuracy: 1e-5)
            XCTAssertLessThan(logitsDelta, 1e-4)

            var worst: (String, Float) = ("", 0)
            for e in model.parameters.entries {
                let idx = try fixture.int64("grad.\(e.name).idx"), val = try fixture.tensor("grad.\(e.name).val").storage
                let maxAbs = try fixture.tensor("grad.\(e.name).maxabs").storage[0]
                let refNorm = try fixture.tensor("grad.\(e.name).norm").storage[0]
                let refSum = try fixture.tensor("grad.\(e.name).sum").storage[0]
                let g = model.parameters.grads + e.offset
                if e.name.hasSuffix("attention.self.key.bias") {
                    // Exactly zero in theory: softmax is shift-invariant per row and q·b_k is the same for every key.
                    // Both sides hold rounding noise only, so compare magnitudes instead of relative errors.
                    let ours = (0..<e.count).map { abs(g[$0]) }.max()!
                    print("\(e.name): exact gradient 0; max |ours| \(ours), max |PyTorch| \(maxAbs)")
                    XCTAssertLessThan(ours, 1e-8, e.name)
                    XCTAssertLessThan(maxAbs, 1e-8, e.name)
                    continue
                }
                var maxDelta: Float = 0, norm: Double = 0, total: Double = 0
                for (i, v) in zip(idx, val) { maxDelta = max(maxDelta, abs(g[Int(i)] - v)) }
                for i in 0..<e.count { norm += Double(g[i]) * Double(g[i]); total += Double(g[i]) }
                // Relative error of a tensor: max |Δ| over the stored elements / max |grad| over the whole tensor.
                let relative = maxDelta / max(maxAbs, 1e-12)
                let normRelative = abs(Float(norm.squareRoot()) - refNorm) / max(refNorm, 1e-12)
                print(String(format: "%-58@ max|Δ| %.3e  rel %.2e  norm rel %.2e", e.name as NSString, maxDelta, relative, normRelative))
                XCTAssertLessThanOrEqual(relative, 1e-3, e.name)
                XCTAssertLessThanOrEqual(normRelative, 1e-3, e.name)
                XCTAssertEqual(Float(total), refSum, accuracy: 1e-3 * max(refNorm, 1e-9) * Float(e.count).squareRoot(), e.name)
                if relative > worst.1 { worst = (e.name, relative) }
            }
            print("worst relative gradient error: \(worst.0) \(worst.1)")
        }
    }

    func testTenAdamWStepsWithWarmupMatchPyTorchLosses() throws {
        try KernelPath.onEveryPath(name) {
            let (model, fixture, batch) = try loadParityModel()
            let refLosses = try fixture.tensor("steps.loss").storage
            let refNorms = try fixture.tensor("steps.grad_norm").storage
            var adam = AdamW(parameterCount: model.parameters.count, weightDecay: 0.01)
            let (losses, norms) = try FamilyParityTests.tenAdamWSteps(model, batch, &adam, learningRate: 5e-5)
            let lossDelta = zip(losses, refLosses).map { abs($0 - $1) }.max()!
            let normDelta = zip(norms, refNorms).map { abs($0 - $1) / $1 }.max()!
            print("losses  \(losses)\nPyTorch \(refLosses)\nmax |Δ| loss \(lossDelta), max rel Δ grad norm \(normDelta)")
            XCTAssertLessThanOrEqual(lossDelta, 1e-4)
            XCTAssertLessThanOrEqual(normDelta, 1e-3)
            XCTAssertLessThan(losses.last!, losses.first! - 0.05, "training on one batch must lower its loss")
        }
    }
}
