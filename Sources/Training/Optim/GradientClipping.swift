import Foundation

/// torch.nn.utils.clip_grad_norm_ over the trainable entries: returns the global L2 norm BEFORE clipping and scales
/// every gradient by min(1, maxNorm / (norm + 1e-6)). Pass `maxNorm: .infinity` to only measure the norm.
@discardableResult
public func clipGradientNorm(_ store: ParameterStore, maxNorm: Float) -> Float {
    // Per-tensor norms in Float (as torch), combined as the norm of norms; accumulated in Double for stability.
    var sumSquares: Double = 0
    for e in store.entries where e.trainable {
        let g = store.grads + e.offset
        var s: Double = 0
        for i in 0..<e.count { s += Double(g[i] * g[i]) }
        sumSquares += s
    }
    let norm = Float(sumSquares.squareRoot())
    guard maxNorm.isFinite else { return norm }
    let coefficient = min(1, maxNorm / (norm + 1e-6))
    if coefficient < 1 {
        for e in store.entries where e.trainable {
            let g = store.grads + e.offset
            for i in 0..<e.count { g[i] *= coefficient }
        }
    }
    return norm
}
