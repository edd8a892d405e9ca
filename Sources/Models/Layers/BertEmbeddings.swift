import SentimentTensor

/// Token embeddings: word + position (+ token type) → LayerNorm (HF `BertEmbeddings`, `RobertaEmbeddings`,
/// DistilBERT `Embeddings`; dropout is the identity at inference).
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
    public let tokenTypeEmbeddings: Weight?  // [T, C]; nil for DistilBERT
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

    /// `prefix` is e.g. "bert.embeddings." or "distilbert.embeddings.".
    init(_ reader: CheckpointReader, prefix: String, config: ModelConfig) throws {
        let c = config.hiddenSize
        wordEmbeddings = try reader.weight(prefix + "word_embeddings.weight", shape: [config.vocabSize, c])
        positionEmbeddings = try reader.weight(prefix + "position_embeddings.weight", shape: [config.maxPositionEmbeddings, c])
        tokenTypeEmbeddings = config.modelType == .distilbert
            ? nil : try reader.weight(prefix + "token_type_embeddings.weight", shape: [config.typeVocabSize, c])
        layerNorm = try LayerNorm(reader, prefix + "LayerNorm", size: c, eps: config.layerNormEps)
        positions = config.modelType == .roberta ? .afterPadding(paddingIdx: Int32(config.padTokenId)) : .fromZero
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
    func validate(_ batch: PackedBatch, positionIds: [Int32]) throws {
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

    /// out[N, C] = LayerNorm(word[ids] + tokenType[typeIds] + position[positionIds]).
    func forward(_ batch: PackedBatch, positionIds: [Int32], out: UnsafeMutablePointer<Float>) {
        let n = batch.tokenCount, c = hiddenSize
        // Same summation order as HF: (word + token type) + position.
        batch.ids.withUnsafeBufferPointer { ids in
            Kernels.gather(table: wordEmbeddings.pointer, dim: c, ids: ids.baseAddress!, count: n, out: out)
        }
        for t in 0..<n {
            if let types = tokenTypeEmbeddings {
                Kernels.addInPlace(out + t * c, types.pointer + Int(batch.typeIds[t]) * c, count: c)
            }
            Kernels.addInPlace(out + t * c, positionEmbeddings.pointer + Int(positionIds[t]) * c, count: c)
        }
        layerNorm(out, rows: n, out: out)
    }
}
