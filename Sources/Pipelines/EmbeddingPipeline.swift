import Foundation
import SentimentCore
import SentimentData
import SentimentModels
import SentimentTokenizers

/// Sentence embeddings as sentence-transformers computes them (all-MiniLM-L6-v2, all-mpnet-base-v2, any encoder
/// folder): the encoder's last hidden states pooled per the folder's 1_Pooling/config.json (mean over tokens by
/// default), then L2-normalised when modules.json has a Normalize module, with texts truncated to
/// sentence_bert_config.json's `max_seq_length` (256 for all-MiniLM-L6-v2, 384 for all-mpnet-base-v2).
public final class EmbeddingPipeline: Embedder {
    public let name: String
    public let model: EncoderModel
    public let tokenizer: any Tokenizer
    /// Longest input in tokens (specials included); longer texts are truncated.
    public let maxLength: Int
    let core: TokenizedModel

    public init(model: EncoderModel, tokenizer: any Tokenizer, name: String, maxSequenceLength: Int? = nil) throws {
        core = try TokenizedModel(model: model, tokenizer: tokenizer)
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
        maxLength = min(maxSequenceLength ?? core.maxLength, core.maxLength)
    }

    /// Loads any BERT-family folder; a head, if any, is ignored (only the encoder is used).
    public convenience init(folder: URL, name: String? = nil) throws {
        try self.init(folder: folder, model: try AutoModel.load(folder: folder, options: LoadOptions(head: HeadKind.none)),
                      name: name)
    }

    /// `model`, already loaded from `folder`, with the folder's tokenizer and sentence-transformers length.
    public convenience init(folder: URL, model: EncoderModel, name: String? = nil) throws {
        try self.init(model: model, tokenizer: try AutoTokenizer.load(folder: folder), name: name ?? folder.lastPathComponent,
                      maxSequenceLength: Self.sentenceTransformersMaxLength(folder))
    }

    /// Loads by NAME|DIR (see `ModelLocator`); `all-MiniLM-L6-v2` by default.
    public static func load(_ nameOrPath: String = ModelLocator.defaultEmbedder, cache: ArtifactCache = .default) throws -> EmbeddingPipeline {
        let folder = try ModelLocator.folder(for: nameOrPath, cache: cache)
        return try EmbeddingPipeline(folder: folder, name: ModelLocator.displayName(nameOrPath, folder: folder))
    }

    /// Length of every vector.
    public var dimension: Int { model.hiddenSize }

    /// One vector of `dimension` floats per text, in input order.
    public func embed(_ texts: [String], batchSize: Int = 32) throws -> [[Float]] {
        guard !texts.isEmpty else { throw PipelineError.emptyInput }
        guard batchSize >= 1 else { throw PipelineError.invalidOption("batch size must be at least 1") }
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        for slice in texts.batches(of: batchSize) {
            let encodings = try core.encode(Array(slice), firstIndex: slice.startIndex, maxLength: maxLength)
            let pooled = try model.sentenceEmbeddings(try PackedBatch(encodings: encodings))   // (B, C)
            let c = dimension
            pooled.withUnsafeBufferPointer { rows in
                for b in 0..<slice.count { vectors.append(Array(rows[b * c ..< (b + 1) * c])) }
            }
        }
        return vectors
    }

    /// `Embedder` (the server's `/v1/embed`): `embed` in batches of 32.
    public func embed(_ texts: [String]) throws -> [[Float]] { try embed(texts, batchSize: 32) }

    /// `max_seq_length` of sentence_bert_config.json, when the folder has one.
    static func sentenceTransformersMaxLength(_ folder: URL) -> Int? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("sentence_bert_config.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["max_seq_length"] as? Int
    }
}
