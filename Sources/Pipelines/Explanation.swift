import Foundation
import SentimentCore
import SentimentModels

/// What `SentimentPipeline.explain` can measure per token.
public enum ExplanationMethod: String, CaseIterable, Codable, Sendable {
    /// Every layer's and head's token-to-token attention probabilities (a bertviz-style model view).
    case attention
    /// Attention rollout from the first token (Abnar & Zuidema 2020; `AttentionMaps.rollout`).
    case rollout
}

/// One token of an explained text (specials included: the attention maps index every token).
public struct ExplainedToken: Codable, Sendable, Equatable {
    public var token: String
    /// Offsets into the text in Unicode scalars, end exclusive (HF `offset_mapping`; 0, 0 for specials).
    public var start: Int
    public var end: Int
    /// A special token ([CLS], [SEP], <s>, </s>).
    public var special: Bool
    /// Row 0 of the attention rollout: how much of the first token's final state flows from this token.
    public var attentionRollout: Float?

    enum CodingKeys: String, CodingKey {
        case token, start, end, special, attentionRollout = "attention_rollout"
    }
}

/// One text explained: the model's (calibrated) label and score, its tokens, and what each method measured.
/// Encodes as `sentiment explain --json` prints it: `text`, `label`, `score`, `tokens`, and with `.attention`
/// `attention: {layers, heads, weights}` — weights[l][h][i][j], query i to key j, over `tokens`.
public struct Explanation: Sendable, Encodable {
    public var text: String
    public var label: String
    public var score: Float
    public var tokens: [ExplainedToken]
    /// Every layer × head × token × token (with `.attention`).
    public var attention: AttentionMaps?

    private struct AttentionJSON: Encodable {
        var layers: Int, heads: Int, weights: [[[[Float]]]]
    }

    enum CodingKeys: String, CodingKey { case text, label, score, tokens, attention }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(text, forKey: .text)
        try container.encode(label, forKey: .label)
        try container.encode(score, forKey: .score)
        try container.encode(tokens, forKey: .tokens)
        if let maps = attention {
            let T = maps.length
            let weights = (0..<maps.layers).map { l in
                (0..<maps.heads).map { h in
                    let m = maps.matrix(layer: l, head: h)
                    return (0..<T).map { i in Array(m[i * T ..< (i + 1) * T]) }
                }
            }
            try container.encode(AttentionJSON(layers: maps.layers, heads: maps.heads, weights: weights), forKey: .attention)
        }
    }
}

extension SentimentPipeline {
    /// Explains each text (truncated to the model's window) by `methods`. Label and score are the pipeline's default
    /// (calibrated when `calibrated` and the model has a temperature), for the first window.
    public func explain(_ texts: [String], methods: Set<ExplanationMethod>, calibrated: Bool = true,
                        batchSize: Int = 8) throws -> [Explanation] {
        guard !texts.isEmpty else { throw PipelineError.emptyInput }
        guard !methods.isEmpty else { throw PipelineError.invalidOption("choose at least one explanation method") }
        guard batchSize >= 1 else { throw PipelineError.invalidOption("batch size must be at least 1") }
        let temperature = scoringTemperature(defaultFunction, calibrated: calibrated)
        var results: [Explanation] = []
        for slice in texts.batches(of: batchSize) {
            let encodings = try core.encode(Array(slice), firstIndex: slice.startIndex, maxLength: core.maxLength)
            let batch = try PackedBatch(encodings: encodings)
            let (output, maps) = try model.forwardKeepingAttention(batch)
            let logits = try model.classify(output)
            for (b, (text, encoding)) in zip(slice, encodings).enumerated() {
                let scores = defaultFunction.apply((0..<labels.count).map { logits[b, $0] }, temperature: temperature)
                let best = scores.indices.max { scores[$0] < scores[$1] }!
                let rollout = methods.contains(.rollout) ? Array(maps[b].rollout().prefix(encoding.count)) : nil
                let tokens = encoding.ids.indices.map { i in
                    ExplainedToken(token: encoding.tokens[i], start: encoding.offsets[i].lowerBound,
                                   end: encoding.offsets[i].upperBound, special: encoding.sequenceIds[i] == nil,
                                   attentionRollout: rollout?[i])
                }
                results.append(Explanation(text: text, label: labels[best], score: scores[best], tokens: tokens,
                                           attention: methods.contains(.attention) ? maps[b] : nil))
            }
        }
        return results
    }
}
