import Foundation
import XCTest

@testable import SentimentTensor

/// Every kernel against PyTorch outputs (Tests/Fixtures/kernels/kernels.safetensors, from
/// scripts/fixtures/kernels.py), on 1 and 2 workers.
final class KernelTests: XCTestCase {
    private static let fixture = try! SafeTensorsFile(contentsOf: FixturePaths.kernelFixture("kernels.safetensors"))
    private func load(_ name: String) throws -> [Float] { try Self.fixture.tensor(name).storage }

    override func tearDown() { Parallel.threads = ProcessInfo.processInfo.activeProcessorCount }

    /// max |a − b| over finite pairs; NaN/∞ must match exactly.
    private func maxAbsDiff(_ a: [Float], _ b: [Float], file: StaticString = #filePath, line: UInt = #line) -> Float {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        var worst: Float = 0
        for (x, y) in zip(a, b) {
            if x.isFinite && y.isFinite { worst = max(worst, abs(x - y)) } else if !(x.isNaN && y.isNaN) && x != y {
                XCTFail("non-finite mismatch \(x) vs \(y)", file: file, line: line)
            }
        }
        return worst
    }

    private func check(_ label: String, _ ours: [Float], _ torch: [Float], tolerance: Float,
                       file: StaticString = #filePath, line: UInt = #line) {
        let delta = maxAbsDiff(ours, torch, file: file, line: line)
        print("\(label): max |Δ| vs torch = \(delta) (tolerance \(tolerance))")
        XCTAssertLessThanOrEqual(delta, tolerance, label, file: file, line: line)
    }

    private func elementwise(_ kernel: (UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>) -> Void, _ x: [Float]) -> [Float] {
        var out = [Float](repeating: .nan, count: x.count)
        out.withUnsafeMutableBufferPointer { kernel(x, x.count, $0.baseAddress!) }
        return out
    }

    func testLinearMatchesTorch() throws {
        try KernelPath.onEveryPath(name) {
            let x = try load("linear.x"), w = try load("linear.weight"), b = try load("linear.bias")
            var out = [Float](repeating: .nan, count: 5 * 19), outNoBias = out
            Kernels.linear(x, rows: 5, inFeatures: 37, weight: w, bias: b, outFeatures: 19, out: &out)
            Kernels.linear(x, rows: 5, inFeatures: 37, weight: w, bias: nil, outFeatures: 19, out: &outNoBias)
            check("linear", out, try load("linear.out"), tolerance: 1e-5)
            check("linear (no bias)", outNoBias, try load("linear.out_nobias"), tolerance: 1e-5)
        }
    }

    /// The packed kernel the inference encoder uses, on the same torch fixture: 19 outputs = a full 16-wide panel and
    /// a partial one (AVX2), or one partial 32-wide panel (AVX-512); 5 rows = one partial row tile.
    func testPackedLinearMatchesTorch() throws {
        try KernelPath.onEveryPath(name) {
            let x = try load("linear.x"), w = try load("linear.weight"), b = try load("linear.bias")
            let packed = PackedWeights(weight: w, outFeatures: 19, inFeatures: 37)
            for threads in [1, 2] {
                Parallel.threads = threads
                var out = [Float](repeating: .nan, count: 5 * 19), outNoBias = out
                packed.linear(x, rows: 5, bias: b, out: &out)
                packed.linear(x, rows: 5, bias: nil, out: &outNoBias)
                check("packed linear, \(threads) thread(s)", out, try load("linear.out"), tolerance: 1e-5)
                check("packed linear (no bias), \(threads) thread(s)", outNoBias, try load("linear.out_nobias"), tolerance: 1e-5)
            }
        }
    }

    /// The row-wise kernels' paths: AVX-512 (Sources/CKernels) where this CPU has it; generic (the portable Swift
    /// SIMD code, which the AVX2 path also runs) always.
    private static let paths = KernelPath.allCases.filter { $0 != .avx2 && $0.isAvailable(for: .fp32) }

