import Foundation
import SentimentTensor
import XCTest

@testable import SentimentModels

final class PackedBatchTests: XCTestCase {
    func testLayoutAndPaddingMasks() throws {
        let batch = try PackedBatch(sequences: [[101, 7, 102, 0, 0], [101, 102, 0, 0, 0]], typeIds: [[0, 0, 0, 0, 0], [0, 1, 0, 0, 0]],
                                    attentionMasks: [[1, 1, 1, 0, 0], [1, 1, 0, 0, 0]])
        XCTAssertEqual(batch.ids, [101, 7, 102, 101, 102])
        XCTAssertEqual(batch.typeIds, [0, 0, 0, 0, 1])
        XCTAssertEqual(batch.offsets, [0, 3])
        XCTAssertEqual(batch.lengths, [3, 2])
        XCTAssertEqual(batch.rows(of: 1), 3..<5)
        XCTAssertEqual(batch.subset([1]).ids, [101, 102])
    }

    func testBadBatchesAreRefused() {
        XCTAssertThrowsError(try PackedBatch(sequences: [[1, 2], []] as [[Int32]])) {
            XCTAssertEqual($0 as? ModelError, .invalidInput("sequence 1 is empty"))
        }
        XCTAssertThrowsError(try PackedBatch(sequences: [[1, 2, 3]] as [[Int32]], attentionMasks: [[1, 0, 1]]))
        XCTAssertThrowsError(try PackedBatch(sequences: [[1, 2, 3]] as [[Int32]], typeIds: [[0, 0]]))
    }

    func testModelRefusesIdsOutsideItsTables() throws {
        let model = try AutoModel.load(folder: TestArtifacts.fixture("tiny-bert-cls"))   // vocab 500, 64 positions
        XCTAssertThrowsError(try model.encode(PackedBatch(sequences: [[2, 500, 3]] as [[Int]]))) {
            XCTAssertEqual($0 as? ModelError, .invalidInput("token id 500 is outside the vocabulary (size 500)"))
        }
        XCTAssertThrowsError(try model.encode(PackedBatch(sequences: [[2, 3], Array(repeating: 7, count: 65)] as [[Int]]))) {
            guard case .invalidInput(let why) = $0 as? ModelError else { return XCTFail("\($0)") }
            XCTAssertTrue(why.contains("sequence 1 has 65 tokens"), why)
        }
        XCTAssertThrowsError(try model.encode(PackedBatch(sequences: [[2, 3]] as [[Int]], typeIds: [[0, 2]])))
        XCTAssertNoThrow(try model.encode(PackedBatch(sequences: [Array(repeating: 7, count: 64)] as [[Int]])))
    }

    func testRobertaPositionsSkipPadTokens() throws {
        let model = try AutoModel.load(folder: TestArtifacts.fixture("tiny-roberta-cls"))   // pad id 1
        let batch = try PackedBatch(sequences: [[0, 5, 6, 2], [0, 1, 7, 2]] as [[Int]])
        // HF create_position_ids_from_input_ids: cumsum(ids != pad) * (ids != pad) + pad.
        XCTAssertEqual(model.embeddings.positionIds(batch), [2, 3, 4, 5, 2, 1, 3, 4])
        XCTAssertEqual(model.maxLength, 40 - 2)
    }

    /// Each text's result must not depend on the rest of the batch (no padding, attention per sequence).
    func testResultsIndependentOfBatchComposition() throws {
        let model = try AutoModel.load(folder: TestArtifacts.folder("all-MiniLM-L6-v2"))
        let batch = try FixtureInputs.load("minilm/inputs.json").batch()
        let together = try model.sentenceEmbeddings(batch)
        let reversed = try model.sentenceEmbeddings(batch.subset(Array((0..<batch.count).reversed())))
        var worst: Float = 0
        for b in 0..<batch.count {
            let alone = try model.sentenceEmbeddings(batch.subset([b]))
            for j in 0..<model.hiddenSize {
                worst = max(worst, abs(alone[0, j] - together[b, j]), abs(reversed[batch.count - 1 - b, j] - together[b, j]))
            }
        }
        print("max |Δ| alone vs in batch vs reversed batch: \(worst)")
        XCTAssertLessThanOrEqual(worst, 1e-6)
    }

    /// One model shared by many threads gives the same answers as one thread.
    func testConcurrentReadersAgree() throws {
        let model = try AutoModel.load(folder: TestArtifacts.fixture("tiny-distilbert-cls"))
        let batch = try FixtureInputs.load("tiny-distilbert-cls.json").batch()
        let reference = try model.classify(batch)
        let results = ResultBox()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let logits = try? model.classify(batch)
            results.append(logits)
        }
        XCTAssertEqual(results.values.count, 8)
        for logits in results.values { XCTAssertEqual(logits, reference) }
    }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Tensor?] = []
    func append(_ value: Tensor?) { lock.lock(); values.append(value); lock.unlock() }
}
