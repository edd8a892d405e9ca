import Foundation

/// Multi-head self-attention core over PACKED sequences (HF BertSelfAttention without the projections):
/// per sequence s (tokens t0..<t0+T) and head h,
///   S = Q_h·K_hᵀ / √D,  P = softmax(S),  P̃ = dropout(P),  ctx_h = P̃·V_h
/// Sequences never see each other, which equals HF's padded batch with its attention mask.
///
/// Layouts: qkv [N, 3C] (Q | K | V per token, head h at columns h·D..<(h+1)·D of each part), ctx [N, C],
/// probabilities [Σ_s H·T_s²] (sequence-major, then head, then T×T row-major).
struct PackedSequences {
    /// Token offset of each sequence, count S + 1 (last = N).
    let offsets: [Int]
    /// Offset of each sequence's H·T² block of attention probabilities, count S + 1.
    let probabilityOffsets: [Int]
    let heads: Int

    init(lengths: [Int], heads: Int) {
        var offsets = [0], probs = [0]
        for t in lengths {
            offsets.append(offsets.last! + t)
            probs.append(probs.last! + heads * t * t)
        }
        self.offsets = offsets
        self.probabilityOffsets = probs
        self.heads = heads
    }

    var sequenceCount: Int { offsets.count - 1 }
    var tokenCount: Int { offsets.last! }
    var probabilityCount: Int { probabilityOffsets.last! }
    func length(_ s: Int) -> Int { offsets[s + 1] - offsets[s] }
}

enum AttentionLayer {
    /// Forward. `probs` receives P; if `dropout` is given, `dropped` receives P̃ and `mask` the scaled keep mask
    /// (both [probabilityCount]); otherwise P̃ = P and `dropped`/`mask` are unused.
    static func forward(
        qkv: UnsafePointer<Float>, layout: PackedSequences, hidden C: Int,
        probs: UnsafeMutablePointer<Float>, dropped: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>,
        dropout: (p: Float, key: UInt64)?, ctx: UnsafeMutablePointer<Float>
    ) {
        let H = layout.heads, D = C / H
        let scale = 1 / Float(D).squareRoot()
        nonisolated(unsafe) let qkv = qkv, probs = probs, dropped = dropped, mask = mask, ctx = ctx
        DispatchQueue.concurrentPerform(iterations: layout.sequenceCount * H) { task in
            let s = task / H, h = task % H
            let t0 = layout.offsets[s], T = layout.length(s)
            let pOffset = layout.probabilityOffsets[s] + h * T * T
            let P = probs + pOffset
            for i in 0..<T {
                let q = qkv + (t0 + i) * 3 * C + h * D
                let row = P + i * T
                for j in 0..<T { row[j] = dot(q, qkv + (t0 + j) * 3 * C + C + h * D, D) * scale }
                softmaxRow(row, T)
            }
            var used = UnsafePointer(P)
            if let dropout {
                (dropped + pOffset).update(from: P, count: T * T)
                Dropout.forward(dropped + pOffset, count: T * T, p: dropout.p, key: dropout.key,
                                indexOffset: pOffset, mask: mask + pOffset)
                used = UnsafePointer(dropped + pOffset)
            }
            for i in 0..<T {
                let out = ctx + (t0 + i) * C + h * D
                out.update(repeating: 0, count: D)
                for j in 0..<T { axpy(used[i * T + j], qkv + (t0 + j) * 3 * C + 2 * C + h * D, out, D) }
            }
        }
    }

    /// Backward: given dctx [N, C], WRITES dqkv [N, 3C] (every element). `scratch` holds [probabilityCount] floats.
    static func backward(
        dctx: UnsafePointer<Float>, qkv: UnsafePointer<Float>, layout: PackedSequences, hidden C: Int,
        probs: UnsafePointer<Float>, dropped: UnsafePointer<Float>?, mask: UnsafePointer<Float>?,
        scratch: UnsafeMutablePointer<Float>, dqkv: UnsafeMutablePointer<Float>
    ) {
        let H = layout.heads, D = C / H
        let scale = 1 / Float(D).squareRoot()
        dqkv.update(repeating: 0, count: layout.tokenCount * 3 * C)
        nonisolated(unsafe) let dctx = dctx, qkv = qkv, probs = probs, dropped = dropped, mask = mask
        nonisolated(unsafe) let scratch = scratch, dqkv = dqkv
        DispatchQueue.concurrentPerform(iterations: layout.sequenceCount * H) { task in
            let s = task / H, h = task % H
            let t0 = layout.offsets[s], T = layout.length(s)
            let pOffset = layout.probabilityOffsets[s] + h * T * T
            let P = probs + pOffset
            let used = dropped.map { $0 + pOffset } ?? P
            let dP = scratch + pOffset
            for i in 0..<T {
                let dc = dctx + (t0 + i) * C + h * D
                for j in 0..<T {
                    // dP̃[i, j] = dctx_i · v_j ;  dv_j += P̃[i, j] · dctx_i
                    dP[i * T + j] = dot(dc, qkv + (t0 + j) * 3 * C + 2 * C + h * D, D)
                    axpy(used[i * T + j], dc, dqkv + (t0 + j) * 3 * C + 2 * C + h * D, D)
                }
            }
            if let mask {
                let m = mask + pOffset
                for i in 0..<(T * T) { dP[i] *= m[i] }
            }
            for i in 0..<T {
                // Softmax backward: dS = P ⊙ (dP − Σ_k P·dP), then the 1/√D scale.
                let row = dP + i * T, p = P + i * T
                let inner = dot(p, row, T)
                for j in 0..<T { row[j] = p[j] * (row[j] - inner) * scale }
                let q = qkv + (t0 + i) * 3 * C + h * D, dq = dqkv + (t0 + i) * 3 * C + h * D
                for j in 0..<T {
                    let g = row[j]
                    axpy(g, qkv + (t0 + j) * 3 * C + C + h * D, dq, D)      // dq_i += dS[i, j] k_j
                    axpy(g, q, dqkv + (t0 + j) * 3 * C + C + h * D, D)      // dk_j += dS[i, j] q_i
                }
            }
        }
    }

    /// Numerically stable in-place softmax of one row (torch.softmax).
    @inline(__always)
    static func softmaxRow(_ row: UnsafeMutablePointer<Float>, _ n: Int) {
        var m = -Float.infinity
        for j in 0..<n { m = max(m, row[j]) }
        var total: Float = 0
        var j = 0
        while j < n {
            let k = min(8, n - j)
            let e = simdExp(load(row + j, k) - m)
            store(e, row + j, k)
            for l in 0..<k { total += e[l] }
            j += k
        }
        let inv = 1 / total
        for j in 0..<n { row[j] *= inv }
    }
}
