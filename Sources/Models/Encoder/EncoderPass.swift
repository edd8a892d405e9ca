import SentimentTensor

// The one encoder forward, and its backward, for every family (BERT, DistilBERT, RoBERTa, MPNet), over a packed
// batch (no padding). Inference (`EncoderModel`) and training (`TrainableClassifier`) both run `forward`; they differ
// in where the weights live (memory-mapped and pre-packed vs. views into the trainer's store), in whether the cache
// keeps every layer's activations, and in dropout. Mirrors modeling_bert.py / modeling_distilbert.py /
// modeling_roberta.py / modeling_mpnet.py:
//   embeddings: LayerNorm((word + type) + position) → dropout
//   block:      h1 = LayerNorm(dropout(W_o · attention(h)) + h)      (DistilBERT: no dropout after W_o)
//               out = LayerNorm(dropout(W_2 · act(W_1 · h1)) + h1)
//   attention:  softmax(Q·Kᵀ/√D (+ MPNet's relative position bias)) → dropout → ·V, per sequence and head
// Shapes: N packed tokens, B sequences, C hidden, I intermediate, H heads.

/// Dropout sites, numbered so each gets its own mask stream (the head's follow: `ClassificationHead.dropoutSites`).
package enum DropoutSite {
    package static let embeddings = 0
    package static func attentionProbs(_ l: Int) -> Int { 1 + 3 * l }
    package static func attentionOutput(_ l: Int) -> Int { 2 + 3 * l }
    package static func ffnOutput(_ l: Int) -> Int { 3 + 3 * l }
    /// LoRA dropout on the input of block l's adapter `target` (peft: one `lora_dropout` module per adapter).
    package static func lora(_ l: Int, _ target: LoRATarget) -> Int {
        1 << 20 + 8 * l + LoRATarget.allCases.firstIndex(of: target)!
    }
}

