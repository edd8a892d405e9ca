import SentimentTensor

extension Activation {
    /// out = act(x) for `count` values (HF ACT2FN semantics, activations.py); `out` may be `x`.
    func forward(_ x: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>) {
        switch self {
        case .gelu: GELUOp.forward(x, count: count, out: out)
        case .geluNew, .geluPytorchTanh, .geluFast: Kernels.geluTanh(x, count: count, out: out)
        case .relu: Kernels.relu(x, count: count, out: out)
        }
    }

    /// dx = dout · act'(x), in place on `dout` (x the input, y the output). Training supports exact GELU only
    /// (`TrainableClassifier` refuses the others up front).
    func backward(_ dout: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, y: UnsafePointer<Float>, count: Int) {
        switch self {
        case .gelu: GELUOp.backward(dout, x: x, count: count)
        case .relu: for i in 0..<count where x[i] <= 0 { dout[i] = 0 }
        case .geluNew, .geluPytorchTanh, .geluFast: preconditionFailure("no backward for \(rawValue)")
        }
    }
}