    func testLayerNormMatchesTorch() throws {
        try KernelPath.onEveryPath(name) {
            for path in Self.paths {
                for threads in [1, 2] {
                    Parallel.threads = threads
                    for (name, cols) in [("layer_norm384", 384), ("layer_norm37", 37)] {
                        let x = try load("\(name).x"), eps = try load("\(name).eps")[0]
                        let gamma = try load("\(name).gamma"), beta = try load("\(name).beta")
                        var out = [Float](repeating: .nan, count: x.count)
                        var mean = [Float](repeating: .nan, count: 6), invStd = mean
                        Kernels.layerNorm(x, rows: 6, cols: cols, gamma: gamma, beta: beta, eps: eps, out: &out,
                                          mean: &mean, invStd: &invStd, path: path)
                        check("\(name) [\(path.rawValue)] (threads \(threads))", out, try load("\(name).out"), tolerance: 1e-5)
                        // The statistics backward keeps: mean and 1/std of each row, against float64.
                        for r in 0..<6 {
                            let row = x[r * cols ..< (r + 1) * cols].map(Double.init)
                            let m = row.reduce(0, +) / Double(cols)
                            let v = row.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(cols)
                            XCTAssertEqual(Double(mean[r]), m, accuracy: 1e-6)
                            XCTAssertEqual(Double(invStd[r]), 1 / (v + Double(eps)).squareRoot(), accuracy: 1e-5 / v.squareRoot())
                        }
                        // In place gives the same values.
                        var inPlace = x
                        inPlace.withUnsafeMutableBufferPointer { p in
                            Kernels.layerNorm(p.baseAddress!, rows: 6, cols: cols, gamma: gamma, beta: beta, eps: eps,
                                              out: p.baseAddress!, path: path)
                        }
                        XCTAssertEqual(inPlace, out)
                    }
                }
            }
        }
    }

    func testActivationsMatchTorch() throws {
        try KernelPath.onEveryPath(name) {
            let x = try load("act.x")
            for path in Self.paths {
                let gelu = elementwise({ Kernels.gelu($0, count: $1, out: $2, path: path) }, x)
                check("gelu (erf) [\(path.rawValue)]", gelu, try load("act.gelu"), tolerance: 2e-6)
                var y = x
                y.withUnsafeMutableBufferPointer { Kernels.gelu($0.baseAddress!, count: x.count, out: $0.baseAddress!, path: path) }
                XCTAssertEqual(y, gelu, "gelu in place [\(path.rawValue)]")
                let edges = elementwise({ Kernels.gelu($0, count: $1, out: $2, path: path) }, [.infinity, 20, -20])
                XCTAssertEqual(edges[0...1], [.infinity, 20])
            }
            check("gelu (tanh)", elementwise(Kernels.geluTanh, x), try load("act.gelu_tanh"), tolerance: 2e-6)
            check("relu", elementwise(Kernels.relu, x), try load("act.relu"), tolerance: 0)
            check("tanh", elementwise(Kernels.tanhActivation, x), try load("act.tanh"), tolerance: 2e-7)
            // Special values.
            let special: [Float] = [.nan, .infinity, -.infinity, 0, -0.0]
            let relu = elementwise(Kernels.relu, special), tanh = elementwise(Kernels.tanhActivation, special)
            XCTAssertTrue(relu[0].isNaN); XCTAssertEqual(Array(relu[1...]), [.infinity, 0, 0, 0])
            XCTAssertTrue(tanh[0].isNaN); XCTAssertEqual(Array(tanh[1...]), [1, -1, 0, 0])
            XCTAssertEqual(elementwise(Kernels.geluTanh, [.infinity, 20, -20])[0...1], [.infinity, 20])
        }
    }

    func testLargeActivationsAreIdenticalOnOneAndTwoThreads() throws {
        KernelPath.onEveryPath(name) {
            // 100_003 floats: above the parallel grain, with a tail.
            let x = (0..<100_003).map { Float(sin(Double($0) * 0.37) * 8) }
            Parallel.threads = 1
            func all() -> [[Float]] {
                Self.paths.flatMap { path in
                    [elementwise({ Kernels.gelu($0, count: $1, out: $2, path: path) }, x),
                     elementwise({ Kernels.exp($0, count: $1, out: $2, path: path) }, x)]
                } + [elementwise(Kernels.geluTanh, x), elementwise(Kernels.tanhActivation, x)]
            }
            let serial = all()
            Parallel.threads = 2
            let parallel = all()
            XCTAssertEqual(serial, parallel)
            // And each element equals the scalar formula within the stated accuracy.
            let reference = x.map { v in 0.5 * Double(v) * (1 + Foundation.erf(Double(v) / 2.0.squareRoot())) }
            let delta = zip(serial[0], reference).map { abs(Double($0) - $1) }.max()!
            print("gelu vs float64 erf formula over 100k values: max |Δ| = \(delta)")
            XCTAssertLessThan(delta, 3e-6)
        }
    }

