import SentimentTensor

/// Token layout of a packed batch for attention: sequence s owns tokens offsets[s]..<offsets[s+1] of the (N, ·)
/// activations. Queries are either every token (T_s per sequence) or only the first token of each sequence
/// (`firstTokenOnly`: the last encoder layer, whose other outputs the pooler never reads).
struct PackedSequences {
    /// Token offset of each sequence, count S + 1 (last = N).
    let offsets: [Int]
    /// Row of each sequence's first query in the query / context matrices, count S + 1.
    let queryOffsets: [Int]
    /// Offset of each sequence's H·Tq·T block of attention probabilities, count S + 1.
    let probabilityOffsets: [Int]
    let heads: Int

    init(lengths: [Int], heads: Int, firstTokenOnly: Bool = false) {
        var offsets = [0], queries = [0], probs = [0]
        for t in lengths {
            let tq = firstTokenOnly ? 1 : t
            offsets.append(offsets.last! + t)
            queries.append(queries.last! + tq)
            probs.append(probs.last! + heads * tq * t)
        }
        self.offsets = offsets
        self.queryOffsets = queries
        self.probabilityOffsets = probs
        self.heads = heads
    }

    var sequenceCount: Int { offsets.count - 1 }
    var tokenCount: Int { offsets.last! }
    var queryCount: Int { queryOffsets.last! }
    var probabilityCount: Int { probabilityOffsets.last! }
    func length(_ s: Int) -> Int { offsets[s + 1] - offsets[s] }
    func queries(_ s: Int) -> Int { queryOffsets[s + 1] - queryOffsets[s] }
}

/// Where Q, K, V live: row r of Q at q + r·qStride, row t of K / V at k / v + t·kvStride; head h at columns h·D.
/// One fused projection gives q = qkv, k = qkv + C, v = qkv + 2C with both strides 3C.
struct AttentionOperands {
    var q: UnsafeMutablePointer<Float>
    var qStride: Int
    var k: UnsafeMutablePointer<Float>
    var v: UnsafeMutablePointer<Float>
    var kvStride: Int
}

/// Multi-head self-attention core over packed sequences (HF BertSelfAttention without the projections):
/// per sequence s and head h,  S = Q_h·K_hᵀ / √D,  P = softmax(S),  P̃ = dropout(P),  ctx_h = P̃·V_h.
/// Sequences never see each other, which equals HF's padded batch with its attention mask.
/// ctx is (queryCount, C); probabilities are stored sequence-major, then head, then Tq×T row-major.
enum AttentionLayer {
    /// Forward. `probs` receives P; with `dropout`, `dropped` receives P̃ and `mask` the scaled keep mask
    /// (both [probabilityCount]); otherwise P̃ = P and `dropped` / `mask` are unused.
    static func forward(
        _ x: AttentionOperands, layout: PackedSequences, hidden C: Int,
        probs: UnsafeMutablePointer<Float>, dropped: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>,
        dropout: (p: Float, key: UInt64)?, ctx: UnsafeMutablePointer<Float>
    ) {
        let H = layout.heads, D = C / H
        let scale = 1 / Float(D).squareRoot()
        nonisolated(unsafe) let probs = probs, dropped = dropped, mask = mask, ctx = ctx
        Parallel.forEach(count: layout.sequenceCount * H) { task in
            let s = task / H, h = task % H
            let t0 = layout.offsets[s], T = layout.length(s), q0 = layout.queryOffsets[s], TQ = layout.queries(s)
            let pOffset = layout.probabilityOffsets[s] + h * TQ * T
            let P = probs + pOffset
            for i in 0..<TQ {
                let q = x.q + (q0 + i) * x.qStride + h * D
                for j in 0..<T { P[i * T + j] = dot(q, x.k + (t0 + j) * x.kvStride + h * D, D) * scale }
            }
            Kernels.softmaxRows(P, rows: TQ, cols: T)
            var used = UnsafePointer(P)
            if let dropout {
                (dropped + pOffset).update(from: P, count: TQ * T)
                Dropout.forward(dropped + pOffset, count: TQ * T, p: dropout.p, key: dropout.key,
                                indexOffset: pOffset, mask: mask + pOffset)
                used = UnsafePointer(dropped + pOffset)
            }
            for i in 0..<TQ {
                let out = ctx + (q0 + i) * C + h * D
                out.update(repeating: 0, count: D)
                for j in 0..<T { axpy(used[i * T + j], x.v + (t0 + j) * x.kvStride + h * D, out, D) }
            }
        }
    }

    /// Backward: given dctx (queryCount, C), ADDS dQ, dK, dV into `grads` (same layout as the forward operands;
    /// zero them first). `scratch` holds [probabilityCount] floats.
    static func backward(
        dctx: UnsafePointer<Float>, _ x: AttentionOperands, layout: PackedSequences, hidden C: Int,
        probs: UnsafePointer<Float>, dropped: UnsafePointer<Float>?, mask: UnsafePointer<Float>?,
        scratch: UnsafeMutablePointer<Float>, grads: AttentionOperands
    ) {
        let H = layout.heads, D = C / H
        let scale = 1 / Float(D).squareRoot()
        nonisolated(unsafe) let dctx = dctx, probs = probs, dropped = dropped, mask = mask, scratch = scratch
        Parallel.forEach(count: layout.sequenceCount * H) { task in
            let s = task / H, h = task % H
            let t0 = layout.offsets[s], T = layout.length(s), q0 = layout.queryOffsets[s], TQ = layout.queries(s)
            let pOffset = layout.probabilityOffsets[s] + h * TQ * T
            let P = probs + pOffset
            let used = dropped.map { $0 + pOffset } ?? P
            let dP = scratch + pOffset
            for i in 0..<TQ {
                let dc = dctx + (q0 + i) * C + h * D
                for j in 0..<T {
                    // dP̃[i, j] = dctx_i · v_j ;  dv_j += P̃[i, j] · dctx_i
                    dP[i * T + j] = dot(dc, x.v + (t0 + j) * x.kvStride + h * D, D)
                    axpy(used[i * T + j], dc, grads.v + (t0 + j) * grads.kvStride + h * D, D)
                }
            }
            if let mask {
                let m = mask + pOffset
                for i in 0..<(TQ * T) { dP[i] *= m[i] }
            }
            for i in 0..<TQ {
                // Softmax backward: dS = P ⊙ (dP − Σ_k P·dP), then the 1/√D scale.
                let row = dP + i * T, p = P + i * T
                let inner = dot(p, row, T)
                for j in 0..<T { row[j] = p[j] * (row[j] - inner) * scale }
                let q = x.q + (q0 + i) * x.qStride + h * D, dq = grads.q + (q0 + i) * grads.qStride + h * D
                for j in 0..<T {
                    let g = row[j]
                    axpy(g, x.k + (t0 + j) * x.kvStride + h * D, dq, D)                 // dq_i += dS[i, j] k_j
                    axpy(g, q, grads.k + (t0 + j) * grads.kvStride + h * D, D)          // dk_j += dS[i, j] q_i
                }
            }
        }
    }
}
