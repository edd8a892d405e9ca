import SentimentCore
import SentimentTensor

/// Runs `body` with training's GEMMs (`GEMM.training`) in `precision`: fp32 keeps the process's engine (BLAS, unless
/// `SENTIMENTKIT_TRAINING_GEMM=packed`), bf16 runs our bf16 kernel on the best path this CPU has (AVX512_BF16; the
/// generic C path elsewhere, correct but slow). The engine is restored afterwards. Process-wide: one training at a time.
public func withTrainingPrecision<T>(_ precision: Precision, _ body: () throws -> T) rethrows -> T {
    precondition(precision != .int8, "training runs in fp32 or bf16; int8 is for inference")
    guard precision == .bf16 else { return try body() }
    let saved = GEMM.training
    GEMM.training = .packed(KernelPath.default(for: .bf16), .bf16)
    defer { GEMM.training = saved }
    return try body()
}

extension Precision {
    /// The fastest training (and teacher) precision on this CPU: bf16 where it has AVX512_BF16 (1.7× the fp32 step
    /// here, same accuracy: docs/performance.md), fp32 elsewhere (the generic bf16 kernel is slower than BLAS).
    public static var fastestTraining: Precision { KernelPath.default(for: .bf16) == .avx512 ? .bf16 : .fp32 }
}
