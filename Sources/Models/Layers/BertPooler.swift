import SentimentTensor

/// dense + tanh on each sequence's first token (HF `BertPooler`; also the shape of RoBERTa's classification head
/// `dense` + tanh, see `ClassificationHead`).
public struct BertPooler: Sendable {
    public let dense: Linear   // [C, C]

    /// out[B, C] = tanh(dense(hidden[first token of each sequence])).
    func forward(_ hidden: UnsafePointer<Float>, batch: PackedBatch, out: UnsafeMutablePointer<Float>) {
        let c = dense.inFeatures
        withUnsafeTemporaryAllocation(of: Float.self, capacity: batch.count * c) { first in
            gatherFirstTokens(hidden, batch: batch, width: c, out: first.baseAddress!)
            dense(first.baseAddress!, rows: batch.count, out: out)
        }
        Kernels.tanhActivation(out, count: batch.count * dense.outFeatures, out: out)
    }
}

/// out[B, C] = hidden[offsets[b], :] — the first token ([CLS] / <s>) of every sequence.
func gatherFirstTokens(_ hidden: UnsafePointer<Float>, batch: PackedBatch, width c: Int, out: UnsafeMutablePointer<Float>) {
    for b in 0..<batch.count { (out + b * c).update(from: hidden + batch.offsets[b] * c, count: c) }
}
