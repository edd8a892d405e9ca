import SentimentCore

/// Length-bucketed, shuffled batches for one epoch (the "sortish sampler" of fastai / HF `group_by_length`).
///
/// Shuffle all examples, cut the shuffled list into windows of `batchSize × windowBatches`, sort each window by
/// length, cut it into batches, then shuffle the batch order. Sequences in a batch have similar lengths, so padded
/// or per-sequence attention work is balanced, yet every epoch still sees a fresh random order.
/// The plan is plain indices, so a checkpoint stores it and a resumed run continues the same epoch exactly.
public enum LengthBucketedBatches {
    /// Batches of example indices covering every example exactly once. The last batch of a window may be short.
    /// - Parameters:
    ///   - lengths: token count of each example (index = example index).
    ///   - batchSize: examples per batch.
    ///   - windowBatches: how many batches' worth of examples are sorted together (50 as in HF's sampler).
    ///   - rng: the data-order generator (seeded; a checkpoint stores its state).
    public static func plan(
        lengths: [Int], batchSize: Int, windowBatches: Int = 50, rng: inout SeededGenerator
    ) -> [[Int]] {
        precondition(batchSize > 0, "batch size must be positive")
        var order = Array(lengths.indices)
        rng.shuffle(&order)
        let window = batchSize * max(1, windowBatches)
        var batches: [[Int]] = []
        batches.reserveCapacity((lengths.count + batchSize - 1) / batchSize)
        var start = 0
        while start < order.count {
            let end = min(start + window, order.count)
            // Stable sort (longest first) keeps the shuffled order among equal lengths.
            let sorted = order[start..<end].enumerated()
                .sorted { a, b in lengths[a.element] != lengths[b.element] ? lengths[a.element] > lengths[b.element] : a.offset < b.offset }
                .map(\.element)
            var b = 0
            while b < sorted.count {
                batches.append(Array(sorted[b..<min(b + batchSize, sorted.count)]))
                b += batchSize
            }
            start = end
        }
        rng.shuffle(&batches)
        return batches
    }

    /// Batches in file order, for evaluation (no randomness, sorted by length to keep batches balanced).
    public static func sequential(lengths: [Int], batchSize: Int) -> [[Int]] {
        precondition(batchSize > 0, "batch size must be positive")
        let sorted = lengths.indices.sorted { lengths[$0] != lengths[$1] ? lengths[$0] > lengths[$1] : $0 < $1 }
        return stride(from: 0, to: sorted.count, by: batchSize).map { Array(sorted[$0..<min($0 + batchSize, sorted.count)]) }
    }
}
