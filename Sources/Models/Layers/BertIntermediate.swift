/// First feed-forward projection and activation (HF `BertIntermediate`; DistilBERT `ffn.lin1` + activation).
public struct BertIntermediate: Sendable {
    public let dense: Linear        // [I, C]
    public let activation: Activation

    package init(dense: Linear, activation: Activation) {
        self.dense = dense
        self.activation = activation
    }
}
