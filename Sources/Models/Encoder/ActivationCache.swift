/// A growable Float buffer with a stable pointer between reallocations (grown only when a batch needs more).
package final class Buffer {
    package private(set) var pointer: UnsafeMutablePointer<Float>
    package private(set) var capacity: Int

    package init() {
        pointer = .allocate(capacity: 1)
        capacity = 1
    }

    deinit { pointer.deallocate() }

    /// A pointer to at least `count` floats (contents undefined after growth).
    @discardableResult
    package func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            pointer.deallocate()
            capacity = max(count, capacity + capacity / 4)
            pointer = .allocate(capacity: capacity)
        }
        return pointer
    }
}

/// What one encoder layer's forward keeps for its backward (N tokens, C hidden, I intermediate).
package final class LayerCache {
    package let qkv = Buffer()          // [N, 3C]  Q | K | V  (first-token-only layer: [N, 2C] K | V)
    package let q = Buffer()            // [B, C]   first-token-only layer: queries of the first tokens
    package let xFirst = Buffer()       // [B, C]   first-token-only layer: the layer input at each sequence's first token
    package let probs = Buffer()        // [Σ H·T²] attention probabilities P
    package let dropped = Buffer()      // [Σ H·T²] P after dropout (training only)
    package let probsMask = Buffer()    // [Σ H·T²] scaled keep mask (training only)
    package let ctx = Buffer()          // [N, C]   attention context (heads concatenated)
    package let attentionMask = Buffer() // [N, C]  dropout mask after the attention output dense (training only)
    package let res1 = Buffer()         // [N, C]   x + dropout(attention output), input of LayerNorm 1
    package let mean1 = Buffer(), rstd1 = Buffer() // [N]
    package let h1 = Buffer()           // [N, C]   LayerNorm 1 output
    package let u = Buffer()            // [N, I]   intermediate dense output (activation input)
    package let g = Buffer()            // [N, I]   activation output (the same memory as u when nothing is kept)
    package let ffnMask = Buffer()      // [N, C]   dropout mask after the output dense (training only)
    package let res2 = Buffer()         // [N, C]   h1 + dropout(FFN output), input of LayerNorm 2
    package let mean2 = Buffer(), rstd2 = Buffer() // [N]

    /// The activation output: its own buffer when backward needs u, else u itself (activation in place).
    func activationOutput(keeps: Bool) -> UnsafeMutablePointer<Float> { keeps ? g.pointer : u.pointer }
}

