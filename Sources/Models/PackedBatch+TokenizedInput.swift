import SentimentCore

extension PackedBatch {
    /// Packs tokenizer output (ids, type ids; padding dropped via the attention mask).
    public init<Input: TokenizedInput>(encodings: [Input]) throws {
        try self.init(sequences: encodings.map(\.ids), typeIds: encodings.map(\.typeIds),
                      attentionMasks: encodings.map(\.attentionMask))
    }
}
