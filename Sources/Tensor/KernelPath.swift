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

    /// Why this CPU cannot run `precision` on this path ("this CPU has no AVX-512F"), nil when it can.
    public func unavailableReason(for precision: Precision) -> String? {
        if isAvailable(for: precision) { return nil }
        switch (self, precision) {
        case (.avx2, .bf16): return "bf16 has no AVX2 kernel (it needs AVX512_BF16)"
        case (.avx2, _): return "this CPU has no AVX2+FMA"
        case (.avx512, .bf16) where KernelPath.avx512.isAvailable(for: .fp32): return "this CPU has no AVX512_BF16"
        case (.avx512, .int8) where KernelPath.avx512.isAvailable(for: .fp32): return "this CPU has no AVX512_VNNI"
        default: return "this CPU has no AVX-512F (with BW and VL)"
        }
    }

    /// Runs `body` with every kernel call of the process, on every thread, on `path` (the best available at or
    /// below it, per precision), over SENTIMENTKIT_KERNELS; then restores the path forced before. For tests and
    /// benchmarks that compare paths within one process; calls on other threads meanwhile run on `path` too.
    public static func withForced<T>(_ path: KernelPath, _ body: () throws -> T) rethrows -> T {
        let before = sk_process_forced_path()
        sk_force_path(Int32(path.c.rawValue))
        defer { sk_force_path(before) }
        return try body()
    }

    /// Runs `body` once on each path this CPU has for `precision` (generic, avx2, avx512, forced with `withForced`);
    /// `skipped` gets every other path and why. What a numeric parity test runs, so that it checks every kernel the
    /// machine it lands on can run.
    public static func forEachAvailable(for precision: Precision = .fp32, skipped: (KernelPath, String) -> Void,
                                        _ body: (KernelPath) throws -> Void) rethrows {
        for path in allCases {
            if let reason = path.unavailableReason(for: precision) { skipped(path, reason); continue }
            try withForced(path) { try body(path) }
        }
    }

    /// `forEachAvailable` for a test or a benchmark: `log` gets "kernel path P: LABEL" before each run (with the
    /// path bf16 and int8 then fall back to, where it differs) and "kernel path P skipped for LABEL: WHY" for each
    /// path this CPU lacks for `precision`.
    public static func onEveryPath(_ label: String, precision: Precision = .fp32,
                                   log: (String) -> Void = { print($0) }, _ body: () throws -> Void) rethrows {
        func skipped(_ path: KernelPath, _ why: String) { log("kernel path \(path.rawValue) skipped for \(label): \(why)") }
        try forEachAvailable(for: precision, skipped: skipped) { path in
            let fallbacks = Precision.allCases.compactMap { p -> String? in
                let effective = path.effective(for: p)
                return effective == path ? nil : "\(p.rawValue) runs \(effective.rawValue)"
            }
            log("kernel path \(path.rawValue)\(fallbacks.isEmpty ? "" : " (\(fallbacks.joined(separator: ", ")))"): \(label)")
            try body()
        }
    }

    /// The path `precision` runs on in this process (honours `withForced` and SENTIMENTKIT_KERNELS).
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