/// Activations of one forward pass over a packed batch and the gradient scratch of its backward (llm.c's
/// ActivationTensors). `keepsActivations` (training): every layer keeps its own cache for backward. Otherwise
/// (inference) all layers share one cache and the residual stream is updated in place, so a forward needs about
/// one layer's memory. One per caller: a model shared by threads gives each call its own cache.
package final class ActivationCache {
    package let keepsActivations: Bool
    /// Whether attention probabilities are stored ([Σ H·T²], `LayerCache.probs`): always when activations are kept;
    /// in inference only when asked for (attention heat maps), else each attention task uses a cache-sized temporary.
    package var keepsProbabilities: Bool
    package var layout = PackedSequences(lengths: [], heads: 1)
    /// The same batch with one query per sequence (a last layer that computes only the first tokens).
    package var firstTokenLayout = PackedSequences(lengths: [], heads: 1, firstTokenOnly: true)
    package var batchSize = 0
    /// The last forward's dropout key (nil: no dropout); backward redraws LoRA dropout's masks from it.
    package var dropoutKey: UInt64?
    /// Whether the last forward applied dropout (then the masks are valid).
    package var dropoutActive: Bool { dropoutKey != nil }

    package let embSum = Buffer()       // [N, C] word + type + position (LayerNorm input)
    package let embMean = Buffer(), embRstd = Buffer()
    package let embMask = Buffer()      // [N, C]
    /// [N, C]: hidden[0] embeddings output, hidden[l+1] layer l output (a first-token-only last layer writes its
    /// rows into `cls`); without kept activations only hidden[0] exists and is updated in place.
    package var hidden: [Buffer] = []
    package var layers: [LayerCache] = []
    package let cls = Buffer()          // [B, C] first token of each sequence
    package let headDense = Buffer()    // [B, C] act(dense(head input))
    package let headInput = Buffer()    // [B, C] the head's input after its optional first dropout
    package let headInputMask = Buffer() // [B, C]
    package let headDropped = Buffer()  // [B, C] classifier input
    package let headMask = Buffer()     // [B, C]
    package let logits = Buffer()       // [B, L]
    package let dLogits = Buffer()      // [B, L]

    // Gradient scratch.
    package let dA = Buffer(), dB = Buffer(), dC = Buffer(), dCtx = Buffer() // [N, C]
    package let dI = Buffer()           // [N, I]
    package let dQKV = Buffer()         // [N, 3C]
    package let dScratch = Buffer()     // [Σ H·T²]
    package let dHead = Buffer(), dCls = Buffer(), dQ = Buffer(), dXFirst = Buffer() // [B, C]

    package init(keepsActivations: Bool) {
        self.keepsActivations = keepsActivations
        keepsProbabilities = keepsActivations
    }

    /// Input of layer l (its output is hidden[l + 1], or the same buffer without kept activations).
    package func layerInput(_ l: Int) -> UnsafeMutablePointer<Float> { hidden[keepsActivations ? l : 0].pointer }
    package func layerOutput(_ l: Int) -> UnsafeMutablePointer<Float> { hidden[keepsActivations ? l + 1 : 0].pointer }
    package func layer(_ l: Int) -> LayerCache { layers[keepsActivations ? l : 0] }

    /// The head's buffers alone, for B first tokens of width C (a classification head run on hidden states that
    /// another call computed).
    package func prepareHead(batchSize B: Int, width C: Int, numLabels L: Int) {
        batchSize = B
        for b in [cls, headDense, headInput, headDropped] { b.reserve(B * C) }
        logits.reserve(B * L)
    }

    /// Sizes every buffer for a batch of `lengths`.
    package func prepare(lengths: [Int], config c: ModelConfig, numLabels L: Int) {
        layout = PackedSequences(lengths: lengths, heads: c.numAttentionHeads)
        firstTokenLayout = PackedSequences(lengths: lengths, heads: c.numAttentionHeads, firstTokenOnly: true)
        batchSize = lengths.count
        let N = layout.tokenCount, C = c.hiddenSize, I = c.intermediateSize, PT = layout.probabilityCount
        let B = lengths.count
        let layerCount = keepsActivations ? c.numHiddenLayers : min(c.numHiddenLayers, 1)
        let hiddenCount = keepsActivations ? c.numHiddenLayers + 1 : 1
        while hidden.count < hiddenCount { hidden.append(Buffer()) }
        while layers.count < layerCount { layers.append(LayerCache()) }
        for b in [embSum] + hidden { b.reserve(N * C) }
        for b in [embMean, embRstd] { b.reserve(N) }
        for lc in layers {
            lc.qkv.reserve(N * 3 * C)
            if keepsProbabilities { lc.probs.reserve(PT) }
            for b in [lc.ctx, lc.res1, lc.h1, lc.res2] { b.reserve(N * C) }
            for b in [lc.mean1, lc.rstd1, lc.mean2, lc.rstd2] { b.reserve(N) }
            lc.u.reserve(N * I)
            lc.q.reserve(B * C)
            lc.xFirst.reserve(B * C)
        }
        for b in [cls, headDense, headInput, headDropped] { b.reserve(B * C) }
        logits.reserve(B * L)
        guard keepsActivations else { return }
        for b in [embMask, dA, dB, dC, dCtx] { b.reserve(N * C) }
        for lc in layers {
            for b in [lc.dropped, lc.probsMask] { b.reserve(PT) }
            for b in [lc.attentionMask, lc.ffnMask] { b.reserve(N * C) }
            lc.g.reserve(N * I)
        }
        for b in [headInputMask, headMask, dHead, dCls, dQ, dXFirst] { b.reserve(B * C) }
        dLogits.reserve(B * L)
        dI.reserve(N * I)
        dQKV.reserve(N * 3 * C)
        dScratch.reserve(PT)
    }
}
