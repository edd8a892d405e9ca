#if canImport(Accelerate)
import Accelerate
#elseif canImport(COpenBLAS)
import COpenBLAS
#endif

/// Whether a GEMM operand is used as stored or transposed.
public enum Transpose: Sendable {
    case none
    case transposed
}

/// C[M,N] = alpha · op(A)[M,K] · op(B)[K,N] + beta · C, row-major, through the system BLAS.
///
/// `lda`, `ldb`, `ldc` are the row strides of the matrices as stored (for a transposed operand,
/// the stored matrix is K×M or N×K). PyTorch's `nn.Linear` computes x·Wᵀ, i.e. `transB: .transposed`
/// with W stored [out, in].
@inlinable
public func sgemm(
    _ transA: Transpose, _ transB: Transpose,
    m: Int, n: Int, k: Int,
    alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size \(m)x\(n)x\(k)")
    if m == 0 || n == 0 { return }
    #if canImport(Accelerate) || canImport(COpenBLAS)
    let ta = transA == .none ? CblasNoTrans : CblasTrans
    let tb = transB == .none ? CblasNoTrans : CblasTrans
    cblas_sgemm(
        CblasRowMajor, ta, tb,
        Int32(m), Int32(n), Int32(k),
        alpha, a, Int32(lda), b, Int32(ldb),
        beta, c, Int32(ldc))
    #else
    #error("SentimentKit needs a BLAS: OpenBLAS (libopenblas-dev) on Linux or Accelerate on Apple platforms")
    #endif
}

/// Threading of the BLAS library. OpenBLAS defaults to one thread per core.
public enum BLAS {
    /// The kernel family the BLAS picked for this CPU (OpenBLAS), or the library name.
    public static var coreName: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #elseif canImport(COpenBLAS)
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
        #endif
    }

    /// Number of threads the BLAS uses for one call.
    public static var threads: Int {
        get {
            #if canImport(COpenBLAS) && !canImport(Accelerate)
            return Int(openblas_get_num_threads())
            #else
            return ProcessInfo.processInfo.activeProcessorCount
            #endif
        }
        set {
            #if canImport(COpenBLAS) && !canImport(Accelerate)
            openblas_set_num_threads(Int32(max(1, newValue)))
            #endif
        }
    }
}

#if canImport(Foundation)
import Foundation
#endif
