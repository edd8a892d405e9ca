import SentimentCore

/// Dropout randomness, counter-based: the keep/drop decision of element i at dropout site s in forward pass n is
/// hash(seed, n, s, i). Independent of threading and cheap to checkpoint: the whole state is two integers, so a
/// resumed run draws exactly the masks an uninterrupted run would.
public struct DropoutRNG: Sendable, Codable, Equatable {
    public var seed: UInt64
    /// Number of training forward passes drawn so far.
    public var counter: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        counter = 0
    }

    /// Key of the current forward pass (then call `advance()`).
    package func passKey() -> UInt64 {
        SeededGenerator.mix(seed ^ SeededGenerator.mix(counter &* 0x9E37_79B9_7F4A_7C15 &+ 1))
    }

    /// Key for dropout site `site` within a pass.
    package static func siteKey(pass: UInt64, site: Int) -> UInt64 {
        SeededGenerator.mix(pass &+ UInt64(site) &* 0xD1B5_4A32_D192_ED03)
    }
}

/// Inverted dropout (torch.nn.Dropout in training mode): y = x · mask / (1 − p), mask ~ Bernoulli(1 − p).
package enum DropoutOp {
    /// Writes the scaled mask (0 or 1/(1−p)) for `count` elements of one site, and applies it to `x` in place.
    package static func forward(
        _ x: UnsafeMutablePointer<Float>, count: Int, p: Float, key: UInt64, indexOffset: Int = 0,
        mask: UnsafeMutablePointer<Float>
    ) {
        let scale = 1 / (1 - p)
        // Compare 24-bit uniforms against p: drop when u < p.
        let threshold = UInt64((Double(p) * 16_777_216).rounded())
        for i in 0..<count {
            let u = SeededGenerator.mix(key &+ UInt64(i + indexOffset) &* 0x9E37_79B9_7F4A_7C15) >> 40
            let m: Float = u < threshold ? 0 : scale
            mask[i] = m
            x[i] *= m
        }
    }

    /// dx = dy · mask, in place.
    package static func backward(_ dy: UnsafeMutablePointer<Float>, count: Int, mask: UnsafePointer<Float>) {
        for i in 0..<count { dy[i] *= mask[i] }
    }
}
