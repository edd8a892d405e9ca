/// Second feed-forward projection, residual, LayerNorm (HF `BertOutput`; DistilBERT `ffn.lin2` + `output_layer_norm`).
public struct BertOutput: Sendable {
    public let dense: Linear        // [C, I]
    public let layerNorm: LayerNorm

    /// hidden[N, C] = LayerNorm(dense(intermediate) + hidden); `scratch` is [N, C].
    func forward(_ intermediate: UnsafePointer<Float>, rows: Int, hidden: UnsafeMutablePointer<Float>,
                 scratch: UnsafeMutablePointer<Float>) {
        residualLayerNorm(dense, layerNorm, input: intermediate, rows: rows, hidden: hidden, scratch: scratch)
    }
}
