import CKernels
import Foundation
import SentimentCore

/// The elementwise and row-wise kernels the encoder needs. Pointer-based, row-major, sizes explicit.
/// Outputs may alias inputs where noted. Results match PyTorch (see Tests/TensorTests, fixtures from
/// scripts/fixtures/kernels.py).
///
/// Vectorised over 16 floats (`VectorMath`) and split over `Parallel.threads` workers when a call is large
/// enough to pay for waking them; results do not depend on the thread count.
public enum Kernels {
    /// Elementwise calls below this many floats stay on the calling thread.
    static let elementwiseGrain = 1 << 15
    /// Row-wise calls (layer norm, softmax) below this many floats stay on the calling thread.
    public static let rowwiseGrain = 1 << 14

    /// out[rows, outFeatures] = x[rows, inFeatures] · weightᵀ + bias, as torch.nn.Linear (weight stored [out, in]), for
    /// weights that change (training); see `GEMM`. Fixed weights are packed once instead (`PackedWeights`).
    public static func linear(
        _ x: UnsafePointer<Float>, rows: Int, inFeatures: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, outFeatures: Int,
        out: UnsafeMutablePointer<Float>
    ) {
        GEMM.multiply(.none, .transposed, m: rows, n: outFeatures, k: inFeatures, a: x, lda: inFeatures,
                      b: weight, ldb: inFeatures, bias: bias, c: out, ldc: outFeatures)
    }

    /// LayerNorm over the last dimension (biased variance, eps inside the sqrt), as torch.nn.LayerNorm
    /// (HF BertSelfOutput/BertOutput/BertEmbeddings `LayerNorm`). `out` may alias `x`. `mean` and `invStd` ([rows],
    /// when given) receive each row's statistics (the training layer keeps them for backward).
    /// AVX-512 path: Sources/CKernels/elementwise.c; otherwise the portable SIMD row below.
    public static func layerNorm(
        _ x: UnsafePointer<Float>, rows: Int, cols: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float,
        out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>? = nil, invStd: UnsafeMutablePointer<Float>? = nil,
        path: KernelPath = .default(for: .fp32)
    ) {
        guard rows > 0, cols > 0 else { return }
        let simd = path == .avx512
        nonisolated(unsafe) let mean = mean, invStd = invStd
        Parallel.forEachChunk(count: rows, minimumChunk: max(1, rowwiseGrain / cols)) { chunk in
            let r0 = chunk.lowerBound
            if simd, sk_layer_norm_rows_avx512(x + r0 * cols, Int32(chunk.count), Int32(cols), gamma, beta, eps,
                                               out + r0 * cols, mean.map { $0 + r0 }, invStd.map { $0 + r0 }) != 0 { return }
            for r in chunk {
                let stats = layerNormRow(x + r * cols, cols: cols, gamma: gamma, beta: beta, eps: eps, out: out + r * cols)
                mean?[r] = stats.mean
                invStd?[r] = stats.invStd
            }
        }
    }

    /// GELU, exact erf form: x · ½(1 + erf(x/√2)) (HF "gelu", BERT's FFN activation). `out` may alias `x`.
    /// AVX-512 path: Sources/CKernels/gelu.c (the same polynomial); otherwise the portable SIMD code.
    public static func gelu(
        _ x: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>, path: KernelPath = .default(for: .fp32)
    ) {
        if path == .avx512 {
            Parallel.forEachChunk(count: count, minimumChunk: elementwiseGrain, alignment: 16) { chunk in
                sk_gelu(SK_PATH_AVX512, x + chunk.lowerBound, chunk.count, out + chunk.lowerBound)
            }
            return
        }
        map(x, count: count, out: out) { v in 0.5 * v * (1 + VectorMath.erf(v * 0.70710678118654752)) }
    }

    /// e^x elementwise (VectorMath.exp's reduction and polynomial; AVX-512 path in Sources/CKernels/elementwise.c).
    /// `out` may alias `x`.
    public static func exp(
        _ x: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>, path: KernelPath = .default(for: .fp32)
    ) {
        let simd = path == .avx512
        Parallel.forEachChunk(count: count, minimumChunk: elementwiseGrain, alignment: 16) { chunk in
            let i = chunk.lowerBound
            if simd, sk_exp_avx512_run(x + i, chunk.count, out + i) != 0 { return }
            map(x + i, count: chunk.count, out: out + i, parallel: false) { VectorMath.exp($0) }
        }
    }

