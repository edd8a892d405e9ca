import SentimentTensor

// Small vector helpers of the training kernels (exp/erf/tanh come from SentimentTensor's VectorMath).
// Plain multiply+add: without a target-cpu flag `addingProduct` becomes a libm fmaf call per lane.

package typealias Vec = FloatVector

/// Up to 16 floats from p (missing lanes 0).
@inline(__always)
package func loadLanes(_ p: UnsafePointer<Float>, _ n: Int) -> Vec {
    if n == Vec.scalarCount { return UnsafeRawPointer(p).loadUnaligned(as: Vec.self) }
    var v = Vec()
    for j in 0..<n { v[j] = p[j] }
    return v
}

/// Stores the first n lanes of v.
@inline(__always)
package func storeLanes(_ v: Vec, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
    if n == Vec.scalarCount { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vec.self); return }
    for j in 0..<n { p[j] = v[j] }
}

/// Σ a[i]·b[i] over n floats. Eight lanes, not Vec's sixteen: attention calls this on one head (D = 32 or 64) per
/// key, where the horizontal sum of a 16-lane accumulator costs more than the products (measured in bench encoder).
@inline(__always)
package func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    while i + 8 <= n {
        acc += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self) * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
        i += 8
    }
    var s = acc.sum()
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
}

/// y[i] += alpha · x[i] over n floats (eight lanes, as `dot`: one head's D = 32 or 64 at a time).
@inline(__always)
package func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    let a = SIMD8<Float>(repeating: alpha)
    var i = 0
    while i + 8 <= n {
        let yp = UnsafeMutableRawPointer(y + i)
        yp.storeBytes(of: yp.loadUnaligned(as: SIMD8<Float>.self) + a * UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self),
                      as: SIMD8<Float>.self)
        i += 8
    }
    while i < n { y[i] += alpha * x[i]; i += 1 }
}
