import SentimentTensor

extension Activation {
    /// Applies the activation in place to `count` values (HF ACT2FN semantics, activations.py).
    func apply(_ x: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .gelu: Kernels.gelu(x, count: count, out: x)
        case .geluNew, .geluPytorchTanh, .geluFast: Kernels.geluTanh(x, count: count, out: x)
        case .relu: Kernels.relu(x, count: count, out: x)
        }
    }
}
