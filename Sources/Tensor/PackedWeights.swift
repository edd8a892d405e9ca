import CKernels
import Foundation
import SentimentCore

/// Epilogue fused into a packed GEMM, applied to each output tile while it is in cache.
public enum GEMMEpilogue: Sendable {
    case none
    /// Exact-erf GELU after the bias (HF "gelu"; the polynomial of `VectorMath.erf`).
    case gelu

    var c: sk_epilogue { self == .gelu ? SK_EPILOGUE_GELU : SK_EPILOGUE_NONE }
}

/// A fixed weight matrix W[N, K] (torch.nn.Linear layout) packed once, at load time, for our GEMM kernels
/// (Sources/CKernels), in fp32, bf16 or int8, for the kernel path chosen at run time (`KernelPath`).
///
/// Why: at inference most calls have few rows (one text is ~27 tokens), and a BLAS sgemm re-packs all of W on every
/// call — at M = 27 that copy costs as much as the multiply. Packing once (as ONNX Runtime's MLAS does) removes it.
/// Each call lays x out in row tiles (the kernels' broadcast order; for int8 it quantizes each row, for bf16 it
/// rounds), then splits W's column panels over `Parallel.threads` workers. Every output is one sequential sum over
/// k whatever the split, so results do not depend on the thread count — nor, in int8, on the other rows (each row
/// has its own scale).
public final class PackedWeights: @unchecked Sendable {
    // @unchecked: the buffers are written in init only, then read-only.
    public let outFeatures: Int
    public let inFeatures: Int
    public let precision: Precision
    /// The path the kernels run (the requested one, or the best below it this CPU has).
    public let path: KernelPath
    private let storage: UnsafeMutableRawPointer
    /// int8: per output channel scale and Σ_k q (VNNI's offset correction).
    private let scales: UnsafeMutablePointer<Float>?
    private let columnSums: UnsafeMutablePointer<Int32>?
    private let panelWidth: Int
    private var panelCount: Int { (outFeatures + panelWidth - 1) / panelWidth }

    /// Packs `weight` [outFeatures, inFeatures] (row-major) for `precision` on `path` (default: the process's path
    /// for that precision, see `KernelPath.default(for:)`).
    public init(weight: UnsafePointer<Float>, outFeatures: Int, inFeatures: Int, precision: Precision = .fp32,
                path: KernelPath? = nil) {
        precondition(outFeatures > 0 && inFeatures > 0 && outFeatures <= Int32.max && inFeatures <= Int32.max)
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
        self.precision = precision
        let path = (path ?? KernelPath.default(for: precision)).effective(for: precision)
        self.path = path
        let n = Int32(outFeatures), k = Int32(inFeatures)
        switch precision {
        case .fp32:
            let count = sk_f32_packed_count(path.c, n, k)
            storage = .allocate(byteCount: count * 4, alignment: 64)
            sk_f32_pack(path.c, weight, n, k, storage.assumingMemoryBound(to: Float.self))
            panelWidth = Int(sk_f32_panel_width(path.c))
            scales = nil
            columnSums = nil
        case .bf16:
            let count = sk_bf16_packed_count(path.c, n, k)
            storage = .allocate(byteCount: count * 2, alignment: 64)
            sk_bf16_pack(path.c, weight, n, k, storage.assumingMemoryBound(to: UInt16.self))
            panelWidth = Int(sk_bf16_panel_width(path.c))
            scales = nil
            columnSums = nil
        case .int8:
            storage = .allocate(byteCount: sk_i8_packed_bytes(n, k), alignment: 64)
            let scales = UnsafeMutablePointer<Float>.allocate(capacity: outFeatures)
            let sums = UnsafeMutablePointer<Int32>.allocate(capacity: outFeatures)
            sk_i8_pack(weight, n, k, storage.assumingMemoryBound(to: Int8.self), scales, sums)
            self.scales = scales
            columnSums = sums
            panelWidth = Int(sk_i8_panel_width())
        }
    }

    deinit {
        storage.deallocate()
        scales?.deallocate()
        columnSums?.deallocate()
    }

