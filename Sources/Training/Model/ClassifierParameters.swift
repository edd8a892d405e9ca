import SentimentCore
import SentimentModels
import SentimentTensor

/// The trainer's `*ForSequenceClassification` parameters for any family: the store layout (from the family's
/// `ParameterKeys`, HF names), checkpoint loading with HF's key aliases, and the typed views the shared passes read —
/// values (`EncoderPass`, `ClassificationHead` over the store's memory, unpacked) and gradients (nil where frozen).
/// Views are built once (and again after a freeze), never looked up by string during a step.
struct ClassifierParameters {
    let keys: ParameterKeys
    let pass: EncoderPass
    let head: ClassificationHead
    private(set) var encoderGradients: EncoderGradients
    private(set) var headGradients: ClassificationHeadGradients

    /// Views into `store`, laid out by `ParameterKeys.sequenceClassificationLayout`. LoRA slots with dropout ride on
    /// the linear views they adapt (`Linear.droppedAdapters`), for the training forward's correction.
    init(config c: ModelConfig, keys: ParameterKeys, store: ParameterStore, lora: [LoRASlot] = []) {
        self.keys = keys
        func weight(_ name: String) -> Weight {
            guard let e = store.entry(name) else { preconditionFailure("no parameter \(name)") }
            return Weight(pointer: UnsafePointer(store.values + e.offset), shape: e.shape)
        }
        let dropped = Dictionary(grouping: lora.filter { $0.dropout > 0 }, by: \.module)
        func linear(_ key: String) -> Linear {
            var view = Linear(weight: weight(key + ".weight"), bias: weight(key + ".bias"), packing: nil)
            view.droppedAdapters = (dropped[key] ?? []).map { $0.view(store, rows: 0..<view.outFeatures) }
            return view
        }
        func norm(_ key: String) -> LayerNorm {
            LayerNorm(weight: weight(key + ".weight"), bias: weight(key + ".bias"), eps: c.layerNormEps)
        }
        let p = c.modelType.basePrefix, C = c.hiddenSize
        let embeddings = BertEmbeddings(word: weight(p + keys.word), position: weight(p + keys.position),
                                        tokenType: keys.tokenType.map { weight(p + $0) },
                                        layerNorm: norm(p + keys.embeddingNorm), config: c)
        let layers = (0..<c.numHiddenLayers).map { l -> BertLayer in
            let b = p + keys.layerPrefix(l), k = keys.layer
            // Q, K, V are adjacent in the store: one [3C, C] weight and one [3C] bias starting at Q's.
            let q = weight(b + k.query + ".weight"), qb = weight(b + k.query + ".bias")
            var qkv = Linear(weight: Weight(pointer: q.pointer, shape: [3 * C, C]),
                             bias: Weight(pointer: qb.pointer, shape: [3 * C]), packing: nil)
            qkv.droppedAdapters = [k.query, k.key, k.value].enumerated().flatMap { i, m in
                (dropped[b + m] ?? []).map { $0.view(store, rows: (i * C)..<((i + 1) * C)) }
            }
            return BertLayer(
                attention: BertSelfAttention(queryKeyValue: qkv, numHeads: c.numAttentionHeads),
                attentionOutput: BertSelfOutput(dense: linear(b + k.attentionOutput), layerNorm: norm(b + k.attentionNorm)),
                intermediate: BertIntermediate(dense: linear(b + k.intermediate), activation: c.hiddenAct),
                output: BertOutput(dense: linear(b + k.output), layerNorm: norm(b + k.outputNorm)))
        }
        let encoder = BertEncoder(layers: layers, relativeAttentionBias: keys.relativeAttentionBias.map { weight(p + $0) })
        pass = EncoderPass(config: c, embeddings: embeddings, encoder: encoder)
        head = ClassificationHead(dense: linear(keys.headDense), activation: keys.headActivation,
                                  classifier: linear(keys.headClassifier), dropoutBeforeDense: keys.headDropoutBeforeDense)
        encoderGradients = EncoderGradients(embeddings: nil, layers: [])
        headGradients = ClassificationHeadGradients(dense: .init(weight: nil, bias: nil), classifier: .init(weight: nil, bias: nil))
        refreshGradients(config: c, store: store, lora: lora)
    }

