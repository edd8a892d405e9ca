import CKernels
import Foundation
import SentimentCore

/// GEMMs on operands that change between calls (training: weights updated every step, activations and gradients):
/// C[M,N] = op(A)[M,K]·op(B)[K,N] (+ bias[N]) (+ C when `accumulate`), row-major, `sgemm`'s conventions.
///
/// Two engines. The system BLAS (the default), or our fp32 kernel with both operands packed on every call — A into row
/// tiles, B into column panels, read through strides so a transposed operand needs no copy
/// (`sk_f32_pack_rows_strided`, `sk_f32_pack_strided`), beta = 1 as `SK_EPILOGUE_ACCUMULATE`. Packing is O(MK + KN)
/// against the product's O(MNK). Measured on this project's AMD EPYC (Zen 4, which executes a 512-bit FMA as two
/// 256-bit halves, so AVX-512 has the AVX2 peak): at training's ~800-row shapes both run at the core's fp32 ceiling
/// (~105 GF/s a core) and BLAS is 5-15 % ahead (`sentiment bench gemm`, "training GEMM" rows), so BLAS stays the
/// default; `SENTIMENTKIT_TRAINING_GEMM=packed` selects ours (CPUs with two full-width AVX-512 FMA units, where the
/// BLAS is pinned to an AVX2 kernel). Every output of ours is one sequential sum over k (thread-count independent).
public enum GEMM {
    /// The path `multiply` runs our kernel on by default: the process's fp32 path when `SENTIMENTKIT_TRAINING_GEMM`
    /// is `packed` (and `SENTIMENTKIT_PACKED_GEMM` is not 0); nil (the default): the system BLAS.
    public static let ownPath: KernelPath? = {
        let environment = ProcessInfo.processInfo.environment
        guard environment["SENTIMENTKIT_TRAINING_GEMM"] == "packed", PackedWeights.isEnabled else { return nil }
        return KernelPath.default(for: .fp32)
    }()

    /// C[M,N] = op(A)·op(B) + bias (broadcast over rows, when given) + C (when `accumulate`).
    /// `lda`/`ldb`/`ldc` are the row strides as stored (a transposed A is stored K×M, a transposed B N×K).
    /// `path`: our kernel on that path (tests run every path), nil: BLAS; default `ownPath`.
    public static func multiply(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        bias: UnsafePointer<Float>? = nil, accumulate: Bool = false,
        c: UnsafeMutablePointer<Float>, ldc: Int, path: KernelPath? = ownPath
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "GEMM: negative size \(m)x\(n)x\(k)")
        if m == 0 || n == 0 { return }
        guard let path else {
            return blas(transA, transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, bias: bias,
                        accumulate: accumulate, c: c, ldc: ldc)
        }
        precondition(m <= Int32.max && n <= Int32.max && k <= Int32.max && ldc <= Int32.max, "GEMM: size beyond Int32")
        let p = path.effective(for: .fp32).c
        let M = Int32(m), N = Int32(n), K = Int32(k)
        let tile = Int(sk_row_tile(SK_FP32, p)), width = Int(sk_f32_panel_width(p))
        let aCount = sk_packed_rows_count(SK_FP32, p, M, K), bCount = sk_f32_packed_count(p, N, K)
        // op(A) element (i, kk) at a[i·ldm + kk·ldkA]; W = op(B)ᵀ element (j, kk) at b[j·ldn + kk·ldkB].
        let (ldm, ldkA) = transA == .none ? (lda, 1) : (1, lda)
        let (ldn, ldkB) = transB == .none ? (1, ldb) : (ldb, 1)
        let epilogue = accumulate ? SK_EPILOGUE_ACCUMULATE : SK_EPILOGUE_NONE
        let panels = (n + width - 1) / width, tiles = (m + tile - 1) / tile
        withUnsafeTemporaryAllocation(of: Float.self, capacity: aCount + bCount) { buffer in
            let aTiles = buffer.baseAddress!, bPanels = aTiles + aCount
            // 1. A's row tiles, split over workers when there is enough to copy.
            Parallel.forEachChunk(count: tiles, minimumChunk: max(1, (1 << 17) / (tile * max(1, k)))) { range in
                sk_f32_pack_rows_strided(p, a, M, K, ldm, ldkA, Int32(range.lowerBound * tile),
                                         Int32(min(m, range.upperBound * tile)), aTiles)
            }
            // 2. Each worker packs its own panels of B, then multiplies them (one parallel region, no hand-over).
            let minimumPanels = max(1, (1 << 20) / (2 * m * max(1, k) * width))
            Parallel.forEachChunk(count: panels, minimumChunk: minimumPanels) { range in
                let p0 = Int32(range.lowerBound), p1 = Int32(range.upperBound)
                sk_f32_pack_strided(p, b, N, K, ldn, ldkB, p0, p1, bPanels)
                sk_f32_gemm(p, aTiles, M, K, bPanels, N, p0, p1, bias, epilogue, c, Int32(ldc))
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