    /// GELU, tanh approximation (HF "gelu_new" / "gelu_pytorch_tanh"). `out` may alias `x`.
    /// Uses ½x(1 + tanh u) = x·sigmoid(2u), u = √(2/π)(x + 0.044715x³): same function, no cancellation.
    public static func geluTanh(_ x: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>) {
        map(x, count: count, out: out) { v in
            let u = 0.7978845608028654 * (v + 0.044715 * v * v * v)
            return v / (1 + VectorMath.exp(-2 * u))
        }
    }

    /// ReLU. `out` may alias `x`. NaN stays NaN, as torch.relu.
    public static func relu(_ x: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>) {
        map(x, count: count, out: out) { v in
            var r = v
            r.replace(with: 0, where: v .< 0)
            return r
        }
    }

    /// tanh (BERT pooler, RoBERTa classification head). `out` may alias `x`.
    public static func tanhActivation(_ x: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>) {
        map(x, count: count, out: out) { VectorMath.tanh($0) }
    }

    /// In-place softmax of each row of x[rows, cols], after adding `additiveMask[cols]` (if given) to every row.
    /// Numerically stable (max subtracted), as torch.softmax. A row that is entirely -∞ becomes NaN, as in torch;
    /// HF masks with finfo.min (finite), which gives a uniform row instead.
    /// AVX-512 path: Sources/CKernels/elementwise.c; otherwise the portable SIMD row below.
    public static func softmaxRows(
        _ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int, additiveMask: UnsafePointer<Float>? = nil,
        path: KernelPath = .default(for: .fp32)
    ) {
        guard rows > 0, cols > 0 else { return }
        let simd = path == .avx512
        Parallel.forEachChunk(count: rows, minimumChunk: max(1, rowwiseGrain / cols)) { chunk in
            let r0 = chunk.lowerBound
            if simd, sk_softmax_rows_avx512(x + r0 * cols, Int32(chunk.count), Int32(cols), additiveMask) != 0 { return }
            for r in chunk { softmaxRow(x + r * cols, cols: cols, additiveMask: additiveMask) }
        }
    }

    // MARK: - Attention core (one sequence and head), AVX-512 only: false, nothing done, on other paths

