import SentimentTensor

/// torch.nn.LayerNorm over the last dimension (biased variance, eps inside the sqrt), with the statistics that
/// backward needs. Backward as in llm.c `layernorm_backward`.
package enum LayerNormLayer {
    /// out[N, C] = (x − mean)·rstd·γ + β; stores mean[N] and rstd[N]. `out` must not alias `x` (backward needs x).
    package static func forward(
        _ x: UnsafePointer<Float>, rows: Int, cols: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        eps: Float, out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>
    ) {
        // The inference kernel (same arithmetic as torch.nn.LayerNorm), keeping its statistics.
        Kernels.layerNorm(x, rows: rows, cols: cols, gamma: gamma, beta: beta, eps: eps, out: out, mean: mean, invStd: rstd)
    }

    /// Given dout[N, C]: dx (written, or added when `accumulateInput`), dγ += Σ dout·x̂, dβ += Σ dout.
    ///   dx = rstd · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂)),  dx̂ = dout · γ
    package static func backward(
        _ dout: UnsafePointer<Float>, x: UnsafePointer<Float>, mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
        rows: Int, cols: Int, gamma: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, accumulateInput: Bool = false,
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
                    let v = s * (d[i] * gamma[i] - meanD - (xr[i] - m) * s * meanDX)
                    o[i] = accumulateInput ? o[i] + v : v
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
