import Foundation
import SentimentCore
import XCTest

@testable import SentimentTensor

/// Every GEMM path of Sources/CKernels (fp32, bf16, int8 × generic / AVX2 / AVX-512 where this CPU has them; the
/// generic path always) against a float64 reference on awkward shapes: 1, 7, 17, 383 and 1024 rows, K and N not
/// multiples of any tile or panel, K = 1, every epilogue (none, bias, bias + GELU).
///
/// Tolerances: fp32 |Δ| ≤ 1e-5·(Σ|x·w| + |b|) against float64; bf16 the same bound against a float64 product of
/// the bf16-rounded operands (what the hardware multiplies); int8 bit-identical to a Swift re-implementation of the
/// quantization and the integer sum (and every int8 path bit-identical to every other).
final class KernelPathTests: XCTestCase {
    override func tearDown() {
        Parallel.threads = ProcessInfo.processInfo.activeProcessorCount
        unsetenv("SENTIMENTKIT_KERNELS")
    }

    static let shapes: [(m: Int, k: Int, n: Int)] = [
        (1, 1, 17), (1, 384, 33), (7, 37, 19), (17, 383, 100), (383, 64, 47), (1024, 96, 65), (27, 1536, 384), (13, 3, 1),
    ]

    private func values(_ count: Int, seed: Int, scale: Float = 1) -> [Float] {
        (0..<count).map { Float(sin(Double($0 * 7 + seed) * 0.37)) * scale }
    }

    private func paths(_ precision: Precision) -> [KernelPath] {
        KernelPath.allCases.filter { $0.isAvailable(for: precision) }
    }

    /// GELU in float64 (the kernels' polynomial is within 4.2e-7 of erf).
    private func gelu(_ v: Double) -> Double { 0.5 * v * (1 + erf(v / 2.0.squareRoot())) }

    private func run(_ packed: PackedWeights, _ x: [Float], m: Int, bias: [Float]?, epilogue: GEMMEpilogue) -> [Float] {
        var out = [Float](repeating: .nan, count: m * packed.outFeatures)
        if let bias {
            bias.withUnsafeBufferPointer { packed.linear(x, rows: m, bias: $0.baseAddress, out: &out, epilogue: epilogue) }
        } else {
            packed.linear(x, rows: m, bias: nil, out: &out, epilogue: epilogue)
        }
        return out
    }

    /// Checks `out` against float64 sums of `xr`·`wr` (the operands as the kernel sees them), relative to Σ|x·w| + |b|.
    private func check(_ what: String, _ out: [Float], xr: [Float], wr: [Float], bias: [Float]?, m: Int, k: Int, n: Int,
                       gelu applyGELU: Bool, tolerance: Double) -> Double {
        var worst = 0.0
        for r in 0..<m {
            for j in 0..<n {
                var sum = Double(bias?[j] ?? 0), magnitude = abs(Double(bias?[j] ?? 0))
                for p in 0..<k {
                    let product = Double(xr[r * k + p]) * Double(wr[j * k + p])
                    sum += product
                    magnitude += abs(product)
                }
                let expected = applyGELU ? gelu(sum) : sum
                let delta = abs(Double(out[r * n + j]) - expected) / max(magnitude, 1e-3)
                worst = max(worst, delta)
                if delta > tolerance {
                    XCTFail("\(what): [\(r), \(j)] = \(out[r * n + j]), expected \(expected) (relative |Δ| \(delta))")
                    return worst
                }
            }
        }
        return worst
    }