/// The encoder of one model as the passes see it: config, embeddings, blocks (typed parameter views).
package struct EncoderPass {
    package let config: ModelConfig
    package let embeddings: BertEmbeddings
    package let encoder: BertEncoder
    let keys: ParameterKeys

    package init(config: ModelConfig, embeddings: BertEmbeddings, encoder: BertEncoder) {
        self.config = config
        self.embeddings = embeddings
        self.encoder = encoder
        keys = ParameterKeys(config.modelType)
    }

    /// Embeddings and every block over `batch` (positions from `embeddings.positionIds`). Returns the last hidden
    /// states: (N, C), or with `firstTokenOnly` (B, C) — each sequence's first token only, all the classification
    /// head reads (the last block then computes queries, FFN and norms for those rows alone). `cache` must have
    /// been prepared for the batch. `dropoutKey` nil: no dropout (inference, evaluation). `attentionObserver` is
    /// called with l after block l's attention probabilities are in `cache.layer(l).probs` (the cache must keep
    /// probabilities; inference overwrites them with the next block's).
    @discardableResult
    package func forward(_ batch: PackedBatch, positions: [Int32], cache ws: ActivationCache, dropoutKey: UInt64?,
                         firstTokenOnly: Bool, attentionObserver: ((Int) -> Void)? = nil) -> UnsafeMutablePointer<Float> {
        let c = config, N = batch.tokenCount, C = c.hiddenSize, L = c.numHiddenLayers
        ws.dropoutKey = dropoutKey
        batch.ids.withUnsafeBufferPointer { ids in
            positions.withUnsafeBufferPointer { pos in
                batch.typeIds.withUnsafeBufferPointer { types in
                    EmbeddingOp.forward(
                        ids: ids.baseAddress!, typeIds: types.baseAddress, positions: pos.baseAddress!, count: N, dim: C,
                        word: embeddings.wordEmbeddings.pointer, position: embeddings.positionEmbeddings.pointer,
                        tokenType: embeddings.tokenTypeEmbeddings?.pointer, out: ws.embSum.pointer)
                }
            }
        }
        let norm = embeddings.layerNorm
        LayerNormOp.forward(norm, ws.embSum.pointer, rows: N, out: ws.hidden[0].pointer, mean: ws.embMean.pointer,
                            rstd: ws.embRstd.pointer)
        if let key = dropoutKey, c.hiddenDropoutProb > 0 {
            DropoutOp.forward(ws.hidden[0].pointer, count: N * C, p: c.hiddenDropoutProb,
                              key: DropoutRNG.siteKey(pass: key, site: DropoutSite.embeddings), mask: ws.embMask.pointer)
        }
        let bias = encoder.relativeAttentionBias.map {
            RelativeBiasOperand(table: $0.pointer, numBuckets: $0.shape[0], maxLength: batch.maxLength)
        }
        for l in 0..<L {
            let last = l == L - 1
            layerForward(l, x: ws.layerInput(l), out: last && firstTokenOnly ? ws.cls.pointer : ws.layerOutput(l),
                         cache: ws, firstTokenOnly: last && firstTokenOnly, dropoutKey: dropoutKey, bias: bias)
            attentionObserver?(l)
        }
        guard firstTokenOnly else { return L == 0 ? ws.hidden[0].pointer : ws.layerOutput(L - 1) }
        if L == 0 {
            for b in 0..<batch.count {
                (ws.cls.pointer + b * C).update(from: ws.hidden[0].pointer + batch.offsets[b] * C, count: C)
            }
        }
        return ws.cls.pointer
    }

    /// Block l on x (N, C). With `firstTokenOnly`, K and V cover every token but queries, the attention output, both
    /// LayerNorms and the FFN only the first token of each sequence: out is then (B, C). `out` may be `x` (inference
    /// updates the residual stream in place).
    func layerForward(_ l: Int, x: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>, cache ws: ActivationCache,
                      firstTokenOnly: Bool, dropoutKey: UInt64?, bias: RelativeBiasOperand?) {
        let c = config, block = encoder.layers[l], lc = ws.layer(l)
        let N = ws.layout.tokenCount, C = c.hiddenSize
        let layout = firstTokenOnly ? ws.firstTokenLayout : ws.layout
        let R = layout.queryCount   // rows that continue through the layer: N, or B
        let qkv = block.attention.queryKeyValue
        let operands: AttentionOperands
        let residual: UnsafeMutablePointer<Float>   // (R, C) input rows of the first residual connection
        if firstTokenOnly {
            // K, V of every token: (N, C) · [Wk; Wv]ᵀ → (N, 2C); Q of the first tokens: (B, C) · Wqᵀ (training's views).
            for s in 0..<R { (lc.xFirst.pointer + s * C).update(from: x + layout.offsets[s] * C, count: C) }
            if qkv.packed != nil {
                // Inference: a weight packed for our kernels is not cut by rows. Project every token (N, 3C), then
                // gather the first tokens' queries; the attention core, both dense layers and norms still run on B rows.
                qkv(x, rows: N, out: lc.qkv.pointer)
                for s in 0..<R { (lc.q.pointer + s * C).update(from: lc.qkv.pointer + layout.offsets[s] * 3 * C, count: C) }
                operands = AttentionOperands(q: lc.q.pointer, qStride: C, k: lc.qkv.pointer + C, v: lc.qkv.pointer + 2 * C,
                                             kvStride: 3 * C)
            } else {
                LinearOp.forwardTraining(qkv.rows(0..<C), lc.xFirst.pointer, rows: R, out: lc.q.pointer,
                                         dropoutKey: dropoutKey, tokens: layout.offsets)
                LinearOp.forwardTraining(qkv.rows(C..<3 * C), x, rows: N, out: lc.qkv.pointer, dropoutKey: dropoutKey)
                operands = AttentionOperands(q: lc.q.pointer, qStride: C, k: lc.qkv.pointer, v: lc.qkv.pointer + C, kvStride: 2 * C)
            }
            residual = lc.xFirst.pointer
        } else {
            // (N, C) · [Wq; Wk; Wv]ᵀ → (N, 3C)
            LinearOp.forwardTraining(qkv, x, rows: N, out: lc.qkv.pointer, dropoutKey: dropoutKey)
            let p = lc.qkv.pointer
            operands = AttentionOperands(q: p, qStride: 3 * C, k: p + C, v: p + 2 * C, kvStride: 3 * C)
            residual = x
        }
        let attentionDropout = dropoutKey.flatMap { key in
            c.attentionProbsDropoutProb > 0
                ? (p: c.attentionProbsDropoutProb, key: DropoutRNG.siteKey(pass: key, site: DropoutSite.attentionProbs(l))) : nil
        }
        AttentionOp.forward(operands, layout: layout, hidden: C, probs: ws.keepsProbabilities ? lc.probs.pointer : nil, dropped: lc.dropped.pointer,
                            mask: lc.probsMask.pointer, dropout: attentionDropout, ctx: lc.ctx.pointer, bias: bias)
        // BertSelfOutput: h1 = LayerNorm(dropout(dense(ctx)) + x).
        let tokens = firstTokenOnly ? layout.offsets : nil
        outputBlockForward(lc.ctx.pointer, rows: R, dense: block.attentionOutput.dense, residual: residual,
                           passKey: dropoutKey, tokens: tokens,
                           dropout: keys.attentionOutputDropout
                               ? dropoutKey.map { (DropoutRNG.siteKey(pass: $0, site: DropoutSite.attentionOutput(l)), lc.attentionMask.pointer) }
                               : nil,
                           norm: block.attentionOutput.layerNorm, lnInput: lc.res1.pointer, mean: lc.mean1.pointer,
                           rstd: lc.rstd1.pointer, out: lc.h1.pointer)
        // BertIntermediate + BertOutput: out = LayerNorm(dropout(dense(act(dense(h1)))) + h1).
        let intermediate = block.intermediate, activated = lc.activationOutput(keeps: ws.keepsActivations)
        if !ws.keepsActivations && intermediate.activation == .gelu {
            // Inference keeps no pre-activation: GELU runs in the GEMM's epilogue, on each tile while it is in cache.
            intermediate.dense.gelu(lc.h1.pointer, rows: R, out: activated)
        } else {
            LinearOp.forwardTraining(intermediate.dense, lc.h1.pointer, rows: R, out: lc.u.pointer, dropoutKey: dropoutKey,
                                     tokens: tokens)
            intermediate.activation.forward(lc.u.pointer, count: R * intermediate.dense.outFeatures, out: activated)
        }
        outputBlockForward(activated, rows: R, dense: block.output.dense, residual: lc.h1.pointer,
                           passKey: dropoutKey, tokens: tokens,
                           dropout: dropoutKey.map { (DropoutRNG.siteKey(pass: $0, site: DropoutSite.ffnOutput(l)), lc.ffnMask.pointer) },
                           norm: block.output.layerNorm, lnInput: lc.res2.pointer, mean: lc.mean2.pointer,
                           rstd: lc.rstd2.pointer, out: out)
    }

    /// HF BertSelfOutput / BertOutput: out (R, C) = LayerNorm(dropout(dense(input)) + residual). Keeps the LayerNorm
    /// input and statistics for backward; `dropout` (this site's key and mask) and `passKey` (LoRA dropout's) nil in
    /// evaluation; row r is token `tokens?[r] ?? r`.
    func outputBlockForward(
        _ input: UnsafePointer<Float>, rows R: Int, dense: Linear, residual: UnsafePointer<Float>,
        passKey: UInt64?, tokens: [Int]?, dropout: (key: UInt64, mask: UnsafeMutablePointer<Float>)?, norm: LayerNorm,
        lnInput: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
        out: UnsafeMutablePointer<Float>
    ) {
        let C = config.hiddenSize, p = config.hiddenDropoutProb
        LinearOp.forwardTraining(dense, input, rows: R, out: lnInput, dropoutKey: passKey, tokens: tokens)
        if let dropout, p > 0 { DropoutOp.forward(lnInput, count: R * C, p: p, key: dropout.key, mask: dropout.mask) }
        Kernels.addInPlace(lnInput, residual, count: R * C)
        LayerNormOp.forward(norm, lnInput, rows: R, out: out, mean: mean, rstd: rstd)
    }

    // MARK: backward

    /// Backward from d(last hidden) in `cache.dA` — (B, C) when the forward ran `firstTokenOnly`, else (N, C) — down
    /// to the lowest trainable part; gradients accumulate into `gradients` (nil parts are frozen and get none).
    package func backward(_ batch: PackedBatch, positions: [Int32], cache ws: ActivationCache, gradients: EncoderGradients,
                          firstTokenOnly: Bool) {
        let c = config, N = ws.layout.tokenCount, C = c.hiddenSize, L = c.numHiddenLayers
        let lowest = gradients.lowestTrainableLevel
        guard lowest <= L else { return }
        if firstTokenOnly && L == 0 {
            // No block: scatter the first-token gradient into the tokens.
            let d = ws.dB.pointer
            d.update(repeating: 0, count: N * C)
            for b in 0..<batch.count { (d + batch.offsets[b] * C).update(from: ws.dA.pointer + b * C, count: C) }
            ws.dA.pointer.update(from: d, count: N * C)
        }
        let bias = encoder.relativeAttentionBias.map {
            RelativeBiasOperand(table: $0.pointer, numBuckets: $0.shape[0], maxLength: batch.maxLength)
        }
        let dBias = gradients.embeddings?.relativeAttentionBias
        for l in stride(from: L - 1, through: max(lowest - 1, 0), by: -1) {
            layerBackward(l, gradients: gradients.layers[l], cache: ws, firstTokenOnly: firstTokenOnly && l == L - 1,
                          needInputGradient: lowest < l + 1, bias: bias, dBias: dBias)
        }
        guard lowest == 0, let g = gradients.embeddings else { return }

        // Embeddings: dropout → LayerNorm → scatter into the tables.
        if ws.dropoutActive && c.hiddenDropoutProb > 0 { DropoutOp.backward(ws.dA.pointer, count: N * C, mask: ws.embMask.pointer) }
        let norm = embeddings.layerNorm
        LayerNormOp.backward(ws.dA.pointer, x: ws.embSum.pointer, mean: ws.embMean.pointer, rstd: ws.embRstd.pointer,
                             rows: N, cols: C, gamma: norm.weight.pointer, dx: ws.dB.pointer,
                             dGamma: g.layerNorm.gamma, dBeta: g.layerNorm.beta)
        let pad = BertEmbeddings.paddingIdx(c)
        batch.ids.withUnsafeBufferPointer { ids in
            positions.withUnsafeBufferPointer { pos in
                batch.typeIds.withUnsafeBufferPointer { types in
                    EmbeddingOp.backward(
                        ws.dB.pointer, ids: ids.baseAddress!, typeIds: types.baseAddress, positions: pos.baseAddress!,
                        count: N, dim: C, paddingIdx: pad, dWord: g.word, dPosition: g.position,
                        dTokenType: embeddings.tokenTypeEmbeddings == nil ? nil : g.tokenType,
                        positionPaddingIdx: c.modelType.positionsAfterPadding ? pad : nil)
                }
            }
        }
    }

    /// Backward of block l: reads d(out) from ws.dA ((B, C) when `firstTokenOnly`, else (N, C)) and writes d(x)
    /// (N, C) back into ws.dA when needed. `gradients` nil: the block is frozen (only d(x) flows).
    func layerBackward(_ l: Int, gradients: LayerGradients?, cache ws: ActivationCache, firstTokenOnly: Bool,
                       needInputGradient: Bool, bias: RelativeBiasOperand?, dBias: UnsafeMutablePointer<Float>?) {
        let lc = ws.layer(l), c = config, block = encoder.layers[l]
        let g = gradients ?? LayerGradients(
            queryKeyValue: .init(weight: nil, bias: nil), attentionOutput: .init(weight: nil, bias: nil),
            attentionNorm: .init(gamma: nil, beta: nil), intermediate: .init(weight: nil, bias: nil),
            output: .init(weight: nil, bias: nil), outputNorm: .init(gamma: nil, beta: nil))
        let N = ws.layout.tokenCount, C = c.hiddenSize, I = c.intermediateSize
        let layout = firstTokenOnly ? ws.firstTokenLayout : ws.layout
        let R = layout.queryCount
        let hiddenDropout = ws.dropoutActive && c.hiddenDropoutProb > 0
        let attentionDropout = ws.dropoutActive && c.attentionProbsDropoutProb > 0
        let x = ws.layerInput(l)
        let dOut = ws.dA.pointer, dRes = ws.dB.pointer, dTmp = ws.dC.pointer
        let key = ws.dropoutKey, tokens = firstTokenOnly ? layout.offsets : nil

        // BertOutput: dres2 (R, C) into dRes, dact (R, I).
        outputBlockBackward(dOut, rows: R, lnInput: lc.res2.pointer, mean: lc.mean2.pointer, rstd: lc.rstd2.pointer,
                            norm: block.output.layerNorm, dNorm: g.outputNorm,
                            dropoutMask: hiddenDropout ? UnsafePointer(lc.ffnMask.pointer) : nil,
                            denseInput: lc.g.pointer, dense: block.output.dense, dDense: g.output, passKey: key, tokens: tokens,
                            dInput: ws.dI.pointer, dResidual: dRes, scratch: dTmp)
        block.intermediate.activation.backward(ws.dI.pointer, x: lc.u.pointer, y: lc.g.pointer, count: R * I)
        // Intermediate dense: dh1 = du · W1 + dres2 (residual).
        LinearOp.backward(ws.dI.pointer, x: lc.h1.pointer, rows: R, inFeatures: C,
                          weight: block.intermediate.dense.weight.pointer, outFeatures: I,
                          dx: dTmp, gradient: g.intermediate, dropoutKey: key, tokens: tokens)
        Kernels.addInPlace(dTmp, dRes, count: R * C)
        // BertSelfOutput: dres1 (R, C) into dRes, dctx (R, C).
        outputBlockBackward(dTmp, rows: R, lnInput: lc.res1.pointer, mean: lc.mean1.pointer, rstd: lc.rstd1.pointer,
                            norm: block.attentionOutput.layerNorm, dNorm: g.attentionNorm,
                            dropoutMask: hiddenDropout && keys.attentionOutputDropout ? UnsafePointer(lc.attentionMask.pointer) : nil,
                            denseInput: lc.ctx.pointer, dense: block.attentionOutput.dense, dDense: g.attentionOutput,
                            passKey: key, tokens: tokens,
                            dInput: ws.dCtx.pointer, dResidual: dRes, scratch: dTmp)
        // Attention core, then the projections; dx = (Q, K, V paths) + dres1 (residual).
        let probs = lc.probs.pointer, dropped = attentionDropout ? UnsafePointer(lc.dropped.pointer) : nil
        let mask = attentionDropout ? UnsafePointer(lc.probsMask.pointer) : nil
        let qkv = block.attention.queryKeyValue
        if firstTokenOnly {
            let operands = AttentionOperands(q: lc.q.pointer, qStride: C, k: lc.qkv.pointer, v: lc.qkv.pointer + C,
                                             kvStride: 2 * C)
            let grads = AttentionOperands(q: ws.dQ.pointer, qStride: C, k: ws.dQKV.pointer, v: ws.dQKV.pointer + C,
                                          kvStride: 2 * C)
            ws.dQ.pointer.update(repeating: 0, count: R * C)
            ws.dQKV.pointer.update(repeating: 0, count: N * 2 * C)
            AttentionOp.backward(dctx: ws.dCtx.pointer, operands, layout: layout, hidden: C, probs: probs,
                                 dropped: dropped, mask: mask, scratch: ws.dScratch.pointer, grads: grads,
                                 bias: bias, dBias: dBias)
            let dq = g.queryKeyValue.rows(0..<C, inFeatures: C), dkv = g.queryKeyValue.rows(C..<3 * C, inFeatures: C)
            LinearOp.backward(ws.dQ.pointer, x: lc.xFirst.pointer, rows: R, inFeatures: C, weight: qkv.weight.pointer,
                              outFeatures: C, dx: needInputGradient ? ws.dXFirst.pointer : nil, gradient: dq,
                              dropoutKey: key, tokens: tokens)
            LinearOp.backward(ws.dQKV.pointer, x: x, rows: N, inFeatures: C, weight: qkv.weight.pointer + C * C,
                              outFeatures: 2 * C, dx: needInputGradient ? dOut : nil, gradient: dkv, dropoutKey: key)
            if needInputGradient {
                for s in 0..<R {
                    let row = dOut + layout.offsets[s] * C
                    Kernels.addInPlace(row, ws.dXFirst.pointer + s * C, count: C)
                    Kernels.addInPlace(row, dRes + s * C, count: C)
                }
            }
        } else {
            let p = lc.qkv.pointer, dqkv = ws.dQKV.pointer
            let operands = AttentionOperands(q: p, qStride: 3 * C, k: p + C, v: p + 2 * C, kvStride: 3 * C)
            let grads = AttentionOperands(q: dqkv, qStride: 3 * C, k: dqkv + C, v: dqkv + 2 * C, kvStride: 3 * C)
            dqkv.update(repeating: 0, count: N * 3 * C)
            AttentionOp.backward(dctx: ws.dCtx.pointer, operands, layout: layout, hidden: C, probs: probs,
                                 dropped: dropped, mask: mask, scratch: ws.dScratch.pointer, grads: grads,
                                 bias: bias, dBias: dBias)
            LinearOp.backward(dqkv, x: x, rows: N, inFeatures: C, weight: qkv.weight.pointer, outFeatures: 3 * C,
                              dx: needInputGradient ? dOut : nil, gradient: g.queryKeyValue, dropoutKey: key)
            if needInputGradient { Kernels.addInPlace(dOut, dRes, count: N * C) }
        }
    }

    /// Backward of `outputBlockForward` given dOut (R, C): the residual's gradient into dResidual (R, C), the dense
    /// input's into dInput (R, inFeatures), parameter gradients accumulated (nil when frozen). Uses `scratch` (R, C).
    func outputBlockBackward(
        _ dOut: UnsafePointer<Float>, rows R: Int, lnInput: UnsafePointer<Float>, mean: UnsafePointer<Float>,
        rstd: UnsafePointer<Float>, norm: LayerNorm, dNorm: LayerNormGradient, dropoutMask: UnsafePointer<Float>?,
        denseInput: UnsafePointer<Float>, dense: Linear, dDense: LinearGradient, passKey: UInt64?, tokens: [Int]?,
        dInput: UnsafeMutablePointer<Float>,
        dResidual: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) {
        let C = config.hiddenSize
        LayerNormOp.backward(dOut, x: lnInput, mean: mean, rstd: rstd, rows: R, cols: C, gamma: norm.weight.pointer,
                             dx: dResidual, dGamma: dNorm.gamma, dBeta: dNorm.beta)
        var dDenseOut = UnsafePointer(dResidual)
        if let dropoutMask {
            scratch.update(from: dResidual, count: R * C)
            DropoutOp.backward(scratch, count: R * C, mask: dropoutMask)
            dDenseOut = UnsafePointer(scratch)
        }
        LinearOp.backward(dDenseOut, x: denseInput, rows: R, inFeatures: dense.inFeatures, weight: dense.weight.pointer,
                          outFeatures: C, dx: dInput, gradient: dDense, dropoutKey: passKey, tokens: tokens)
    }
}
