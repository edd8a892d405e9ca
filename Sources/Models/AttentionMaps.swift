/// Every layer's and head's attention probabilities of one sequence: HF's `output_attentions=True` (a tuple of L
/// tensors (B, H, T, T), softmax over the keys, before attention dropout), sliced to this sequence's T real tokens.
/// `probabilities[((l · H + h) · T + i) · T + j]` is how much query token i of head h in layer l attends to key j.
public struct AttentionMaps: Sendable, Equatable {
    public let layers: Int
    public let heads: Int
    /// Tokens T (specials included).
    public let length: Int
    public let probabilities: [Float]

    public init(layers: Int, heads: Int, length: Int, probabilities: [Float]) {
        precondition(probabilities.count == layers * heads * length * length, "attention maps: wrong element count")
        self.layers = layers
        self.heads = heads
        self.length = length
        self.probabilities = probabilities
    }

    /// P(key | query) in head `head` of layer `layer`.
    public func weight(layer: Int, head: Int, query: Int, key: Int) -> Float {
        probabilities[((layer * heads + head) * length + query) * length + key]
    }

    /// One head's T × T matrix, row-major (rows: queries).
    public func matrix(layer: Int, head: Int) -> [Float] {
        let size = length * length, start = (layer * heads + head) * size
        return Array(probabilities[start..<start + size])
    }

    /// Layer `layer`'s T × T matrix averaged over its heads.
    public func headMean(layer: Int) -> [Float] {
        let size = length * length
        var mean = [Float](repeating: 0, count: size)
        for h in 0..<heads {
            let start = (layer * heads + h) * size
            for k in 0..<size { mean[k] += probabilities[start + k] }
        }
        return mean.map { $0 / Float(heads) }
    }

    /// Attention rollout (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers"): each layer's
    /// head-mean attention with the residual connection added as identity, Â = (A + I) / 2 (rows still sum to 1),
    /// multiplied from the first layer up: R = Â_L · … · Â_1. Row i of the T × T result is how much of token i's
    /// final representation flows from each input token; row 0 ([CLS] / <s>) is what a first-token classifier reads.
    /// Computed in Double.
    public func rollout() -> [Float] {
        let T = length
        var rolled = [Double](repeating: 0, count: T * T)
        for i in 0..<T { rolled[i * T + i] = 1 }
        for l in 0..<layers {
            let mean = headMean(layer: l)
            var next = [Double](repeating: 0, count: T * T)
            for i in 0..<T {
                for k in 0..<T {
                    let a = 0.5 * Double(mean[i * T + k]) + (i == k ? 0.5 : 0)
                    guard a != 0 else { continue }
                    for j in 0..<T { next[i * T + j] += a * rolled[k * T + j] }
                }
            }
            rolled = next
        }
        return rolled.map { Float($0) }
    }
}