    func testFP32EveryPathMatchesFloat64() {
        for path in paths(.fp32) {
            var worst = 0.0
            for (m, k, n) in Self.shapes {
                let x = values(m * k, seed: m), w = values(n * k, seed: n, scale: 0.2), b = values(n, seed: 3)
                let packed = PackedWeights(weight: w, outFeatures: n, inFeatures: k, precision: .fp32, path: path)
                XCTAssertEqual(packed.path, path)
                for (bias, epilogue) in [(nil, GEMMEpilogue.none), (b, .none), (b, .gelu)] as [([Float]?, GEMMEpilogue)] {
                    let out = run(packed, x, m: m, bias: bias, epilogue: epilogue)
                    worst = max(worst, check("fp32 \(path) \(m)x\(k)x\(n) \(epilogue)", out, xr: x, wr: w, bias: bias,
                                             m: m, k: k, n: n, gelu: epilogue == .gelu, tolerance: 1e-5))
                }
            }
            print("fp32 \(path.rawValue) vs float64: max |Δ| / (Σ|x·w| + |b|) = \(worst)")
        }
    }

    /// Training's GEMM (`GEMM.multiply`: both operands packed on every call, read through strides) on every fp32 and
    /// bf16 path and through BLAS: every transpose, row strides wider than the matrices, bias, accumulate (beta = 1),
    /// against float64 op(A)·op(B) + bias + C₀ (bf16: of the bf16-rounded operands), relative to Σ|a·b| + |b| + |C₀|
    /// (tolerance 1e-5); C's padding untouched; 1 and 2 threads bit-identical on our kernels.
    func testTrainingGEMMEveryTransposeAndPathMatchesFloat64() {
        let shapes: [(m: Int, k: Int, n: Int)] = [(1, 1, 17), (7, 37, 19), (17, 383, 100), (383, 64, 47), (13, 3, 1), (70, 300, 45)]
        let targets: [GEMM.Engine] = paths(.fp32).map { .packed($0, .fp32) } + paths(.bf16).map { .packed($0, .bf16) } + [.blas]
        for engine in targets {
            let rounds = engine == .blas ? false : { if case .packed(_, .bf16) = engine { return true }; return false }()
            let name = { if case .packed(let path, let precision) = engine { return "\(precision.rawValue) \(path.rawValue)" }; return "BLAS" }()
            var worst = 0.0
            for (m, k, n) in shapes {
                for transA in [Transpose.none, .transposed] {
                    for transB in [Transpose.none, .transposed] {
                        // Stored shapes (rows × cols) and strides padded by 3.
                        let (aRows, aCols) = transA == .none ? (m, k) : (k, m)
                        let (bRows, bCols) = transB == .none ? (k, n) : (n, k)
                        let lda = aCols + 3, ldb = bCols + 3, ldc = n + 2
                        let a = values(aRows * lda, seed: m + k), b = values(bRows * ldb, seed: n, scale: 0.2)
                        let bias = values(n, seed: 3), c0 = values(m * ldc, seed: 9, scale: 0.5)
                        func round(_ v: Float) -> Double { Double(rounds ? bf16(v) : v) }
                        func opA(_ i: Int, _ p: Int) -> Double { round(transA == .none ? a[i * lda + p] : a[p * lda + i]) }
                        func opB(_ p: Int, _ j: Int) -> Double { round(transB == .none ? b[p * ldb + j] : b[j * ldb + p]) }
                        for (useBias, accumulate) in [(false, false), (true, false), (false, true), (true, true)] {
                            var c = c0
                            func multiply(_ c: inout [Float]) {
                                bias.withUnsafeBufferPointer { bp in
                                    GEMM.multiply(transA, transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                                                  bias: useBias ? bp.baseAddress : nil, accumulate: accumulate,
                                                  c: &c, ldc: ldc, engine: engine)
                                }
                            }
                            multiply(&c)
                            let what = "\(name) \(m)x\(k)x\(n) \(transA) \(transB) bias \(useBias) accumulate \(accumulate)"
                            outer: for i in 0..<m {
                                for j in 0..<ldc {
                                    let got = c[i * ldc + j]
                                    if j >= n { XCTAssertEqual(got, c0[i * ldc + j], "\(what): padding [\(i), \(j)] written"); continue }
                                    var sum = 0.0, magnitude = 0.0
                                    for p in 0..<k { let v = opA(i, p) * opB(p, j); sum += v; magnitude += abs(v) }
                                    if useBias { sum += Double(bias[j]); magnitude += abs(Double(bias[j])) }
                                    if accumulate { sum += Double(c0[i * ldc + j]); magnitude += abs(Double(c0[i * ldc + j])) }
                                    let delta = abs(Double(got) - sum) / max(magnitude, 1e-3)
                                    worst = max(worst, delta)
                                    if delta > 1e-5 { XCTFail("\(what): [\(i), \(j)] = \(got), expected \(sum)"); break outer }
                                }
                            }
                            if engine != .blas && m * n * k > 10_000 {
                                Parallel.threads = 1
                                var single = c0
                                multiply(&single)
                                Parallel.threads = 2
                                var two = c0
                                multiply(&two)
                                Parallel.threads = ProcessInfo.processInfo.activeProcessorCount
                                XCTAssertEqual(single, two, "\(what): 1 vs 2 threads")
                                XCTAssertEqual(single, c, "\(what): 1 thread vs default")
                            }
                        }
                    }
                }
            }
            print("training GEMM \(name) vs float64: max |Δ| / (Σ|a·b| + |bias| + |C₀|) = \(worst)")
        }
    }

