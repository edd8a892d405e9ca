import SentimentTensor

/// torch.nn.Linear: y[N, out] = x[N, in] · Wᵀ + b, W stored [out, in]. Forward is `Kernels.linear`;
/// all three GEMMs run through `GEMM.multiply` on the process's training engine (`GEMM.training`: BLAS, or our
/// bf16 / fp32 kernel).
package enum LinearLayer {
    package static func forward(
        _ x: UnsafePointer<Float>, rows: Int, inFeatures: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, outFeatures: Int, out: UnsafeMutablePointer<Float>
    ) {
        Kernels.linear(x, rows: rows, inFeatures: inFeatures, weight: weight, bias: bias, outFeatures: outFeatures, out: out)
    }

    /// Backward of y = x·Wᵀ + b given dy[N, out]:
    ///   dx[N, in]  = dy · W        (written, or added when `accumulateInput`)
    ///   dW[out, in] += dyᵀ · x
    ///   db[out]    += Σ_rows dy
    /// Any of dx / dW / db may be nil (frozen or not needed).
    package static func backward(
        _ dy: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int, inFeatures: Int,
        weight: UnsafePointer<Float>, outFeatures: Int,
        dx: UnsafeMutablePointer<Float>?, accumulateInput: Bool = false,
        dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?
    ) {
        if let dx {
            GEMM.multiply(.none, .none, m: rows, n: inFeatures, k: outFeatures, a: dy, lda: outFeatures,
                          b: weight, ldb: inFeatures, accumulate: accumulateInput, c: dx, ldc: inFeatures)
        }
        if let dWeight {
            GEMM.multiply(.transposed, .none, m: outFeatures, n: inFeatures, k: rows, a: dy, lda: outFeatures,
                          b: x, ldb: inFeatures, accumulate: true, c: dWeight, ldc: inFeatures)
        }
        if let dBias {
            for r in 0..<rows { axpy(1, dy + r * outFeatures, dBias, outFeatures) }
        }
    }
}
