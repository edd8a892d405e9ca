import SentimentTensor

/// torch.nn.Linear: y = x·Wᵀ + b with W stored [out, in], as in the checkpoint.
public struct Linear: Sendable {
    public let weight: Weight   // [out, in]
    public let bias: Weight?    // [out]
    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    /// Reads `key.weight` [out, in] and `key.bias` [out].
    init(_ reader: CheckpointReader, _ key: String, out: Int, in inFeatures: Int, bias hasBias: Bool = true) throws {
        weight = try reader.weight(key + ".weight", shape: [out, inFeatures])
        bias = hasBias ? try reader.weight(key + ".bias", shape: [out]) : nil
    }

    init(weight: Weight, bias: Weight?) {
        self.weight = weight
        self.bias = bias
    }

    /// out[rows, outFeatures] = x[rows, inFeatures]·Wᵀ + b.
    func callAsFunction(_ x: UnsafePointer<Float>, rows: Int, out: UnsafeMutablePointer<Float>) {
        Kernels.linear(x, rows: rows, inFeatures: inFeatures, weight: weight.pointer, bias: bias?.pointer,
                       outFeatures: outFeatures, out: out)
    }
}
