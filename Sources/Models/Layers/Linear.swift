import SentimentTensor

/// torch.nn.Linear: y = x·Wᵀ + b with W stored [out, in], as in the checkpoint.
public struct Linear: Sendable {
    public let weight: Weight   // [out, in]
    public let bias: Weight?    // [out]
    /// The weight re-laid out once for the register kernel (nil: BLAS; see `PackedWeights`).
    let packed: PackedWeights?
    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    /// Reads `key.weight` [out, in] and `key.bias` [out].
    init(_ reader: CheckpointReader, _ key: String, out: Int, in inFeatures: Int, bias hasBias: Bool = true,
         packs: Bool = true) throws {
        self.init(weight: try reader.weight(key + ".weight", shape: [out, inFeatures]),
                  bias: hasBias ? try reader.weight(key + ".bias", shape: [out]) : nil, packs: packs)
    }

    /// `packs`: lay the weight out once for the register kernel (inference: the weight never changes). A view of
    /// weights that change (the trainer's parameter store) must not pack: it reads them in place through BLAS.
    package init(weight: Weight, bias: Weight?, packs: Bool = true) {
        self.weight = weight
        self.bias = bias
        packed = packs
            ? PackedWeights.packIfFaster(weight: weight.pointer, outFeatures: weight.shape[0], inFeatures: weight.shape[1])
            : nil
    }

    /// Output rows `range` of this layer (e.g. Q alone, or K and V, of a fused QKV projection); unpacked views only.
    package func rows(_ range: Range<Int>) -> Linear {
        precondition(packed == nil, "row slices of a pre-packed weight are not supported")
        return Linear(weight: Weight(pointer: weight.pointer + range.lowerBound * inFeatures, shape: [range.count, inFeatures]),
                      bias: bias.map { Weight(pointer: $0.pointer + range.lowerBound, shape: [range.count]) }, packs: false)
    }

    /// out[rows, outFeatures] = x[rows, inFeatures]·Wᵀ + b: the pre-packed kernel when the weight was packed, else BLAS.
    public func callAsFunction(_ x: UnsafePointer<Float>, rows: Int, out: UnsafeMutablePointer<Float>) {
        if let packed { return packed.linear(x, rows: rows, bias: bias?.pointer, out: out) }
        Kernels.linear(x, rows: rows, inFeatures: inFeatures, weight: weight.pointer, bias: bias?.pointer,
                       outFeatures: outFeatures, out: out)
    }
}
