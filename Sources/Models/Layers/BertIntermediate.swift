/// First feed-forward projection and activation (HF `BertIntermediate`; DistilBERT `ffn.lin1` + activation).
public struct BertIntermediate: Sendable {
    public let dense: Linear        // [I, C]
    public let activation: Activation

    /// out[N, I] = act(dense(hidden)).
    func forward(_ hidden: UnsafePointer<Float>, rows: Int, out: UnsafeMutablePointer<Float>) {
        dense(hidden, rows: rows, out: out)
        activation.apply(out, count: rows * dense.outFeatures)
    }
}