    /// Whether inference packs its fp32 weights at all: `SENTIMENTKIT_PACKED_GEMM=0` sends fp32 linear layers
    /// through BLAS instead (for comparisons; bf16 and int8 always run packed).
    public static let isEnabled: Bool = ProcessInfo.processInfo.environment["SENTIMENTKIT_PACKED_GEMM"] != "0"

    /// Packs `weight` for inference in `precision`, or nil when fp32 goes through BLAS (`isEnabled` false).
    public static func forInference(weight: UnsafePointer<Float>, outFeatures: Int, inFeatures: Int,
                                    precision: Precision) -> PackedWeights? {
        guard precision != .fp32 || isEnabled else { return nil }
        return PackedWeights(weight: weight, outFeatures: outFeatures, inFeatures: inFeatures, precision: precision)
    }

    /// out[rows, outFeatures] = epilogue(x[rows, inFeatures]·Wᵀ + bias), as `Kernels.linear` (then GELU).
    public func linear(_ x: UnsafePointer<Float>, rows: Int, bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>,
                       epilogue: GEMMEpilogue = .none) {
        guard rows > 0 else { return }
        precondition(rows <= Int32.max)
        let m = Int32(rows), k = Int32(inFeatures), n = Int32(outFeatures)
        let tile = Int(sk_row_tile(precision.c, path.c))
        let count = sk_packed_rows_count(precision.c, path.c, m, k)
        let elementBytes = precision == .fp32 ? 4 : precision == .bf16 ? 2 : 1
        let scaleBytes = precision == .int8 ? (rows + tile) * 4 : 0
        let pathC = path.c, precision = precision, epilogue = epilogue.c
        withUnsafeTemporaryAllocation(byteCount: count * elementBytes + scaleBytes, alignment: 64) { buffer in
            let base = buffer.baseAddress!
            let rowScales = (base + count * elementBytes).assumingMemoryBound(to: Float.self)
            // Row tiles of x: in parallel only when there is enough to copy (a wake-up costs ~10 µs).
            let tiles = (rows + tile - 1) / tile
            Parallel.forEachChunk(count: tiles, minimumChunk: max(1, (1 << 17) / (tile * inFeatures))) { range in
                let r0 = Int32(range.lowerBound * tile), r1 = Int32(min(rows, range.upperBound * tile))
                switch precision {
                case .fp32: sk_f32_pack_rows(pathC, x, m, k, r0, r1, base.assumingMemoryBound(to: Float.self))
                case .bf16: sk_bf16_convert_rows(pathC, x, m, k, r0, r1, base.assumingMemoryBound(to: UInt16.self))
                case .int8: sk_i8_quantize_rows(pathC, x, m, k, r0, r1, base.assumingMemoryBound(to: UInt8.self), rowScales)
                }
            }
            // At least ~1 MFLOP per worker: below that, waking a thread costs more than it saves.
            let minimumPanels = max(1, (1 << 20) / (2 * rows * inFeatures * panelWidth))
            Parallel.forEachChunk(count: panelCount, minimumChunk: minimumPanels) { range in
                let p0 = Int32(range.lowerBound), p1 = Int32(range.upperBound)
                switch precision {
                case .fp32:
                    sk_f32_gemm(pathC, base.assumingMemoryBound(to: Float.self), m, k,
                                self.storage.assumingMemoryBound(to: Float.self), n, p0, p1, bias, epilogue, out, n)
                case .bf16:
                    sk_bf16_gemm(pathC, base.assumingMemoryBound(to: UInt16.self), m, k,
                                 self.storage.assumingMemoryBound(to: UInt16.self), n, p0, p1, bias, epilogue, out, n)
                case .int8:
                    sk_i8_gemm(pathC, base.assumingMemoryBound(to: UInt8.self), rowScales, m, k,
                               self.storage.assumingMemoryBound(to: Int8.self), self.scales, self.columnSums, n,
                               p0, p1, bias, epilogue, out, n)
                }
            }
        }
    }
}
