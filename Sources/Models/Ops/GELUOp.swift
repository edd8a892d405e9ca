import SentimentTensor

/// GELU, exact erf form (HF "gelu", torch.nn.functional.gelu): g = x · Φ(x), Φ(x) = ½(1 + erf(x/√2)).
/// Forward is `Kernels.gelu`; backward: dg/dx = Φ(x) + x·φ(x), φ(x) = e^{−x²/2}/√(2π), vectorised with VectorMath.
package enum GELUOp {
    package static func forward(_ x: UnsafePointer<Float>, count: Int, out: UnsafeMutablePointer<Float>) {
        Kernels.gelu(x, count: count, out: out)
    }

    /// dx = dout · gelu'(x), in place on `dout` (x is the GELU input).
    package static func backward(_ dout: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, count: Int) {
        Parallel.forEachChunk(count: count, minimumChunk: 1 << 14, alignment: Vec.scalarCount) { chunk in
            var i = chunk.lowerBound
            while i < chunk.upperBound {
                let n = min(Vec.scalarCount, chunk.upperBound - i)
                let v = loadLanes(x + i, n), d = loadLanes(dout + i, n)
                let cdf = 0.5 * (1 + VectorMath.erf(v * 0.707_106_78))
                let pdf = VectorMath.exp(-0.5 * v * v) * 0.398_942_28
                storeLanes(d * (cdf + v * pdf), dout + i, n)
                i += n
            }
        }
    }
}
