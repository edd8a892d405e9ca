import SentimentCore
import SentimentTensor

/// torch.nn.Linear: y = x·Wᵀ + b with W stored [out, in], as in the checkpoint.
public struct Linear: Sendable {
    public let weight: Weight   // [out, in]
    public let bias: Weight?    // [out]
    /// The weight packed once for our GEMM kernels in the model's precision (nil: BLAS; see `PackedWeights`).
    let packed: PackedWeights?
    /// LoRA adapters whose input dropout the training forward applies (`LinearOp.forwardTraining`): the weight
    /// holds the merged W₀ + s·B·A; empty at inference and without LoRA dropout.
    package var droppedAdapters: [LoRAView] = []
    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    /// Reads `key.weight` [out, in] and `key.bias` [out]; packs in `packing` (nil: keep unpacked).
    init(_ reader: CheckpointReader, _ key: String, out: Int, in inFeatures: Int, bias hasBias: Bool = true,
         packing: Precision? = .fp32) throws {
        self.init(weight: try reader.weight(key + ".weight", shape: [out, inFeatures]),
                  bias: hasBias ? try reader.weight(key + ".bias", shape: [out]) : nil, packing: packing)
    }

    /// `packing`: lay the weight out once for our GEMM kernels in that precision (inference: the weight never
    /// changes). A view of weights that change (the trainer's parameter store) passes nil: it reads them in place.
    package init(weight: Weight, bias: Weight?, packing: Precision? = .fp32) {
        self.weight = weight
        self.bias = bias
        packed = packing.flatMap {
            PackedWeights.forInference(weight: weight.pointer, outFeatures: weight.shape[0], inFeatures: weight.shape[1],
                                       precision: $0)
        }
    }

    /// The precision this layer computes in (fp32 when unpacked).
    public var precision: Precision { packed?.precision ?? .fp32 }

    /// Output rows `range` of this layer (e.g. Q alone, or K and V, of a fused QKV projection); unpacked views only.
    package func rows(_ range: Range<Int>) -> Linear {
        precondition(packed == nil, "row slices of a pre-packed weight are not supported")
        var slice = Linear(weight: Weight(pointer: weight.pointer + range.lowerBound * inFeatures, shape: [range.count, inFeatures]),
                           bias: bias.map { Weight(pointer: $0.pointer + range.lowerBound, shape: [range.count]) }, packing: nil)
        slice.droppedAdapters = LoRAView.slice(droppedAdapters, range)
        return slice
    }

    /// out[rows, outFeatures] = x[rows, inFeatures]·Wᵀ + b (`LinearOp.forward`).
    public func callAsFunction(_ x: UnsafePointer<Float>, rows: Int, out: UnsafeMutablePointer<Float>) {
        LinearOp.forward(self, x, rows: rows, out: out)
    }

    /// out = GELU(x·Wᵀ + b), fused into the packed kernel's epilogue when packed (`LinearOp.forward`).
    public func gelu(_ x: UnsafePointer<Float>, rows: Int, out: UnsafeMutablePointer<Float>) {
        LinearOp.forward(self, x, rows: rows, out: out, epilogue: .gelu)
    }
}
