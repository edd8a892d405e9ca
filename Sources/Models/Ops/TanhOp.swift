import SentimentTensor

/// tanh (BERT pooler): forward `Kernels.tanhActivation`, backward dy·(1 − y²).
package enum TanhOp {
    package static func forward(_ x: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>) {
        Kernels.tanhActivation(x, count: count, out: out)
    }

    /// dx = dy · (1 − y²), in place on `dy` (y is the tanh output).
    package static func backward(_ dy: UnsafeMutablePointer<Float>, y: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { dy[i] *= 1 - y[i] * y[i] }
    }
}
