import SentimentTensor

/// torch.nn.LayerNorm over the last dimension. Accepts the legacy TF-port names `gamma`/`beta`, which HF renames to
/// `weight`/`bias` on load (modeling_utils.py `_fix_state_dict_key_on_load`).
public struct LayerNorm: Sendable {
    public let weight: Weight   // [C] (gamma)
    public let bias: Weight     // [C] (beta)
    public let eps: Float

    init(_ reader: CheckpointReader, _ key: String, size: Int, eps: Float) throws {
        let legacy = !reader.contains(key + ".weight") && reader.contains(key + ".gamma")
        weight = try reader.weight(key + (legacy ? ".gamma" : ".weight"), shape: [size])
        bias = try reader.weight(key + (legacy ? ".beta" : ".bias"), shape: [size])
        self.eps = eps
    }

    package init(weight: Weight, bias: Weight, eps: Float) {
        self.weight = weight
        self.bias = bias
        self.eps = eps
    }

    /// Normalises each row of x[rows, C] into `out` (may alias x): `LayerNormOp.forward`.
    func callAsFunction(_ x: UnsafePointer<Float>, rows: Int, out: UnsafeMutablePointer<Float>) {
        LayerNormOp.forward(self, x, rows: rows, out: out)
    }
}
