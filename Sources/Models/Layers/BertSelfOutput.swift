import SentimentTensor

/// Attention output projection, residual, LayerNorm (HF `BertSelfOutput`; DistilBERT `out_lin` + `sa_layer_norm`).
public struct BertSelfOutput: Sendable {
    public let dense: Linear        // [C, C]
    public let layerNorm: LayerNorm

    init(dense: Linear, layerNorm: LayerNorm) {
        self.dense = dense
        self.layerNorm = layerNorm
    }

    /// hidden[N, C] = LayerNorm(dense(context) + hidden); `scratch` is [N, C].
    func forward(_ context: UnsafePointer<Float>, rows: Int, hidden: UnsafeMutablePointer<Float>,
                 scratch: UnsafeMutablePointer<Float>) {
        residualLayerNorm(dense, layerNorm, input: context, rows: rows, hidden: hidden, scratch: scratch)
    }
}

/// hidden = LayerNorm(dense(input) + hidden): the post-LN residual block shared by BertSelfOutput and BertOutput.
func residualLayerNorm(_ dense: Linear, _ layerNorm: LayerNorm, input: UnsafePointer<Float>, rows: Int,
                       hidden: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
    dense(input, rows: rows, out: scratch)
    Kernels.addInPlace(scratch, hidden, count: rows * dense.outFeatures)
    layerNorm(scratch, rows: rows, out: hidden)
}
