import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment bench gemm`: GF/s of the BLAS GEMM and of our packed GEMM (`PackedWeights`, what the inference
/// encoder uses) at BERT shapes — fp32, bf16 and int8 (GOP/s), on every kernel path this CPU has — and the
/// throughput of the row-wise kernels (GELU, exp, layer norm, softmax) per path, on 1 and all cores.
struct BenchGEMMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "GEMM GF/s at BERT shapes and GELU / layer norm / softmax throughput, per thread count."
    )

    @Option(name: .long, parsing: .upToNextOption,
            help: "Thread counts to measure (BLAS and kernels), e.g. --threads 1 2. Default: 1 and all cores.")
    var threads: [Int] = []

    @Option(name: .long, help: "Seconds of timed repetitions per measurement.")
    var seconds: Double = 0.5

    @Flag(name: .long, help: "Skip the GELU / layer norm / softmax measurements.")
    var gemmOnly = false

    @Option(name: .long, parsing: .upToNextOption, help: "Precisions of the packed GEMM to measure (default: all).")
    var precision: [Precision] = Precision.allCases

    @Option(name: .long, parsing: .upToNextOption,
            help: "Kernel paths to measure (default: every path this CPU has; generic is slow).")
    var path: [String] = []

    /// (M, K, N): x[M, K] · W[N, K]ᵀ as nn.Linear does. BERT-base/MiniLM projections, FFN up and down,
    /// hidden 768, a small batch, and one Rotten Tomatoes sentence (27 tokens) through MiniLM's FFN.
    static let shapes: [(m: Int, k: Int, n: Int)] = [
        (1024, 384, 384), (1024, 384, 1536), (1024, 1536, 384), (1024, 768, 768), (16, 768, 768), (27, 384, 1536),
    ]

    func validate() throws {
        guard threads.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--threads values must be ≥ 1") }
        guard seconds > 0 else { throw ValidationError("--seconds must be > 0") }
        for name in path where KernelPath(rawValue: name) == nil {
            throw ValidationError("unknown --path \(name): generic, avx2 or avx512")
        }
    }

    func run() throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let counts = threads.isEmpty ? Array(Set([1, cores])).sorted() : threads
        print("BLAS: \(BLAS.coreName), \(cores) cores; median and best of repetitions over \(seconds) s each")
        print(KernelPath.summary)
        if let forced = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] {
            print("note: OPENBLAS_CORETYPE=\(forced) is set in the environment and overrides OpenBLAS's CPU detection")
        }
        let wanted = path.isEmpty ? KernelPath.allCases : path.compactMap(KernelPath.init(rawValue:))
        // (precision, path) columns: each path this CPU runs for that precision (a path it lacks is not measured).
        let columns = precision.flatMap { p in wanted.filter { $0.isAvailable(for: p) }.map { (p, $0) } }
        for count in counts {
            Bench.setThreads(count)
            print("\nthreads \(count): median GF/s (int8: GOP/s), best in brackets")
            print(pad("GEMM MxKxN", 18) + pad("BLAS fp32", 18)
                  + columns.map { pad("\($0.0.rawValue) \($0.1.rawValue)", 18) }.joined())
            for shape in Self.shapes { benchGEMM(m: shape.m, k: shape.k, n: shape.n, columns: columns) }
            benchTrainingGEMMs(engines: columns.filter { $0.0 != .int8 }.map { ("\($0.0.rawValue) \($0.1.rawValue)", .packed($0.1, $0.0)) })
            if !gemmOnly {
                print(pad("kernel", 36) + pad("ms", 10) + pad("GB/s", 10) + pad("Melem/s", 10) + "best Melem/s")
                for kernelPath in wanted where kernelPath.isAvailable(for: .fp32) { benchKernels(path: kernelPath) }
            }
        }
    }

    private func benchGEMM(m: Int, k: Int, n: Int, columns: [(Precision, KernelPath)]) {
        let a = filled(m * k), w = filled(n * k)
        var c = [Float](repeating: 0, count: m * n)
        let flops = 2.0 * Double(m) * Double(n) * Double(k)
        func cell(_ times: (median: Double, best: Double)) -> String {
            pad(format(flops / times.median / 1e9) + " (" + format(flops / times.best / 1e9) + ")", 18)
        }
        var line = pad("\(m)x\(k)x\(n)", 18) + cell(measure {
            sgemm(.none, .transposed, m: m, n: n, k: k, a: a, lda: k, b: w, ldb: k, c: &c, ldc: n)
        })
        for (precision, path) in columns {
            let packed = PackedWeights(weight: w, outFeatures: n, inFeatures: k, precision: precision, path: path)
            line += cell(measure { packed.linear(a, rows: m, bias: nil, out: &c) })
        }
        print(line)
    }

    /// Training's three GEMMs of MiniLM's FFN up-projection on a batch of 32 × 26 tokens (832 rows) through
    /// `GEMM.multiply`: BLAS (fp32 training's default) against our kernels with both operands packed on every call
    /// (bf16: what `train --precision bf16` runs): forward x·Wᵀ, dX = dY·W, dW += dYᵀ·X.
    private func benchTrainingGEMMs(engines: [(String, GEMM.Engine)]) {
        let rows = 832, inner = 384, outer = 1536
        let x = filled(rows * inner), w = filled(outer * inner), dy = filled(rows * outer)
        var out = [Float](repeating: 0, count: rows * outer), dx = x, dw = w
        let flops = 2.0 * Double(rows) * Double(inner) * Double(outer)
        print(pad("training GEMM (packed per call)", 34) + pad("BLAS fp32", 18)
              + engines.map { pad($0.0, 18) }.joined())
        let cases: [(String, (GEMM.Engine) -> Void)] = [
            ("forward 832x384x1536", { engine in
                GEMM.multiply(.none, .transposed, m: rows, n: outer, k: inner, a: x, lda: inner, b: w, ldb: inner,
                              c: &out, ldc: outer, engine: engine) }),
            ("dX 832x1536x384", { engine in
                GEMM.multiply(.none, .none, m: rows, n: inner, k: outer, a: dy, lda: outer, b: w, ldb: inner,
                              c: &dx, ldc: inner, engine: engine) }),
            ("dW 1536x832x384 (+=)", { engine in
                GEMM.multiply(.transposed, .none, m: outer, n: inner, k: rows, a: dy, lda: outer, b: x, ldb: inner,
                              accumulate: true, c: &dw, ldc: inner, engine: engine) }),
        ]
        for (name, body) in cases {
            var line = pad(name, 34)
            for engine in [GEMM.Engine.blas] + engines.map(\.1) {
                let times = measure { body(engine) }
                line += pad(format(flops / times.median / 1e9) + " (" + format(flops / times.best / 1e9) + ")", 18)
            }
            print(line)
        }
    }

    /// The row-wise kernels on one path (AVX-512: Sources/CKernels; generic and AVX2: the portable Swift SIMD code,
    /// so those two rows measure the same code).
    private func benchKernels(path: KernelPath) {
        // FFN activation of 1024 tokens at MiniLM width (1024 x 1536); LayerNorm over 1024 x 384 rows;
        // attention probabilities of 12 heads x 128 tokens x 128 keys with a mask.
        let ffn = 1024 * 1536
        var x = filled(ffn)
        let source = x
        let tag = " [\(path.rawValue)]"
        report("gelu erf 1024x1536" + tag, elements: ffn, bytes: 8 * ffn, measure {
            x.withUnsafeMutableBufferPointer { Kernels.gelu(source, count: ffn, out: $0.baseAddress!, path: path) }
        })
        report("exp 1024x1536" + tag, elements: ffn, bytes: 8 * ffn, measure {
            x.withUnsafeMutableBufferPointer { Kernels.exp(source, count: ffn, out: $0.baseAddress!, path: path) }
        })
        if path == .generic {
            report("gelu tanh 1024x1536", elements: ffn, bytes: 8 * ffn, measure {
                x.withUnsafeMutableBufferPointer { Kernels.geluTanh(source, count: ffn, out: $0.baseAddress!) }
            })
        }
        let rows = 1024, cols = 384
        let hidden = filled(rows * cols), gamma = [Float](repeating: 1, count: cols), beta = [Float](repeating: 0, count: cols)
        var normed = hidden
        report("layerNorm 1024x384" + tag, elements: rows * cols, bytes: 8 * rows * cols, measure {
            Kernels.layerNorm(hidden, rows: rows, cols: cols, gamma: gamma, beta: beta, eps: 1e-12, out: &normed, path: path)
        })
        let t = 128, heads = 12
        let scores = filled(heads * t * t)
        var probabilities = scores
        let mask = (0..<t).map { $0 < 100 ? Float(0) : -Float.greatestFiniteMagnitude }
        report("softmax+mask 12x128x128" + tag, elements: heads * t * t, bytes: 8 * heads * t * t, measure {
            probabilities.withUnsafeMutableBufferPointer { p in
                p.baseAddress!.update(from: scores, count: scores.count)  // softmax is in place: restore the input
                Kernels.softmaxRows(p.baseAddress!, rows: heads * t, cols: t, additiveMask: mask, path: path)
            }
        })
    }

    private func report(_ name: String, elements: Int, bytes: Int, _ times: (median: Double, best: Double)) {
        print(pad(name, 36) + pad(format(times.median * 1e3), 10)
              + pad(format(Double(bytes) / times.median / 1e9), 10) + pad(format(Double(elements) / times.median / 1e6), 10)
              + format(Double(elements) / times.best / 1e6))
    }

    /// One warm-up call, then repetitions until `seconds` have passed (at least 3).
    private func measure(_ body: () -> Void) -> (median: Double, best: Double) {
        body()
        var samples: [Double] = []
        let clock = ContinuousClock()
        let start = clock.now
        while samples.count < 3 || (clock.now - start) < .milliseconds(Int(seconds * 1000)) {
            let t0 = clock.now
            body()
            let elapsed = clock.now - t0
            samples.append(elapsed.seconds)
        }
        samples.sort()
        return (samples[samples.count / 2], samples[0])
    }

    /// Deterministic values in [-2, 2): enough spread to exercise every polynomial branch.
    private func filled(_ count: Int) -> [Float] {
        (0..<count).map { Float(($0 &* 2_654_435_761) % 4000) / 1000 - 2 }
    }

    private func format(_ value: Double) -> String { String(format: "%.1f", value) }
    private func pad(_ s: String, _ width: Int) -> String { s.padding(toLength: max(width, s.count + 1), withPad: " ", startingAt: 0) }
}
