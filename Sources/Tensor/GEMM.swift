import CKernels
import Foundation
import SentimentCore

/// GEMMs on operands that change between calls (training: weights updated every step, activations and gradients):
/// C[M,N] = op(A)[M,K]·op(B)[K,N] (+ bias[N]) (+ C when `accumulate`), row-major, `sgemm`'s conventions.
///
/// Two engines. The system BLAS (the default), or our fp32 / bf16 kernel with both operands packed on every call — A
/// into row tiles, B into column panels, read through strides so a transposed operand needs no copy
/// (`sk_f32_pack_rows_strided` / `sk_f32_pack_strided`, the bf16 twins), beta = 1 as `SK_EPILOGUE_ACCUMULATE`. Packing is O(MK + KN)
/// against the product's O(MNK). Measured on this project's AMD EPYC (Zen 4, which executes a 512-bit FMA as two
/// 256-bit halves, so AVX-512 has the AVX2 peak): at training's ~800-row shapes both run at the core's fp32 ceiling
/// (~105 GF/s a core) and BLAS is 5-15 % ahead (`sentiment bench gemm`, "training GEMM" rows), so BLAS stays the
/// default for fp32; `SENTIMENTKIT_TRAINING_GEMM=packed` selects ours (CPUs with two full-width AVX-512 FMA units,
/// where the BLAS is pinned to an AVX2 kernel). bf16 training (`sentiment train --precision bf16`: fp32 master
/// weights, both operands of every GEMM rounded to bfloat16, fp32 sums, as PyTorch's bf16 autocast) runs our bf16
/// kernel. Every output of ours is one sequential sum over k (thread-count independent).
public enum GEMM {
    /// What computes a `multiply`.
    public enum Engine: Sendable, Equatable {
        /// The system BLAS (fp32).
        case blas
        /// Our kernel on this path, in fp32 or bf16 (operands rounded to bfloat16 when packed, fp32 sums); the
        /// path falls back to the best one the CPU has for the precision.
        case packed(KernelPath, Precision)
    }

    private final class Setting: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Engine
        init(_ value: Engine) { self.value = value }
        var engine: Engine {
            get { lock.lock(); defer { lock.unlock() }; return value }
            set { lock.lock(); value = newValue; lock.unlock() }
        }
    }

    /// `SENTIMENTKIT_TRAINING_GEMM=packed` (and `SENTIMENTKIT_PACKED_GEMM` not 0): our fp32 kernel; otherwise BLAS.
    private static let setting = Setting({
        let environment = ProcessInfo.processInfo.environment
        guard environment["SENTIMENTKIT_TRAINING_GEMM"] == "packed", PackedWeights.isEnabled else { return .blas }
        return .packed(KernelPath.default(for: .fp32), .fp32)
    }())

    /// The process-wide engine of training's GEMMs (`Kernels.linear` and `LinearOp.backward` on weights that are
    /// not pre-packed): `.blas` by default. The trainer sets `.packed(_, .bf16)` for a bf16 run and restores it after.
    public static var training: Engine {
        get { setting.engine }
        set { setting.engine = newValue }
    }

    /// C[M,N] = op(A)·op(B) + bias (broadcast over rows, when given) + C (when `accumulate`).
    /// `lda`/`ldb`/`ldc` are the row strides as stored (a transposed A is stored K×M, a transposed B N×K).
    public static func multiply(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        bias: UnsafePointer<Float>? = nil, accumulate: Bool = false,
        c: UnsafeMutablePointer<Float>, ldc: Int, engine: Engine = training
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "GEMM: negative size \(m)x\(n)x\(k)")
        if m == 0 || n == 0 { return }
        guard case .packed(let path, let precision) = engine else {
            return blas(transA, transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, bias: bias,
                        accumulate: accumulate, c: c, ldc: ldc)
        }
        precondition(precision != .int8, "GEMM: int8 is for inference's pre-packed weights only")
        precondition(m <= Int32.max && n <= Int32.max && k <= Int32.max && ldc <= Int32.max, "GEMM: size beyond Int32")
        let bf16 = precision == .bf16
        let p = path.effective(for: precision).c
        let M = Int32(m), N = Int32(n), K = Int32(k)
        let tile = Int(sk_row_tile(precision.c, p))
        let width = Int(bf16 ? sk_bf16_panel_width(p) : sk_f32_panel_width(p))
        let aCount = sk_packed_rows_count(precision.c, p, M, K)
        let bCount = bf16 ? sk_bf16_packed_count(p, N, K) : sk_f32_packed_count(p, N, K)
        // op(A) element (i, kk) at a[i·ldm + kk·ldkA]; W = op(B)ᵀ element (j, kk) at b[j·ldn + kk·ldkB].
        let (ldm, ldkA) = transA == .none ? (lda, 1) : (1, lda)
        let (ldn, ldkB) = transB == .none ? (1, ldb) : (ldb, 1)
        let epilogue = accumulate ? SK_EPILOGUE_ACCUMULATE : SK_EPILOGUE_NONE
        let panels = (n + width - 1) / width, tiles = (m + tile - 1) / tile
        let elementBytes = bf16 ? 2 : 4
        withUnsafeTemporaryAllocation(byteCount: (aCount + bCount) * elementBytes, alignment: 64) { buffer in
            let base = buffer.baseAddress!, panelBase = base + aCount * elementBytes
            // 1. A's row tiles, split over workers when there is enough to copy.
            Parallel.forEachChunk(count: tiles, minimumChunk: max(1, (1 << 17) / (tile * max(1, k)))) { range in
                let r0 = Int32(range.lowerBound * tile), r1 = Int32(min(m, range.upperBound * tile))
                if bf16 {
                    sk_bf16_convert_rows_strided(p, a, M, K, ldm, ldkA, r0, r1, base.assumingMemoryBound(to: UInt16.self))
                } else {
                    sk_f32_pack_rows_strided(p, a, M, K, ldm, ldkA, r0, r1, base.assumingMemoryBound(to: Float.self))
                }
            }
            // 2. Each worker packs its own panels of B, then multiplies them (one parallel region, no hand-over).
            let minimumPanels = max(1, (1 << 20) / (2 * m * max(1, k) * width))
            Parallel.forEachChunk(count: panels, minimumChunk: minimumPanels) { range in
                let p0 = Int32(range.lowerBound), p1 = Int32(range.upperBound)
                if bf16 {
                    let packed = panelBase.assumingMemoryBound(to: UInt16.self)
                    sk_bf16_pack_strided(p, b, N, K, ldn, ldkB, p0, p1, packed)
                    sk_bf16_gemm(p, base.assumingMemoryBound(to: UInt16.self), M, K, packed, N, p0, p1, bias, epilogue,
                                 c, Int32(ldc))
                } else {
                    let packed = panelBase.assumingMemoryBound(to: Float.self)
                    sk_f32_pack_strided(p, b, N, K, ldn, ldkB, p0, p1, packed)
                    sk_f32_gemm(p, base.assumingMemoryBound(to: Float.self), M, K, packed, N, p0, p1, bias, epilogue,
                                c, Int32(ldc))
                }
            }
        }
    }

    /// The same contract through the system BLAS (bias rows first, then beta = 1).
    static func blas(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        bias: UnsafePointer<Float>?, accumulate: Bool, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if let bias {
            for r in 0..<m {
                let row = c + r * ldc
                if accumulate { for j in 0..<n { row[j] += bias[j] } } else { row.update(from: bias, count: n) }
            }
        }
        sgemm(transA, transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
              beta: bias != nil || accumulate ? 1 : 0, c: c, ldc: ldc)
    }
}
