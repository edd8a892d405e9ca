/// A special token and its id.
public struct SpecialToken: Sendable, Equatable, Hashable {
    public var content: String
    public var id: Int32
    public init(content: String, id: Int32) {
        self.content = content
        self.id = id
    }
}

/// The special tokens a model uses: `[CLS] [SEP] [PAD] [MASK] [UNK]` (BERT) or `<s> </s> <pad> <mask> <unk>` (RoBERTa).
public struct SpecialTokens: Sendable, Equatable {
    /// Start of sequence: `[CLS]` or `<s>`.
    public var cls: SpecialToken
    /// Separator / end of sequence: `[SEP]` or `</s>`.
    public var sep: SpecialToken
    public var pad: SpecialToken
    public var mask: SpecialToken
    public var unk: SpecialToken
    public init(cls: SpecialToken, sep: SpecialToken, pad: SpecialToken, mask: SpecialToken, unk: SpecialToken) {
        self.cls = cls
        self.sep = sep
        self.pad = pad
        self.mask = mask
        self.unk = unk
    }
}

/// A tokenizer identical to Hugging Face's (`tokenizers` / `transformers` fast tokenizers).
public protocol Tokenizer: Sendable {
    /// Tokenizes `text` (and `pair`, the second segment), adds specials, truncates and pads per `options`.
    func encode(_ text: String, pair: String?, options: EncodingOptions) throws -> Encoding
    /// Encodes each text; `options.padding == .longest` pads all to the longest of the batch.
    func encodeBatch(_ texts: [String], options: EncodingOptions) throws -> [Encoding]
    /// Ids back to text, as HF `tokenizer.decode(ids, skip_special_tokens:)`.
    func decode(_ ids: [Int32], skipSpecialTokens: Bool) -> String
    func tokenToId(_ token: String) -> Int32?
    func idToToken(_ id: Int32) -> String?
    /// Number of entries in the vocabulary, added tokens included (HF `len(tokenizer)`).
    var vocabSize: Int { get }
    var specialTokens: SpecialTokens { get }
    /// The longest input the model accepts (`model_max_length` of tokenizer_config.json), when the folder says so.
    var modelMaxLength: Int? { get }
}

extension Tokenizer {
    /// Encodes one text (or pair) with the default options: specials added, no truncation, no padding.
    public func encode(_ text: String, pair: String? = nil) throws -> Encoding {
        try encode(text, pair: pair, options: EncodingOptions())
    }

    public func decode(_ ids: [Int32]) -> String {
        decode(ids, skipSpecialTokens: false)
    }
}

/// How to truncate when a text (pair) is longer than `EncodingOptions.maxLength` (HF `truncation=`).
public enum TruncationStrategy: String, Sendable, CaseIterable {
    /// Remove tokens from the longer of the two texts first (HF `longest_first`, the default).
    case longestFirst
    /// Only ever truncate text A.
    case onlyFirst
    /// Only ever truncate text B (error for a single text, as in HF).
    case onlySecond
    /// Never truncate.
    case none
}

/// Padding (HF `padding=`): on the right, with the pad token, type id 0 and attention mask 0.
public enum Padding: Sendable, Equatable {
    case none
    /// Pad every encoding of a batch to the longest one of the batch.
    case longest
    /// Pad to this length (longer encodings stay longer: truncation is separate).
    case length(Int)
}

/// Options of one encode call, mirroring HF `tokenizer(text, pair, add_special_tokens=, max_length=, truncation=,
/// stride=, padding=)`.
public struct EncodingOptions: Sendable, Equatable {
    /// Add `[CLS] … [SEP]` (`<s> … </s>`).
    public var addSpecialTokens: Bool
    /// Maximum number of tokens, specials included; nil: no truncation.
    public var maxLength: Int?
    public var truncation: TruncationStrategy
    /// Tokens of overlap between consecutive overflow windows (HF `stride`); must be smaller than
    /// maxLength minus the specials.
    public var stride: Int
    public var padding: Padding

    public init(
        addSpecialTokens: Bool = true, maxLength: Int? = nil, truncation: TruncationStrategy = .longestFirst,
        stride: Int = 0, padding: Padding = .none
    ) {
        self.addSpecialTokens = addSpecialTokens
        self.maxLength = maxLength
        self.truncation = truncation
        self.stride = stride
        self.padding = padding
    }
}

/// Every failure of loading or encoding, typed.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// The folder has none of tokenizer.json, vocab.txt, vocab.json + merges.txt.
    case noTokenizerFiles(folder: String)
    case unreadableFile(path: String, reason: String)
    /// The file was read but its content is not what we expected (bad JSON shape, bad merges line, invalid UTF-8…).
    case invalidFile(path: String, reason: String)
    /// A tokenizer.json component we do not implement (e.g. a Unigram model or a Metaspace pre-tokenizer).
    case unsupported(String)
    /// A special token the model needs is missing from the vocabulary.
    case missingSpecialToken(String)
    /// `stride` must be smaller than the room left for text after the specials.
    case strideTooLarge(stride: Int, room: Int)
    /// `maxLength` is smaller than the number of special tokens.
    case maxLengthTooSmall(maxLength: Int, specialTokens: Int)
    /// `onlySecond` without a pair, or the chosen text is too short to remove enough tokens (HF raises too).
    case cannotTruncate(String)

    public var description: String {
        switch self {
        case .noTokenizerFiles(let folder):
            return "no tokenizer files in \(folder) (need tokenizer.json, vocab.txt, or vocab.json + merges.txt)"
        case .unreadableFile(let path, let reason): return "cannot read \(path): \(reason)"
        case .invalidFile(let path, let reason): return "invalid tokenizer file \(path): \(reason)"
        case .unsupported(let what): return "unsupported tokenizer component: \(what)"
        case .missingSpecialToken(let token): return "special token \(token) is not in the vocabulary"
        case .strideTooLarge(let stride, let room):
            return "stride \(stride) must be smaller than the \(room) tokens left for text after the specials"
        case .maxLengthTooSmall(let maxLength, let specials):
            return "max length \(maxLength) is smaller than the \(specials) special tokens"
        case .cannotTruncate(let why): return "cannot truncate: \(why)"
        }
    }
}
