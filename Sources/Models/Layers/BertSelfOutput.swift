/// Attention output projection, dropout, residual, LayerNorm (HF `BertSelfOutput`; DistilBERT `out_lin` +
/// `sa_layer_norm`, no dropout; MPNet `attn.o` + `MPNetAttention.LayerNorm`).
public struct BertSelfOutput: Sendable {
    public let dense: Linear        // [C, C]
    public let layerNorm: LayerNorm

    package init(dense: Linear, layerNorm: LayerNorm) {
        self.dense = dense
        self.layerNorm = layerNorm
    }
}
