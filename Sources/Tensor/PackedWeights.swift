import Foundation

/// A fixed weight matrix W[N, K] (torch.nn.Linear layout) re-laid out once, at load time, for y = x·Wᵀ + b.
///
/// Why: at inference most calls have few rows (one text is ~27 tokens), and a BLAS sgemm re-packs all of W on every
/// call — at M = 27 that copy costs as much as the multiply (OpenBLAS: ~80 GF/s on one core instead of ~130).
/// Packing once (as ONNX Runtime's MLAS does) removes it: measured 1.5× at M = 27 and on par with BLAS at M = 1024
/// (`sentiment bench gemm`).
///
/// Layout: panels of 16 output features; panel p holds, for k = 0..<K, W[16p ..< 16p+16, k] contiguously (zeros past
/// N). A 6×16 register tile (12 SIMD8 accumulators) walks one panel per k step: 2 vector loads, 6 broadcasts,
/// 12 FMAs. Each output element is one sequential sum over k, so results do not depend on the thread count.
public final class PackedWeights: @unchecked Sendable {
    // @unchecked: `panels` is written in init only, then read-only.
    public let outFeatures: Int
    public let inFeatures: Int
    private let panels: UnsafeMutablePointer<Float>
    private let panelCount: Int

    static let panelWidth = 16
    static let tileRows = 6

    /// Packs `weight` [outFeatures, inFeatures] (row-major).
    public init(weight: UnsafePointer<Float>, outFeatures: Int, inFeatures: Int) {
        precondition(outFeatures > 0 && inFeatures > 0)
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
        panelCount = (outFeatures + Self.panelWidth - 1) / Self.panelWidth
        let count = panelCount * inFeatures * Self.panelWidth
        panels = .allocate(capacity: count)
        panels.initialize(repeating: 0, count: count)
        for p in 0..<panelCount {
            for j in 0..<min(Self.panelWidth, outFeatures - p * Self.panelWidth) {
                let row = weight + (p * Self.panelWidth + j) * inFeatures
                let column = panels + p * inFeatures * Self.panelWidth + j
                for k in 0..<inFeatures { column[k * Self.panelWidth] = row[k] }
            }
        }
    }

    deinit { panels.deallocate() }

    /// Packs `weight` when the packed kernel is the faster path in this build (see `isFast`), else nil (use BLAS).
    public static func packIfFaster(weight: UnsafePointer<Float>, outFeatures: Int, inFeatures: Int) -> PackedWeights? {
        guard isFast, outFeatures >= panelWidth else { return nil }
        return PackedWeights(weight: weight, outFeatures: outFeatures, inFeatures: inFeatures)
    }