    /// Rebuilds the gradient views after the store's trainable flags changed (a part counts as trainable when any
    /// of its entries is).
    /// LoRA slots whose A and B train add their adapter views (a fused Q/K/V projection's at row C·index).
    mutating func refreshGradients(config c: ModelConfig, store: ParameterStore, lora: [LoRASlot] = []) {
        func grad(_ name: String) -> UnsafeMutablePointer<Float>? {
            guard let e = store.entry(name) else { preconditionFailure("no parameter \(name)") }
            return e.trainable ? store.grads + e.offset : nil
        }
        let adapters = Dictionary(grouping: lora.filter { store.entry($0.module + ".lora_A.weight")?.trainable == true }, by: \.module)
        func adapted(_ module: String, rows: Range<Int>) -> [LoRAGradient] {
            (adapters[module] ?? []).map { $0.gradient(store, rows: rows) }
        }
        func linear(_ key: String) -> LinearGradient {
            LinearGradient(weight: grad(key + ".weight"), bias: grad(key + ".bias"), adapters: adapted(key, rows: 0..<(store.entry(key + ".weight")?.shape[0] ?? 0)))
        }
        func norm(_ key: String) -> LayerNormGradient { LayerNormGradient(gamma: grad(key + ".weight"), beta: grad(key + ".bias")) }
        let p = c.modelType.basePrefix
        let embeddings = EmbeddingGradients(
            word: grad(p + keys.word), position: grad(p + keys.position), tokenType: keys.tokenType.flatMap { grad(p + $0) },
            relativeAttentionBias: keys.relativeAttentionBias.flatMap { grad(p + $0) }, layerNorm: norm(p + keys.embeddingNorm))
        let embeddingsTrain = [embeddings.word, embeddings.position, embeddings.tokenType, embeddings.relativeAttentionBias,
                               embeddings.layerNorm.gamma, embeddings.layerNorm.beta].contains { $0 != nil }
        let layers = (0..<c.numHiddenLayers).map { l -> LayerGradients? in
            let b = p + keys.layerPrefix(l), k = keys.layer
            let g = LayerGradients(
                queryKeyValue: LinearGradient(
                    weight: grad(b + k.query + ".weight"), bias: grad(b + k.query + ".bias"),
                    adapters: [k.query, k.key, k.value].enumerated().flatMap { i, m in adapted(b + m, rows: (i * c.hiddenSize)..<((i + 1) * c.hiddenSize)) }),
                attentionOutput: linear(b + k.attentionOutput), attentionNorm: norm(b + k.attentionNorm),
                intermediate: linear(b + k.intermediate), output: linear(b + k.output), outputNorm: norm(b + k.outputNorm))
            let trains = [g.queryKeyValue.isTrainable, g.attentionOutput.isTrainable, g.intermediate.isTrainable,
                          g.output.isTrainable, g.attentionNorm.gamma != nil, g.outputNorm.gamma != nil].contains(true)
            return trains ? g : nil
        }
        encoderGradients = EncoderGradients(embeddings: embeddingsTrain ? embeddings : nil, layers: layers)
        headGradients = ClassificationHeadGradients(dense: linear(keys.headDense), classifier: linear(keys.headClassifier))
    }

    /// Level of the lowest trainable part: 0 embeddings, l + 1 block l, layers + 1 the head's dense, layers + 2 only
    /// the classifier.
    var lowestTrainableLevel: Int {
        let encoder = encoderGradients.lowestTrainableLevel
        if encoder <= encoderGradients.layers.count { return encoder }
        return headGradients.dense.isTrainable ? encoderGradients.layers.count + 1 : encoderGradients.layers.count + 2
    }

    // MARK: loading

    /// Fills `store` through the one checkpoint loader (`CheckpointReader`: the family prefix and legacy
    /// gamma/beta names resolved as inference resolves them; a [1, n] tensor accepted for [n]). The encoder must be
    /// complete. The head: `classifier` (the last linear) from the checkpoint or Xavier-initialised per `head`; the
    /// head's dense from the checkpoint when there (BERT's pooler, a classifier's own head), else initialised as HF's
    /// `_init_weights` does: normal(0, initializer_range), bias 0 (a base model has no RoBERTa/MPNet/DistilBERT head
    /// dense, and an MLM model no pooler). Tensors the classifier does not use are left alone.
    static func load(
        _ reader: CheckpointReader, into store: ParameterStore, config: ModelConfig, keys: ParameterKeys,
        head: HeadInitialization, rng: inout SeededGenerator
    ) throws {
        reader.detectEncoderPrefix(config.modelType.basePrefix)
        for e in store.entries where !LoRASlot.isAdapterName(e.name) {
            let isClassifier = e.name.hasPrefix(keys.headClassifier + ".")
            let isHeadDense = e.name.hasPrefix(keys.headDense + ".")
            if isClassifier && head == .xavier {
                initialiseXavier(e, store: store, rng: &rng)
                continue
            }
            if let key = reader.key(forModelName: e.name, basePrefix: config.modelType.basePrefix) {
                let weight: Weight
                do {
                    weight = try reader.weight(key, shape: e.shape, ignoringUnitDimensions: true)
                } catch ModelError.shapeMismatch(_, let expected, let found) {
                    throw TrainingError.shapeMismatch(name: e.name, expected: expected, got: found)
                }
                (store.values + e.offset).update(from: weight.pointer, count: e.count)
            } else if isHeadDense && !(head == .fromCheckpoint && !keys.headDenseIsPooler) {
                let p = store.values + e.offset
                p.update(repeating: 0, count: e.count)
                if e.name.hasSuffix("weight") {
                    for i in 0..<e.count { p[i] = rng.nextNormal() * config.initializerRange }
                }
            } else {
                throw TrainingError.missingWeight(e.name)
            }
        }
    }

    /// Xavier-uniform weight (bound √(6/(fan_in + fan_out))), zero bias.
    static func initialiseXavier(_ e: ParameterStore.Entry, store: ParameterStore, rng: inout SeededGenerator) {
        let p = store.values + e.offset
        guard e.name.hasSuffix("weight"), e.shape.count == 2 else {
            p.update(repeating: 0, count: e.count)
            return
        }
        let bound = (6 / Float(e.shape[0] + e.shape[1])).squareRoot()
        for i in 0..<e.count { p[i] = (2 * rng.nextUniform() - 1) * bound }
    }
}
