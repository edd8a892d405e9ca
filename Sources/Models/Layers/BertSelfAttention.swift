/// Multi-head scaled dot-product self-attention (HF `BertSelfAttention`, DistilBERT `MultiHeadSelfAttention`,
/// MPNet `MPNetSelfAttention` without its output projection, which is `BertSelfOutput.dense` here).
///
/// Query, key and value projections are one [3C, C] weight (fused at load time for inference; adjacent in the
/// trainer's store), so the projection is one GEMM over all packed tokens. The attention core itself is
/// `AttentionOp` (softmax(Q·Kᵀ · 1/√d + bias)·V per sequence and head, as `eager_attention_forward`).
public struct BertSelfAttention: Sendable {
    /// Rows 0..<C are the query weights, C..<2C key, 2C..<3C value.
    public let queryKeyValue: Linear   // [3C, C]
    public let numHeads: Int
    public var hiddenSize: Int { queryKeyValue.inFeatures }
    public var headSize: Int { hiddenSize / numHeads }

    /// `names` are the three projections' keys, e.g. ["…attention.self.query", "…key", "…value"] or DistilBERT's q_lin/k_lin/v_lin.
    init(_ reader: CheckpointReader, names: [String], config: ModelConfig) throws {
        let c = config.hiddenSize
        let parts = try names.map { try Linear(reader, $0, out: c, in: c, packing: nil) }
        self.init(queryKeyValue: Linear(weight: reader.concatenatedRows(parts.map(\.weight)),
                                        bias: reader.concatenatedRows(parts.map { $0.bias! }), packing: reader.precision),
                  numHeads: config.numAttentionHeads)
    }

    package init(queryKeyValue: Linear, numHeads: Int) {
        self.queryKeyValue = queryKeyValue
        self.numHeads = numHeads
    }
}
