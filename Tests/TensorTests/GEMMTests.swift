import XCTest
@testable import SentimentTensor

final class GEMMTests: XCTestCase {
    func testSmallGEMMMatchesHandComputedValues() {
        // [1 2; 3 4] · [5 6; 7 8] = [19 22; 43 50]
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: 0, count: 4)
        sgemm(.none, .none, m: 2, n: 2, k: 2, a: a, lda: 2, b: b, ldb: 2, c: &c, ldc: 2)
        XCTAssertEqual(c, [19, 22, 43, 50])
        XCTAssertFalse(BLAS.coreName.isEmpty)
    }
}
