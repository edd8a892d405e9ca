/// A batch of token sequences with no padding: the real tokens of all sequences concatenated.
///
/// GEMMs run over all `tokenCount` rows at once; attention runs per sequence over its own length. Padded runtimes
/// spend FLOPs on pad tokens (and need an attention mask); here there are none, and each sequence's result cannot
/// depend on what else is in the batch.
///
/// Layout (N = total tokens, B = sequences): `ids[N]`, `typeIds[N]`, sequence b is rows `offsets[b] ..< offsets[b] + lengths[b]`.
/// Position ids are the model's business (BERT counts from 0, RoBERTa from padding_idx + 1): see `BertEmbeddings`.
public struct PackedBatch: Sendable, Equatable {
    public let ids: [Int32]
    public let typeIds: [Int32]
    public let offsets: [Int]
    public let lengths: [Int]

    /// Number of sequences (B).
    public var count: Int { lengths.count }
    /// Number of real tokens in all sequences (N).
    public var tokenCount: Int { ids.count }
    /// Longest sequence.
    public var maxLength: Int { lengths.max() ?? 0 }

    /// Row range of sequence `index` in the packed layout.
    public func rows(of index: Int) -> Range<Int> { offsets[index] ..< offsets[index] + lengths[index] }

    /// Packs `sequences` (token ids, e.g. an Encoding's ids with special tokens already added) and optional token type
    /// ids of the same lengths (all 0 when nil). `attentionMasks`, if given, marks real tokens: trailing zeros (padding)
    /// are dropped; a zero before a one is refused, since packing cannot express it.
    public init(sequences: [[Int32]], typeIds: [[Int32]]? = nil, attentionMasks: [[Int32]]? = nil) throws {
        if let typeIds, typeIds.count != sequences.count {
            throw ModelError.invalidInput("\(typeIds.count) type id lists for \(sequences.count) sequences")
        }
        if let attentionMasks, attentionMasks.count != sequences.count {
            throw ModelError.invalidInput("\(attentionMasks.count) attention masks for \(sequences.count) sequences")
        }
        var ids: [Int32] = [], types: [Int32] = [], offsets: [Int] = [], lengths: [Int] = []
        ids.reserveCapacity(sequences.reduce(0) { $0 + $1.count })
        types.reserveCapacity(ids.capacity)
        for (b, sequence) in sequences.enumerated() {
            var length = sequence.count
            if let mask = attentionMasks?[b] {
                guard mask.count == sequence.count else {
                    throw ModelError.invalidInput("sequence \(b): \(mask.count) mask values for \(sequence.count) ids")
                }
                length = mask.firstIndex(of: 0) ?? mask.count
                guard mask[length...].allSatisfy({ $0 == 0 }) else {
                    throw ModelError.invalidInput("sequence \(b): attention mask has a 0 before a 1 (only trailing padding is supported)")
                }
            }
            guard length > 0 else { throw ModelError.invalidInput("sequence \(b) is empty") }
            offsets.append(ids.count)
            lengths.append(length)
            ids.append(contentsOf: sequence[0..<length])
            if let typeIds {
                guard typeIds[b].count == sequence.count else {
                    throw ModelError.invalidInput("sequence \(b): \(typeIds[b].count) type ids for \(sequence.count) ids")
                }
                types.append(contentsOf: typeIds[b][0..<length])
            } else {
                types.append(contentsOf: repeatElement(0, count: length))
            }
        }
        self.ids = ids
        self.typeIds = types
        self.offsets = offsets
        self.lengths = lengths
    }

    /// Convenience for `Int` ids (as read from JSON or another tokenizer).
    public init(sequences: [[Int]], typeIds: [[Int]]? = nil) throws {
        try self.init(sequences: sequences.map { $0.map { Int32(truncatingIfNeeded: $0) } },
                      typeIds: typeIds?.map { $0.map { Int32(truncatingIfNeeded: $0) } })
    }

    /// The sub-batch of the given sequences (in that order).
    public func subset(_ indices: [Int]) -> PackedBatch {
        // Safe: the sequences were validated when this batch was built.
        try! PackedBatch(sequences: indices.map { Array(ids[rows(of: $0)]) },
                         typeIds: indices.map { Array(typeIds[rows(of: $0)]) })
    }
}
