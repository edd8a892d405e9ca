/// Where every parameter of a family lives in an HF checkpoint: one table per family, read by the loader (inference)
/// and by the trainer's parameter layout, so both walk the same keys.
///
/// Encoder keys are relative to the encoder prefix (`bert.`, `distilbert.`, `roberta.`, `mpnet.` inside a head
/// model's checkpoint, nothing in a bare base model's); head keys are absolute, as in `*ForSequenceClassification`.
package struct ParameterKeys: Sendable {
    /// One block's projections and norms (modeling_bert.py `BertLayer`, modeling_distilbert.py `TransformerBlock`,
    /// modeling_mpnet.py `MPNetLayer`).
    package struct Layer: Sendable {
        package var query, key, value, attentionOutput, attentionNorm, intermediate, output, outputNorm: String
    }

    /// A masked-LM head (BERT `BertOnlyMLMHead`, RoBERTa `RobertaLMHead`, MPNet `MPNetLMHead`, DistilBERT's
    /// `vocab_*` modules): transform dense + activation + LayerNorm → decoder (usually tied to the word embeddings)
    /// + bias. Absolute keys.
    package struct MaskedLM: Sendable {
        package var dense, norm, decoder: String
        /// Where the output bias may be: old checkpoints store it twice (`cls.predictions.bias` and `.decoder.bias`).
        package var bias: [String]
        /// RoBERTa's and MPNet's heads apply exact GELU whatever `hidden_act` says.
        package var alwaysGELU: Bool
    }

    package let family: ModelFamily
    package let word = "embeddings.word_embeddings.weight"
    package let position = "embeddings.position_embeddings.weight"
    /// nil for DistilBERT and MPNet (no token types).
    package let tokenType: String?
    package let embeddingNorm = "embeddings.LayerNorm"
    package let layer: Layer
    /// MPNet's relative attention bias table [buckets, heads], shared by all layers.
    package let relativeAttentionBias: String?
    /// The base model's pooler (dense + tanh on the first token): BERT, RoBERTa, MPNet.
    package let pooler: String?
    /// Classification head: first token → [dropout] → dense → tanh | ReLU → dropout → classifier (absolute keys).
    package let headDense: String
    package let headClassifier: String
    package let headActivation: ClassificationHead.DenseActivation
    /// RoBERTa / MPNet (`RobertaClassificationHead`): dropout on the first token before the dense as well.
    package let headDropoutBeforeDense: Bool
    /// Whether the attention output projection is followed by dropout (not in DistilBERT's `TransformerBlock`).
    package let attentionOutputDropout: Bool
    /// The HF class of the exported classifier.
    package let sequenceClassificationClass: ModelArchitecture
    package let maskedLM: MaskedLM

    /// BERT: the classification head's dense IS the base model's pooler (`bert.pooler.dense`), loaded once.
    package var headDenseIsPooler: Bool { pooler.map { family.basePrefix + $0 == headDense } ?? false }

    /// Whether checkpoint keys `names` hold this family's sequence-classification head, or its masked-LM head
    /// (config.json naming no architecture: the keys decide, as `AutoModel` resolves it).
    package func hasSequenceClassificationHead(_ names: [String]) -> Bool {
        names.contains { $0.hasPrefix(headClassifier + ".") || (!headDenseIsPooler && $0.hasPrefix(headDense + ".")) }
    }
    package func hasMaskedLMHead(_ names: [String]) -> Bool {
        names.contains { $0.hasPrefix(maskedLM.dense + ".") || $0.hasPrefix(maskedLM.decoder + ".") }
    }

    package init(_ family: ModelFamily) {
        self.family = family
        let bertLayer = Layer(
            query: "attention.self.query", key: "attention.self.key", value: "attention.self.value",
            attentionOutput: "attention.output.dense", attentionNorm: "attention.output.LayerNorm",
            intermediate: "intermediate.dense", output: "output.dense", outputNorm: "output.LayerNorm")
        tokenType = family.hasTokenTypes ? "embeddings.token_type_embeddings.weight" : nil
        relativeAttentionBias = family == .mpnet ? "encoder.relative_attention_bias.weight" : nil
        attentionOutputDropout = family != .distilbert
        switch family {
        case .bert:
            layer = bertLayer
            pooler = "pooler.dense"
            (headDense, headClassifier, headActivation, headDropoutBeforeDense) = ("bert.pooler.dense", "classifier", .tanh, false)
            sequenceClassificationClass = .bertForSequenceClassification
            maskedLM = MaskedLM(dense: "cls.predictions.transform.dense", norm: "cls.predictions.transform.LayerNorm",
                                decoder: "cls.predictions.decoder", bias: ["cls.predictions.bias", "cls.predictions.decoder.bias"],
                                alwaysGELU: false)
        case .distilbert:
            layer = Layer(query: "attention.q_lin", key: "attention.k_lin", value: "attention.v_lin",
                          attentionOutput: "attention.out_lin", attentionNorm: "sa_layer_norm",
                          intermediate: "ffn.lin1", output: "ffn.lin2", outputNorm: "output_layer_norm")
            pooler = nil
            (headDense, headClassifier, headActivation, headDropoutBeforeDense) = ("pre_classifier", "classifier", .relu, false)
            sequenceClassificationClass = .distilBertForSequenceClassification
            maskedLM = MaskedLM(dense: "vocab_transform", norm: "vocab_layer_norm", decoder: "vocab_projector",
                                bias: ["vocab_projector.bias"], alwaysGELU: false)
        case .roberta:
            layer = bertLayer
            pooler = "pooler.dense"
            (headDense, headClassifier, headActivation, headDropoutBeforeDense) =
                ("classifier.dense", "classifier.out_proj", .tanh, true)
            sequenceClassificationClass = .robertaForSequenceClassification
            maskedLM = MaskedLM(dense: "lm_head.dense", norm: "lm_head.layer_norm", decoder: "lm_head.decoder",
                                bias: ["lm_head.bias", "lm_head.decoder.bias"], alwaysGELU: true)
        case .mpnet:
            layer = Layer(query: "attention.attn.q", key: "attention.attn.k", value: "attention.attn.v",
                          attentionOutput: "attention.attn.o", attentionNorm: "attention.LayerNorm",
                          intermediate: "intermediate.dense", output: "output.dense", outputNorm: "output.LayerNorm")
            pooler = "pooler.dense"
            (headDense, headClassifier, headActivation, headDropoutBeforeDense) =
                ("classifier.dense", "classifier.out_proj", .tanh, true)
            sequenceClassificationClass = .mpnetForSequenceClassification
            maskedLM = MaskedLM(dense: "lm_head.dense", norm: "lm_head.layer_norm", decoder: "lm_head.decoder",
                                bias: ["lm_head.bias", "lm_head.decoder.bias"], alwaysGELU: true)
        }
    }

    /// Prefix of block l, relative to the encoder prefix.
    package func layerPrefix(_ l: Int) -> String {
        family == .distilbert ? "transformer.layer.\(l)." : "encoder.layer.\(l)."
    }

    /// The `*ForSequenceClassification` parameters in the trainer's store order (HF names, encoder prefix included).
    /// Per block Q, K, V weights are adjacent (one [3C, C] matrix) and so are their biases ([3C]), so the projection
    /// is one GEMM; BERT's order is the one checkpoints were always written in.
    package func sequenceClassificationLayout(_ c: ModelConfig, numLabels: Int) -> [(name: String, shape: [Int])] {
        let C = c.hiddenSize, I = c.intermediateSize, p = family.basePrefix
        var out: [(name: String, shape: [Int])] = [(p + word, [c.vocabSize, C]), (p + position, [c.maxPositionEmbeddings, C])]
        if let tokenType { out.append((p + tokenType, [c.typeVocabSize, C])) }
        out += [(p + embeddingNorm + ".weight", [C]), (p + embeddingNorm + ".bias", [C])]
        for l in 0..<c.numHiddenLayers {
            let b = p + layerPrefix(l)
            out += [layer.query, layer.key, layer.value].map { (b + $0 + ".weight", [C, C]) }
            out += [layer.query, layer.key, layer.value].map { (b + $0 + ".bias", [C]) }
            out += [
                (b + layer.attentionOutput + ".weight", [C, C]), (b + layer.attentionOutput + ".bias", [C]),
                (b + layer.attentionNorm + ".weight", [C]), (b + layer.attentionNorm + ".bias", [C]),
                (b + layer.intermediate + ".weight", [I, C]), (b + layer.intermediate + ".bias", [I]),
                (b + layer.output + ".weight", [C, I]), (b + layer.output + ".bias", [C]),
                (b + layer.outputNorm + ".weight", [C]), (b + layer.outputNorm + ".bias", [C]),
            ]
        }
        if let relativeAttentionBias {
            out.append((p + relativeAttentionBias, [c.relativeAttentionNumBuckets, c.numAttentionHeads]))
        }
        out += [(headDense + ".weight", [C, C]), (headDense + ".bias", [C]),
                (headClassifier + ".weight", [numLabels, C]), (headClassifier + ".bias", [numLabels])]
        return out
    }

    /// Encoder block index of a store name, if it is inside a block.
    package func layerIndex(_ name: String) -> Int? {
        let prefix = family.basePrefix + (family == .distilbert ? "transformer.layer." : "encoder.layer.")
        guard name.hasPrefix(prefix) else { return nil }
        return Int(name.dropFirst(prefix.count).prefix { $0 != "." })
    }

    /// Whether a store name belongs to the embeddings (MPNet's shared relative bias counts with them: it feeds
    /// every block, so its gradient is whole only when no block is frozen).
    package func isEmbedding(_ name: String) -> Bool {
        name.hasPrefix(family.basePrefix + "embeddings.")
            || relativeAttentionBias.map { name == family.basePrefix + $0 } ?? false
    }
}
