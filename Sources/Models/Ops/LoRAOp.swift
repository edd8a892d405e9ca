import SentimentTensor

/// LoRA (Hu et al. 2021), as peft's `lora.Linear` computes it: y = x·W₀ᵀ + b + s·(x·Aᵀ)·Bᵀ, A [r, in], B [out, r],
/// s = lora_alpha / r. The base W₀ is frozen, so the forward runs on the merged weight W = W₀ + s·B·A (peft's
/// `get_delta_weight`; exact in fp32 up to summation order) and the input gradient dx = dy·W is the linear layer's
/// own. Backward adds only the two low-rank gradients — no [out, in] weight-gradient GEMM:
///   dB[out, r] += s · dyᵀ · (x·Aᵀ)          dA[r, in] += s · (dy·B)ᵀ · x
package enum LoRAOp {
    /// w[out, in] = base + scale · b[out, r] · a[r, in], in fp32 (BLAS), whatever the training GEMM engine.
    package static func merge(base: UnsafePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                              outFeatures: Int, inFeatures: Int, rank: Int, scale: Float, into w: UnsafeMutablePointer<Float>) {
        let n = outFeatures * inFeatures
        GEMM.multiply(.none, .none, m: outFeatures, n: inFeatures, k: rank, a: b, lda: rank, b: a, ldb: inFeatures,
                      c: w, ldc: inFeatures, engine: .blas)
        Kernels.scale(w, count: n, by: scale)
        Kernels.addInPlace(w, base, count: n)
    }

    /// Accumulates the adapter's gradients given dy (rows × the adapter's output features, row stride `ldy`) and the
    /// layer's input x (rows × in).
    package static func backward(_ dy: UnsafePointer<Float>, ldy: Int, x: UnsafePointer<Float>, rows: Int,
                                 adapter g: LoRAGradient) {
        let r = g.rank, inF = g.inFeatures, outF = g.outFeatures
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(rows * r, 1))
        defer { scratch.deallocate() }
        // u = x·Aᵀ (rows, r), scaled; dB += dyᵀ·u.
        GEMM.multiply(.none, .transposed, m: rows, n: r, k: inF, a: x, lda: inF, b: g.a, ldb: inF, c: scratch, ldc: r)
        Kernels.scale(scratch, count: rows * r, by: g.scale)
        GEMM.multiply(.transposed, .none, m: outF, n: r, k: rows, a: dy, lda: ldy, b: scratch, ldb: r,
                      accumulate: true, c: g.dB, ldc: r)
        // t = dy·B (rows, r), scaled; dA += tᵀ·x.
        GEMM.multiply(.none, .none, m: rows, n: r, k: outF, a: dy, lda: ldy, b: g.b, ldb: r, c: scratch, ldc: r)
        Kernels.scale(scratch, count: rows * r, by: g.scale)
        GEMM.multiply(.transposed, .none, m: r, n: inF, k: rows, a: scratch, lda: r, b: x, ldb: inF,
                      accumulate: true, c: g.dA, ldc: inF)
    }
}

/// One adapter's values and gradients as backward sees them: A [rank, in], B [out, rank] and their gradients, on
/// output rows `rows` of the linear layer it adapts (a fused Q/K/V projection holds up to three).
package struct LoRAGradient {
    package var rows: Range<Int>
    package let a, b: UnsafePointer<Float>
    package let dA, dB: UnsafeMutablePointer<Float>
    package let rank, inFeatures: Int
    package let scale: Float
    package var outFeatures: Int { rows.count }

    package init(rows: Range<Int>, a: UnsafePointer<Float>, b: UnsafePointer<Float>, dA: UnsafeMutablePointer<Float>,
                 dB: UnsafeMutablePointer<Float>, rank: Int, inFeatures: Int, scale: Float) {
        self.rows = rows
        self.a = a
        self.b = b
        self.dA = dA
        self.dB = dB
        self.rank = rank
        self.inFeatures = inFeatures
        self.scale = scale
    }
}
