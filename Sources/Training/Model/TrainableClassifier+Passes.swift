import SentimentModels
import Foundation
import SentimentTensor

// Forward and backward of BertForSequenceClassification over a packed batch, mirroring HF modeling_bert.py:
//   BertEmbeddings: LayerNorm(word + position + type) → dropout
//   BertLayer: BertSelfAttention (Q,K,V; softmax(QKᵀ/√D); dropout on probs) → BertSelfOutput (dense → dropout →
//              LayerNorm(· + input)) → BertIntermediate (dense → gelu) → BertOutput (dense → dropout → LayerNorm(· + h1))
//   BertPooler: tanh(dense(hidden[:, 0])) → dropout(classifier_dropout ?? hidden_dropout_prob) → classifier
// Shapes: N packed tokens, B sequences, C hidden, I intermediate, H heads, L labels.

extension TrainableClassifier {
    /// Dropout sites, numbered so each gets its own mask stream.
    enum DropoutSite {
        static let embeddings = 0
        static func attentionProbs(_ l: Int) -> Int { 1 + 3 * l }
        static func attentionOutput(_ l: Int) -> Int { 2 + 3 * l }
        static func ffnOutput(_ l: Int) -> Int { 3 + 3 * l }
        static func pooler(_ layers: Int) -> Int { 1 + 3 * layers }
    }

    /// Pointers of one encoder layer's parameters and (nil when frozen) gradients.
    struct LayerParameters {
        let wqkv, bqkv, wo, bo, ln1g, ln1b, w1, b1, w2, b2, ln2g, ln2b: UnsafeMutablePointer<Float>
        let dwqkv, dbqkv, dwo, dbo, dln1g, dln1b, dw1, db1, dw2, db2, dln2g, dln2b: UnsafeMutablePointer<Float>?
    }

    func value(_ name: String) -> UnsafeMutablePointer<Float> { parameters.pointer(name) }

    /// Gradient pointer, nil for frozen parameters.
    func grad(_ name: String) -> UnsafeMutablePointer<Float>? {
        guard let e = parameters.entry(name) else { preconditionFailure("no parameter \(name)") }
        return e.trainable ? parameters.grads + e.offset : nil
    }

    func layerParameters(_ l: Int) -> LayerParameters {
        let p = BertParameterNames.layer(l)
        let names = ["attention.self.query.weight", "attention.self.query.bias", "attention.output.dense.weight",
                     "attention.output.dense.bias", "attention.output.LayerNorm.weight", "attention.output.LayerNorm.bias",
                     "intermediate.dense.weight", "intermediate.dense.bias", "output.dense.weight", "output.dense.bias",
                     "output.LayerNorm.weight", "output.LayerNorm.bias"].map { p + $0 }
        let v = names.map(value), g = names.map(grad)
        return LayerParameters(
            wqkv: v[0], bqkv: v[1], wo: v[2], bo: v[3], ln1g: v[4], ln1b: v[5], w1: v[6], b1: v[7], w2: v[8], b2: v[9],
            ln2g: v[10], ln2b: v[11],
            dwqkv: g[0], dbqkv: g[1], dwo: g[2], dbo: g[3], dln1g: g[4], dln1b: g[5], dw1: g[6], db1: g[7], dw2: g[8],
            db2: g[9], dln2g: g[10], dln2b: g[11])
    }

    // MARK: forward

