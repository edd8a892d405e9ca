import SentimentTensor

/// Token layout of a packed batch for attention: sequence s owns tokens offsets[s]..<offsets[s+1] of the (N, ·)
/// activations. Queries are either every token (T_s per sequence) or only the first token of each sequence
/// (`firstTokenOnly`: the last encoder layer, whose other outputs the pooler never reads).
package struct PackedSequences {
    /// Token offset of each sequence, count S + 1 (last = N).
    package let offsets: [Int]
    /// Row of each sequence's first query in the query / context matrices, count S + 1.
    package let queryOffsets: [Int]
    /// Offset of each sequence's H·Tq·T block of attention probabilities, count S + 1.
    package let probabilityOffsets: [Int]
    package let heads: Int

    package init(lengths: [Int], heads: Int, firstTokenOnly: Bool = false) {
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

    package var sequenceCount: Int { offsets.count - 1 }
    package var tokenCount: Int { offsets.last! }
    package var queryCount: Int { queryOffsets.last! }
    package var probabilityCount: Int { probabilityOffsets.last! }
    package func length(_ s: Int) -> Int { offsets[s + 1] - offsets[s] }
    package func queries(_ s: Int) -> Int { queryOffsets[s + 1] - queryOffsets[s] }
}

/// Where Q, K, V live: row r of Q at q + r·qStride, row t of K / V at k / v + t·kvStride; head h at columns h·D.
/// One fused projection gives q = qkv, k = qkv + C, v = qkv + 2C with both strides 3C.
package struct AttentionOperands {
    package var q: UnsafeMutablePointer<Float>
    package var qStride: Int
    package var k: UnsafeMutablePointer<Float>
    package var v: UnsafeMutablePointer<Float>
    package var kvStride: Int

    package init(q: UnsafeMutablePointer<Float>, qStride: Int, k: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
                 kvStride: Int) {
        self.q = q
        self.qStride = qStride
        self.k = k
        self.v = v
        self.kvStride = kvStride
    }
}

/// MPNet's relative position bias as the attention core reads it (modeling_mpnet.py `compute_position_bias`):
/// score[h][i][j] += table[bucket(j − i)][h], with `bucketByOffset[(j − i) + maxLength − 1]` precomputed once per
/// forward for the batch's longest sequence (HF computes it from arange(seq_len), so only offsets within a
/// sequence matter and packing changes nothing).
package struct RelativeBiasOperand {
    /// [numBuckets, H] (`encoder.relative_attention_bias.weight`).
    package let table: UnsafePointer<Float>
    package let numBuckets: Int
    package let bucketByOffset: [Int32]
    package let maxLength: Int

    package init(table: UnsafePointer<Float>, numBuckets: Int, maxLength: Int) {
        self.table = table
        self.numBuckets = numBuckets
        self.maxLength = max(maxLength, 1)
        bucketByOffset = (-(self.maxLength - 1)...(self.maxLength - 1)).map {
            Int32(RelativePositionBuckets.bucket(relativePosition: $0, numBuckets: numBuckets))
        }
    }

    @inline(__always)
    func bucket(query i: Int, key j: Int) -> Int { Int(bucketByOffset[j - i + maxLength - 1]) }
}

/// Multi-head self-attention core over packed sequences (HF BertSelfAttention without the projections):
/// per sequence s and head h,  S = Q_h·K_hᵀ / √D (+ MPNet's position bias),  P = softmax(S),  P̃ = dropout(P),
/// ctx_h = P̃·V_h. Sequences never see each other, which equals HF's padded batch with its attention mask.
/// ctx is (queryCount, C); probabilities are stored sequence-major, then head, then Tq×T row-major.
package enum AttentionOp {
    /// Runs body for every (sequence, head) task; serially when the batch is so small (about one short sentence)
    /// that waking threads costs more than it saves.
    static func forEachTask(_ layout: PackedSequences, hidden C: Int, _ body: (Int) -> Void) {
        let tasks = layout.sequenceCount * layout.heads
        var work = 0
        for s in 0..<layout.sequenceCount { work += 2 * layout.queries(s) * layout.length(s) * C }
        if work < 1 << 20 {
            for task in 0..<tasks { body(task) }
        } else {
            Parallel.forEach(count: tasks, body)
        }
    }

    /// Forward. `probs` receives P ([probabilityCount]); nil (inference that keeps nothing) computes each task's P
    /// in a temporary of TQ·T floats that stays in cache. With `dropout`, `dropped` receives P̃ and `mask` the
    /// scaled keep mask (both [probabilityCount], and `probs` is required); otherwise P̃ = P and both are unused.
    package static func forward(
        _ x: AttentionOperands, layout: PackedSequences, hidden C: Int,
        probs: UnsafeMutablePointer<Float>?, dropped: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>,
        dropout: (p: Float, key: UInt64)?, ctx: UnsafeMutablePointer<Float>, bias: RelativeBiasOperand? = nil
    ) {
        precondition(probs != nil || dropout == nil, "attention dropout keeps P: pass probs")
        let H = layout.heads
        nonisolated(unsafe) let probs = probs, dropped = dropped, mask = mask, ctx = ctx
        forEachTask(layout, hidden: C) { task in
            let s = task / H, h = task % H
            let TQ = layout.queries(s), T = layout.length(s)
            let pOffset = layout.probabilityOffsets[s] + h * TQ * T
            if let probs {
                attendOneHead(x, layout: layout, hidden: C, sequence: s, head: h, P: probs + pOffset,
                              dropped: dropped + pOffset, mask: mask + pOffset, pOffset: pOffset, dropout: dropout,
                              ctx: ctx, bias: bias)
            } else {
                withUnsafeTemporaryAllocation(of: Float.self, capacity: TQ * T) { scratch in
                    attendOneHead(x, layout: layout, hidden: C, sequence: s, head: h, P: scratch.baseAddress!,
                                  dropped: dropped, mask: mask, pOffset: pOffset, dropout: nil, ctx: ctx, bias: bias)
                }
            }
        }
    }

    /// One (sequence, head) task of `forward`: P (TQ, T) = softmax(Q_h·K_hᵀ/√D + bias), ctx rows = P̃·V_h.
    @inline(__always)
    static func attendOneHead(
        _ x: AttentionOperands, layout: PackedSequences, hidden C: Int, sequence s: Int, head h: Int,
        P: UnsafeMutablePointer<Float>, dropped: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>,
        pOffset: Int, dropout: (p: Float, key: UInt64)?, ctx: UnsafeMutablePointer<Float>, bias: RelativeBiasOperand?
    ) {
        let H = layout.heads, D = C / H
        let scale = 1 / Float(D).squareRoot()
        let t0 = layout.offsets[s], T = layout.length(s), q0 = layout.queryOffsets[s], TQ = layout.queries(s)
        let path = KernelPath.default(for: .fp32)
        let qh = x.q + q0 * x.qStride + h * D, kh = x.k + t0 * x.kvStride + h * D, vh = x.v + t0 * x.kvStride + h * D
        // AVX-512: Sources/CKernels/attention.c (K_h transposed once, register tiles, no horizontal sums).
        let simd = Kernels.attentionScores(q: qh, qStride: x.qStride, k: kh, kStride: x.kvStride, queries: TQ, keys: T,
                                           width: D, scale: scale, out: P, path: path)
        for i in 0..<TQ {
            let q = qh + i * x.qStride, row = P + i * T
            if !simd { for j in 0..<T { row[j] = dot(q, kh + j * x.kvStride, D) * scale } }
            if let bias {
                for j in 0..<T { row[j] += bias.table[bias.bucket(query: i, key: j) * H + h] }
            }
        }
        Kernels.softmaxRows(P, rows: TQ, cols: T, path: path)
        var used = UnsafePointer(P)
        if let dropout {
            dropped.update(from: P, count: TQ * T)
            DropoutOp.forward(dropped, count: TQ * T, p: dropout.p, key: dropout.key,
                              indexOffset: pOffset, mask: mask)
            used = UnsafePointer(dropped)
        }
        if simd, Kernels.attentionContext(p: used, queries: TQ, keys: T, v: vh, vStride: x.kvStride, width: D,
                                          ctx: ctx + q0 * C + h * D, ctxStride: C, path: path) { return }
        for i in 0..<TQ {
            let out = ctx + (q0 + i) * C + h * D
            out.update(repeating: 0, count: D)
            for j in 0..<T { axpy(used[i * T + j], vh + j * x.kvStride, out, D) }
        }
    }

    /// Backward: given dctx (queryCount, C), ADDS dQ, dK, dV into `grads` (same layout as the forward operands;
    /// zero them first) and, with a bias, d table into `dBias` ([numBuckets, H]). `scratch` holds
    /// [probabilityCount] floats.
    package static func backward(
        dctx: UnsafePointer<Float>, _ x: AttentionOperands, layout: PackedSequences, hidden C: Int,
        probs: UnsafePointer<Float>, dropped: UnsafePointer<Float>?, mask: UnsafePointer<Float>?,
        scratch: UnsafeMutablePointer<Float>, grads: AttentionOperands,
        bias: RelativeBiasOperand? = nil, dBias: UnsafeMutablePointer<Float>? = nil
    ) {
        let H = layout.heads, D = C / H
        let scale = 1 / Float(D).squareRoot()
        let tasks = layout.sequenceCount * H
        let buckets = bias?.numBuckets ?? 0
        // Per-task bias gradients, summed after the parallel loop (tasks of one head share table entries).
        let biasGrads = UnsafeMutablePointer<Float>.allocate(capacity: max(tasks * buckets, 1))
        biasGrads.initialize(repeating: 0, count: max(tasks * buckets, 1))
        defer { biasGrads.deallocate() }
        nonisolated(unsafe) let dctx = dctx, probs = probs, dropped = dropped, mask = mask, scratch = scratch
        nonisolated(unsafe) let taskBias = biasGrads
        let wantBias = bias != nil && dBias != nil
        let path = KernelPath.default(for: .fp32)
        // AVX-512: the forward's two kernels (Sources/CKernels/attention.c) do all four products, the transposed ones on
        // a transposed copy of P̃ or dS: one block per task, laid out like P, allocated once per call.
        let transposedBlocks = path == .avx512 ? UnsafeMutablePointer<Float>.allocate(capacity: layout.probabilityCount) : nil
        defer { transposedBlocks?.deallocate() }
        nonisolated(unsafe) let blocks = transposedBlocks
        Parallel.forEach(count: tasks) { task in
            let s = task / H, h = task % H
            let t0 = layout.offsets[s], T = layout.length(s), q0 = layout.queryOffsets[s], TQ = layout.queries(s)
            let pOffset = layout.probabilityOffsets[s] + h * TQ * T
            let P = probs + pOffset
            let used = dropped.map { $0 + pOffset } ?? P
            let dP = scratch + pOffset
            let dch = dctx + q0 * C + h * D, qh = x.q + q0 * x.qStride + h * D
            let kh = x.k + t0 * x.kvStride + h * D, vh = x.v + t0 * x.kvStride + h * D
            let dqh = grads.q + q0 * grads.qStride + h * D
            let dkh = grads.k + t0 * grads.kvStride + h * D, dvh = grads.v + t0 * grads.kvStride + h * D
            let transposed = blocks.map { $0 + pOffset }
            if let transposed {
                // dP̃ = dctx_h·V_hᵀ ;  dV_h += P̃ᵀ·dctx_h
                _ = Kernels.attentionScores(q: dch, qStride: C, k: vh, kStride: x.kvStride, queries: TQ, keys: T,
                                            width: D, scale: 1, out: dP, path: path)
                transpose(used, rows: TQ, cols: T, into: transposed)
                _ = Kernels.attentionContext(p: transposed, queries: T, keys: TQ, v: dch, vStride: C, width: D,
                                             ctx: dvh, ctxStride: grads.kvStride, accumulate: true, path: path)
            } else {
                for i in 0..<TQ {
                    let dc = dch + i * C
                    for j in 0..<T {
                        // dP̃[i, j] = dctx_i · v_j ;  dv_j += P̃[i, j] · dctx_i
                        dP[i * T + j] = dot(dc, vh + j * x.kvStride, D)
                        axpy(used[i * T + j], dc, dvh + j * grads.kvStride, D)
                    }
                }
            }
            if let mask {
                let m = mask + pOffset
                for i in 0..<(TQ * T) { dP[i] *= m[i] }
            }
            for i in 0..<TQ {
                // Softmax backward: dS = P ⊙ (dP − Σ_k P·dP) (the bias's gradient), then the 1/√D scale.
                let row = dP + i * T, p = P + i * T
                let inner = dot(p, row, T)
                if wantBias, let bias {
                    let local = taskBias + task * buckets
                    for j in 0..<T {
                        let g = p[j] * (row[j] - inner)
                        local[bias.bucket(query: i, key: j)] += g
                        row[j] = g * scale
                    }
                } else {
                    for j in 0..<T { row[j] = p[j] * (row[j] - inner) * scale }
                }
                if transposed != nil { continue }
                let q = qh + i * x.qStride, dq = dqh + i * grads.qStride
                for j in 0..<T {
                    let g = row[j]
                    axpy(g, kh + j * x.kvStride, dq, D)                 // dq_i += dS[i, j] k_j
                    axpy(g, q, dkh + j * grads.kvStride, D)             // dk_j += dS[i, j] q_i
                }
            }
            if let transposed {
                // dQ_h += dS·K_h ;  dK_h += dSᵀ·Q_h
                _ = Kernels.attentionContext(p: dP, queries: TQ, keys: T, v: kh, vStride: x.kvStride, width: D,
                                             ctx: dqh, ctxStride: grads.qStride, accumulate: true, path: path)
                transpose(dP, rows: TQ, cols: T, into: transposed)
                _ = Kernels.attentionContext(p: transposed, queries: T, keys: TQ, v: qh, vStride: x.qStride,
                                             width: D, ctx: dkh, ctxStride: grads.kvStride, accumulate: true, path: path)
            }
        }
        if wantBias, let dBias {
            for task in 0..<tasks {
                let h = task % H
                for b in 0..<buckets { dBias[b * H + h] += biasGrads[task * buckets + b] }
            }
        }
    }

    /// out[c·rows + r] = m[r·cols + c].
    @inline(__always)
    static func transpose(_ m: UnsafePointer<Float>, rows: Int, cols: Int, into out: UnsafeMutablePointer<Float>) {
        for r in 0..<rows { for c in 0..<cols { out[c * rows + r] = m[r * cols + c] } }
    }
}
