import SentimentTensor

/// torch.nn.LayerNorm over the last dimension. Accepts the legacy TF-port names `gamma`/`beta`
/// (`CheckpointReader.resolve`).
public struct LayerNorm: Sendable {
    public let weight: Weight   // [C] (gamma)
    public let bias: Weight     // [C] (beta)
    public let eps: Float

    init(_ reader: CheckpointReader, _ key: String, size: Int, eps: Float) throws {
        weight = try reader.weight(reader.resolve(key + ".weight") ?? key + ".weight", shape: [size])
        bias = try reader.weight(reader.resolve(key + ".bias") ?? key + ".bias", shape: [size])
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
