import XCTest

@testable import SentimentTensor

/// `sgemm` (system BLAS) against a naive float64 reference, on odd shapes and every transpose combination.
final class GEMMTests: XCTestCase {
    override func tearDown() { BLAS.threads = ProcessInfo.processInfo.activeProcessorCount }

    func testSmallGEMMMatchesHandComputedValues() {
        // [1 2; 3 4] · [5 6; 7 8] = [19 22; 43 50]
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: 0, count: 4)
        sgemm(.none, .none, m: 2, n: 2, k: 2, a: a, lda: 2, b: b, ldb: 2, c: &c, ldc: 2)
        XCTAssertEqual(c, [19, 22, 43, 50])
        XCTAssertFalse(BLAS.coreName.isEmpty)
    }

    /// Deterministic values in [-1, 1) (a linear congruential generator: no dependence on the platform RNG).
    private func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 - 1
        }
    }

    /// Stored as the transpose: [rows, cols] → [cols, rows].
    private func transposed(_ x: [Float], rows: Int, cols: Int) -> [Float] {
        var t = [Float](repeating: 0, count: x.count)
        for r in 0..<rows { for c in 0..<cols { t[c * rows + r] = x[r * cols + c] } }
        return t
    }

    /// C = alpha·A·B + beta·C0 in float64, A [M,K], B [K,N].
    private func reference(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, alpha: Double, beta: Double, c0: [Float]) -> [Double] {
        var c = c0.map { beta * Double($0) }
        for i in 0..<m {
            for p in 0..<k {
                let aip = alpha * Double(a[i * k + p])
                if aip == 0 { continue }
                for j in 0..<n { c[i * n + j] += aip * Double(b[p * n + j]) }
            }
        }
        return c
    }

    private func checkAllTransposes(m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0, tolerance: Double) {
        let a = values(m * k, seed: 1), b = values(k * n, seed: 2), c0 = values(m * n, seed: 3)
        let expected = reference(a, b, m: m, n: n, k: k, alpha: Double(alpha), beta: Double(beta), c0: c0)
        let aT = transposed(a, rows: m, cols: k), bT = transposed(b, rows: k, cols: n)
        for (ta, tb) in [(Transpose.none, Transpose.none), (.none, .transposed), (.transposed, .none), (.transposed, .transposed)] {
            var c = c0
            let storedA = ta == .none ? a : aT, storedB = tb == .none ? b : bT
            sgemm(ta, tb, m: m, n: n, k: k, alpha: alpha,
                  a: storedA, lda: ta == .none ? k : m, b: storedB, ldb: tb == .none ? n : k,
                  beta: beta, c: &c, ldc: n)
            let delta = zip(c, expected).map { abs(Double($0) - $1) }.max() ?? 0
            print("sgemm \(m)x\(n)x\(k) \(ta)/\(tb) alpha \(alpha) beta \(beta): max |Δ| = \(delta)")
            XCTAssertLessThanOrEqual(delta, tolerance, "\(m)x\(n)x\(k) \(ta)/\(tb)")
        }
    }

    func testOddShapesAllTransposes() {
        checkAllTransposes(m: 1, n: 1, k: 1, tolerance: 1e-7)
        checkAllTransposes(m: 7, n: 13, k: 5, tolerance: 1e-6)
        checkAllTransposes(m: 33, n: 1, k: 65, alpha: 0.5, beta: 2, tolerance: 1e-5)
        checkAllTransposes(m: 17, n: 31, k: 129, alpha: -1.5, beta: 1, tolerance: 1e-5)
    }

    func testBERTShapeAllTransposesOnOneAndAllThreads() {
        // K = 384: products of values in [-1, 1) sum to |C| ≲ 30; float32 accumulation error stays ≲ 1e-4.
        for threads in [1, ProcessInfo.processInfo.activeProcessorCount] {
            BLAS.threads = threads
            checkAllTransposes(m: 1024, n: 1536, k: 384, tolerance: 1e-4)
        }
    }

    func testStridedSubmatrices() {
        // A is the left 6 columns of a [4, 10] buffer, C the middle of a [4, 9] buffer (lda, ldc > width).
        let m = 4, n = 5, k = 6
        let bufferA = values(m * 10, seed: 7), b = values(k * n, seed: 8)
        var bufferC = [Float](repeating: -7, count: m * 9)
        bufferC.withUnsafeMutableBufferPointer { c in
            sgemm(.none, .none, m: m, n: n, k: k, a: bufferA, lda: 10, b: b, ldb: n, c: c.baseAddress! + 2, ldc: 9)
        }
        let a = (0..<m).flatMap { r in bufferA[r * 10 ..< r * 10 + k] }
        let expected = reference(Array(a), b, m: m, n: n, k: k, alpha: 1, beta: 0, c0: [Float](repeating: 0, count: m * n))
        for r in 0..<m {
            XCTAssertEqual(bufferC[r * 9 ..< r * 9 + 2], [-7, -7])  // untouched left of the window
            for j in 0..<n { XCTAssertEqual(Double(bufferC[r * 9 + 2 + j]), expected[r * n + j], accuracy: 1e-6) }
            XCTAssertEqual(bufferC[r * 9 + 7 ..< r * 9 + 9], [-7, -7])  // and right of it
        }
    }

    func testEmptyAndZeroKProducts() {
        var c: [Float] = [5, 5]
        // K = 0: C = beta·C (BLAS semantics); here beta = 0 clears it.
        sgemm(.none, .none, m: 1, n: 2, k: 0, a: [Float](repeating: 0, count: 1), lda: 1, b: [Float](repeating: 0, count: 2), ldb: 2,
              c: &c, ldc: 2)
        XCTAssertEqual(c, [0, 0])
        // M = 0 touches nothing.
        sgemm(.none, .none, m: 0, n: 2, k: 3, a: [Float](repeating: 1, count: 1), lda: 3, b: [Float](repeating: 1, count: 6), ldb: 2,
              c: &c, ldc: 2)
        XCTAssertEqual(c, [0, 0])
    }
}
