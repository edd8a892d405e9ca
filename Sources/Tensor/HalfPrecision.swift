/// IEEE half (F16) and bfloat16 (BF16) ↔ Float32 by bit manipulation, so it works on every platform
/// (Swift's `Float16` is missing on macOS x86_64; there is no `BFloat16` type at all).
public enum HalfPrecision {
    /// bf16 is the top 16 bits of a Float32.
    @inline(__always)
    static func floatFromBFloat16(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// IEEE 754 binary16 → binary32, exact (every half value is representable as a float).
    @inline(__always)
    public static func floatFromFloat16(_ bits: UInt16) -> Float {
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

    /// binary32 → binary16, rounded to nearest even (what numpy's `astype(float16)` and torch's `.half()` do):
    /// overflow → ±inf, NaN stays NaN (quiet), tiny values → subnormals or ±0.
    public static func float16Bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF { return sign | 0x7C00 | (mantissa != 0 ? 0x200 : 0) }
        let e = exponent - 112   // half's biased exponent
        if e >= 0x1F { return sign | 0x7C00 }
        if e <= 0 {
            // Subnormal half h · 2^-24 with h = (1.m · 2^23) >> (14 − e), rounded to nearest even.
            guard e >= -10 else { return sign }
            let m = mantissa | 0x80_0000
            let shift = UInt32(14 - e)
            var r = m >> shift
            let remainder = m & ((1 << shift) - 1), half = UInt32(1) << (shift - 1)
            if remainder > half || (remainder == half && r & 1 == 1) { r += 1 }
            return sign | UInt16(r)
        }
        var r = UInt32(e) << 10 | mantissa >> 13
        let remainder = mantissa & 0x1FFF
        if remainder > 0x1000 || (remainder == 0x1000 && r & 1 == 1) { r += 1 }   // a carry may reach inf: right
        return sign | UInt16(r)
    }
}