    /// The bf16 packers (the AVX-512 ones and the scalar ones) round awkward values exactly as the scalar rule:
    /// x · I through `GEMM.multiply` gives bf16(x) itself (one exact product per output), for ties, denormals, -0,
    /// values that round up to infinity and ±∞, for both operand layouts (plain and transposed) and both B layouts;
    /// a NaN input gives NaN outputs on every path. (On AVX512_BF16 the multiply-add itself flushes subnormal bf16
    /// inputs to zero, below 1.2e-38: irrelevant for models, and checked as such.)
    func testBF16PackersRoundSpecialValuesExactly() {
        let specials: [Float] = [1 + 1 / 256, 1 + 3 / 256, -(1 + 1 / 256), .leastNonzeroMagnitude, -.leastNormalMagnitude / 3,
                                 -0.0, 3.3895e38, -3.3895e38, Float(bitPattern: 0x000B_0000), 0.1, -2.5, 65504, 1.00390625]
        let overflowing: [Float] = [.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity]
        let m = 19, k = 37   // k: one 32-float block and an odd tail; m: a partial row tile
        var x = (0..<(m * k)).map { specials[($0 * 7 + $0 / k) % specials.count] }
        // Rows 5 and 11 hold a value that rounds to ±∞ (or is one): ∞ · 0 makes their whole output row NaN.
        x[5 * k + 2] = overflowing[0]; x[5 * k + 33] = overflowing[3]; x[11 * k + 36] = overflowing[1]; x[11 * k] = overflowing[2]
        var xt = [Float](repeating: 0, count: k * m)   // x transposed, for the other A layout
        for i in 0..<m { for p in 0..<k { xt[p * m + i] = x[i * k + p] } }
        var identity = [Float](repeating: 0, count: k * k)
        for i in 0..<k { identity[i * k + i] = 1 }
        for path in paths(.bf16) {
            for (transA, a, lda) in [(Transpose.none, x, k), (.transposed, xt, m)] {
                for transB in [Transpose.none, .transposed] {
                    var out = [Float](repeating: .nan, count: m * k)
                    GEMM.multiply(transA, transB, m: m, n: k, k: k, a: a, lda: lda, b: identity, ldb: k, c: &out, ldc: k,
                                  engine: .packed(path, .bf16))
                    for r in 0..<m {
                        for j in 0..<k {
                            let i = r * k + j
                            if r == 5 || r == 11 {
                                XCTAssertTrue(out[i].isNaN, "\(path) \(transA) \(transB) [\(r), \(j)]: an infinite row")
                            } else {
                                // (−0 sums to +0 with the other columns' zero products: compare zeros by value. AVX512_BF16's
                                // vdpbf16ps treats subnormal inputs as zero — the hardware's rule, not the packers'.)
                                let rounded = bf16(x[i])
                                let expected = path == .avx512 && rounded.isSubnormal ? 0 : rounded
                                XCTAssertEqual(expected == 0 ? out[i] : Float(bitPattern: out[i].bitPattern), expected,
                                               "\(path) \(transA) \(transB): bf16(\(x[i]))")
                                if expected != 0 { XCTAssertEqual(out[i].bitPattern, expected.bitPattern) }
                            }
                        }
                    }
                }
            }
            var withNaN = x
            withNaN[5 * k + 2] = 1
            withNaN[5 * k + 33] = 1
            withNaN[3] = .nan
            var out = [Float](repeating: 0, count: m * k)
            GEMM.multiply(.none, .transposed, m: m, n: k, k: k, a: withNaN, lda: k, b: identity, ldb: k, c: &out, ldc: k,
                          engine: .packed(path, .bf16))
            XCTAssertTrue(out[0..<k].allSatisfy(\.isNaN), "\(path): a NaN input poisons its row")
            XCTAssertTrue(out[(5 * k)..<(6 * k)].allSatisfy(\.isFinite), "\(path): other rows stay finite")
        }
    }

