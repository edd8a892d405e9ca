import Foundation
import SentimentTensor

/// The encoder's result for one packed batch: last hidden states of every real token, and optionally the last layer's
/// attention from each sequence's first token (averaged over heads) for heat maps.
public struct EncoderOutput: Sendable {
    public let batch: PackedBatch
    /// Last hidden states (N, C), sequence b in rows `batch.rows(of: b)`.
    public let hidden: Tensor
    /// Per sequence: attention probabilities of its first token over its own tokens (length = sequence length),
    /// last layer, mean over heads. nil unless asked for.
    public let firstTokenAttention: [[Float]]?
}

/// A loaded BERT, DistilBERT, RoBERTa or MPNet encoder with whichever head its checkpoint carries.
///
/// Immutable after loading (weights are read-only, every call works in a cache of its own), so one instance may serve
/// any number of threads at once. Build it with `AutoModel.load(folder:)`.
public final class EncoderModel: Sendable {
    public let config: ModelConfig
    /// The HF class this model mirrors (from config.json, or inferred from the checkpoint's keys).
    public let architecture: ModelArchitecture
    public let embeddings: BertEmbeddings
    public let encoder: BertEncoder
    /// BERT's pooler (dense + tanh on [CLS]) when the checkpoint has one.
    public let pooler: BertPooler?
    public let classificationHead: ClassificationHead?
    public let maskedLMHead: MaskedLMHead?
    /// How `sentenceEmbeddings` pools (from the folder's sentence-transformers files; mean + normalise by default).
    public let pooling: SentencePooling
    /// Checkpoint tensors not used: buffers such as position_ids, the NSP head, and (non-strict loads) anything else.
    public let ignoredKeys: [String]
    private let storage: WeightStorage
    /// Inference caches reused between calls (one per concurrent call).
    private let caches = ActivationCachePool()

    init(config: ModelConfig, architecture: ModelArchitecture, reader: CheckpointReader, pooling: SentencePooling,
         strict: Bool) throws {
        self.config = config
        self.architecture = architecture
        self.pooling = pooling
        let prefix = reader.encoderPrefix
        embeddings = try BertEmbeddings(reader, prefix: prefix, config: config)
        encoder = try BertEncoder(reader, config: config)
        // The pooler is part of BertModel (HF add_pooling_layer=True); load it whenever it is there.
        let c = config.hiddenSize
        let poolerKey = ParameterKeys(config.modelType).pooler.map { prefix + $0 }
        pooler = try poolerKey.flatMap { key in
            reader.contains(key + ".weight") ? BertPooler(dense: try Linear(reader, key, out: c, in: c)) : nil
        }
        classificationHead = architecture.head == .sequenceClassification
            ? try ClassificationHead(reader, config: config, pooler: pooler) : nil
        maskedLMHead = architecture.head == .maskedLM
            ? try MaskedLMHead(reader, config: config, wordEmbeddings: embeddings.wordEmbeddings) : nil

        // Buffers and heads HF itself drops on load (`_keys_to_ignore_on_load_unexpected`), and the NSP head.
        let ignoreList = ["position_ids", "token_type_ids", "cls.seq_relationship."]
        let unused = reader.unusedKeys(ignoring: ignoreList)
        if strict && !unused.isEmpty { throw ModelError.unusedParameters(unused) }
        ignoredKeys = reader.unusedKeys(ignoring: [])
        storage = reader.storage
    }

    /// Hidden width C.
    public var hiddenSize: Int { config.hiddenSize }
    /// Longest sequence (in tokens, specials included) the position table allows.
    public var maxLength: Int { embeddings.maxLength }

    // MARK: - Encoder

    /// The encoder as the shared forward pass sees it (the same pass training runs; see `EncoderPass`).
    package var pass: EncoderPass { EncoderPass(config: config, embeddings: embeddings, encoder: encoder) }

