import SentimentTensor

/// torch.nn.LayerNorm over the last dimension (biased variance, eps inside the sqrt), with the statistics that
/// backward needs. Backward as in llm.c `layernorm_backward`.
package enum LayerNormOp {
    /// out[N, C] = (x − mean)·rstd·γ + β (`Kernels.layerNorm`, the arithmetic of torch.nn.LayerNorm); with `mean` and
    /// `rstd` given (training), stores each row's statistics for backward — then `out` must not alias `x` (backward
    /// reads x); without (inference), `out` may alias `x`.
    package static func forward(
        _ norm: LayerNorm, _ x: UnsafePointer<Float>, rows: Int, out: UnsafeMutablePointer<Float>,
        mean: UnsafeMutablePointer<Float>? = nil, rstd: UnsafeMutablePointer<Float>? = nil
    ) {
        Kernels.layerNorm(x, rows: rows, cols: norm.weight.count, gamma: norm.weight.pointer, beta: norm.bias.pointer,
                          eps: norm.eps, out: out, mean: mean, invStd: rstd)
    }

    /// Given dout[N, C]: dx (written), dγ += Σ dout·x̂, dβ += Σ dout.
    ///   dx = rstd · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂)),  dx̂ = dout · γ
    package static func backward(
        _ dout: UnsafePointer<Float>, x: UnsafePointer<Float>, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
        rows: Int, cols: Int, gamma: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?,
        dGamma: UnsafeMutablePointer<Float>?, dBeta: UnsafeMutablePointer<Float>?
    ) {
        if let dx {
            Parallel.forEachChunk(count: rows, minimumChunk: 16) { chunk in for r in chunk {
                let d = dout + r * cols, xr = x + r * cols, o = dx + r * cols
                let m = mean[r], s = rstd[r]
                var sumD: Float = 0, sumDX: Float = 0
                for i in 0..<cols {
                    let dnorm = d[i] * gamma[i]
                    sumD += dnorm
                    sumDX += dnorm * (xr[i] - m) * s
                }
                let meanD = sumD / Float(cols), meanDX = sumDX / Float(cols)
                for i in 0..<cols {
                    o[i] = s * (d[i] * gamma[i] - meanD - (xr[i] - m) * s * meanDX)
                }
            } }
        }
        // Parameter gradients: column sums, serial over rows (no write conflicts).
        if let dGamma {
            for r in 0..<rows {
                let d = dout + r * cols, xr = x + r * cols, m = mean[r], s = rstd[r]
                for i in 0..<cols { dGamma[i] += d[i] * (xr[i] - m) * s }
            }
        }
        if let dBeta {
            for r in 0..<rows { axpy(1, dout + r * cols, dBeta, cols) }
        }
    }
}