    func testVectorMathAccuracy() throws {
        try KernelPath.onEveryPath(name) {
            let x = try load("act.x")
            check("erf", elementwise(Self.apply(VectorMath.erf), x), try load("act.erf"), tolerance: 5e-7)
            let ex = try load("exp.x"), torchExp = try load("exp.out")
            let vectorMath = elementwise(Self.apply(VectorMath.exp), ex)
            for path in Self.paths {
                let exp = { (x: [Float]) in self.elementwise({ Kernels.exp($0, count: $1, out: $2, path: path) }, x) }
                let ours = exp(ex)
                let worstRelative = zip(ours, torchExp).map { abs($0 - $1) / $1 }.max()!
                print("exp [\(path.rawValue)]: max relative |Δ| vs torch = \(worstRelative)")
                XCTAssertLessThan(worstRelative, 3e-7)
                // Same reduction and polynomial on every path: the AVX-512 kernel agrees with VectorMath.exp bit for bit.
                XCTAssertEqual(ours, vectorMath, "exp [\(path.rawValue)] vs VectorMath.exp")
                let edges = exp([-.infinity, -200, 0, 88.7, 200, .infinity, .nan, -87.3, 88.72])
                XCTAssertEqual(Array(edges[0...2]), [0, 0, 1])
                let top = Foundation.exp(Double(Float(88.7)))  // near Float.greatestFiniteMagnitude: n = 128 must not overflow
                XCTAssertEqual(Double(edges[3]), top, accuracy: top * 3e-7)
                XCTAssertEqual(Array(edges[4...5]), [.infinity, .infinity])
                XCTAssertTrue(edges[6].isNaN)
                XCTAssertEqual(Double(edges[7]), Foundation.exp(Double(Float(-87.3))), accuracy: 1e-38 * 1e-6 + 3e-7 * Foundation.exp(-87.3))
                XCTAssertEqual(Double(edges[8]), Foundation.exp(Double(Float(88.72))), accuracy: 3e-7 * Foundation.exp(88.72))
            }
        }
    }

    private static func apply(_ f: @escaping (FloatVector) -> FloatVector) -> (UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>) -> Void {
        { x, count, out in Kernels.map(x, count: count, out: out, f) }
    }

    func testSoftmaxWithAdditiveMasksMatchesTorch() throws {
        try KernelPath.onEveryPath(name) {
            let scores = try load("softmax.scores")
            for path in Self.paths {
                for threads in [1, 2] {
                    Parallel.threads = threads
                    for mask in ["none", "finfo_min", "minus10000", "minus_inf"] {
                        var x = scores
                        let additive = try load("softmax.mask_\(mask)")
                        x.withUnsafeMutableBufferPointer {
                            Kernels.softmaxRows($0.baseAddress!, rows: 7, cols: 45, additiveMask: additive, path: path)
                        }
                        check("softmax mask \(mask) [\(path.rawValue)] (threads \(threads))", x, try load("softmax.out_\(mask)"),
                              tolerance: 1e-6)
                        // Each row sums to 1.
                        for r in 0..<7 { XCTAssertEqual(x[r * 45 ..< (r + 1) * 45].reduce(0, +), 1, accuracy: 1e-5) }
                    }
                    var wide = try load("softmax.wide")
                    wide.withUnsafeMutableBufferPointer { Kernels.softmaxRows($0.baseAddress!, rows: 3, cols: 512, path: path) }
                    check("softmax 512 wide [\(path.rawValue)] (threads \(threads))", wide, try load("softmax.wide_out"), tolerance: 1e-6)
                }
                // A fully -∞ row is NaN, as torch.softmax; one column and exactly 16 columns (no tail) work.
                var allMasked: [Float] = [1, 2, 3]
                let minusInf: [Float] = [-.infinity, -.infinity, -.infinity]
                allMasked.withUnsafeMutableBufferPointer {
                    Kernels.softmaxRows($0.baseAddress!, rows: 1, cols: 3, additiveMask: minusInf, path: path)
                }
                XCTAssertTrue(allMasked.allSatisfy(\.isNaN))
                var single: [Float] = [-3, 7]
                single.withUnsafeMutableBufferPointer { Kernels.softmaxRows($0.baseAddress!, rows: 2, cols: 1, path: path) }
                XCTAssertEqual(single, [1, 1])
                var sixteen = (0..<16).map { Float($0) }
                sixteen.withUnsafeMutableBufferPointer { Kernels.softmaxRows($0.baseAddress!, rows: 1, cols: 16, path: path) }
                let z = (0..<16).map { Foundation.exp(Double($0 - 15)) }.reduce(0, +)
                for j in 0..<16 { XCTAssertEqual(Double(sixteen[j]), Foundation.exp(Double(j - 15)) / z, accuracy: 1e-7) }
            }
        }
    }

