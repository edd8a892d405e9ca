import Foundation

/// Learning-rate multipliers, exactly the HF `transformers.optimization` schedules (LambdaLR on optimiser steps).
///
/// `multiplier(step:)` takes the number of optimiser steps ALREADY taken (0 for the first update), like LambdaLR:
/// with warm-up the very first update uses lr·0, as in HF.
public enum LRSchedule: Sendable, Codable, Equatable {
    /// get_linear_schedule_with_warmup: 0 → 1 over `warmup` steps, then linearly to 0 at `total`.
    case linearWarmupDecay(warmup: Int, total: Int)
    /// get_constant_schedule_with_warmup.
    case constant(warmup: Int)
    /// get_cosine_schedule_with_warmup (half a cosine period after warm-up).
    case cosine(warmup: Int, total: Int)

    public func multiplier(step: Int) -> Float {
        switch self {
        case let .linearWarmupDecay(warmup, total):
            if step < warmup { return Float(step) / Float(max(1, warmup)) }
            return max(0, Float(total - step) / Float(max(1, total - warmup)))
        case let .constant(warmup):
            if step < warmup { return Float(step) / Float(max(1, warmup)) }
            return 1
        case let .cosine(warmup, total):
            if step < warmup { return Float(step) / Float(max(1, warmup)) }
            let progress = Double(step - warmup) / Double(max(1, total - warmup))
            return Float(max(0, 0.5 * (1 + cos(Double.pi * 2 * 0.5 * progress))))
        }
    }

    /// baseLR · multiplier(step:).
    public func learningRate(base: Float, step: Int) -> Float { base * multiplier(step: step) }
}