    /// bfloat16 rounding (nearest even), written independently of the C kernels.
    private func bf16(_ v: Float) -> Float {
        let bits = v.bitPattern
        let rounded = (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000
        return Float(bitPattern: rounded)
    }

    func testBF16EveryPathMatchesFloat64OnRoundedOperands() {
        for path in paths(.bf16) {
            var worst = 0.0, worstUnrounded = 0.0
            for (m, k, n) in Self.shapes {
                let x = values(m * k, seed: m), w = values(n * k, seed: n, scale: 0.2), b = values(n, seed: 3)
                let packed = PackedWeights(weight: w, outFeatures: n, inFeatures: k, precision: .bf16, path: path)
                for (bias, epilogue) in [(nil, GEMMEpilogue.none), (b, .none), (b, .gelu)] as [([Float]?, GEMMEpilogue)] {
                    let out = run(packed, x, m: m, bias: bias, epilogue: epilogue)
                    worst = max(worst, check("bf16 \(path) \(m)x\(k)x\(n) \(epilogue)", out, xr: x.map(bf16), wr: w.map(bf16),
                                             bias: bias, m: m, k: k, n: n, gelu: epilogue == .gelu, tolerance: 1e-5))
                    // Against the unrounded fp32 operands: bf16 keeps 8 significant bits (relative 2⁻⁹ per operand).
                    worstUnrounded = max(worstUnrounded, check("bf16 \(path) vs fp32 operands", out, xr: x, wr: w, bias: bias,
                                                               m: m, k: k, n: n, gelu: epilogue == .gelu, tolerance: 8e-3))
                }
            }
            print("bf16 \(path.rawValue) vs float64 of the rounded operands: max relative |Δ| \(worst); "
                  + "vs the fp32 operands: \(worstUnrounded)")
        }
    }

    /// The int8 scheme in Swift: symmetric scales max|v| / 127, q = round-half-even(v · 127 / max|v|).
    private func quantize(_ v: ArraySlice<Float>) -> (q: [Int32], scale: Float) {
        let amax = v.reduce(Float(0)) { max($0, abs($1)) }
        let inverse: Float = amax > 0 ? 127 / amax : 0
        return (v.map { Int32(max(-127, min(127, ($0 * inverse).rounded(.toNearestOrEven)))) }, amax / 127)
    }

    func testInt8MatchesTheSchemeExactlyOnEveryPath() {
        for (m, k, n) in Self.shapes {
            let x = values(m * k, seed: m), w = values(n * k, seed: n, scale: 0.2), b = values(n, seed: 3)
            let rows = (0..<m).map { quantize(x[($0 * k)..<($0 * k + k)]) }
            let columns = (0..<n).map { quantize(w[($0 * k)..<($0 * k + k)]) }
            var expected = [Float](repeating: 0, count: m * n)
            var worstTrue = 0.0
            for r in 0..<m {
                for j in 0..<n {
                    var sum: Int32 = 0
                    for p in 0..<k { sum += rows[r].q[p] * columns[j].q[p] }
                    expected[r * n + j] = Float(sum) * (rows[r].scale * columns[j].scale) + b[j]
                    var exact = Double(b[j]), magnitude = abs(Double(b[j]))
                    for p in 0..<k { exact += Double(x[r * k + p]) * Double(w[j * k + p]); magnitude += abs(Double(x[r * k + p]) * Double(w[j * k + p])) }
                    worstTrue = max(worstTrue, abs(Double(expected[r * n + j]) - exact) / max(magnitude, 1e-3))
                }
            }
            for path in paths(.int8) {
                let packed = PackedWeights(weight: w, outFeatures: n, inFeatures: k, precision: .int8, path: path)
                let out = run(packed, x, m: m, bias: b, epilogue: .none)
                XCTAssertEqual(out, expected, "int8 \(path) \(m)x\(k)x\(n): bit-identical to the scheme")
                let activated = run(packed, x, m: m, bias: b, epilogue: .gelu)
                let geluDelta = zip(activated, expected).map { abs(Double($0) - gelu(Double($1))) / max(1, abs(Double($1))) }.max()!
                XCTAssertLessThan(geluDelta, 2e-6, "int8 \(path) \(m)x\(k)x\(n) GELU epilogue")
                let noBias = run(packed, x, m: m, bias: nil, epilogue: .none)
                for r in 0..<m { for j in 0..<n { XCTAssertEqual(noBias[r * n + j] + b[j], expected[r * n + j], accuracy: 1e-6 * max(1, abs(expected[r * n + j]))) } }
            }
            if m == 27 { print("int8 (every path, bit-identical) vs float64 of the fp32 operands, 27x1536x384: max |Δ| / Σ|x·w| = \(worstTrue)") }
        }
    }

    /// The activation quantizer's special rows, on every int8 path and K with every vector tail: a row holding a NaN
    /// gives NaN outputs (as fp32 would), a zero row gives the bias, a row of subnormals (127 / max|v| overflows to ∞)
    /// and rows holding ±∞ give the same bytes on every path.
    func testInt8SpecialRowsAgreeOnEveryPath() {
        for k in [1, 3, 16, 17, 37, 383] {
            let n = 5
            let w = values(n * k, seed: k, scale: 0.2), b = values(n, seed: 1)
            var x = values(5 * k, seed: k + 1)
            x[k / 2] = .nan                                         // row 0: a NaN
            for p in 0..<k { x[k + p] = 0 }                         // row 1: zeros
            for p in 0..<k { x[2 * k + p] = Float.leastNonzeroMagnitude * Float(p % 3) }  // row 2: subnormals
            x[3 * k + k - 1] = .infinity                            // row 3: +∞ at the tail; row 4: ordinary
            var outputs: [(KernelPath, [Float])] = []
            for path in paths(.int8) {
                let packed = PackedWeights(weight: w, outFeatures: n, inFeatures: k, precision: .int8, path: path)
                let out = run(packed, x, m: 5, bias: b, epilogue: .none)
                XCTAssertTrue(out[0..<n].allSatisfy(\.isNaN), "\(path) k=\(k): a NaN in the row makes its outputs NaN")
                XCTAssertEqual(Array(out[n..<(2 * n)]), b, "\(path) k=\(k): a zero row gives the bias")
                XCTAssertTrue(out[(4 * n)...].allSatisfy(\.isFinite))
                outputs.append((path, out))
            }
            for (path, out) in outputs.dropFirst() {
                let same = zip(out, outputs[0].1).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
                XCTAssertTrue(same, "k=\(k): \(path) differs from \(outputs[0].0) on special rows")
            }
        }
    }

    /// A row's result never depends on the other rows (int8: each row has its own scale), nor on the thread count.
    func testRowsIndependentOfBatchMatesAndThreads() {
        let m = 17, k = 200, n = 70
        let x = values(m * k, seed: 11), w = values(n * k, seed: 5, scale: 0.2), b = values(n, seed: 3)
        for precision in Precision.allCases {
            for path in paths(precision) {
                let packed = PackedWeights(weight: w, outFeatures: n, inFeatures: k, precision: precision, path: path)
                let batch = run(packed, x, m: m, bias: b, epilogue: .none)
                var reversedX: [Float] = []
                for r in (0..<m).reversed() { reversedX += x[(r * k)..<(r * k + k)] }
                let reversed = run(packed, reversedX, m: m, bias: b, epilogue: .none)
                for r in 0..<m {
                    let alone = run(packed, Array(x[(r * k)..<(r * k + k)]), m: 1, bias: b, epilogue: .none)
                    XCTAssertEqual(alone, Array(batch[(r * n)..<(r * n + n)]), "\(precision) \(path) row \(r): alone vs in a batch")
                    XCTAssertEqual(Array(reversed[((m - 1 - r) * n)..<((m - 1 - r) * n + n)]), Array(batch[(r * n)..<(r * n + n)]),
                                   "\(precision) \(path) row \(r): reversed batch")
                }
                for threads in [1, 3] {
                    Parallel.threads = threads
                    XCTAssertEqual(run(packed, x, m: m, bias: b, epilogue: .gelu),
                                   { Parallel.threads = 2; return run(packed, x, m: m, bias: b, epilogue: .gelu) }(),
                                   "\(precision) \(path): \(threads) vs 2 threads")
                }
                Parallel.threads = ProcessInfo.processInfo.activeProcessorCount
            }
        }
    }

    func testEnvironmentForcesAPath() {
        let best = KernelPath.default(for: .fp32)
        setenv("SENTIMENTKIT_KERNELS", "generic", 1)
        for precision in Precision.allCases { XCTAssertEqual(KernelPath.default(for: precision), .generic) }
        XCTAssertEqual(PackedWeights(weight: [1, 2], outFeatures: 1, inFeatures: 2).path, .generic)
        setenv("SENTIMENTKIT_KERNELS", "avx2", 1)
        XCTAssertEqual(KernelPath.default(for: .fp32), KernelPath.avx2.isAvailable(for: .fp32) ? .avx2 : .generic)
        // bf16 has no AVX2 path: the best below it.
        XCTAssertEqual(KernelPath.default(for: .bf16), .generic)
        setenv("SENTIMENTKIT_KERNELS", "avx-9000", 1)
        XCTAssertEqual(KernelPath.forced?.valid, false)
        XCTAssertEqual(KernelPath.default(for: .fp32), best, "an unknown value is ignored")
        XCTAssertTrue(KernelPath.summary.contains("is not a path"))
        unsetenv("SENTIMENTKIT_KERNELS")
        XCTAssertNil(KernelPath.forced)
        print(KernelPath.summary)
    }

    /// The GELU epilogue and `Kernels.gelu` (Swift) are the same polynomial: equal to ~1 ulp on every path.
    func testGELUEpilogueAgreesWithSwiftKernel() {
        let k = 1, n = 1000
        let w = values(n * k, seed: 9, scale: 6)    // x = 1 → out = w: GELU over [-6, 6]
        var reference = [Float](repeating: 0, count: n)
        Kernels.gelu(w, count: n, out: &reference, path: .generic)
        for path in paths(.fp32) {
            let packed = PackedWeights(weight: w, outFeatures: n, inFeatures: k, precision: .fp32, path: path)
            let out = run(packed, [1], m: 1, bias: nil, epilogue: .gelu)
            let delta = zip(out, reference).map { abs($0 - $1) }.max()!
            XCTAssertLessThanOrEqual(delta, 1e-6, "\(path)")
            print("GELU epilogue \(path.rawValue) vs Kernels.gelu: max |Δ| \(delta)")
        }
    }

    /// The AVX-512 attention core (Sources/CKernels/attention.c) against float64 on awkward shapes: one query or
    /// all, 1 ... 130 keys (tails of the 16- and 32-key tiles, the 4-query tile), widths 16 ... 64 and 24 (not a
    /// multiple of 16), strided Q, K and V as the fused QKV projection lays them out. Tolerance 1e-5·Σ|terms|.
    func testAttentionCoreMatchesFloat64() throws {
        XCTAssertFalse(Kernels.attentionScores(q: [0], qStride: 1, k: [0], kStride: 1, queries: 1, keys: 1, width: 1, scale: 1,
                                               out: UnsafeMutablePointer.allocate(capacity: 1), path: .generic),
                       "other paths run the Swift loops")
        guard KernelPath.avx512.isAvailable(for: .fp32) else { throw XCTSkip("this CPU has no AVX-512F") }
        var worstScores = 0.0, worstContext = 0.0
        for (tq, t, d) in [(1, 1, 32), (1, 7, 32), (7, 7, 24), (17, 17, 64), (1, 45, 32), (33, 33, 48), (5, 130, 16), (4, 32, 32)] {
            let stride = 3 * d + 5   // Q, K, V interleaved in one row, plus padding
            let qkv = values(max(tq, t) * stride, seed: tq * 31 + t, scale: 2)
            let scale = 1 / Float(d).squareRoot()
            var scores = [Float](repeating: .nan, count: tq * t)
            qkv.withUnsafeBufferPointer { b in
                XCTAssertTrue(Kernels.attentionScores(q: b.baseAddress!, qStride: stride, k: b.baseAddress! + d, kStride: stride,
                                                      queries: tq, keys: t, width: d, scale: scale, out: &scores, path: .avx512))
            }
            for i in 0..<tq { for j in 0..<t {
                var exact = 0.0, magnitude = 0.0
                for c in 0..<d {
                    let term = Double(qkv[i * stride + c]) * Double(qkv[j * stride + d + c])
                    exact += term; magnitude += abs(term)
                }
                let delta = abs(Double(scores[i * t + j]) - exact * Double(scale))
                XCTAssertLessThanOrEqual(delta, 1e-5 * magnitude * Double(scale) + 1e-30, "scores \(tq)x\(t)x\(d) [\(i), \(j)]")
                worstScores = max(worstScores, delta)
            } }
            // Context, written and accumulated, into a strided ctx (stride d + 3).
            let p = values(tq * t, seed: 5 + t, scale: 1)
            let ctxStride = d + 3, initial = values(tq * ctxStride, seed: 77)
            for accumulate in [false, true] {
                var ctx = initial
                qkv.withUnsafeBufferPointer { b in
                    XCTAssertTrue(Kernels.attentionContext(p: p, queries: tq, keys: t, v: b.baseAddress! + 2 * d, vStride: stride,
                                                           width: d, ctx: &ctx, ctxStride: ctxStride, accumulate: accumulate,
                                                           path: .avx512))
                }
                for i in 0..<tq { for c in 0..<ctxStride {
                    guard c < d else { XCTAssertEqual(ctx[i * ctxStride + c], initial[i * ctxStride + c]); continue }
                    var exact = accumulate ? Double(initial[i * ctxStride + c]) : 0, magnitude = abs(exact)
                    for j in 0..<t {
                        let term = Double(p[i * t + j]) * Double(qkv[j * stride + 2 * d + c])
                        exact += term; magnitude += abs(term)
                    }
                    let delta = abs(Double(ctx[i * ctxStride + c]) - exact)
                    XCTAssertLessThanOrEqual(delta, 1e-5 * magnitude + 1e-30, "context \(tq)x\(t)x\(d) [\(i), \(c)]")
                    worstContext = max(worstContext, delta)
                } }
            }
        }
        print("attention core avx512 vs float64: scores max |Δ| \(worstScores), context max |Δ| \(worstContext)")
    }
}
