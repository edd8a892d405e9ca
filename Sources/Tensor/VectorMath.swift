/// Vectorised exp, erf and tanh on 16 floats at a time, accurate to a few ulp (see Tests/TensorTests).
///
/// Written with plain multiply + add and `replace(with:where:)` only: without a target-cpu flag Swift lowers
/// `addingProduct` to one libm `fmaf` call per lane and keeps `pointwiseMin/Max` out of line.
/// The polynomial and rational coefficients were fitted (minimax, float64) by `scripts/fixtures/kernels.py --fit`.
public typealias FloatVector = SIMD16<Float>

public enum VectorMath {
    /// eˣ, max relative error ≈ 1.2e-7 (2 ulp). Underflows to 0 below -87.34 (torch would return
    /// subnormals < 1.2e-38 there) and overflows to +∞ above 88.72; NaN stays NaN.
    @inline(__always)
    public static func exp(_ input: FloatVector) -> FloatVector {
        let low: Float = -87.33654, high: Float = 88.72283
        let underflow = input .< low, overflow = input .> high
        var x = input
        x.replace(with: low, where: underflow)
        x.replace(with: high, where: overflow)
        // n = round(x / ln 2): adding 1.5·2²³ pushes the fraction out of the mantissa (round to nearest even).
        let magic: Float = 12_582_912
        let shifted = x * 1.44269504088896341 + magic
        let n = shifted - magic
        // r = x − n·ln 2 in two steps (Cody–Waite) so r keeps full precision; |r| ≤ ln2/2.
        var r = x - n * 0.693359375
        r = r - n * -2.12194440e-4
        // eʳ ≈ 1 + r + r²·P(r)
        var p: FloatVector = FloatVector(repeating: 1.985769008376175e-4)
        p = p * r + 1.3933548411134544e-3
        p = p * r + 8.33336077677687e-3
        p = p * r + 4.166646599407993e-2
        p = p * r + 0.16666666532523094
        p = p * r + 0.5000000013329414
        let y = 1 + r + r * r * p
        // 2ⁿ built from exponent bits, split in two factors so n = 128 and n = -126 stay representable.
        let ni = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
        let n1 = ni &>> 1, n2 = ni &- n1
        let scale1 = unsafeBitCast((n1 &+ 127) &<< 23, to: FloatVector.self)
        let scale2 = unsafeBitCast((n2 &+ 127) &<< 23, to: FloatVector.self)
        var result = y * scale1 * scale2
        result.replace(with: 0, where: underflow)
        result.replace(with: .infinity, where: overflow)
        return result
    }

    /// erf(x) as x·P(x²)/Q(x²) on [-4, 4] (±1 beyond; erf(4) rounds to 1 in Float32).
    /// Max abs error 4.2e-7 near |x| ≈ 3.7, max relative error 2.6e-7 near 0 (PyTorch's own vectorised
    /// erf, used by its GELU, is within 1.5e-7 abs).
    @inline(__always)
    public static func erf(_ input: FloatVector) -> FloatVector {
        var x = input
        x.replace(with: 4, where: input .> 4)
        x.replace(with: -4, where: input .< -4)
        let s = x * x
        var p: FloatVector = FloatVector(repeating: 1.9871289976547413e-06)
        p = p * s + 2.845629877164385e-4
        p = p * s + 3.8825449719001857e-3
        p = p * s + 5.3099289192819504e-2
        p = p * s + 0.1935243638352409
        p = p * s + 1.1283791393550562
        var q: FloatVector = FloatVector(repeating: 3.7423639653852425e-05)
        q = q * s + 1.1854064940968285e-3
        q = q * s + 1.5205623666834938e-2
        q = q * s + 0.11534170264444155
        q = q * s + 0.5048390588112321
        q = q * s + 1
        return x * p / q
    }

    /// tanh(x): an odd polynomial for |x| < 0.625 (no cancellation near 0), else 1 − 2/(e²ˣ + 1) with the sign
    /// restored. Max abs error ≈ 8e-8.
    @inline(__always)
    public static func tanh(_ x: FloatVector) -> FloatVector {
        let negative = x .< 0
        var magnitude = x
        magnitude.replace(with: -x, where: negative)
        let s = x * x
        var p: FloatVector = FloatVector(repeating: -5.660169867638196e-3)
        p = p * s + 2.0591149878401493e-2
        p = p * s - 5.3721118018457435e-2
        p = p * s + 0.13331128160022598
        p = p * s - 0.3333326055372373
        p = p * s + 0.9999999960770933
        let small = x * p
        var large = 1 - 2 / (exp(2 * magnitude) + 1)
        large.replace(with: -large, where: negative)
        large.replace(with: small, where: magnitude .< 0.625)
        return large
    }

    /// Loads up to 16 floats (a row tail), padding the missing lanes with `fill`.
    @inline(__always)
    static func loadPartial(_ p: UnsafePointer<Float>, count: Int, fill: Float = 0) -> FloatVector {
        var v = FloatVector(repeating: fill)
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    /// Stores the first `count` lanes of `v`.
    @inline(__always)
    static func storePartial(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { p[i] = v[i] }
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> FloatVector {
        UnsafeRawPointer(p).loadUnaligned(as: FloatVector.self)
    }

    @inline(__always)
    static func store(_ v: FloatVector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: FloatVector.self)
    }
}
