/// One transformer block, post-LayerNorm (HF `BertLayer`; DistilBERT's `TransformerBlock` computes the same function
/// under other key names, so it loads into this type too):
///   h = LayerNorm(h + W_o·Attention(h))                 (BertAttention = BertSelfAttention + BertSelfOutput)
///   h = LayerNorm(h + W_2·act(W_1·h))                   (BertIntermediate + BertOutput)
public struct BertLayer: Sendable {
    public let attention: BertSelfAttention
    public let attentionOutput: BertSelfOutput
    public let intermediate: BertIntermediate
    public let output: BertOutput

    /// BERT / RoBERTa keys under `prefix` (e.g. "bert.encoder.layer.3.").
    init(bert reader: CheckpointReader, prefix p: String, config: ModelConfig) throws {
        let c = config.hiddenSize, i = config.intermediateSize, eps = config.layerNormEps
        attention = try BertSelfAttention(
            reader, names: ["query", "key", "value"].map { p + "attention.self." + $0 }, config: config)
        attentionOutput = BertSelfOutput(
            dense: try Linear(reader, p + "attention.output.dense", out: c, in: c),
            layerNorm: try LayerNorm(reader, p + "attention.output.LayerNorm", size: c, eps: eps))
        intermediate = BertIntermediate(
            dense: try Linear(reader, p + "intermediate.dense", out: i, in: c), activation: config.hiddenAct)
        output = BertOutput(
            dense: try Linear(reader, p + "output.dense", out: c, in: i),
            layerNorm: try LayerNorm(reader, p + "output.LayerNorm", size: c, eps: eps))
    }

    /// DistilBERT keys under `prefix` (e.g. "distilbert.transformer.layer.3."), modeling_distilbert.py `TransformerBlock`.
    init(distilBert reader: CheckpointReader, prefix p: String, config: ModelConfig) throws {
        let c = config.hiddenSize, i = config.intermediateSize, eps = config.layerNormEps
        attention = try BertSelfAttention(
            reader, names: ["q_lin", "k_lin", "v_lin"].map { p + "attention." + $0 }, config: config)
        attentionOutput = BertSelfOutput(
            dense: try Linear(reader, p + "attention.out_lin", out: c, in: c),
            layerNorm: try LayerNorm(reader, p + "sa_layer_norm", size: c, eps: eps))
        intermediate = BertIntermediate(
            dense: try Linear(reader, p + "ffn.lin1", out: i, in: c), activation: config.hiddenAct)
        output = BertOutput(
            dense: try Linear(reader, p + "ffn.lin2", out: c, in: i),
            layerNorm: try LayerNorm(reader, p + "output_layer_norm", size: c, eps: eps))
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
