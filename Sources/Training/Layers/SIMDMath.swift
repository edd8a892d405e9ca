// Vectorised float math for the training kernels. Plain multiply+add (no addingProduct: without a target-cpu flag it
// becomes a libm fmaf call per lane) and replace(with:where:) instead of pointwiseMin/Max (which stay out of line).

typealias Vec = SIMD8<Float>

@inline(__always)
func clamp(_ x: Vec, _ lo: Float, _ hi: Float) -> Vec {
    var y = x
    y.replace(with: Vec(repeating: lo), where: y .< lo)
    y.replace(with: Vec(repeating: hi), where: y .> hi)
    return y
}

/// eˣ per lane, Cephes-style: 2ⁿ · p(r) with r = x − n·ln2 in [−ln2/2, ln2/2]; relative error ~2e-7.
@inline(__always)
func simdExp(_ x: Vec) -> Vec {
    let x = clamp(x, -87.3, 88.3)
    // n = round(x / ln2) with the 1.5·2²³ trick (leaves n in the low mantissa bits).
    let magic: Float = 12_582_912
    let t = x * 1.442_695_04 + magic
    let n = t - magic
    var r = x - n * 0.693_359_375
    r = r + n * 2.121_944_4e-4
    var p = Vec(repeating: 1.987_569_1e-4)
    p = p * r + 1.398_199_9e-3
    p = p * r + 8.333_452_0e-3
    p = p * r + 4.166_579_6e-2
    p = p * r + 1.666_666_5e-1
    p = p * r + 5.000_000_1e-1
    p = p * (r * r) + r + 1
    // 2ⁿ from the integer in t's mantissa: bits = (n + 127) << 23.
    let bits = unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127
    let scale = unsafeBitCast(bits &<< 23, to: Vec.self)
    return p * scale
}

/// erf per lane: rational approximation x·P(x²)/Q(x²) on [−4, 4] (erf is ±1 in float beyond); |error| ~1e-7.
@inline(__always)
func simdErf(_ a: Vec) -> Vec {
    let x = clamp(a, -4, 4)
    let x2 = x * x
    var p = Vec(repeating: -2.726_142_3e-10)
    p = p * x2 + 2.770_681_4e-8
    p = p * x2 - 2.101_024_0e-6
    p = p * x2 - 5.692_506_4e-5
    p = p * x2 - 7.349_906_3e-4
    p = p * x2 - 2.954_600_0e-3
    p = p * x2 - 1.609_603_3e-2
    p = p * x
    var q = Vec(repeating: -1.456_607_2e-5)
    q = q * x2 - 2.133_740_6e-4
    q = q * x2 - 1.682_827_0e-3
    q = q * x2 - 7.373_329_2e-3
    q = q * x2 - 1.426_473_9e-2
    return p / q
}

/// Σ a[i]·b[i] over n floats, 8 lanes at a time.
@inline(__always)
func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = Vec()
    var i = 0
    while i + 8 <= n {
        acc += UnsafeRawPointer(a + i).loadUnaligned(as: Vec.self) * UnsafeRawPointer(b + i).loadUnaligned(as: Vec.self)
        i += 8
    }
    var s = acc.sum()
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
}

/// y[i] += alpha · x[i] over n floats.
@inline(__always)
func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    let a = Vec(repeating: alpha)
    var i = 0
    while i + 8 <= n {
        let yp = UnsafeMutableRawPointer(y + i)
        yp.storeBytes(of: yp.loadUnaligned(as: Vec.self) + a * UnsafeRawPointer(x + i).loadUnaligned(as: Vec.self), as: Vec.self)
        i += 8
    }
    while i < n { y[i] += alpha * x[i]; i += 1 }
}
