import Foundation
import SentimentTensor
import XCTest

@testable import SentimentModels

/// Inputs written by scripts/fixtures/models.py: unpadded ids and type ids per sequence (HF tokenizer output).
struct FixtureInputs: Decodable {
    var input_ids: [[Int]]
    var token_type_ids: [[Int]]
    var texts: [String]?
    var mask_positions: [[Int]]?

    static func load(_ relativePath: String) throws -> FixtureInputs {
        try JSONDecoder().decode(FixtureInputs.self, from: Data(contentsOf: TestArtifacts.fixture(relativePath)))
    }

    func batch() throws -> PackedBatch {
        try PackedBatch(sequences: input_ids, typeIds: token_type_ids)
    }
}

/// Expected tensors written by the fixture script.
func expectedTensors(_ relativePath: String) throws -> SafeTensorsFile {
    try SafeTensorsFile(contentsOf: TestArtifacts.fixture(relativePath))
}

/// max |a − b| over all elements; fails on shape mismatch.
func maxAbsDifference(_ a: Tensor, _ b: Tensor, file: StaticString = #filePath, line: UInt = #line) -> Float {
    XCTAssertEqual(a.shape, b.shape, "shapes differ", file: file, line: line)
    guard a.shape == b.shape else { return .infinity }
    return zip(a.storage, b.storage).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// Asserts max |Δ| ≤ tolerance and prints it (the figure the README quotes).
func assertClose(_ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-4, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    let delta = maxAbsDifference(actual, expected, file: file, line: line)
    print("max |Δ| \(what): \(delta)")
    XCTAssertLessThanOrEqual(delta, tolerance, "\(what): max |Δ| \(delta) > \(tolerance)", file: file, line: line)
}
