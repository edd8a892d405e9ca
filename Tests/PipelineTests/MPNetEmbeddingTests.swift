import Foundation
import SentimentData
import SentimentModels
import SentimentTensor
import XCTest

@testable import SentimentPipelines

/// `sentiment embed --model all-mpnet-base-v2`: the catalog name resolves to the fetched folder, whose
/// sentence-transformers settings (mean pooling, Normalize, max_seq_length 384) the pipeline takes; the vectors match
/// sentence-transformers (Tests/Fixtures/models/mpnet, scripts/fixtures/mpnet.py).
final class MPNetEmbeddingTests: XCTestCase {
    struct Inputs: Decodable {
        var texts: [String]
        var sentence_embedding_max_length: Int
    }

    func testEmbeddingPipelineByCatalogNameMatchesSentenceTransformers() throws {
        try KernelPath.onEveryPath(name) {
            let name = ArtifactCatalog.mpnet.name
            let folder = try ArtifactCache.default.locate(name)
            let fixtures = PipelineFixtures.fixtures.appendingPathComponent("models/mpnet")
            let inputs = try JSONDecoder().decode(Inputs.self, from: Data(contentsOf: fixtures.appendingPathComponent("inputs.json")))

            XCTAssertEqual(try ModelLocator.folder(for: name).standardizedFileURL, folder.standardizedFileURL)
            XCTAssertEqual(EmbeddingPipeline.sentenceTransformersMaxLength(folder), inputs.sentence_embedding_max_length)
            XCTAssertEqual(inputs.sentence_embedding_max_length, 384)
            XCTAssertEqual(try SentencePooling(folder: folder), SentencePooling(mode: .mean, normalize: true))

            let pipeline = try EmbeddingPipeline.load(name)
            XCTAssertEqual(pipeline.name, name)
            XCTAssertEqual(pipeline.dimension, 768)
            XCTAssertEqual(pipeline.maxLength, 384, "sentence_bert_config.json max_seq_length")
            let expected = try SafeTensorsFile(contentsOf: fixtures.appendingPathComponent("outputs.safetensors")).tensor("embeddings")
            XCTAssertEqual(expected.shape, [inputs.texts.count, 768])
            let vectors = try pipeline.embed(inputs.texts, batchSize: 3)
            var worst: Float = 0
            for (row, vector) in vectors.enumerated() {
                XCTAssertEqual(vector.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1, accuracy: 1e-5)
                for j in 0..<768 { worst = max(worst, abs(vector[j] - expected.storage[row * 768 + j])) }
            }
            print("all-mpnet-base-v2 embeddings vs sentence-transformers (\(inputs.texts.count) texts): max |Δ| = \(worst)")
            XCTAssertLessThan(worst, 1e-5)
        }
    }
}
