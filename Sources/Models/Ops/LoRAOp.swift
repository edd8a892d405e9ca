import SentimentCore
import SentimentTensor

/// LoRA (Hu et al. 2021), as peft's `lora.Linear` computes it: y = x·W₀ᵀ + b + s·(drop(x)·Aᵀ)·Bᵀ, A [r, in],
/// B [out, r], s = lora_alpha / r, drop = `lora_dropout` (identity when p is 0 or outside training). The base W₀ is
/// frozen, so the forward runs on the merged weight W = W₀ + s·B·A (peft's `get_delta_weight`; exact in fp32 up to
/// summation order) and the input gradient dx = dy·W is the linear layer's own. With dropout, x̃ = x ⊙ m (inverted
/// dropout: m is 0 or 1/(1−p)) and the forward adds the difference the merge left out; backward uses x̃:
///   y   += s · ((x̃ − x)·Aᵀ)·Bᵀ                       (forward correction; none without dropout)
///   dB  += s · dyᵀ · (x̃·Aᵀ)          dA += s · (dy·B)ᵀ · x̃
///   dx  += s · ((dy·B)·A) ⊙ (m − 1)                   (dy·W already holds the undropped s·(dy·B)·A)
/// No [out, in] weight-gradient GEMM. The mask of input element j of token t is drawn as element t·in + j of the
/// adapter's dropout site (`DropoutOp`), so a row computed alone (the last block's first tokens) gets the mask it
/// has in the full pass.
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

    /// x̃ = x ⊙ m for `rows` rows of x (rows × in) into `dropped`, the scaled masks into `mask`; row r is token
    /// `tokens?[r] ?? r` of the pass.
    static func drop(_ x: UnsafePointer<Float>, rows: Int, tokens: [Int]?, adapter v: LoRAView, key: UInt64,
                     dropped: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>) {
        let inF = v.inFeatures
        dropped.update(from: x, count: rows * inF)
        for r in 0..<rows {
            DropoutOp.forward(dropped + r * inF, count: inF, p: v.dropout, key: key, indexOffset: (tokens?[r] ?? r) * inF,
                              mask: mask + r * inF)
        }
    }

    /// Training forward with LoRA dropout, after y = x·Wᵀ + b on the merged W: y[:, adapter rows] (row stride `ldy`)
    /// += s·((x̃ − x)·Aᵀ)·Bᵀ. `key`: the adapter's dropout site in this pass.
    package static func dropoutForward(_ x: UnsafePointer<Float>, rows: Int, tokens: [Int]?, y: UnsafeMutablePointer<Float>,
                                       ldy: Int, adapter v: LoRAView, key: UInt64) {
        let inF = v.inFeatures, r = v.rank
        let difference = UnsafeMutablePointer<Float>.allocate(capacity: max(rows * inF, 1))
        let mask = UnsafeMutablePointer<Float>.allocate(capacity: max(rows * inF, 1))
        let u = UnsafeMutablePointer<Float>.allocate(capacity: max(rows * r, 1))
        defer { difference.deallocate(); mask.deallocate(); u.deallocate() }
        drop(x, rows: rows, tokens: tokens, adapter: v, key: key, dropped: difference, mask: mask)
        axpy(-1, x, difference, rows * inF)
        GEMM.multiply(.none, .transposed, m: rows, n: r, k: inF, a: difference, lda: inF, b: v.a, ldb: inF, c: u, ldc: r)
        Kernels.scale(u, count: rows * r, by: v.scale)
        GEMM.multiply(.none, .transposed, m: rows, n: v.outFeatures, k: r, a: u, lda: r, b: v.b, ldb: r,
                      accumulate: true, c: y + v.rows.lowerBound, ldc: ldy)
    }

    /// Accumulates the adapter's gradients given dy (rows × the adapter's output features, row stride `ldy`) and the
    /// layer's input x (rows × in). With dropout (`key`: its site in the forward's pass, nil outside training), uses
    /// x̃ and adds the input-gradient correction into `dx` (rows × in) when given.
    package static func backward(_ dy: UnsafePointer<Float>, ldy: Int, x: UnsafePointer<Float>, rows: Int,
                                 adapter g: LoRAGradient, dx: UnsafeMutablePointer<Float>? = nil,
                                 dropoutKey key: UInt64? = nil, tokens: [Int]? = nil) {
        let v = g.adapter, r = v.rank, inF = v.inFeatures, outF = v.outFeatures
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(rows * r, 1))
        defer { scratch.deallocate() }
        var input = x
        var dropped: (x: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>)?
        if let key, v.dropout > 0 {
            let xd = UnsafeMutablePointer<Float>.allocate(capacity: max(rows * inF, 1))
            let mask = UnsafeMutablePointer<Float>.allocate(capacity: max(rows * inF, 1))
            drop(x, rows: rows, tokens: tokens, adapter: v, key: key, dropped: xd, mask: mask)
            dropped = (xd, mask)
            input = UnsafePointer(xd)
        }
        defer { dropped?.x.deallocate(); dropped?.mask.deallocate() }
        // u = x̃·Aᵀ (rows, r), scaled; dB += dyᵀ·u.
        GEMM.multiply(.none, .transposed, m: rows, n: r, k: inF, a: input, lda: inF, b: v.a, ldb: inF, c: scratch, ldc: r)
        Kernels.scale(scratch, count: rows * r, by: v.scale)
        GEMM.multiply(.transposed, .none, m: outF, n: r, k: rows, a: dy, lda: ldy, b: scratch, ldb: r,
                      accumulate: true, c: g.dB, ldc: r)
        // t = dy·B (rows, r), scaled; dA += tᵀ·x̃.
        GEMM.multiply(.none, .none, m: rows, n: r, k: outF, a: dy, lda: ldy, b: v.b, ldb: r, c: scratch, ldc: r)
        Kernels.scale(scratch, count: rows * r, by: v.scale)
        GEMM.multiply(.transposed, .none, m: r, n: inF, k: rows, a: scratch, lda: r, b: input, ldb: inF,
                      accumulate: true, c: g.dA, ldc: inF)
        // dx += (t·A) ⊙ (m − 1), reusing x̃'s buffer for t·A.
        if let dropped, let dx {
            GEMM.multiply(.none, .none, m: rows, n: inF, k: r, a: scratch, lda: r, b: v.a, ldb: inF, c: dropped.x, ldc: inF)
            for i in 0..<(rows * inF) { dx[i] += dropped.x[i] * (dropped.mask[i] - 1) }
        }
    }
}