    /// out[i·keys + j] = scale · q_i · k_j for `queries` rows of q and `keys` rows of k, each `width` wide.
    public static func attentionScores(
        q: UnsafePointer<Float>, qStride: Int, k: UnsafePointer<Float>, kStride: Int, queries: Int, keys: Int, width: Int,
        scale: Float, out: UnsafeMutablePointer<Float>, path: KernelPath = .default(for: .fp32)
    ) -> Bool {
        guard path == .avx512 else { return false }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: sk_attention_scratch_count(Int32(keys), Int32(width))) {
            sk_attention_scores_avx512(q, Int32(qStride), k, Int32(kStride), Int32(queries), Int32(keys), Int32(width),
                                       scale, $0.baseAddress!, out) != 0
        }
    }

    /// ctx_i = Σ_j p[i·keys + j] · v_j (`accumulate`: ctx_i += …) for `queries` rows of ctx, `width` wide.
    public static func attentionContext(
        p: UnsafePointer<Float>, queries: Int, keys: Int, v: UnsafePointer<Float>, vStride: Int, width: Int,
        ctx: UnsafeMutablePointer<Float>, ctxStride: Int, accumulate: Bool = false, path: KernelPath = .default(for: .fp32)
    ) -> Bool {
        guard path == .avx512 else { return false }
        return sk_attention_context_avx512(p, Int32(queries), Int32(keys), v, Int32(vStride), Int32(width), ctx,
                                           Int32(ctxStride), accumulate ? 1 : 0) != 0
    }

    /// out[i, :] = table[ids[i], :] for a table of rows of width `dim` (nn.Embedding). Ids must lie in
    /// 0..<tableRows; pass `tableRows` so a bad id stops with a message instead of reading past the table.
    public static func gather(
        table: UnsafePointer<Float>, tableRows: Int = .max, dim: Int, ids: UnsafePointer<Int32>, count: Int,
        out: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<count {
            precondition(ids[i] >= 0 && Int(ids[i]) < tableRows,
                         "gather: id \(ids[i]) at position \(i) is outside the table of \(tableRows) rows")
            (out + i * dim).update(from: table + Int(ids[i]) * dim, count: dim)
        }
    }

    /// dst += src, elementwise (residual connections).
    public static func addInPlace(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, count: Int) {
        add(dst, src, count: count, out: dst)
    }

    /// out = a + b, elementwise. `out` may alias either input.
    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>) {
        Parallel.forEachChunk(count: count, minimumChunk: elementwiseGrain, alignment: 16) { chunk in
            var i = chunk.lowerBound
            while i + 16 <= chunk.upperBound {
                VectorMath.store(VectorMath.load(a + i) + VectorMath.load(b + i), out + i)
                i += 16
            }
            while i < chunk.upperBound { out[i] = a[i] + b[i]; i += 1 }
        }
    }

    /// x *= factor, elementwise.
    public static func scale(_ x: UnsafeMutablePointer<Float>, count: Int, by factor: Float) {
        map(x, count: count, out: x) { $0 * factor }
    }

    // MARK: - Building blocks

    /// out[i] = transform(x[i]) sixteen lanes at a time; the tail goes through the same vector code so every
    /// element gets bit-identical results. Parallel over chunks for large counts. `out` may alias `x`.
    @inline(__always)
    static func map(
        _ x: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>, parallel: Bool = true,
        _ transform: (FloatVector) -> FloatVector
    ) {
        Parallel.forEachChunk(count: count, minimumChunk: parallel ? elementwiseGrain : max(count, 1), alignment: 16) { chunk in
            var i = chunk.lowerBound
            while i + 16 <= chunk.upperBound {
                VectorMath.store(transform(VectorMath.load(x + i)), out + i)
                i += 16
            }
            let tail = chunk.upperBound - i
            if tail > 0 {
                VectorMath.storePartial(transform(VectorMath.loadPartial(x + i, count: tail)), out + i, count: tail)
            }
        }
    }

    /// One row of layer norm: two passes (mean, then centred variance) with 16 partial sums each. Returns the row's
    /// mean and 1/std.
    @inline(__always)
    static func layerNormRow(
        _ x: UnsafePointer<Float>, cols: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float,
        out: UnsafeMutablePointer<Float>
    ) -> (mean: Float, invStd: Float) {
        let vectorEnd = cols & ~15
        var acc = FloatVector()
        var i = 0
        while i < vectorEnd { acc += VectorMath.load(x + i); i += 16 }
        var sum = acc.sum()
        while i < cols { sum += x[i]; i += 1 }
        let mean = sum / Float(cols)

        acc = FloatVector()
        i = 0
        while i < vectorEnd { let d = VectorMath.load(x + i) - mean; acc += d * d; i += 16 }
        var squares = acc.sum()
        while i < cols { let d = x[i] - mean; squares += d * d; i += 1 }
        let invStd = 1 / (squares / Float(cols) + eps).squareRoot()

        i = 0
        while i < vectorEnd {
            let normalized = (VectorMath.load(x + i) - mean) * invStd
            VectorMath.store(normalized * VectorMath.load(gamma + i) + VectorMath.load(beta + i), out + i)
            i += 16
        }
        while i < cols { out[i] = (x[i] - mean) * invStd * gamma[i] + beta[i]; i += 1 }
        return (mean, invStd)
    }

    /// One row of softmax: add mask, max, exp and sum, scale by 1/sum.
    @inline(__always)
    static func softmaxRow(_ row: UnsafeMutablePointer<Float>, cols: Int, additiveMask: UnsafePointer<Float>?) {
        if let additiveMask { add(row, additiveMask, cols: cols) }
        let vectorEnd = cols & ~15, tail = cols - vectorEnd
        var maxima = FloatVector(repeating: -.infinity)
        var i = 0
        while i < vectorEnd {
            let v = VectorMath.load(row + i)
            maxima.replace(with: v, where: v .> maxima)
            i += 16
        }
        var m = maxima.max()
        while i < cols { m = Swift.max(m, row[i]); i += 1 }

        var sums = FloatVector()
        i = 0
        while i < vectorEnd {
            let e = VectorMath.exp(VectorMath.load(row + i) - m)
            VectorMath.store(e, row + i)
            sums += e
            i += 16
        }
        if tail > 0 {
            // Padding lanes hold -∞ so they add exp(-∞) = 0.
            let e = VectorMath.exp(VectorMath.loadPartial(row + i, count: tail, fill: -.infinity) - m)
            VectorMath.storePartial(e, row + i, count: tail)
            sums += e
        }
        let inverse = 1 / sums.sum()
        i = 0
        while i < vectorEnd { VectorMath.store(VectorMath.load(row + i) * inverse, row + i); i += 16 }
        while i < cols { row[i] *= inverse; i += 1 }
    }

    /// row += mask over `cols` (serial; used inside a row-parallel loop).
    @inline(__always)
    private static func add(_ row: UnsafeMutablePointer<Float>, _ mask: UnsafePointer<Float>, cols: Int) {
        var i = 0
        while i + 16 <= cols { VectorMath.store(VectorMath.load(row + i) + VectorMath.load(mask + i), row + i); i += 16 }
        while i < cols { row[i] += mask[i]; i += 1 }
    }
}