    /// Runs embeddings and every layer over the packed batch: `EncoderPass.forward` with a cache of its own (taken from a
    /// pool, so concurrent calls never share memory), no dropout, activations not kept.
    public func forward(_ batch: PackedBatch, captureAttention: Bool = false) throws -> EncoderOutput {
        let positionIds = embeddings.positionIds(batch)
        try embeddings.validate(batch, positionIds: positionIds)
        let n = batch.tokenCount, c = hiddenSize, heads = config.numAttentionHeads
        return caches.withCache(keepsProbabilities: captureAttention) { ws in
            ws.prepare(lengths: batch.lengths, config: config, numLabels: 1)
            let out = pass.forward(batch, positions: positionIds, cache: ws, dropoutKey: nil, firstTokenOnly: false)
            let hidden = Tensor(shape: [n, c], data: Array(UnsafeBufferPointer(start: out, count: n * c)))
            var attention: [[Float]]?
            if captureAttention && config.numHiddenLayers > 0 {
                // The last layer's probabilities (every layer shares one cache): row 0 of each head, averaged over heads.
                let layout = ws.layout, probs = ws.layer(config.numHiddenLayers - 1).probs.pointer
                attention = (0..<batch.count).map { b in
                    let length = layout.length(b), base = layout.probabilityOffsets[b]
                    return (0..<length).map { j in
                        (0..<heads).reduce(Float(0)) { $0 + probs[base + $1 * length * length + j] } / Float(heads)
                    }
                }
            }
            return EncoderOutput(batch: batch, hidden: hidden, firstTokenAttention: attention)
        }
    }

    /// `forward` keeping every layer's and head's attention probabilities, per sequence (HF
    /// `output_attentions=True`; heat maps, rollout). Memory: L · H · T² floats a sequence.
    public func forwardKeepingAttention(_ batch: PackedBatch) throws -> (output: EncoderOutput, attention: [AttentionMaps]) {
        let positionIds = embeddings.positionIds(batch)
        try embeddings.validate(batch, positionIds: positionIds)
        let n = batch.tokenCount, c = hiddenSize, heads = config.numAttentionHeads, L = config.numHiddenLayers
        return caches.withCache(keepsProbabilities: true) { ws in
            ws.prepare(lengths: batch.lengths, config: config, numLabels: 1)
            var maps = batch.lengths.map { [Float](repeating: 0, count: L * heads * $0 * $0) }
            let out = pass.forward(batch, positions: positionIds, cache: ws, dropoutKey: nil, firstTokenOnly: false) { l in
                let layout = ws.layout, probs = ws.layer(l).probs.pointer
                for b in 0..<batch.count {
                    let size = heads * layout.length(b) * layout.length(b)
                    maps[b].withUnsafeMutableBufferPointer {
                        ($0.baseAddress! + l * size).update(from: probs + layout.probabilityOffsets[b], count: size)
                    }
                }
            }
            let hidden = Tensor(shape: [n, c], data: Array(UnsafeBufferPointer(start: out, count: n * c)))
            let attention = zip(batch.lengths, maps).map {
                AttentionMaps(layers: L, heads: heads, length: $0, probabilities: $1)
            }
            // Row 0 of the last layer's head mean: what `forward(captureAttention:)` gives.
            let first = L == 0 ? nil : attention.map { Array($0.headMean(layer: L - 1).prefix($0.length)) }
            return (EncoderOutput(batch: batch, hidden: hidden, firstTokenAttention: first), attention)
        }
    }

    /// Last hidden states (N, C) of all real tokens, sequence after sequence.
    public func encode(_ batch: PackedBatch) throws -> Tensor {
        try forward(batch).hidden
    }

    // MARK: - Heads

