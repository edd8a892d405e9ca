import Foundation
import SentimentCore
import SentimentTensor
import XCTest

@testable import SentimentModels

/// `LoadOptions.precision`: the encoder's linear layers in bf16 or int8 on the tiny BERT / RoBERTa / MPNet
/// classifiers (Tests/Fixtures), against the same model in fp32 (itself checked against PyTorch in ModelParityTests),
/// and a text's logits independent of its batch-mates.
final class PrecisionTests: XCTestCase {
    private func load(_ name: String, _ precision: Precision) throws -> EncoderModel {
        try AutoModel.load(folder: TestArtifacts.fixture(name), options: LoadOptions(precision: precision))
    }

    func testReducedPrecisionStaysCloseToFP32() throws {
        try KernelPath.onEveryPath(name) {
            for name in ["tiny-bert-cls", "tiny-roberta-cls", "tiny-distilbert-cls"] {
                let inputs = try FixtureInputs.load("\(name).json")
                let batch = try inputs.batch()
                let fp32 = try load(name, .fp32).classify(batch)
                for (precision, tolerance) in [(Precision.bf16, Float(0.02)), (.int8, 0.05)] {
                    let model = try load(name, precision)
                    XCTAssertEqual(model.encoder.layers[0].attention.queryKeyValue.precision, precision)
                    let logits = try model.classify(batch)
                    let scale = fp32.storage.map { abs($0) }.max()!
                    let delta = maxAbsDifference(logits, fp32)
                    print("\(name) \(precision.rawValue) vs fp32 logits: max |Δ| \(delta) (logits up to \(scale))")
                    XCTAssertLessThanOrEqual(delta, tolerance * max(1, scale), "\(name) \(precision)")
                }
            }
        }
    }

    /// int8 activations are quantized per token, so a text's result is the same alone, in a batch and in a reversed
    /// batch (ONNX Runtime's dynamic quantization shares one scale per tensor, so batch-mates move each other's
    /// results). Bitwise, for every precision.
    func testLogitsDoNotDependOnBatchMates() throws {
        try KernelPath.onEveryPath(name) {
            let inputs = try FixtureInputs.load("tiny-bert-cls.json")
            for precision in Precision.allCases {
                let model = try load("tiny-bert-cls", precision)
                let together = try model.classify(inputs.batch())
                let reversed = try model.classify(PackedBatch(sequences: inputs.input_ids.reversed(),
                                                              typeIds: inputs.token_type_ids.reversed()))
                let labels = together.shape[1], count = inputs.input_ids.count
                for i in 0..<count {
                    let alone = try model.classify(PackedBatch(sequences: [inputs.input_ids[i]], typeIds: [inputs.token_type_ids[i]]))
                    let row = Array(together.storage[(i * labels)..<((i + 1) * labels)])
                    XCTAssertEqual(alone.storage, row, "\(precision) text \(i): alone vs in the batch")
                    let j = count - 1 - i
                    XCTAssertEqual(Array(reversed.storage[(j * labels)..<((j + 1) * labels)]), row, "\(precision) text \(i): reversed")
                }
            }
        }
    }
}