    func forward(_ batch: TrainingBatch, dropoutKey: UInt64?) {
        let ws = workspace, c = config
        ws.prepare(batch, config: c, numLabels: numLabels)
        ws.dropoutActive = dropoutKey != nil
        let N = ws.layout.tokenCount, C = c.hiddenSize, B = batch.count, L = numLabels
        let hiddenP = c.hiddenDropoutProb

        // Embeddings (B, T) → (N, C).
        ws.ids.withUnsafeBufferPointer { ids in
            ws.positions.withUnsafeBufferPointer { pos in
                withOptionalPointer(ws.typeIds) { types in
                    EmbeddingLayer.forward(
                        ids: ids.baseAddress!, typeIds: types, positions: pos.baseAddress!, count: N, dim: C,
                        word: value("bert.embeddings.word_embeddings.weight"),
                        position: value("bert.embeddings.position_embeddings.weight"),
                        tokenType: value("bert.embeddings.token_type_embeddings.weight"), out: ws.embSum.pointer)
                }
            }
        }
        LayerNormLayer.forward(ws.embSum.pointer, rows: N, cols: C, gamma: value("bert.embeddings.LayerNorm.weight"),
                               beta: value("bert.embeddings.LayerNorm.bias"), eps: c.layerNormEps,
                               out: ws.hidden[0].pointer, mean: ws.embMean.pointer, rstd: ws.embRstd.pointer)
        if let key = dropoutKey, hiddenP > 0 {
            Dropout.forward(ws.hidden[0].pointer, count: N * C, p: hiddenP,
                            key: DropoutRNG.siteKey(pass: key, site: DropoutSite.embeddings), mask: ws.embMask.pointer)
        }

        // The last layer computes only the first token of each sequence (all the pooler reads), straight into cls.
        for l in 0..<c.numHiddenLayers {
            let last = l == c.numHiddenLayers - 1
            layerForward(l, x: ws.hidden[l].pointer, out: last ? ws.cls.pointer : ws.hidden[l + 1].pointer,
                         firstTokenOnly: last, dropoutKey: dropoutKey)
        }
        if c.numHiddenLayers == 0 {
            for b in 0..<B { (ws.cls.pointer + b * C).update(from: ws.hidden[0].pointer + ws.layout.offsets[b] * C, count: C) }
        }

        // Pooler on the first token of each sequence: (B, C).
        LinearLayer.forward(ws.cls.pointer, rows: B, inFeatures: C, weight: value("bert.pooler.dense.weight"),
                            bias: value("bert.pooler.dense.bias"), outFeatures: C, out: ws.pooled.pointer)
        TanhLayer.forward(ws.pooled.pointer, count: B * C, out: ws.pooled.pointer)
        ws.pooledDropped.pointer.update(from: ws.pooled.pointer, count: B * C)
        let classifierP = c.classifierDropout ?? hiddenP
        if let key = dropoutKey, classifierP > 0 {
            Dropout.forward(ws.pooledDropped.pointer, count: B * C, p: classifierP,
                            key: DropoutRNG.siteKey(pass: key, site: DropoutSite.pooler(c.numHiddenLayers)),
                            mask: ws.poolerMask.pointer)
        }
        // Classifier: (B, C) → (B, L).
        LinearLayer.forward(ws.pooledDropped.pointer, rows: B, inFeatures: C, weight: value("classifier.weight"),
                            bias: value("classifier.bias"), outFeatures: L, out: ws.logits.pointer)
    }

