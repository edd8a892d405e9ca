import Foundation
import SentimentTensor
import XCTest

@testable import SentimentModels

/// Every layer's and head's attention probabilities, and attention rollout, against transformers'
/// `output_attentions=True` and a float64 numpy rollout (scripts/fixtures/explain.py), max |Δ| ≤ 1e-5.
final class AttentionMapsTests: XCTestCase {
    private struct Inputs: Decodable { var texts: [String]; var input_ids: [[Int]] }

    func testMiniLMAttentionMapsAndRolloutMatchPyTorch() throws {
        let model = try AutoModel.load(folder: TestArtifacts.folder("all-MiniLM-L6-v2"))
        let inputs = try JSONDecoder().decode(Inputs.self, from: Data(contentsOf: TestArtifacts.fixture("../explain/attention.json")))
        let expected = try expectedTensors("../explain/attention.safetensors")
        // One packed batch of all texts: each sequence's maps must come out as if it ran alone.
        let batch = try PackedBatch(sequences: inputs.input_ids)
        let (output, maps) = try model.forwardKeepingAttention(batch)
        XCTAssertEqual(maps.count, inputs.texts.count)
        for (i, map) in maps.enumerated() {
            let T = inputs.input_ids[i].count
            XCTAssertEqual([map.layers, map.heads, map.length], [6, 12, T])
            let reference = try expected.tensor("attentions.\(i)")
            XCTAssertEqual(reference.shape, [6, 12, T, T])
            assertClose(Tensor(shape: reference.shape, data: map.probabilities), reference, tolerance: 1e-5,
                        "attention maps of \"\(inputs.texts[i])\"")
            for l in 0..<map.layers {
                for h in 0..<map.heads {
                    for q in 0..<T {
                        let row = (0..<T).reduce(Float(0)) { $0 + map.weight(layer: l, head: h, query: q, key: $1) }
                        XCTAssertEqual(row, 1, accuracy: 1e-5)
                    }
                }
            }
            let rollout = try expected.tensor("rollout.\(i)")
            assertClose(Tensor(shape: [T, T], data: map.rollout()), rollout, tolerance: 1e-5, "rollout of \"\(inputs.texts[i])\"")
            // The last layer's first-token head mean is what `forward(captureAttention:)` reports.
            XCTAssertEqual(Array(map.headMean(layer: 5).prefix(T)), output.firstTokenAttention![i])
        }
        let plain = try model.forward(batch, captureAttention: true)
        XCTAssertEqual(plain.hidden.storage, output.hidden.storage, "keeping the maps changes no hidden state")
        for (a, b) in zip(plain.firstTokenAttention!, output.firstTokenAttention!) {
            XCTAssertEqual(a.count, b.count)
            for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-6) }
        }
    }

    func testRolloutOfUniformAttentionIsUniformAndRowsSumToOne() {
        // Two layers, one head, T = 2, every query attends uniformly: Â = [[.75, .25], [.25, .75]], Â² = [[.625, .375], …].
        let maps = AttentionMaps(layers: 2, heads: 1, length: 2, probabilities: [Float](repeating: 0.5, count: 8))
        let r = maps.rollout()
        XCTAssertEqual(r[0], 0.625, accuracy: 1e-7)
        XCTAssertEqual(r[1], 0.375, accuracy: 1e-7)
        XCTAssertEqual(r[2] + r[3], 1, accuracy: 1e-7)
        XCTAssertEqual(maps.matrix(layer: 1, head: 0), [0.5, 0.5, 0.5, 0.5])
    }
}