/// One adapter as the passes see it: A [rank, in] and B [out, rank] on output rows `rows` of the linear layer it
/// adapts (a fused Q/K/V projection holds up to three), its scale, and its dropout: p, and the dropout site its
/// masks are drawn from (`DropoutSite.lora`).
package struct LoRAView: @unchecked Sendable {   // pointers into a parameter store, as `Weight`
    package var rows: Range<Int>
    package let a, b: UnsafePointer<Float>
    package let rank, inFeatures: Int
    package let scale: Float
    package let dropout: Float
    package let site: Int
    package var outFeatures: Int { rows.count }

    package init(rows: Range<Int>, a: UnsafePointer<Float>, b: UnsafePointer<Float>, rank: Int, inFeatures: Int,
                 scale: Float, dropout: Float = 0, site: Int = 0) {
        self.rows = rows
        self.a = a
        self.b = b
        self.rank = rank
        self.inFeatures = inFeatures
        self.scale = scale
        self.dropout = dropout
        self.site = site
    }

    /// Those of `views` on output rows `range` of a fused projection, renumbered from the range's first row (an
    /// adapter lies wholly inside or outside it).
    package static func slice(_ views: [LoRAView], _ range: Range<Int>) -> [LoRAView] {
        views.filter { range.contains($0.rows.lowerBound) }.map { v in
            precondition(v.rows.upperBound <= range.upperBound, "a LoRA adapter straddles a projection slice")
            var shifted = v
            shifted.rows = (v.rows.lowerBound - range.lowerBound)..<(v.rows.upperBound - range.lowerBound)
            return shifted
        }
    }
}

/// An adapter and the gradients of its A and B, as backward sees them.
package struct LoRAGradient {
    package var adapter: LoRAView
    package let dA, dB: UnsafeMutablePointer<Float>

    package init(adapter: LoRAView, dA: UnsafeMutablePointer<Float>, dB: UnsafeMutablePointer<Float>) {
        self.adapter = adapter
        self.dA = dA
        self.dB = dB
    }
}
