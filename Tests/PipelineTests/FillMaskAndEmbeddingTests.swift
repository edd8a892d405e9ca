import Foundation
import SentimentCore
import SentimentData
import SentimentModels
import SentimentTensor
import SentimentTokenizers
import XCTest

@testable import SentimentPipelines

/// FillMaskPipeline against HF's fill-mask pipeline (cached splade-tiny-mlm), EmbeddingPipeline against
/// sentence-transformers (the models fixture for all-MiniLM-L6-v2).
final class FillMaskAndEmbeddingTests: XCTestCase {
    func splade() throws -> FillMaskPipeline {
        let folder = try ArtifactCache.default.locate("splade-tiny-mlm")
        return try FillMaskPipeline(model: try AutoModel.load(folder: folder), tokenizer: try AutoTokenizer.load(folder: folder),
                                    name: "splade-tiny-mlm", warn: { Warnings.shared.record($0) })
    }

    func compare(_ ours: [MaskPrediction], _ theirs: [PipelineFixtures.HF.Prediction], _ name: String) -> Float {
        XCTAssertEqual(ours.map(\.token), theirs.map(\.token), name)
        XCTAssertEqual(ours.map(\.tokenString), theirs.map(\.token_str), name)
        XCTAssertEqual(ours.map(\.sequence), theirs.map(\.sequence), name)
        return zip(ours, theirs).map { abs($0.score - $1.score) }.max() ?? 0
    }

    func testFillMaskMatchesHuggingFace() throws {
        try KernelPath.onEveryPath(name) {
            let pipeline = try splade()
            let hf = try XCTUnwrap(try PipelineFixtures.hf().fill_mask)
            XCTAssertEqual(pipeline.maskToken, "[MASK]")
            let one = try pipeline.fill(hf.one.text, topK: hf.one.top_k)
            var worst = compare(one, hf.one.result, "one mask")
            // Two masks: a list per mask, sequences keep the specials and the other mask (HF skip_special_tokens=False).
            let two = try pipeline.fill([hf.two.text], topK: hf.two.top_k)[0]
            XCTAssertEqual(two.count, 2)
            for (m, expected) in hf.two.result.enumerated() { worst = max(worst, compare(two[m], expected, "mask \(m + 1) of 2")) }
            // Targets: "superbly" is not a vocabulary entry: its first sub-piece replaces it, with HF's warning.
            Warnings.shared.clear()
            let targeted = try pipeline.fill(hf.targets.text, topK: hf.targets.top_k, targets: hf.targets.targets)
            worst = max(worst, compare(targeted, hf.targets.result, "targets"))
            XCTAssertEqual(targeted.count, 3, "top-k is capped at the number of targets")
            XCTAssertEqual(Warnings.shared.messages,
                           ["The specified target token `superbly` does not exist in the model vocabulary. Replacing with `superb`."])
            print("fill-mask vs HF (one mask, two masks, targets): max |Δ| score = \(worst)")
            XCTAssertLessThan(worst, 1e-5)
            // Batching does not change anything.
            let batched = try pipeline.fill([hf.one.text, hf.two.text, hf.one.text], topK: 5, batchSize: 2)
            for result in [batched[0][0], batched[2][0]] {
                XCTAssertEqual(result.map(\.token), one.map(\.token))
                XCTAssertEqual(zip(result, one).map { abs($0.score - $1.score) }.max()!, 0, accuracy: 1e-6)
            }
        }
    }

    func testFillMaskErrors() throws {
        let pipeline = try splade()
        XCTAssertThrowsError(try pipeline.fill(["a [MASK] film", "no mask here"], topK: 3)) {
            XCTAssertEqual($0 as? PipelineError, .noMaskToken(index: 1, maskToken: "[MASK]"))
        }
        XCTAssertThrowsError(try pipeline.fill("a [MASK] film", targets: ["\u{0001}"])) {
            XCTAssertEqual($0 as? PipelineError, .noValidTargets)
        }
        XCTAssertThrowsError(try pipeline.fill([String](), topK: 3)) { XCTAssertEqual($0 as? PipelineError, .emptyInput) }
        XCTAssertThrowsError(try pipeline.fill("a [MASK] film", topK: 0))
        XCTAssertThrowsError(try FillMaskPipeline(folder: PipelineFixtures.tinyBert)) {
            guard case .some(.wrongModelKind) = $0 as? PipelineError else { return XCTFail("\($0)") }
        }
    }

    func testEmbeddingsMatchSentenceTransformers() throws {
        try KernelPath.onEveryPath(name) {
            let folder = try ArtifactCache.default.locate("all-MiniLM-L6-v2")
            struct Inputs: Decodable { var texts: [String]; var pairs: [String?] }
            let fixtures = PipelineFixtures.fixtures.appendingPathComponent("models/minilm")
            let inputs = try JSONDecoder().decode(Inputs.self, from: Data(contentsOf: fixtures.appendingPathComponent("inputs.json")))
            let expected = try SafeTensorsFile(contentsOf: fixtures.appendingPathComponent("outputs.safetensors")).tensor("embeddings")
            let single = inputs.texts.indices.filter { inputs.pairs[$0] == nil }
            let pipeline = try EmbeddingPipeline(folder: folder)
            XCTAssertEqual(pipeline.dimension, 384)
            XCTAssertEqual(pipeline.maxLength, 256, "sentence_bert_config.json max_seq_length")
            let vectors = try pipeline.embed(single.map { inputs.texts[$0] }, batchSize: 5)
            var worst: Float = 0
            for (row, index) in single.enumerated() {
                let norm = vectors[row].reduce(0) { $0 + $1 * $1 }.squareRoot()
                XCTAssertEqual(norm, 1, accuracy: 1e-5)
                for j in 0..<384 { worst = max(worst, abs(vectors[row][j] - expected.storage[index * 384 + j])) }
            }
            print("embeddings vs sentence-transformers (\(single.count) texts): max |Δ| = \(worst)")
            XCTAssertLessThan(worst, 1e-5)
            XCTAssertThrowsError(try pipeline.embed([" "])) { XCTAssertEqual($0 as? PipelineError, .emptyText(index: 0)) }
        }
    }
}

/// Collects fill-mask warnings for assertions.
final class Warnings: @unchecked Sendable {
    static let shared = Warnings()
    private let lock = NSLock()
    private var stored: [String] = []
    var messages: [String] { lock.withLock { stored } }
    func clear() { lock.withLock { stored.removeAll() } }
    func record(_ message: String) { lock.withLock { stored.append(message) } }
}