    /// Encoder layer l on x (N, C). With `firstTokenOnly`, K and V cover every token but queries, the attention
    /// output, both LayerNorms and the FFN only the first token of each sequence: out is then (B, C).
    func layerForward(
        _ l: Int, x: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>, firstTokenOnly: Bool, dropoutKey: UInt64?
    ) {
        let ws = workspace, lc = ws.layers[l], c = config, w = layerParameters(l)
        let N = ws.layout.tokenCount, C = c.hiddenSize, I = c.intermediateSize
        let layout = firstTokenOnly ? ws.firstTokenLayout : ws.layout
        let R = layout.queryCount   // rows that continue through the layer: N, or B
        let attentionP = c.attentionProbsDropoutProb
        let operands: AttentionOperands
        let residual: UnsafeMutablePointer<Float>   // (R, C) input rows of the first residual connection
        if firstTokenOnly {
            // K, V of every token: (N, C) · [Wk; Wv]ᵀ → (N, 2C); Q of the first tokens: (B, C) · Wqᵀ.
            for s in 0..<R { (lc.xFirst.pointer + s * C).update(from: x + layout.offsets[s] * C, count: C) }
            LinearLayer.forward(lc.xFirst.pointer, rows: R, inFeatures: C, weight: w.wqkv, bias: w.bqkv, outFeatures: C,
                                out: lc.q.pointer)
            LinearLayer.forward(x, rows: N, inFeatures: C, weight: w.wqkv + C * C, bias: w.bqkv + C, outFeatures: 2 * C,
                                out: lc.qkv.pointer)
            operands = AttentionOperands(q: lc.q.pointer, qStride: C, k: lc.qkv.pointer, v: lc.qkv.pointer + C, kvStride: 2 * C)
            residual = lc.xFirst.pointer
        } else {
            // Q, K, V in one GEMM: (N, C) · [Wq; Wk; Wv]ᵀ → (N, 3C).
            LinearLayer.forward(x, rows: N, inFeatures: C, weight: w.wqkv, bias: w.bqkv, outFeatures: 3 * C,
                                out: lc.qkv.pointer)
            let qkv = lc.qkv.pointer
            operands = AttentionOperands(q: qkv, qStride: 3 * C, k: qkv + C, v: qkv + 2 * C, kvStride: 3 * C)
            residual = x
        }
        let attentionDropout = dropoutKey.flatMap { key in
            attentionP > 0 ? (p: attentionP, key: DropoutRNG.siteKey(pass: key, site: DropoutSite.attentionProbs(l))) : nil
        }
        AttentionLayer.forward(operands, layout: layout, hidden: C, probs: lc.probs.pointer, dropped: lc.dropped.pointer,
                               mask: lc.probsMask.pointer, dropout: attentionDropout, ctx: lc.ctx.pointer)
        // BertSelfOutput: h1 = LayerNorm(dropout(dense(ctx)) + x).
        outputBlockForward(lc.ctx.pointer, rows: R, inFeatures: C, weight: w.wo, bias: w.bo, residual: residual,
                           dropout: dropoutKey.map { (key: DropoutRNG.siteKey(pass: $0, site: DropoutSite.attentionOutput(l)),
                                                      mask: lc.attentionMask.pointer) },
                           lnInput: lc.res1.pointer, gamma: w.ln1g, beta: w.ln1b, mean: lc.mean1.pointer,
                           rstd: lc.rstd1.pointer, out: lc.h1.pointer)
        // BertIntermediate + BertOutput: out = LayerNorm(dropout(dense(gelu(dense(h1)))) + h1).
        LinearLayer.forward(lc.h1.pointer, rows: R, inFeatures: C, weight: w.w1, bias: w.b1, outFeatures: I, out: lc.u.pointer)
        GELULayer.forward(lc.u.pointer, count: R * I, out: lc.g.pointer)
        outputBlockForward(lc.g.pointer, rows: R, inFeatures: I, weight: w.w2, bias: w.b2, residual: lc.h1.pointer,
                           dropout: dropoutKey.map { (key: DropoutRNG.siteKey(pass: $0, site: DropoutSite.ffnOutput(l)),
                                                      mask: lc.ffnMask.pointer) },
                           lnInput: lc.res2.pointer, gamma: w.ln2g, beta: w.ln2b, mean: lc.mean2.pointer,
                           rstd: lc.rstd2.pointer, out: out)
    }

    /// HF BertSelfOutput / BertOutput: out (R, C) = LayerNorm(dropout(dense(input)) + residual). Keeps the LayerNorm
    /// input and statistics for backward; `dropout` nil in evaluation.
    func outputBlockForward(
        _ input: UnsafePointer<Float>, rows R: Int, inFeatures: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        residual: UnsafePointer<Float>, dropout: (key: UInt64, mask: UnsafeMutablePointer<Float>)?,
        lnInput: UnsafeMutablePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>
    ) {
        let C = config.hiddenSize, p = config.hiddenDropoutProb
        LinearLayer.forward(input, rows: R, inFeatures: inFeatures, weight: weight, bias: bias, outFeatures: C, out: lnInput)
        if let dropout, p > 0 { Dropout.forward(lnInput, count: R * C, p: p, key: dropout.key, mask: dropout.mask) }
        Kernels.addInPlace(lnInput, residual, count: R * C)
        LayerNormLayer.forward(lnInput, rows: R, cols: C, gamma: gamma, beta: beta, eps: config.layerNormEps,
                               out: out, mean: mean, rstd: rstd)
    }

