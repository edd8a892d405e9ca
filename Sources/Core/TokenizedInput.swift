/// What a tokenizer hands a model for one text: token ids, token type ids and the attention mask (1 = a real token,
/// 0 = padding). SentimentTokenizers' `Encoding` conforms, and `PackedBatch(encodings:)` packs any conforming value,
/// so the model layer never imports the tokenizers.
public protocol TokenizedInput {
    var ids: [Int32] { get }
    var typeIds: [Int32] { get }
    var attentionMask: [Int32] { get }
}
