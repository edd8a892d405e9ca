import Foundation
import SentimentModels
import SentimentTokenizers

/// A model and its tokenizer, checked to belong together, with the input rules every pipeline shares:
/// non-empty texts, at least one real token, at most `maxLength` tokens per window.
struct TokenizedModel: Sendable {
    let model: EncoderModel
    let tokenizer: any Tokenizer
    /// Longest window (specials included): the smaller of the position table and the tokenizer's model_max_length.
    let maxLength: Int

    init(model: EncoderModel, tokenizer: any Tokenizer) throws {
        let vocabulary = model.config.vocabSize
        guard tokenizer.vocabSize <= vocabulary else {
            throw PipelineError.tokenizerMismatch(
                "the tokenizer has \(tokenizer.vocabSize) tokens but the model's embedding table only \(vocabulary)")
        }
        let specials = tokenizer.specialTokens
        for special in [specials.cls, specials.sep, specials.pad, specials.unk] where Int(special.id) >= vocabulary {
            throw PipelineError.tokenizerMismatch("special token \(special.content) has id \(special.id) ≥ vocab_size \(vocabulary)")
        }
        self.model = model
        self.tokenizer = tokenizer
        maxLength = min(model.maxLength, tokenizer.modelMaxLength ?? Int.max)
    }

    /// Encodes `texts` (numbered from `firstIndex` in errors). `maxLength` nil: refuse texts longer than the model
    /// (`textTooLong`); otherwise truncate to it, keeping overflow windows of `stride` tokens overlap when `stride` is set.
    func encode(_ texts: [String], firstIndex: Int = 0, maxLength limit: Int?, stride: Int? = nil) throws -> [Encoding] {
        var options = EncodingOptions()
        if let limit {
            options.maxLength = min(limit, maxLength)
            options.stride = stride ?? 0
        } else {
            options.truncation = .none
        }
        return try texts.enumerated().map { offset, text in
            let index = firstIndex + offset
            guard text.contains(where: { !$0.isWhitespace }) else { throw PipelineError.emptyText(index: index) }
            var encoding = try tokenizer.encode(text, pair: nil, options: options)
            if stride == nil { encoding.overflowing = [] }   // truncation: only the first window counts
            guard encoding.sequenceIds.contains(where: { $0 != nil }) else { throw PipelineError.noTokens(index: index) }
            guard encoding.count <= maxLength else {
                throw PipelineError.textTooLong(index: index, tokens: encoding.count, maxLength: maxLength)
            }
            return encoding
        }
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func batches(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0 ..< Swift.min($0 + size, count)] }
    }
}
