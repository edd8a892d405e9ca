/// One transformer block, post-LayerNorm (HF `BertLayer`; DistilBERT's `TransformerBlock` computes the same function
/// under other key names, so it loads into this type too):
///   h = LayerNorm(h + W_o·Attention(h))                 (BertAttention = BertSelfAttention + BertSelfOutput)
///   h = LayerNorm(h + W_2·act(W_1·h))                   (BertIntermediate + BertOutput)
public struct BertLayer: Sendable {
    public let attention: BertSelfAttention
    public let attentionOutput: BertSelfOutput
    public let intermediate: BertIntermediate
    public let output: BertOutput

    /// Where a block's tensors live under its prefix: BERT / RoBERTa names (modeling_bert.py) or DistilBERT's
    /// (modeling_distilbert.py `TransformerBlock`).
    struct Keys {
        var query, key, value, attentionOutput, attentionNorm, intermediate, output, outputNorm: String

        static let bert = Keys(
            query: "attention.self.query", key: "attention.self.key", value: "attention.self.value",
            attentionOutput: "attention.output.dense", attentionNorm: "attention.output.LayerNorm",
            intermediate: "intermediate.dense", output: "output.dense", outputNorm: "output.LayerNorm")
        static let distilBert = Keys(
            query: "attention.q_lin", key: "attention.k_lin", value: "attention.v_lin",
            attentionOutput: "attention.out_lin", attentionNorm: "sa_layer_norm",
            intermediate: "ffn.lin1", output: "ffn.lin2", outputNorm: "output_layer_norm")
    }

    /// The block under `prefix` (e.g. "bert.encoder.layer.3." with `.bert` keys).
    init(_ reader: CheckpointReader, prefix p: String, keys k: Keys, config: ModelConfig) throws {
        let c = config.hiddenSize, i = config.intermediateSize, eps = config.layerNormEps
        attention = try BertSelfAttention(reader, names: [k.query, k.key, k.value].map { p + $0 }, config: config)
        attentionOutput = BertSelfOutput(
            dense: try Linear(reader, p + k.attentionOutput, out: c, in: c),
            layerNorm: try LayerNorm(reader, p + k.attentionNorm, size: c, eps: eps))
        intermediate = BertIntermediate(
            dense: try Linear(reader, p + k.intermediate, out: i, in: c), activation: config.hiddenAct)
        output = BertOutput(
            dense: try Linear(reader, p + k.output, out: c, in: i),
            layerNorm: try LayerNorm(reader, p + k.outputNorm, size: c, eps: eps))
    }

    /// Updates `workspace.hidden` [N, C] in place.
    func forward(_ batch: PackedBatch, _ ws: EncoderWorkspace, capture: UnsafeMutablePointer<Float>?) {
        let n = batch.tokenCount
        attention.forward(ws.hidden, batch: batch, qkv: ws.qkv, context: ws.context, capture: capture)
        attentionOutput.forward(ws.context, rows: n, hidden: ws.hidden, scratch: ws.scratch)
        intermediate.forward(ws.hidden, rows: n, out: ws.intermediate)
        output.forward(ws.intermediate, rows: n, hidden: ws.hidden, scratch: ws.scratch)
    }
}