    /// Whether the register kernel runs at SIMD speed in this binary. `SIMD8.addProduct` is one FMA instruction
    /// only when the build targets a CPU with FMA (`make`: `-target-cpu haswell`); a generic x86-64 build turns it
    /// into eight libm `fmaf` calls, ~100× slower. Swift has no compile-time test for target features, so a
    /// one-off 0.1 ms probe decides; `SENTIMENTKIT_PACKED_GEMM=0` forces BLAS everywhere (for comparisons).
    public static let isFast: Bool = {
        if ProcessInfo.processInfo.environment["SENTIMENTKIT_PACKED_GEMM"] == "0" { return false }
        let k = 512
        let probe = PackedWeights(weight: [Float](repeating: 0.5, count: panelWidth * k), outFeatures: panelWidth, inFeatures: k)
        let x = [Float](repeating: 0.25, count: tileRows * k)
        var y = [Float](repeating: 0, count: tileRows * panelWidth)
        var best = Double.infinity
        for _ in 0..<20 {
            let start = DispatchTime.now().uptimeNanoseconds
            probe.linear(x, rows: tileRows, bias: nil, out: &y)   // one panel: runs on this thread
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start))
        }
        let gigaflops = Double(2 * tileRows * panelWidth * k) / best
        return gigaflops > 20 && y[0] == Float(k) * 0.125  // an FMA build does ~120 GF/s per core, a generic one ~1.5
    }()

    /// out[rows, outFeatures] = x[rows, inFeatures]·Wᵀ + bias, as `Kernels.linear`. Panels are split over
    /// `Parallel.threads` workers when the call is large enough to pay for waking them.
    public func linear(_ x: UnsafePointer<Float>, rows: Int, bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>) {
        guard rows > 0 else { return }
        // At least ~1 MFLOP per worker: below that, waking a thread costs more than it saves.
        let flopsPerPanel = 2 * rows * inFeatures * Self.panelWidth
        let minimumPanels = max(1, (1 << 20) / flopsPerPanel)
        Parallel.forEachChunk(count: panelCount, minimumChunk: minimumPanels) { range in
            for p in range { self.panel(p, x, rows: rows, bias: bias, out: out) }
        }
    }

    /// All rows of x against panel p.
    private func panel(_ p: Int, _ x: UnsafePointer<Float>, rows: Int, bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>) {
        let n = outFeatures, k = inFeatures, width = Self.panelWidth
        let column = p * width
        let columns = min(width, n - column)
        var panelBias = (SIMD8<Float>(), SIMD8<Float>())
        if let bias {
            if columns == width {
                panelBias = (load(bias + column), load(bias + column + 8))
            } else {
                var padded = [Float](repeating: 0, count: width)
                for j in 0..<columns { padded[j] = bias[column + j] }
                panelBias = padded.withUnsafeBufferPointer { (load($0.baseAddress!), load($0.baseAddress! + 8)) }
            }
        }
        var row = 0
        while row < rows {
            let tile = min(Self.tileRows, rows - row)
            if columns == width {
                tile6x16(x + row * k, rows: tile, panel: panels + p * k * width, k: k, bias: panelBias,
                         out: out + row * n + column, ldOut: n)
            } else {
                // The last, partial panel: compute into a scratch tile, copy the valid columns.
                var scratch = [Float](repeating: 0, count: Self.tileRows * width)
                scratch.withUnsafeMutableBufferPointer { s in
                    tile6x16(x + row * k, rows: tile, panel: panels + p * k * width, k: k, bias: panelBias,
                             out: s.baseAddress!, ldOut: width)
                    for r in 0..<tile { (out + (row + r) * n + column).update(from: s.baseAddress! + r * width, count: columns) }
                }
            }
            row += Self.tileRows
        }
    }

    @inline(__always)
    private func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// out[r, 0..<16] = bias + Σ_k x[r, k]·panel[k, 0..<16] for r < rows (≤ 6); rows past `rows` read row 0 and
    /// are not stored.
    @inline(__always)
    private func tile6x16(
        _ x: UnsafePointer<Float>, rows: Int, panel: UnsafePointer<Float>, k: Int,
        bias: (SIMD8<Float>, SIMD8<Float>), out: UnsafeMutablePointer<Float>, ldOut: Int
    ) {
        var c00 = bias.0, c01 = bias.1, c10 = bias.0, c11 = bias.1, c20 = bias.0, c21 = bias.1
        var c30 = bias.0, c31 = bias.1, c40 = bias.0, c41 = bias.1, c50 = bias.0, c51 = bias.1
        let x0 = x, x1 = x + (rows > 1 ? k : 0), x2 = x + (rows > 2 ? 2 * k : 0)
        let x3 = x + (rows > 3 ? 3 * k : 0), x4 = x + (rows > 4 ? 4 * k : 0), x5 = x + (rows > 5 ? 5 * k : 0)
        var b = panel
        for i in 0..<k {
            let b0 = load(b), b1 = load(b + 8)
            var a = SIMD8<Float>(repeating: x0[i]); c00.addProduct(a, b0); c01.addProduct(a, b1)
            a = SIMD8<Float>(repeating: x1[i]); c10.addProduct(a, b0); c11.addProduct(a, b1)
            a = SIMD8<Float>(repeating: x2[i]); c20.addProduct(a, b0); c21.addProduct(a, b1)
            a = SIMD8<Float>(repeating: x3[i]); c30.addProduct(a, b0); c31.addProduct(a, b1)
            a = SIMD8<Float>(repeating: x4[i]); c40.addProduct(a, b0); c41.addProduct(a, b1)
            a = SIMD8<Float>(repeating: x5[i]); c50.addProduct(a, b0); c51.addProduct(a, b1)
            b += Self.panelWidth
        }
        func store(_ r: Int, _ lo: SIMD8<Float>, _ hi: SIMD8<Float>) {
            guard r < rows else { return }
            UnsafeMutableRawPointer(out + r * ldOut).storeBytes(of: lo, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(out + r * ldOut + 8).storeBytes(of: hi, as: SIMD8<Float>.self)
        }
        store(0, c00, c01); store(1, c10, c11); store(2, c20, c21)
        store(3, c30, c31); store(4, c40, c41); store(5, c50, c51)
    }
}
