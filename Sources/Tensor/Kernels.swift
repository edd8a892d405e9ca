import Foundation

/// The elementwise and row-wise kernels the encoder needs. Pointer-based, row-major, sizes explicit.
/// Outputs may alias inputs where noted. Results must match PyTorch (see Tests/TensorTests).
///
/// These first versions are plain scalar reference code; the signatures are the contract.
public enum Kernels {
    /// out[rows, outFeatures] = x[rows, inFeatures] · weightᵀ + bias, as torch.nn.Linear (weight stored [out, in]).
    public static func linear(
        _ x: UnsafePointer<Float>, rows: Int, inFeatures: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, outFeatures: Int,
        out: UnsafeMutablePointer<Float>
    ) {
        if let bias {
            for r in 0..<rows { (out + r * outFeatures).update(from: bias, count: outFeatures) }
        }
        sgemm(.none, .transposed, m: rows, n: outFeatures, k: inFeatures,
              a: x, lda: inFeatures, b: weight, ldb: inFeatures,
              beta: bias == nil ? 0 : 1, c: out, ldc: outFeatures)
    }

    /// LayerNorm over the last dimension (biased variance, eps inside the sqrt), as torch.nn.LayerNorm.
    /// `out` may alias `x`.
    public static func layerNorm(
        _ x: UnsafePointer<Float>, rows: Int, cols: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float,
        out: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            let row = x + r * cols, o = out + r * cols
            var mean: Float = 0
            for i in 0..<cols { mean += row[i] }
            mean /= Float(cols)
            var variance: Float = 0
            for i in 0..<cols { let d = row[i] - mean; variance += d * d }
            variance /= Float(cols)
            let inv = 1 / (variance + eps).squareRoot()
            for i in 0..<cols { o[i] = (row[i] - mean) * inv * gamma[i] + beta[i] }
        }
    }

    /// GELU, exact erf form: x · ½(1 + erf(x/√2)) (HF "gelu"). `out` may alias `x`.
    public static func gelu(_ x: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>) {
        for i in 0..<count { let v = x[i]; out[i] = 0.5 * v * (1 + erf(v * 0.70710678118654752)) }
    }

    /// GELU, tanh approximation (HF "gelu_new" / "gelu_pytorch_tanh"). `out` may alias `x`.
    public static func geluTanh(_ x: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            let v = x[i]
            out[i] = 0.5 * v * (1 + tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)))
        }
    }

    /// ReLU. `out` may alias `x`.
    public static func relu(_ x: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>) {
        for i in 0..<count { out[i] = max(x[i], 0) }
    }

    /// tanh (BERT pooler, RoBERTa classification head). `out` may alias `x`.
    public static func tanhActivation(_ x: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>) {
        for i in 0..<count { out[i] = tanh(x[i]) }
    }

    /// In-place softmax of each row of x[rows, cols], after adding `additiveMask[cols]` (if given) to every row.
    /// Numerically stable (max subtracted), as torch.softmax.
    public static func softmaxRows(
        _ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int, additiveMask: UnsafePointer<Float>? = nil
    ) {
        for r in 0..<rows {
            let row = x + r * cols
            if let additiveMask { for i in 0..<cols { row[i] += additiveMask[i] } }
            var m = -Float.infinity
            for i in 0..<cols { m = max(m, row[i]) }
            var sum: Float = 0
            for i in 0..<cols { row[i] = exp(row[i] - m); sum += row[i] }
            let inv = 1 / sum
            for i in 0..<cols { row[i] *= inv }
        }
    }

    /// out[i, :] = table[ids[i], :] for a table of rows of width `dim`.
    public static func gather(
        table: UnsafePointer<Float>, dim: Int, ids: UnsafePointer<Int32>, count: Int,
        out: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<count { (out + i * dim).update(from: table + Int(ids[i]) * dim, count: dim) }
    }

    /// dst += src, elementwise (residual connections).
    public static func addInPlace(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { dst[i] += src[i] }
    }

    /// out = a + b, elementwise. `out` may alias either input.
    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>) {
        for i in 0..<count { out[i] = a[i] + b[i] }
    }
}
