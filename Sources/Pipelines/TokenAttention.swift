import Foundation
import SentimentCore
import SentimentModels

/// A fine-tuned classifier explains itself (the server's token shading, `"explain": true`) by its attention.
extension SentimentPipeline: TokenImportanceProvider {
    /// How `tokenAttention` weighs tokens, for display next to the weights.
    public static let attentionMethod = "last-layer [CLS] attention, mean over heads"

    /// `TokenImportanceProvider`: `attentionMethod`.
    public var method: String { Self.attentionMethod }

    /// `TokenImportanceProvider`: `tokenAttention` with its default batch size.
    public func tokenImportance(_ texts: [String]) throws -> [[TokenWeight]] { try tokenAttention(texts) }

    /// For each text (truncated to the model's window), its tokens without the specials and their weights.
    public func tokenAttention(_ texts: [String], batchSize: Int = 32) throws -> [[TokenWeight]] {
        guard !texts.isEmpty else { throw PipelineError.emptyInput }
        guard batchSize >= 1 else { throw PipelineError.invalidOption("batch size must be at least 1") }
        var results: [[TokenWeight]] = []
        for slice in texts.batches(of: batchSize) {
            let encodings = try core.encode(Array(slice), firstIndex: slice.startIndex, maxLength: core.maxLength)
            let output = try model.forward(try PackedBatch(encodings: encodings), captureAttention: true)
            for (encoding, weights) in zip(encodings, output.firstTokenAttention ?? []) {
                results.append(encoding.ids.indices.compactMap { i in
                    guard encoding.sequenceIds[i] != nil else { return nil }
                    return TokenWeight(token: encoding.tokens[i], start: encoding.offsets[i].lowerBound,
                                          end: encoding.offsets[i].upperBound, weight: weights[i])
                })
            }
        }
        return results
    }
}
