import XCTest

@testable import SentimentTensor

/// `PackedWeights` (the inference encoder's GEMM) against a float64 reference and against BLAS, on shapes that hit
/// every edge on the default path: rows not a multiple of the row tile (6 on AVX2, 12 on AVX-512), outputs not a
/// multiple of the panel (16 or 32 wide), K = 1. `KernelPathTests` covers every path and precision.
final class PackedWeightsTests: XCTestCase {
    override func tearDown() { Parallel.threads = ProcessInfo.processInfo.activeProcessorCount }

    private func values(_ count: Int, seed: Int) -> [Float] {
        (0..<count).map { Float(sin(Double($0 * 7 + seed) * 0.37)) }
    }

    func testMatchesFloat64ReferenceOnEdgeShapes() {
        var worst = 0.0
        for (m, k, n) in [(1, 1, 16), (1, 384, 16), (5, 37, 19), (6, 64, 32), (7, 64, 33), (27, 384, 1536), (64, 96, 48), (13, 3, 17)] {
            let x = values(m * k, seed: m), w = values(n * k, seed: n), bias = values(n, seed: 3)
            let packed = PackedWeights(weight: w, outFeatures: n, inFeatures: k)
            var out = [Float](repeating: .nan, count: m * n)
            packed.linear(x, rows: m, bias: bias, out: &out)
            for r in 0..<m {
                for j in 0..<n {
                    var sum = Double(bias[j])
                    for p in 0..<k { sum += Double(x[r * k + p]) * Double(w[j * k + p]) }
                    let delta = abs(Double(out[r * n + j]) - sum) / max(1, abs(sum))
                    worst = max(worst, delta)
                    XCTAssertLessThan(delta, 1e-5, "\(m)x\(k)x\(n) at [\(r), \(j)]")
                }
            }
        }
        print("PackedWeights vs float64: max relative |Δ| \(worst)")
    }

    func testAgreesWithBLASAndDoesNotDependOnThreads() {
        let m = 27, k = 384, n = 1152
        let x = values(m * k, seed: 1), w = values(n * k, seed: 2), bias = values(n, seed: 3)
        var blas = [Float](repeating: 0, count: m * n)
        Kernels.linear(x, rows: m, inFeatures: k, weight: w, bias: bias, outFeatures: n, out: &blas)
        let packed = PackedWeights(weight: w, outFeatures: n, inFeatures: k)
        var outputs: [[Float]] = []
        for threads in [1, 2, 3] {
            Parallel.threads = threads
            var out = [Float](repeating: .nan, count: m * n)
            packed.linear(x, rows: m, bias: bias, out: &out)
            outputs.append(out)
        }
        XCTAssertEqual(outputs[0], outputs[1], "1 vs 2 threads: bitwise identical")
        XCTAssertEqual(outputs[0], outputs[2], "1 vs 3 threads: bitwise identical")
        let delta = zip(outputs[0], blas).map { abs($0 - $1) }.max() ?? 0
        let scale = blas.map { abs($0) }.max() ?? 1
        print("PackedWeights vs BLAS, 27x384x1152: max |Δ| \(delta) (outputs up to \(scale); different summation order)")
        XCTAssertLessThan(delta / scale, 1e-5)
    }
}