    func testEmbeddingGatherMatchesTorch() throws {
        try KernelPath.onEveryPath(name) {
            let table = try load("embedding.table"), ids = try Self.fixture.int64("embedding.ids").map { Int32($0) }
            var out = [Float](repeating: .nan, count: ids.count * 24)
            Kernels.gather(table: table, tableRows: 50, dim: 24, ids: ids, count: ids.count, out: &out)
            check("embedding", out, try load("embedding.out"), tolerance: 0)
        }
    }

    func testAddScaleAndResidualAreExact() throws {
        KernelPath.onEveryPath(name) {
            let n = 70_001  // crosses the parallel grain, with a tail
            let a = (0..<n).map { Float($0) * 0.5 }, b = (0..<n).map { Float(-$0) * 0.25 + 1 }
            for threads in [1, 2] {
                Parallel.threads = threads
                var out = [Float](repeating: .nan, count: n)
                Kernels.add(a, b, count: n, out: &out)
                XCTAssertEqual(out, zip(a, b).map(+))
                var dst = a
                Kernels.addInPlace(&dst, b, count: n)
                XCTAssertEqual(dst, out)
                Kernels.scale(&dst, count: n, by: 2)
                XCTAssertEqual(dst, out.map { $0 * 2 })
            }
        }
    }

    func testKernelsNestedInsideAParallelLoopGiveTheSerialResult() throws {
        KernelPath.onEveryPath(name) {
            // The models layer runs kernels inside its own parallel loop over heads; nested chunking must not change
            // results or deadlock.
            let rows = 64, cols = 512
            let input = (0..<rows * cols).map { Float(sin(Double($0) * 0.11) * 6) }
            Parallel.threads = 1
            var serial = input
            Kernels.softmaxRows(&serial, rows: rows, cols: cols)
            Parallel.threads = 2
            let tasks = 8
            let results = UnsafeMutableBufferPointer<Float>.allocate(capacity: tasks * rows * cols)
            defer { results.deallocate() }
            nonisolated(unsafe) let r = results
            Parallel.forEach(count: tasks) { task in
                let slice = r.baseAddress! + task * rows * cols
                slice.initialize(from: input, count: rows * cols)
                Kernels.softmaxRows(slice, rows: rows, cols: cols)
            }
            for task in 0..<tasks {
                XCTAssertEqual(Array(results[task * rows * cols ..< (task + 1) * rows * cols]), serial, "task \(task)")
            }
        }
    }

    func testParallelForEachChunkCoversEveryIndexOnce() {
        for threads in [1, 2, 5] {
            Parallel.threads = threads
            for (count, grain, alignment) in [(0, 1, 1), (1, 1, 1), (17, 1, 16), (1000, 10, 16), (100_003, 1000, 16)] {
                let hits = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(count, 1))
                hits.initialize(repeating: 0)
                defer { hits.deallocate() }
                nonisolated(unsafe) let h = hits
                Parallel.forEachChunk(count: count, minimumChunk: grain, alignment: alignment) { range in
                    XCTAssertEqual(range.lowerBound % alignment, 0)
                    for i in range { h[i] += 1 }
                }
                XCTAssertTrue(hits[0..<count].allSatisfy { $0 == 1 }, "threads \(threads) count \(count)")
                hits.initialize(repeating: 0)
                Parallel.forEach(count: count) { h[$0] += 1 }
                XCTAssertTrue(hits[0..<count].allSatisfy { $0 == 1 })
            }
        }
    }
}
