/// Second feed-forward projection, dropout, residual, LayerNorm (HF `BertOutput`; DistilBERT `ffn.lin2` +
/// `output_layer_norm`; MPNet `MPNetOutput`).
public struct BertOutput: Sendable {
    public let dense: Linear        // [C, I]
    public let layerNorm: LayerNorm

    package init(dense: Linear, layerNorm: LayerNorm) {
        self.dense = dense
        self.layerNorm = layerNorm
    }
}
