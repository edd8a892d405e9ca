/// IEEE half (F16) and bfloat16 (BF16) → Float32 by bit manipulation, so it works on every platform
/// (Swift's `Float16` is missing on macOS x86_64; there is no `BFloat16` type at all).
enum HalfPrecision {
    /// bf16 is the top 16 bits of a Float32.
    @inline(__always)
    static func floatFromBFloat16(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// IEEE 754 binary16 → binary32, exact (every half value is representable as a float).
    @inline(__always)
    static func floatFromFloat16(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x3FF)
        if exponent == 0x1F {  // inf / NaN: keep the payload
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        if exponent == 0 {
            // zero or subnormal: mantissa · 2^-24, exact in Float32
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }
}
