// The models of the other tasks, beside `TextClassifier`: what the server serves and the pipelines
// (SentimentPipelines) are. They live here, in the vocabulary every layer shares, so that the pipelines conform
// directly and the server is built against them without knowing any model; the demo models and tests' fakes conform
// too. Every call is synchronous and may be slow: the server only ever calls them from a batcher's worker thread,
// never from an event loop.

/// A masked language model (BertForMaskedLM and friends).
public protocol FillMaskModel: Sendable {
    var name: String { get }
    /// The literal mask token texts must contain, e.g. `[MASK]` (BERT) or `<mask>` (RoBERTa).
    var maskToken: String { get }
    /// For each text, for each mask in it (left to right), the `topK` best tokens by descending score.
    func fillMask(_ texts: [String], topK: Int) throws -> [[[MaskPrediction]]]
}

/// A sentence-embedding model (mean pooling over a BERT encoder, e.g. all-MiniLM-L6-v2).
public protocol Embedder: Sendable {
    var name: String { get }
    /// Length of every vector `embed` returns.
    var dimension: Int { get }
    /// One vector per text, `dimension` floats each.
    func embed(_ texts: [String]) throws -> [[Float]]
}

/// Explains a classifier's decision token by token. The BERT pipelines use the last layer's attention from
/// [CLS], averaged over heads (the models layer exposes it); `method` says which, and the API reports it.
public protocol TokenImportanceProvider: Sendable {
    /// Human-readable name of the method, e.g. "last-layer [CLS] attention, mean over heads".
    var method: String { get }
    /// For each text, its tokens (special tokens left out) with weights.
    func tokenImportance(_ texts: [String]) throws -> [[TokenWeight]]
}
