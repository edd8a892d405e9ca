import Foundation
import SentimentModels
import SentimentTensor

/// torch.nn.utils.clip_grad_norm_ over the trainable entries: returns the global L2 norm BEFORE clipping and scales
/// every gradient by min(1, maxNorm / (norm + 1e-6)). Pass `maxNorm: .infinity` to only measure the norm.
@discardableResult
public func clipGradientNorm(_ store: ParameterStore, maxNorm: Float) -> Float {
    let ranges = trainableChunks(store)
    nonisolated(unsafe) let grads = store.grads
    // Sum of squares: Float lanes within a chunk, chunks combined in Double.
    var partial = [Double](repeating: 0, count: ranges.count)
    partial.withUnsafeMutableBufferPointer { out in
        nonisolated(unsafe) let out = out.baseAddress!
        Parallel.forEach(count: ranges.count) { r in
            let range = ranges[r].range
            out[r] = Double(dot(grads + range.lowerBound, grads + range.lowerBound, range.count))
        }
    }
    let norm = Float(partial.reduce(0, +).squareRoot())
    guard maxNorm.isFinite else { return norm }
    let coefficient = min(1, maxNorm / (norm + 1e-6))
    if coefficient < 1 {
        Parallel.forEach(count: ranges.count) { r in
            let range = ranges[r].range
            var i = range.lowerBound
            while i < range.upperBound {
                let n = min(Vec.scalarCount, range.upperBound - i)
                storeLanes(loadLanes(grads + i, n) * coefficient, grads + i, n)
                i += n
            }
        }
    }
    return norm
}

/// The trainable entries of a store cut into ranges of at most 64 Ki floats (units of parallel work).
func trainableChunks(_ store: ParameterStore, chunk: Int = 1 << 16) -> [(range: Range<Int>, decays: Bool, entry: Int, compact: Int)] {
    var ranges: [(range: Range<Int>, decays: Bool, entry: Int, compact: Int)] = []
    var compact = 0   // offset among the trainable floats only (an optimiser state that skips frozen entries)
    for (index, e) in store.entries.enumerated() where e.trainable {
        var start = e.offset
        while start < e.offset + e.count {
            let end = min(start + chunk, e.offset + e.count)
            ranges.append((start..<end, e.decays, index, compact))
            compact += end - start
            start = end
        }
    }
    return ranges
}
