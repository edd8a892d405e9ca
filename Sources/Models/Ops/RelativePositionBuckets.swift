import Foundation

/// MPNet's (and T5's bidirectional) relative position buckets, `MPNetEncoder.relative_position_bucket` in
/// modeling_mpnet.py: half the buckets for keys before the query, half after; within each half, exact buckets for
/// distances below num_buckets/4, then logarithmic up to `maxDistance` (128), the last bucket for anything beyond.
package enum RelativePositionBuckets {
    package static func bucket(relativePosition: Int, numBuckets: Int, maxDistance: Int = 128) -> Int {
        let half = numBuckets / 2
        var n = -relativePosition
        var result = n < 0 ? half : 0
        n = abs(n)
        let maxExact = half / 2
        if n < maxExact { return result + n }
        // torch: (log(n.float() / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact)).long()
        // in float32, truncated toward zero.
        let ratio = Float(n) / Float(maxExact)
        let scaled = Float(log(ratio)) / Float(log(Double(maxDistance) / Double(maxExact))) * Float(half - maxExact)
        result += min(maxExact + Int(scaled), half - 1)
        return result
    }
}
