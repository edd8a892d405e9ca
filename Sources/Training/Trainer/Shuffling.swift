import SentimentCore

/// Seeded shuffling for the trainer's data order, on the training core's `SeededGenerator` (SplitMix64).
///
/// The generator's whole state is one word, so it goes into checkpoints as a plain number and a resumed run draws
/// exactly the same numbers as an uninterrupted one. We shuffle with our own Fisher–Yates rather than the standard
/// library's, whose algorithm is unspecified and could change between toolchains.
extension SeededGenerator {
    /// A uniform integer in 0..<bound (Lemire's multiply-shift with rejection: no modulo bias).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        while true {
            let product = next().multipliedFullWidth(by: b)
            if product.low >= (0 &- b) % b { return Int(product.high) }
        }
    }

    /// In-place Fisher–Yates shuffle, identical on every platform and toolchain.
    public mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(i, below(i + 1))
        }
    }
}
