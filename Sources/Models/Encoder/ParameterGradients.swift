/// Typed views of a model's gradients, mirroring the typed parameter views (`Linear`, `LayerNorm`, `BertLayer`, …)
/// that the passes read: built once per freeze policy from the trainer's gradient store, nil where frozen (backward
/// then computes nothing for it). llm.c's `ParameterTensors` for `grads_memory`.
package struct LinearGradient {
    package var weight: UnsafeMutablePointer<Float>?
    package var bias: UnsafeMutablePointer<Float>?
    /// LoRA adapters on this (frozen) layer: their A and B train instead of the weight (`LoRAOp`).
    package var adapters: [LoRAGradient]
    package var isTrainable: Bool { weight != nil || bias != nil || !adapters.isEmpty }

    package init(weight: UnsafeMutablePointer<Float>?, bias: UnsafeMutablePointer<Float>?, adapters: [LoRAGradient] = []) {
        self.weight = weight
        self.bias = bias
        self.adapters = adapters
    }

    /// Output rows `range` of a fused projection's gradient (in features per row); adapters keep their rows,
    /// renumbered from the slice's first (an adapter lies wholly inside or outside it).
    package func rows(_ range: Range<Int>, inFeatures: Int) -> LinearGradient {
        let inside = adapters.filter { range.contains($0.adapter.rows.lowerBound) }.map { g -> LoRAGradient in
            var shifted = g
            shifted.adapter = LoRAView.slice([g.adapter], range)[0]
            return shifted
        }
        return LinearGradient(weight: weight.map { $0 + range.lowerBound * inFeatures }, bias: bias.map { $0 + range.lowerBound },
                              adapters: inside)
    }
}

package struct LayerNormGradient {
    package var gamma: UnsafeMutablePointer<Float>?
    package var beta: UnsafeMutablePointer<Float>?

    package init(gamma: UnsafeMutablePointer<Float>?, beta: UnsafeMutablePointer<Float>?) {
        self.gamma = gamma
        self.beta = beta
    }
}

/// One block's gradients (the shape of `BertLayer`).
package struct LayerGradients {
    package var queryKeyValue, attentionOutput, intermediate, output: LinearGradient
    package var attentionNorm, outputNorm: LayerNormGradient

    package init(queryKeyValue: LinearGradient, attentionOutput: LinearGradient, attentionNorm: LayerNormGradient,
                 intermediate: LinearGradient, output: LinearGradient, outputNorm: LayerNormGradient) {
        self.queryKeyValue = queryKeyValue
        self.attentionOutput = attentionOutput
        self.attentionNorm = attentionNorm
        self.intermediate = intermediate
        self.output = output
        self.outputNorm = outputNorm
    }
}

/// The embeddings' gradients (the shape of `BertEmbeddings`), plus MPNet's relative bias table.
package struct EmbeddingGradients {
    package var word, position, tokenType, relativeAttentionBias: UnsafeMutablePointer<Float>?
    package var layerNorm: LayerNormGradient

    package init(word: UnsafeMutablePointer<Float>?, position: UnsafeMutablePointer<Float>?,
                 tokenType: UnsafeMutablePointer<Float>?, relativeAttentionBias: UnsafeMutablePointer<Float>?,
                 layerNorm: LayerNormGradient) {
        self.word = word
        self.position = position
        self.tokenType = tokenType
        self.relativeAttentionBias = relativeAttentionBias
        self.layerNorm = layerNorm
    }
}

package struct ClassificationHeadGradients {
    package var dense, classifier: LinearGradient

    package init(dense: LinearGradient, classifier: LinearGradient) {
        self.dense = dense
        self.classifier = classifier
    }
}

/// Every gradient view of an encoder: nil embeddings / layers are frozen.
package struct EncoderGradients {
    package var embeddings: EmbeddingGradients?
    package var layers: [LayerGradients?]

    package init(embeddings: EmbeddingGradients?, layers: [LayerGradients?]) {
        self.embeddings = embeddings
        self.layers = layers
    }

    /// Level of the lowest trainable part: 0 embeddings, l + 1 block l, layers.count + 1 if none of them trains.
    package var lowestTrainableLevel: Int {
        if embeddings != nil { return 0 }
        return (layers.firstIndex { $0 != nil }).map { $0 + 1 } ?? layers.count + 1
    }
}
