import SentimentTensor

/// Multi-head scaled dot-product self-attention (HF `BertSelfAttention`, DistilBERT `MultiHeadSelfAttention`).
///
/// Query, key and value projections are fused into one [3C, C] weight at load time, so the projection is one GEMM
/// over all packed tokens. Attention then runs per (sequence, head) over that sequence's own tokens only: no mask,
/// no padding. softmax(Q·Kᵀ · 1/√d)·V as `eager_attention_forward` in modeling_bert.py (dropout off at inference).
public struct BertSelfAttention: Sendable {
    /// Rows 0..<C are the query weights, C..<2C key, 2C..<3C value.
    public let queryKeyValue: Linear   // [3C, C]
    public let numHeads: Int
    public var hiddenSize: Int { queryKeyValue.inFeatures }
    public var headSize: Int { hiddenSize / numHeads }

    /// `names` are the three projections' keys, e.g. ["…attention.self.query", "…key", "…value"] or DistilBERT's q_lin/k_lin/v_lin.
    init(_ reader: CheckpointReader, names: [String], config: ModelConfig) throws {
        let c = config.hiddenSize
        let parts = try names.map { try Linear(reader, $0, out: c, in: c) }
        queryKeyValue = Linear(weight: reader.concatenatedRows(parts.map(\.weight)),
                               bias: reader.concatenatedRows(parts.map { $0.bias! }))
        numHeads = config.numAttentionHeads
    }

    /// context[N, C] = attention over each sequence of `hidden`[N, C]; `qkv` is scratch [N, 3C].
    /// If `capture` is given ([numHeads, N]), row 0 of every head's probabilities is stored there (the first token's
    /// attention over its sequence; heat maps).
    func forward(
        _ hidden: UnsafePointer<Float>, batch: PackedBatch, qkv: UnsafeMutablePointer<Float>,
        context: UnsafeMutablePointer<Float>, capture: UnsafeMutablePointer<Float>?
    ) {
        let n = batch.tokenCount, c = hiddenSize, h = numHeads, d = headSize
        queryKeyValue(hidden, rows: n, out: qkv)   // (N, 3C)
        let scale = 1 / Float(d).squareRoot()
        nonisolated(unsafe) let qkvIn = UnsafePointer(qkv), contextOut = context, captureOut = capture
        let offsets = batch.offsets, lengths = batch.lengths
        // One task per (sequence, head); longest sequences first would balance better, but tasks are small.
        let attend = { (task: Int) in
            let b = task / h, head = task % h
            let length = lengths[b], first = offsets[b]
            withUnsafeTemporaryAllocation(of: Float.self, capacity: length * length) { scores in
                Self.attendOneHead(
                    qkv: qkvIn + first * 3 * c, length: length, hidden: c, head: head, headSize: d, scale: scale,
                    scores: scores.baseAddress!, context: contextOut + first * c,
                    capture: captureOut.map { $0 + head * n + first })
            }
        }
        let tasks = batch.count * h
        // Q·Kᵀ and P·V multiply-adds; below ~1M (one short sentence) waking threads costs more than it saves.
        let work = batch.lengths.reduce(0) { $0 + 2 * $1 * $1 * c }
        if work < 1 << 20 {
            for task in 0..<tasks { attend(task) }
        } else {
            Parallel.forEach(count: tasks, attend)
        }
    }

    /// One head of one sequence of `length` tokens. qkv rows are [q | k | v] with stride 3C; context stride C.
    static func attendOneHead(
        qkv: UnsafePointer<Float>, length: Int, hidden c: Int, head: Int, headSize d: Int, scale: Float,
        scores: UnsafeMutablePointer<Float>, context: UnsafeMutablePointer<Float>, capture: UnsafeMutablePointer<Float>?
    ) {
        let stride = 3 * c
        let q = qkv + head * d, k = qkv + c + head * d, v = qkv + 2 * c + head * d
        // scores[i, j] = (q_i · k_j) / √d   (L, L)
        for i in 0..<length {
            let qi = q + i * stride, row = scores + i * length
            for j in 0..<length { row[j] = dot(qi, k + j * stride, count: d) * scale }
        }
        Kernels.softmaxRows(scores, rows: length, cols: length)
        if let capture { capture.update(from: scores, count: length) }
        // context_i = Σ_j p_ij · v_j   (L, d) written into this head's columns
        for i in 0..<length {
            let out = context + i * c + head * d, row = scores + i * length
            out.update(repeating: 0, count: d)
            for j in 0..<length { axpy(row[j], v + j * stride, out, count: d) }
        }
    }
}

/// Σ a[i]·b[i]: eight lanes of plain multiply + add (without a target-cpu flag, SIMD FMA becomes a libm call per lane).
@inline(__always)
func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
        let x = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
        let y = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
        acc += x * y
        i += 8
    }
    var sum = acc.sum()
    while i < count { sum += a[i] * b[i]; i += 1 }
    return sum
}

/// y += alpha · x.
@inline(__always)
func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    let a = SIMD8<Float>(repeating: alpha)
    while i + 8 <= count {
        let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
        let yv = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(y + i).storeBytes(of: yv + a * xv, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count { y[i] += alpha * x[i]; i += 1 }
}
