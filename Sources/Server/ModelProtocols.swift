import SentimentCore

// What the server needs from models, beyond `TextClassifier` (SentimentCore). The pipelines conform to these;
// tests use small deterministic fakes. Every call is synchronous and may be slow: the server only ever calls
// them from a batcher's worker thread, never from an event loop.

/// One candidate for one `[MASK]` position, as Hugging Face's fill-mask pipeline reports it.
public struct MaskPrediction: Codable, Sendable, Hashable {
    /// Vocabulary id of the predicted token.
    public var token: Int
    /// The token as text (`token_str` in HF).
    public var tokenString: String
    /// Softmax probability over the vocabulary.
    public var score: Float
    /// The input with this mask replaced by the token.
    public var sequence: String

    public init(token: Int, tokenString: String, score: Float, sequence: String) {
        self.token = token
        self.tokenString = tokenString
        self.score = score
        self.sequence = sequence
    }

    enum CodingKeys: String, CodingKey {
        case token, score, sequence
        case tokenString = "token_str"
    }
}

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

/// One token of a text with how much it mattered to the prediction (the page shades it).
public struct TokenWeight: Codable, Sendable, Hashable {
    /// The token as the tokenizer wrote it (e.g. `##ing`).
    public var token: String
    /// Offsets into the text in Unicode scalars (code points), end exclusive, like HF `offset_mapping`.
    public var start: Int
    public var end: Int
    /// Non-negative importance; only ratios within one text matter.
    public var weight: Float

    public init(token: String, start: Int, end: Int, weight: Float) {
        self.token = token
        self.start = start
        self.end = end
        self.weight = weight
    }
}

/// Explains a classifier's decision token by token. The BERT pipelines use the last layer's attention from
/// [CLS], averaged over heads (the models layer exposes it); `method` says which, and the API reports it.
public protocol TokenImportanceProvider: Sendable {
    /// Human-readable name of the method, e.g. "last-layer [CLS] attention, mean over heads".
    var method: String { get }
    /// For each text, its tokens (special tokens left out) with weights.
    func tokenImportance(_ texts: [String]) throws -> [[TokenWeight]]
}
