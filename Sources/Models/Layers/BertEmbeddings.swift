import SentimentTensor

/// Token embeddings: word + position (+ token type) → LayerNorm → dropout (HF `BertEmbeddings`, `RobertaEmbeddings`,
/// DistilBERT `Embeddings`, `MPNetEmbeddings`). The arithmetic is `EncoderPass`'s (EmbeddingOp).
public struct BertEmbeddings: Sendable {
    /// How position ids are assigned within each sequence.
    public enum Positions: Sendable, Equatable {
        /// 0, 1, 2, ... (BERT, DistilBERT).
        case fromZero
        /// RoBERTa's `create_position_ids_from_input_ids`: padding_idx + 1 + (number of non-pad tokens so far);
        /// pad tokens themselves get padding_idx.
        case afterPadding(paddingIdx: Int32)
    }

    public let wordEmbeddings: Weight        // [V, C]
    public let positionEmbeddings: Weight    // [P, C]
    public let tokenTypeEmbeddings: Weight?  // [T, C]; nil for DistilBERT and MPNet
    public let layerNorm: LayerNorm
    public let positions: Positions
    public var hiddenSize: Int { wordEmbeddings.shape[1] }
    /// Longest sequence the position table allows (RoBERTa loses padding_idx + 1 rows to its offset).
    public var maxLength: Int {
        switch positions {
        case .fromZero: return positionEmbeddings.shape[0]
        case .afterPadding(let pad): return positionEmbeddings.shape[0] - Int(pad) - 1
        }
    }

    /// `prefix` is the encoder prefix, e.g. "bert." or "" (the family's keys add "embeddings.").
    init(_ reader: CheckpointReader, prefix: String, config: ModelConfig) throws {
        let c = config.hiddenSize, keys = ParameterKeys(config.modelType)
        self.init(
            word: try reader.weight(prefix + keys.word, shape: [config.vocabSize, c]),
            position: try reader.weight(prefix + keys.position, shape: [config.maxPositionEmbeddings, c]),
            tokenType: try keys.tokenType.map { try reader.weight(prefix + $0, shape: [config.typeVocabSize, c]) },
            layerNorm: try LayerNorm(reader, prefix + keys.embeddingNorm, size: c, eps: config.layerNormEps),
            config: config)
    }

    /// Views of tables that live elsewhere (the trainer's parameter store).
    package init(word: Weight, position: Weight, tokenType: Weight?, layerNorm: LayerNorm, config: ModelConfig) {
        wordEmbeddings = word
        positionEmbeddings = position
        tokenTypeEmbeddings = tokenType
        self.layerNorm = layerNorm
        positions = config.modelType.positionsAfterPadding ? .afterPadding(paddingIdx: Self.paddingIdx(config)) : .fromZero
    }

    /// padding_idx of the word (and, after-padding families, position) tables: pad_token_id; MPNet hard-codes 1
    /// (modeling_mpnet.py `MPNetEmbeddings.padding_idx`).
    package static func paddingIdx(_ config: ModelConfig) -> Int32 {
        config.modelType == .mpnet ? 1 : Int32(config.padTokenId)
    }

    /// Position id of every packed token (N).
    public func positionIds(_ batch: PackedBatch) -> [Int32] {
        var result = [Int32](repeating: 0, count: batch.tokenCount)
        for b in 0..<batch.count {
            let rows = batch.rows(of: b)
            switch positions {
            case .fromZero:
                for (i, row) in rows.enumerated() { result[row] = Int32(i) }
            case .afterPadding(let pad):
                var seen: Int32 = 0
                for row in rows {
                    if batch.ids[row] == pad {
                        result[row] = pad
                    } else {
                        seen += 1
                        result[row] = pad + seen
                    }
                }
            }
        }
        return result
    }

    /// Throws when an id, type id or position falls outside its table (PyTorch would raise an index error).
    package func validate(_ batch: PackedBatch, positionIds: [Int32]) throws {
        let vocab = wordEmbeddings.shape[0], maxPosition = positionEmbeddings.shape[0]
        if let bad = batch.ids.firstIndex(where: { $0 < 0 || Int($0) >= vocab }) {
            throw ModelError.invalidInput("token id \(batch.ids[bad]) is outside the vocabulary (size \(vocab))")
        }
        if let bad = positionIds.firstIndex(where: { Int($0) >= maxPosition }) {
            let sequence = batch.offsets.lastIndex { $0 <= bad } ?? 0
            throw ModelError.invalidInput(
                "sequence \(sequence) has \(batch.lengths[sequence]) tokens, more than this model's \(maxLength) positions (truncate it)")
        }
        if let types = tokenTypeEmbeddings,
           let bad = batch.typeIds.firstIndex(where: { $0 < 0 || Int($0) >= types.shape[0] }) {
            throw ModelError.invalidInput("token type id \(batch.typeIds[bad]) is outside 0..<\(types.shape[0])")
        }
    }
}
