import SentimentModels
/// A growable Float buffer with a stable pointer between reallocations (grown only when a batch needs more).
final class Buffer {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var capacity: Int

    init() {
        pointer = .allocate(capacity: 1)
        capacity = 1
    }

    deinit { pointer.deallocate() }

    /// A pointer to at least `count` floats (contents undefined after growth).
    @discardableResult
    func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            pointer.deallocate()
            capacity = max(count, capacity + capacity / 4)
            pointer = .allocate(capacity: capacity)
        }
        return pointer
    }
}

/// What one encoder layer's forward keeps for its backward (N tokens, C hidden, I intermediate).
final class LayerCache {
    let qkv = Buffer()          // [N, 3C]  Q | K | V  (first-token-only layer: [N, 2C] K | V)
    let q = Buffer()            // [B, C]   first-token-only layer: queries of the first tokens
    let xFirst = Buffer()       // [B, C]   first-token-only layer: the layer input at each sequence's first token
    let probs = Buffer()        // [Σ H·T²] attention probabilities P
    let dropped = Buffer()      // [Σ H·T²] P after dropout (training only)
    let probsMask = Buffer()    // [Σ H·T²] scaled keep mask (training only)
    let ctx = Buffer()          // [N, C]   attention context (heads concatenated)
    let attentionMask = Buffer() // [N, C]  dropout mask after the attention output dense (training only)
    let res1 = Buffer()         // [N, C]   x + dropout(attention output), input of LayerNorm 1
    let mean1 = Buffer(), rstd1 = Buffer() // [N]
    let h1 = Buffer()           // [N, C]   LayerNorm 1 output
    let u = Buffer()            // [N, I]   intermediate dense output (GELU input)
    let g = Buffer()            // [N, I]   GELU output
    let ffnMask = Buffer()      // [N, C]   dropout mask after the output dense (training only)
    let res2 = Buffer()         // [N, C]   h1 + dropout(FFN output), input of LayerNorm 2
    let mean2 = Buffer(), rstd2 = Buffer() // [N]
}

/// Activations of the last forward (for backward) and the gradient scratch buffers.
final class Workspace {
    var layout = PackedSequences(lengths: [], heads: 1)
    /// The same batch with one query per sequence (the last encoder layer).
    var firstTokenLayout = PackedSequences(lengths: [], heads: 1, firstTokenOnly: true)
    var ids: [Int32] = []
    var typeIds: [Int32]? = nil
    var positions: [Int32] = []
    var batchSize = 0
    /// Whether the last forward applied dropout (then the masks are valid).
    var dropoutActive = false

    let embSum = Buffer()       // [N, C] word + position + type (LayerNorm input)
    let embMean = Buffer(), embRstd = Buffer()
    let embMask = Buffer()      // [N, C]
    var hidden: [Buffer] = []   // [N, C]: hidden[0] embeddings output, hidden[l+1] layer l output (the last layer
                                // writes only its first-token rows, straight into `cls`)
    var layers: [LayerCache] = []
    let cls = Buffer()          // [B, C] first token of each sequence
    let pooled = Buffer()       // [B, C] tanh(dense(cls))
    let pooledDropped = Buffer() // [B, C] classifier input
    let poolerMask = Buffer()   // [B, C]
    let logits = Buffer()       // [B, L]
    let dLogits = Buffer()      // [B, L]

    // Gradient scratch.
    let dA = Buffer(), dB = Buffer(), dC = Buffer(), dCtx = Buffer() // [N, C]
    let dI = Buffer()           // [N, I]
    let dQKV = Buffer()         // [N, 3C]
    let dScratch = Buffer()     // [Σ H·T²]
    let dPooled = Buffer(), dCls = Buffer(), dQ = Buffer(), dXFirst = Buffer() // [B, C]

    func prepare(_ batch: TrainingBatch, config c: ModelConfig, numLabels L: Int) {
        let lengths = batch.sequences.map(\.count)
        layout = PackedSequences(lengths: lengths, heads: c.numAttentionHeads)
        firstTokenLayout = PackedSequences(lengths: lengths, heads: c.numAttentionHeads, firstTokenOnly: true)
        ids = batch.sequences.flatMap { $0 }
        typeIds = batch.typeIds.map { $0.flatMap { $0 } }
        positions = lengths.flatMap { (0..<$0).map(Int32.init) }
        batchSize = batch.count
        let N = layout.tokenCount, C = c.hiddenSize, I = c.intermediateSize, PT = layout.probabilityCount
        let B = batch.count
        while hidden.count < c.numHiddenLayers + 1 { hidden.append(Buffer()) }
        while layers.count < c.numHiddenLayers { layers.append(LayerCache()) }
        for b in [embSum, embMask, dA, dB, dC, dCtx] + hidden { b.reserve(N * C) }
        for b in [embMean, embRstd] { b.reserve(N) }
        for lc in layers {
            lc.qkv.reserve(N * 3 * C)
            for b in [lc.probs, lc.dropped, lc.probsMask] { b.reserve(PT) }
            for b in [lc.ctx, lc.attentionMask, lc.res1, lc.h1, lc.ffnMask, lc.res2] { b.reserve(N * C) }
            for b in [lc.mean1, lc.rstd1, lc.mean2, lc.rstd2] { b.reserve(N) }
            for b in [lc.u, lc.g] { b.reserve(N * I) }
        }
        for b in [cls, pooled, pooledDropped, poolerMask, dPooled, dCls, dQ, dXFirst] { b.reserve(B * C) }
        for lc in layers { lc.q.reserve(B * C); lc.xFirst.reserve(B * C) }
        for b in [logits, dLogits] { b.reserve(B * L) }
        dI.reserve(N * I)
        dQKV.reserve(N * 3 * C)
        dScratch.reserve(PT)
    }
}
