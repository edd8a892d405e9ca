import SentimentCore

/// The output of a tokenizer for one text (or one text pair), as HF `tokenizers.Encoding` returns it.
///
/// All arrays have the same length (the number of tokens, padding included).
public struct Encoding: Sendable, Equatable, TokenizedInput {
    /// Token ids in the vocabulary.
    public var ids: [Int32]
    /// Segment ids: 0 for text A (and its specials), 1 for text B (BERT); always 0 for RoBERTa.
    public var typeIds: [Int32]
    /// 1 for real tokens, 0 for padding.
    public var attentionMask: [Int32]
    /// Token strings as in the vocabulary (`##na`, `Ġhello`, `[CLS]`).
    public var tokens: [String]
    /// Character offsets (Unicode scalars, as HF Python returns them) into the ORIGINAL text the token came from
    /// (text A or text B); special and padding tokens get 0..<0.
    public var offsets: [Range<Int>]
    /// nil for special and padding tokens, 0 for tokens of text A, 1 for tokens of text B.
    public var sequenceIds: [Int?]
    /// Windows that did not fit when truncating (with `stride` tokens of overlap), in HF's order, specials and
    /// padding applied. For a pair where both texts overflow, HF nests combinations; we keep exactly its structure.
    public var overflowing: [Encoding]

    public init(
        ids: [Int32] = [], typeIds: [Int32] = [], attentionMask: [Int32] = [], tokens: [String] = [],
        offsets: [Range<Int>] = [], sequenceIds: [Int?] = [], overflowing: [Encoding] = []
    ) {
        self.ids = ids
        self.typeIds = typeIds
        self.attentionMask = attentionMask
        self.tokens = tokens
        self.offsets = offsets
        self.sequenceIds = sequenceIds
        self.overflowing = overflowing
    }

    /// Number of tokens (padding included).
    public var count: Int { ids.count }

    /// This encoding followed by its overflowing windows, flattened one level: what HF transformers returns with
    /// `return_overflowing_tokens=True` (one row per window, e.g. for long-text pipelines).
    public var windows: [Encoding] {
        var first = self
        first.overflowing = []
        return [first] + overflowing.map { window in
            var flat = window
            flat.overflowing = []
            return flat
        }
    }
}