    /// BERT's pooler output (B, C): tanh(dense([CLS])).
    public func pooledOutput(_ output: EncoderOutput) throws -> Tensor {
        guard let pooler else { throw ModelError.missingHead("pooler") }
        var result = Tensor(shape: [output.batch.count, pooler.dense.outFeatures])
        output.hidden.withUnsafeBufferPointer { hidden in
            result.withUnsafeMutableBufferPointer { pooler.forward(hidden.baseAddress!, batch: output.batch, out: $0.baseAddress!) }
        }
        return result
    }

    /// Classification logits (B, numLabels) from an encoder output (every token's hidden state: when the caller also
    /// wants those, or the attention).
    public func classify(_ output: EncoderOutput) throws -> Tensor {
        guard let classificationHead else { throw ModelError.missingHead("sequence classification") }
        let b = output.batch.count, c = hiddenSize
        return caches.withCache { ws in
            ws.prepareHead(batchSize: b, width: c, numLabels: classificationHead.numLabels)
            output.hidden.withUnsafeBufferPointer { gatherFirstTokens($0.baseAddress!, batch: output.batch, width: c, out: ws.cls.pointer) }
            return headLogits(classificationHead, first: ws.cls.pointer, count: b, cache: ws)
        }
    }

    /// Classification logits (B, numLabels): the shared forward with `firstTokenOnly` — the last block computes
    /// queries, attention output, FFN and norms for each sequence's first token alone, all the head reads (HF computes
    /// every token and drops the rest) — then the head, in one pooled cache, nothing copied but the logits.
    public func classify(_ batch: PackedBatch) throws -> Tensor {
        guard let classificationHead else { throw ModelError.missingHead("sequence classification") }
        let positionIds = embeddings.positionIds(batch)
        try embeddings.validate(batch, positionIds: positionIds)
        return caches.withCache { ws in
            ws.prepare(lengths: batch.lengths, config: config, numLabels: classificationHead.numLabels)
            let first = pass.forward(batch, positions: positionIds, cache: ws, dropoutKey: nil, firstTokenOnly: true)
            return headLogits(classificationHead, first: first, count: batch.count, cache: ws)
        }
    }

    private func headLogits(_ head: ClassificationHead, first: UnsafeMutablePointer<Float>, count b: Int,
                            cache ws: ActivationCache) -> Tensor {
        head.forward(first, count: b, cache: ws, layers: config.numHiddenLayers, dropout: nil)
        return Tensor(shape: [b, head.numLabels], data: Array(UnsafeBufferPointer(start: ws.logits.pointer, count: b * head.numLabels)))
    }

    /// Masked-LM logits (M, V) at `positions[b]` (token indices within sequence b), rows in batch-then-position order.
    public func maskedLMLogits(_ batch: PackedBatch, positions: [[Int]]) throws -> Tensor {
        guard let maskedLMHead else { throw ModelError.missingHead("masked-LM") }
        guard positions.count == batch.count else {
            throw ModelError.invalidInput("\(positions.count) position lists for \(batch.count) sequences")
        }
        var rows: [Int] = []
        for (b, list) in positions.enumerated() {
            for p in list {
                guard p >= 0 && p < batch.lengths[b] else {
                    throw ModelError.invalidInput("position \(p) is outside sequence \(b) (length \(batch.lengths[b]))")
                }
                rows.append(batch.offsets[b] + p)
            }
        }
        let output = try forward(batch)
        return output.hidden.withUnsafeBufferPointer { maskedLMHead.forward($0.baseAddress!, rows: rows) }
    }

    /// Sentence embeddings (B, C) pooled per `pooling` (mean + L2 normalisation for sentence-transformers models).
    public func sentenceEmbeddings(_ output: EncoderOutput) -> Tensor {
        output.hidden.withUnsafeBufferPointer { pooling.forward($0.baseAddress!, batch: output.batch, width: hiddenSize) }
    }

    /// Sentence embeddings (B, C).
    public func sentenceEmbeddings(_ batch: PackedBatch) throws -> Tensor {
        sentenceEmbeddings(try forward(batch))
    }
}
