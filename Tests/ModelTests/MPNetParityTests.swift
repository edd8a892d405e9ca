import Foundation
import SentimentTensor
import SentimentTokenizers
import XCTest

@testable import SentimentModels

/// all-mpnet-base-v2 (MPNet 12×768: relative position bias, RoBERTa-style positions, no token types) against
/// transformers' MPNetModel and sentence-transformers (scripts/fixtures/mpnet.py), on short, long, accented texts and
/// sentence pairs: max |Δ| ≤ 1e-4.
final class MPNetParityTests: XCTestCase {
    struct Inputs: Decodable {
        var texts: [String]
        var pairs: [[String]]
        var input_ids: [[Int]]
    }

    func testAllMPNetBaseV2MatchesPyTorchAndSentenceTransformers() throws {
        try KernelPath.onEveryPath(name) {
            let folder = TestArtifacts.folder("all-mpnet-base-v2")
            let model = try AutoModel.load(folder: folder)
            XCTAssertEqual(model.config.modelType, .mpnet)
            XCTAssertEqual(model.config.relativeAttentionNumBuckets, 32)
            XCTAssertEqual(model.pooling, SentencePooling(mode: .mean, normalize: true))
            let inputs = try JSONDecoder().decode(Inputs.self, from: Data(contentsOf: TestArtifacts.fixture("mpnet/inputs.json")))
            XCTAssertEqual(inputs.input_ids.count, inputs.texts.count + inputs.pairs.count)

            // Our tokenizer gives HF's ids for every text and pair.
            let tokenizer = try AutoTokenizer.load(folder: folder)
            let singles = try inputs.texts.map { try tokenizer.encode($0).ids.map(Int.init) }
            let pairs = try inputs.pairs.map { try tokenizer.encode($0[0], pair: $0[1]).ids.map(Int.init) }
            XCTAssertEqual(singles + pairs, inputs.input_ids)

            let expected = try expectedTensors("mpnet/outputs.safetensors")
            let output = try model.forward(try PackedBatch(sequences: inputs.input_ids))
            assertClose(output.hidden, try expected.tensor("last_hidden_state"), "all-mpnet-base-v2 last_hidden_state")
            let singleBatch = try PackedBatch(sequences: Array(inputs.input_ids.prefix(inputs.texts.count)))
            assertClose(try model.sentenceEmbeddings(singleBatch), try expected.tensor("embeddings"),
                        "all-mpnet-base-v2 sentence-transformers embeddings")
        }
    }
}