    /// Backward of `outputBlockForward` given dOut (R, C): the residual's gradient into dResidual (R, C), the dense
    /// input's into dInput (R, inFeatures), parameter gradients accumulated (nil when frozen). Uses `scratch` (R, C).
    func outputBlockBackward(
        _ dOut: UnsafePointer<Float>, rows R: Int, lnInput: UnsafePointer<Float>, mean: UnsafePointer<Float>,
        rstd: UnsafePointer<Float>, gamma: UnsafePointer<Float>, dGamma: UnsafeMutablePointer<Float>?,
        dBeta: UnsafeMutablePointer<Float>?, dropoutMask: UnsafePointer<Float>?, denseInput: UnsafePointer<Float>,
        inFeatures: Int, weight: UnsafePointer<Float>, dWeight: UnsafeMutablePointer<Float>?,
        dBias: UnsafeMutablePointer<Float>?, dInput: UnsafeMutablePointer<Float>,
        dResidual: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) {
        let C = config.hiddenSize
        LayerNormLayer.backward(dOut, x: lnInput, mean: mean, rstd: rstd, rows: R, cols: C, gamma: gamma, dx: dResidual,
                                dGamma: dGamma, dBeta: dBeta)
        var dDense = UnsafePointer(dResidual)
        if let dropoutMask {
            scratch.update(from: dResidual, count: R * C)
            Dropout.backward(scratch, count: R * C, mask: dropoutMask)
            dDense = UnsafePointer(scratch)
        }
        LinearLayer.backward(dDense, x: denseInput, rows: R, inFeatures: inFeatures, weight: weight, outFeatures: C,
                             dx: dInput, dWeight: dWeight, dBias: dBias)
    }

    // MARK: loss

    /// Loss of the last forward's logits; with a scale, also writes scale·∂loss/∂logits for backward.
    func lossAndGradient(targets: TrainingTargets, scale: Float?) -> Float {
        let ws = workspace
        return loss.evaluate(logits: ws.logits.pointer, batch: ws.batchSize, classes: numLabels, targets: targets,
                             dLogits: scale == nil ? nil : ws.dLogits.pointer, scale: scale ?? 1)
    }

    func currentLogits() -> [[Float]] {
        let ws = workspace
        return (0..<ws.batchSize).map { b in Array(UnsafeBufferPointer(start: ws.logits.pointer + b * numLabels, count: numLabels)) }
    }

    // MARK: backward

    /// Backward from ws.dLogits; accumulates into the gradients of trainable parameters and stops below the lowest
    /// trainable one.
    func backward() {
        let ws = workspace, c = config
        let N = ws.layout.tokenCount, C = c.hiddenSize, B = ws.batchSize, L = numLabels
        let dropout = ws.dropoutActive
        let classifierP = c.classifierDropout ?? c.hiddenDropoutProb

        // Classifier: dpooled̃ (B, C) = dlogits · Wc.
        LinearLayer.backward(ws.dLogits.pointer, x: ws.pooledDropped.pointer, rows: B, inFeatures: C,
                             weight: value("classifier.weight"), outFeatures: L, dx: ws.dPooled.pointer,
                             dWeight: grad("classifier.weight"), dBias: grad("classifier.bias"))
        let lowest = lowestTrainableLevel()
        guard lowest <= c.numHiddenLayers + 1 else { return }   // only the classifier trains
        if dropout && classifierP > 0 { Dropout.backward(ws.dPooled.pointer, count: B * C, mask: ws.poolerMask.pointer) }
        TanhLayer.backward(ws.dPooled.pointer, y: ws.pooled.pointer, count: B * C)
        LinearLayer.backward(ws.dPooled.pointer, x: ws.cls.pointer, rows: B, inFeatures: C,
                             weight: value("bert.pooler.dense.weight"), outFeatures: C,
                             dx: lowest <= c.numHiddenLayers ? ws.dCls.pointer : nil,
                             dWeight: grad("bert.pooler.dense.weight"), dBias: grad("bert.pooler.dense.bias"))
        guard lowest <= c.numHiddenLayers else { return }

        // The last layer's output is (B, C): its gradient is dcls. Without layers, scatter it into the tokens.
        if c.numHiddenLayers == 0 {
            ws.dA.pointer.update(repeating: 0, count: N * C)
            for b in 0..<B { (ws.dA.pointer + ws.layout.offsets[b] * C).update(from: ws.dCls.pointer + b * C, count: C) }
        } else {
            ws.dA.pointer.update(from: ws.dCls.pointer, count: B * C)
        }
        for l in stride(from: c.numHiddenLayers - 1, through: max(lowest - 1, 0), by: -1) {
            layerBackward(l, firstTokenOnly: l == c.numHiddenLayers - 1, needInputGradient: lowest < l + 1)
        }
        guard lowest == 0 else { return }

        // Embeddings: dropout → LayerNorm → scatter into the tables.
        if dropout && c.hiddenDropoutProb > 0 { Dropout.backward(ws.dA.pointer, count: N * C, mask: ws.embMask.pointer) }
        LayerNormLayer.backward(ws.dA.pointer, x: ws.embSum.pointer, mean: ws.embMean.pointer, rstd: ws.embRstd.pointer,
                                rows: N, cols: C, gamma: value("bert.embeddings.LayerNorm.weight"), dx: ws.dB.pointer,
                                dGamma: grad("bert.embeddings.LayerNorm.weight"), dBeta: grad("bert.embeddings.LayerNorm.bias"))
        ws.ids.withUnsafeBufferPointer { ids in
            ws.positions.withUnsafeBufferPointer { pos in
                withOptionalPointer(ws.typeIds) { types in
                    EmbeddingLayer.backward(
                        ws.dB.pointer, ids: ids.baseAddress!, typeIds: types, positions: pos.baseAddress!, count: N, dim: C,
                        dWord: grad("bert.embeddings.word_embeddings.weight"),
                        dPosition: grad("bert.embeddings.position_embeddings.weight"),
                        dTokenType: grad("bert.embeddings.token_type_embeddings.weight"))
                }
            }
        }
    }

