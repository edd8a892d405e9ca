import Foundation
import SentimentModels

/// One token of a text and the attention [CLS] paid it in the last layer (mean over heads): a cheap "what did the
/// model look at" for the server's page. Offsets are Unicode scalars into the text, end exclusive (HF offset_mapping).
public struct TokenAttention: Codable, Sendable, Equatable {
    public var token: String
    public var start: Int
    public var end: Int
    /// Attention probability (the weights of all tokens, specials included, sum to 1).
    public var weight: Float

    public init(token: String, start: Int, end: Int, weight: Float) {
        self.token = token
        self.start = start
        self.end = end
        self.weight = weight
    }
}

extension SentimentPipeline {
    /// How `tokenAttention` weighs tokens, for display next to the weights.
    public static let attentionMethod = "last-layer [CLS] attention, mean over heads"

    /// For each text (truncated to the model's window), its tokens without the specials and their weights.
    public func tokenAttention(_ texts: [String], batchSize: Int = 32) throws -> [[TokenAttention]] {
        guard !texts.isEmpty else { throw PipelineError.emptyInput }
        guard batchSize >= 1 else { throw PipelineError.invalidOption("batch size must be at least 1") }
        var results: [[TokenAttention]] = []
        for slice in texts.batches(of: batchSize) {
            let encodings = try core.encode(Array(slice), firstIndex: slice.startIndex, maxLength: core.maxLength)
            let output = try model.forward(try PackedBatch(encodings: encodings), captureAttention: true)
            for (encoding, weights) in zip(encodings, output.firstTokenAttention ?? []) {
                results.append(encoding.ids.indices.compactMap { i in
                    guard encoding.sequenceIds[i] != nil else { return nil }
                    return TokenAttention(token: encoding.tokens[i], start: encoding.offsets[i].lowerBound,
                                          end: encoding.offsets[i].upperBound, weight: weights[i])
                })
            }
        }
        return results
    }
}
