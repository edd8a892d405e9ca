import Foundation

/// GELU, exact erf form (HF "gelu", torch.nn.functional.gelu): g = x · Φ(x), Φ(x) = ½(1 + erf(x/√2)).
/// Backward: dg/dx = Φ(x) + x·φ(x), φ(x) = e^{−x²/2}/√(2π). Vectorised (SIMD8 erf/exp).
enum GELULayer {
    static func forward(_ x: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>) {
        parallelChunks(count) { start, end in
            forEachVector(start, end, x, out) { v in 0.5 * v * (1 + simdErf(v * 0.707_106_78)) }
        }
    }

    /// dx = dout · gelu'(x), in place on `dout` (x is the GELU input).
    static func backward(_ dout: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, count: Int) {
        parallelChunks(count) { start, end in
            var i = start
            while i < end {
                let n = min(8, end - i)
                let v = load(x + i, n), d = load(dout + i, n)
                let cdf = 0.5 * (1 + simdErf(v * 0.707_106_78))
                let pdf = simdExp(-0.5 * v * v) * 0.398_942_28
                store(d * (cdf + v * pdf), dout + i, n)
                i += n
            }
        }
    }
}

/// tanh (BERT pooler): forward and backward dy·(1 − y²).
enum TanhLayer {
    // Only B·C values per batch: libm tanh, exact.
    static func forward(_ x: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>) {
        for i in 0..<count { out[i] = tanh(x[i]) }
    }

    /// dx = dy · (1 − y²), in place on `dy` (y is the tanh output).
    static func backward(_ dy: UnsafeMutablePointer<Float>, y: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { dy[i] *= 1 - y[i] * y[i] }
    }
}

@inline(__always)
func load(_ p: UnsafePointer<Float>, _ n: Int) -> Vec {
    if n == 8 { return UnsafeRawPointer(p).loadUnaligned(as: Vec.self) }
    var v = Vec()
    for j in 0..<n { v[j] = p[j] }
    return v
}

@inline(__always)
func store(_ v: Vec, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
    if n == 8 { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vec.self); return }
    for j in 0..<n { p[j] = v[j] }
}

/// out[i] = f(x[i]) for i in start..<end, 8 lanes at a time (`out` may alias `x`).
@inline(__always)
func forEachVector(
    _ start: Int, _ end: Int, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ f: (Vec) -> Vec
) {
    var i = start
    while i < end {
        let n = min(8, end - i)
        store(f(load(x + i, n)), out + i, n)
        i += n
    }
}

/// Splits 0..<count into a few contiguous chunks (multiples of 8) run in parallel.
func parallelChunks(_ count: Int, _ body: (Int, Int) -> Void) {
    let chunk = 1 << 14
    if count <= chunk {
        body(0, count)
        return
    }
    let tasks = (count + chunk - 1) / chunk
    parallelRows(tasks) { t in body(t * chunk, min(count, (t + 1) * chunk)) }
}