    /// Level of the lowest trainable parameter: 0 embeddings, l + 1 encoder layer l, layers + 1 pooler,
    /// layers + 2 classifier only.
    func lowestTrainableLevel() -> Int {
        var lowest = config.numHiddenLayers + 2
        for e in parameters.entries where e.trainable {
            let level: Int
            if e.name.hasPrefix("bert.embeddings.") { level = 0 }
            else if let l = BertParameterNames.layerIndex(e.name) { level = l + 1 }
            else if e.name.hasPrefix("bert.pooler.") { level = config.numHiddenLayers + 1 }
            else { continue }
            lowest = min(lowest, level)
        }
        return lowest
    }

    /// Backward of encoder layer l: reads d(out) from ws.dA ((B, C) when `firstTokenOnly`, else (N, C)) and writes
    /// d(x) (N, C) back into ws.dA when needed.
    func layerBackward(_ l: Int, firstTokenOnly: Bool, needInputGradient: Bool) {
        let ws = workspace, lc = ws.layers[l], c = config, w = layerParameters(l)
        let N = ws.layout.tokenCount, C = c.hiddenSize, I = c.intermediateSize
        let layout = firstTokenOnly ? ws.firstTokenLayout : ws.layout
        let R = layout.queryCount
        let hiddenDropout = ws.dropoutActive && c.hiddenDropoutProb > 0
        let attentionDropout = ws.dropoutActive && c.attentionProbsDropoutProb > 0
        let x = ws.hidden[l].pointer
        let dOut = ws.dA.pointer, dRes = ws.dB.pointer, dTmp = ws.dC.pointer

        // BertOutput: dres2 (R, C) into dRes, dg (R, I).
        outputBlockBackward(dOut, rows: R, lnInput: lc.res2.pointer, mean: lc.mean2.pointer, rstd: lc.rstd2.pointer,
                            gamma: w.ln2g, dGamma: w.dln2g, dBeta: w.dln2b,
                            dropoutMask: hiddenDropout ? UnsafePointer(lc.ffnMask.pointer) : nil,
                            denseInput: lc.g.pointer, inFeatures: I, weight: w.w2, dWeight: w.dw2, dBias: w.db2,
                            dInput: ws.dI.pointer, dResidual: dRes, scratch: dTmp)
        GELULayer.backward(ws.dI.pointer, x: lc.u.pointer, count: R * I)
        // Intermediate dense: dh1 = du · W1 + dres2 (residual).
        LinearLayer.backward(ws.dI.pointer, x: lc.h1.pointer, rows: R, inFeatures: C, weight: w.w1, outFeatures: I,
                             dx: dTmp, dWeight: w.dw1, dBias: w.db1)
        Kernels.addInPlace(dTmp, dRes, count: R * C)
        // BertSelfOutput: dres1 (R, C) into dRes, dctx (R, C).
        outputBlockBackward(dTmp, rows: R, lnInput: lc.res1.pointer, mean: lc.mean1.pointer, rstd: lc.rstd1.pointer,
                            gamma: w.ln1g, dGamma: w.dln1g, dBeta: w.dln1b,
                            dropoutMask: hiddenDropout ? UnsafePointer(lc.attentionMask.pointer) : nil,
                            denseInput: lc.ctx.pointer, inFeatures: C, weight: w.wo, dWeight: w.dwo, dBias: w.dbo,
                            dInput: ws.dCtx.pointer, dResidual: dRes, scratch: dTmp)
        // Attention core, then the projections; dx = (Q, K, V paths) + dres1 (residual).
        let probs = lc.probs.pointer, dropped = attentionDropout ? UnsafePointer(lc.dropped.pointer) : nil
        let mask = attentionDropout ? UnsafePointer(lc.probsMask.pointer) : nil
        if firstTokenOnly {
            let operands = AttentionOperands(q: lc.q.pointer, qStride: C, k: lc.qkv.pointer, v: lc.qkv.pointer + C,
                                             kvStride: 2 * C)
            let grads = AttentionOperands(q: ws.dQ.pointer, qStride: C, k: ws.dQKV.pointer, v: ws.dQKV.pointer + C,
                                          kvStride: 2 * C)
            ws.dQ.pointer.update(repeating: 0, count: R * C)
            ws.dQKV.pointer.update(repeating: 0, count: N * 2 * C)
            AttentionLayer.backward(dctx: ws.dCtx.pointer, operands, layout: layout, hidden: C, probs: probs,
                                    dropped: dropped, mask: mask, scratch: ws.dScratch.pointer, grads: grads)
            LinearLayer.backward(ws.dQ.pointer, x: lc.xFirst.pointer, rows: R, inFeatures: C, weight: w.wqkv, outFeatures: C,
                                 dx: needInputGradient ? ws.dXFirst.pointer : nil, dWeight: w.dwqkv, dBias: w.dbqkv)
            LinearLayer.backward(ws.dQKV.pointer, x: x, rows: N, inFeatures: C, weight: w.wqkv + C * C, outFeatures: 2 * C,
                                 dx: needInputGradient ? dOut : nil, dWeight: w.dwqkv.map { $0 + C * C },
                                 dBias: w.dbqkv.map { $0 + C })
            if needInputGradient {
                for s in 0..<R {
                    let row = dOut + layout.offsets[s] * C
                    Kernels.addInPlace(row, ws.dXFirst.pointer + s * C, count: C)
                    Kernels.addInPlace(row, dRes + s * C, count: C)
                }
            }
        } else {
            let qkv = lc.qkv.pointer, dqkv = ws.dQKV.pointer
            let operands = AttentionOperands(q: qkv, qStride: 3 * C, k: qkv + C, v: qkv + 2 * C, kvStride: 3 * C)
            let grads = AttentionOperands(q: dqkv, qStride: 3 * C, k: dqkv + C, v: dqkv + 2 * C, kvStride: 3 * C)
            dqkv.update(repeating: 0, count: N * 3 * C)
            AttentionLayer.backward(dctx: ws.dCtx.pointer, operands, layout: layout, hidden: C, probs: probs,
                                    dropped: dropped, mask: mask, scratch: ws.dScratch.pointer, grads: grads)
            LinearLayer.backward(dqkv, x: x, rows: N, inFeatures: C, weight: w.wqkv, outFeatures: 3 * C,
                                 dx: needInputGradient ? dOut : nil, dWeight: w.dwqkv, dBias: w.dbqkv)
            if needInputGradient { Kernels.addInPlace(dOut, dRes, count: N * C) }
        }
    }
}

/// Calls body with a pointer to the array's elements, or nil.
func withOptionalPointer<R>(_ array: [Int32]?, _ body: (UnsafePointer<Int32>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0.baseAddress) }
}

