import Foundation
import SentimentModels
import SentimentTensor

/// torch.optim.AdamW (single-tensor CPU path, amsgrad off), over a whole `ParameterStore` in one loop:
///
///     θ ← θ · (1 − lr·λ)                      (decoupled decay; only entries with `decays`)
///     m ← m + (1 − β1)(g − m)                 (torch uses lerp)
///     v ← β2·v + (1 − β2)·g²
///     θ ← θ − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)
///
/// Frozen entries (`trainable == false`) are skipped entirely, as torch skips parameters without a gradient.
/// State for exact resume: `step` plus `m`/`v` (write them with `stateTensors()`; they are as large as the model,
/// so keep them out of JSON), and the hyperparameters (Codable).
public struct AdamW: Sendable, Codable, Equatable {
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    /// Number of optimiser steps taken so far (t in the bias corrections).
    public var step: Int
    /// First moments, one per parameter float — or one per trainable float, in store order (`init(trainableOf:)`:
    /// no state for frozen weights, e.g. a LoRA run's base model).
    public var m: [Float]
    /// Second moments, laid out as `m`.
    public var v: [Float]

    /// State for the store's trainable entries only (frozen ones never move, so they need no moments).
    public init(trainableOf store: ParameterStore, weightDecay: Float = 0.01) {
        self.init(parameterCount: store.trainableCount, weightDecay: weightDecay)
    }

    public init(parameterCount: Int, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        step = 0
        m = [Float](repeating: 0, count: parameterCount)
        v = [Float](repeating: 0, count: parameterCount)
    }

    /// One update of every trainable parameter with learning rate `lr`, reading `store.grads` (not zeroing them).
    ///
    /// `lrMultipliers` (one per `store.entries` element, e.g. from `TrainableClassifier.layerwiseLRMultipliers`) gives
    /// entry e the learning rate lr·multiplier[e] — torch param groups with their own lr: both the step and the
    /// decoupled decay use it.
    public mutating func update(_ store: ParameterStore, lr: Float, lrMultipliers: [Float]? = nil) {
        precondition(m.count == store.count || m.count == store.trainableCount,
                     "AdamW state for \(m.count) parameters, store has \(store.count) (\(store.trainableCount) trainable)")
        let compact = m.count != store.count   // moments for the trainable entries only, in store order
        precondition(lrMultipliers == nil || lrMultipliers!.count == store.entries.count,
                     "\(lrMultipliers?.count ?? 0) learning-rate multipliers for \(store.entries.count) entries")
        step += 1
        // torch computes the bias corrections in double precision (Python floats), then casts per op.
        let bc1 = 1 - pow(Double(beta1), Double(step))
        let bc2Sqrt = (1 - pow(Double(beta2), Double(step))).squareRoot()
        let invBC2Sqrt = Float(bc2Sqrt)
        let b1c = 1 - beta1, b2 = beta2, b2c = 1 - beta2, eps = epsilon, weightDecay = weightDecay
        nonisolated(unsafe) let values = store.values, grads = store.grads
        m.withUnsafeMutableBufferPointer { mp in
            v.withUnsafeMutableBufferPointer { vp in
                nonisolated(unsafe) let mb = mp.baseAddress!, vb = vp.baseAddress!
                let ranges = trainableChunks(store)
                Parallel.forEach(count: ranges.count) { r in
                    let (start, end) = (ranges[r].range.lowerBound, ranges[r].range.upperBound)
                    let entryLR = lr * (lrMultipliers?[ranges[r].entry] ?? 1)
                    let stepSize = Float(Double(entryLR) / bc1)
                    let decay = ranges[r].decays ? 1 - entryLR * weightDecay : 1
                    var i = start
                    let mb = mb + (compact ? ranges[r].compact - start : 0), vb = vb + (compact ? ranges[r].compact - start : 0)
                    // Same operation order as torch (decay, lerp, addcmul, sqrt/÷/+eps, addcdiv), 16 lanes at a time.
                    while i < end {
                        let n = min(Vec.scalarCount, end - i)
                        let g = loadLanes(grads + i, n)
                        let mi = loadLanes(mb + i, n) + b1c * (g - loadLanes(mb + i, n))
                        let vi = b2 * loadLanes(vb + i, n) + b2c * g * g
                        let denom = vi.squareRoot() / invBC2Sqrt + eps
                        storeLanes(mi, mb + i, n)
                        storeLanes(vi, vb + i, n)
                        storeLanes(loadLanes(values + i, n) * decay - stepSize * (mi / denom), values + i, n)
                        i += n
                    }
                }
            }
        }
    }

    /// m and v as tensors, for checkpoint files (names "adamw.m", "adamw.v").
    public func stateTensors() -> [String: Tensor] {
        ["adamw.m": Tensor(shape: [m.count], data: m), "adamw.v": Tensor(shape: [v.count], data: v)]
    }

    /// Restores m and v from `stateTensors()` output (step and hyperparameters come from the Codable part, e.g. a
    /// decoded `withoutMoments` copy).
    public mutating func load(stateTensors: [String: Tensor]) throws {
        guard let mt = stateTensors["adamw.m"] else { throw TrainingError.missingWeight("adamw.m") }
        guard let vt = stateTensors["adamw.v"] else { throw TrainingError.missingWeight("adamw.v") }
        // Sizes: m and v must agree; `update` checks them against the store.
        guard vt.count == mt.count else { throw TrainingError.shapeMismatch(name: "adamw.v", expected: [mt.count], got: vt.shape) }
        m = mt.storage
        v = vt.storage
    }

    /// Hyperparameters and step without the moment arrays (for a small JSON checkpoint header).
    public var withoutMoments: AdamW {
        var copy = self
        copy.m = []
        copy.v = []
        return copy
    }
}
