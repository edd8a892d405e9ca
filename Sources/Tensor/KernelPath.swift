import CKernels
import SentimentCore

extension Precision {
    var c: sk_precision {
        switch self {
        case .fp32: SK_FP32
        case .bf16: SK_BF16
        case .int8: SK_INT8
        }
    }
}

/// Which of our GEMM kernels runs (Sources/CKernels): chosen at run time from the CPU's features, the best one
/// unless `SENTIMENTKIT_KERNELS=generic|avx2|avx512` forces one (a forced path the CPU lacks falls back to the
/// best below it).
public enum KernelPath: String, CaseIterable, Sendable, Comparable {
    case generic, avx2, avx512

    init(_ path: sk_path) {
        switch path {
        case SK_PATH_AVX512: self = .avx512
        case SK_PATH_AVX2: self = .avx2
        default: self = .generic
        }
    }

    var c: sk_path {
        switch self {
        case .generic: SK_PATH_GENERIC
        case .avx2: SK_PATH_AVX2
        case .avx512: SK_PATH_AVX512
        }
    }

    public static func < (a: KernelPath, b: KernelPath) -> Bool { a.c.rawValue < b.c.rawValue }

    /// Whether this CPU runs `precision` on this path (generic: always).
    public func isAvailable(for precision: Precision) -> Bool { sk_path_available(precision.c, c) != 0 }

    /// The path `precision` runs on in this process (honours SENTIMENTKIT_KERNELS).
    public static func `default`(for precision: Precision) -> KernelPath { KernelPath(sk_default_path(precision.c)) }

    /// The path that actually runs when `self` is asked for `precision` (the best available at or below it).
    public func effective(for precision: Precision) -> KernelPath { KernelPath(sk_effective_path(precision.c, c)) }

    /// SENTIMENTKIT_KERNELS when set (nil otherwise), and whether it names a path.
    public static var forced: (value: String, valid: Bool)? {
        let value = String(cString: sk_forced_path_name())
        return value.isEmpty ? nil : (value, sk_forced_path_valid() != 0)
    }

    /// One line for bench output and logs: the path per precision, and what forced it.
    public static var summary: String {
        let paths = Precision.allCases.map { "\($0.rawValue) \(KernelPath.default(for: $0).rawValue)" }.joined(separator: ", ")
        var features: [String] = []
        let bits = sk_cpu_features()
        if bits & (1 << SK_CPU_AVX2_FMA) != 0 { features.append("AVX2+FMA") }
        if bits & (1 << SK_CPU_AVX512F) != 0 { features.append("AVX-512") }
        if bits & (1 << SK_CPU_AVX512_BF16) != 0 { features.append("AVX512_BF16") }
        if bits & (1 << SK_CPU_AVX512_VNNI) != 0 { features.append("AVX512_VNNI") }
        var line = "kernels: \(paths) (CPU: \(features.isEmpty ? "no AVX2" : features.joined(separator: ", ")))"
        if let forced {
            line += forced.valid ? "; SENTIMENTKIT_KERNELS=\(forced.value)"
                                 : "; SENTIMENTKIT_KERNELS=\(forced.value) is not a path (generic, avx2, avx512): ignored"
        }
        return line
    }
}
