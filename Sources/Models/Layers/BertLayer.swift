/// One transformer block, post-LayerNorm (HF `BertLayer`; DistilBERT's `TransformerBlock` and MPNet's `MPNetLayer`
/// compute the same function under other key names, so they load into this type too):
///   h = LayerNorm(h + dropout(W_o·Attention(h)))        (BertAttention = BertSelfAttention + BertSelfOutput)
///   h = LayerNorm(h + dropout(W_2·act(W_1·h)))          (BertIntermediate + BertOutput)
/// A typed view of the block's parameters; `EncoderPass` runs it forward and backward.
public struct BertLayer: Sendable {
    public let attention: BertSelfAttention
    public let attentionOutput: BertSelfOutput
    public let intermediate: BertIntermediate
    public let output: BertOutput

    /// The block under `prefix` (e.g. "bert.encoder.layer.3.") with the family's key names.
    init(_ reader: CheckpointReader, prefix p: String, keys k: ParameterKeys.Layer, config: ModelConfig) throws {
        let c = config.hiddenSize, i = config.intermediateSize, eps = config.layerNormEps
        self.init(
            attention: try BertSelfAttention(reader, names: [k.query, k.key, k.value].map { p + $0 }, config: config),
            attentionOutput: BertSelfOutput(
                dense: try Linear(reader, p + k.attentionOutput, out: c, in: c, packing: reader.precision),
                layerNorm: try LayerNorm(reader, p + k.attentionNorm, size: c, eps: eps)),
            intermediate: BertIntermediate(
                dense: try Linear(reader, p + k.intermediate, out: i, in: c, packing: reader.precision), activation: config.hiddenAct),
            output: BertOutput(
                dense: try Linear(reader, p + k.output, out: c, in: i, packing: reader.precision),
                layerNorm: try LayerNorm(reader, p + k.outputNorm, size: c, eps: eps)))
    }

    package init(attention: BertSelfAttention, attentionOutput: BertSelfOutput, intermediate: BertIntermediate,
                 output: BertOutput) {
        self.attention = attention
        self.attentionOutput = attentionOutput
        self.intermediate = intermediate
        self.output = output
    }
}
