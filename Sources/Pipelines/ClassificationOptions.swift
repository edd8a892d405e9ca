import Foundation
import SentimentCore
import SentimentModels

/// What turns logits into scores (HF `function_to_apply`).
public enum ScoreFunction: String, Sendable, Codable, CaseIterable {
    case softmax, sigmoid, none

    /// HF text-classification pipeline's rule (pipelines/text_classification.py `preprocess`/`postprocess`):
    /// sigmoid for a multi-label problem or a single output, softmax for single-label or several outputs, else none.
    public static func huggingFaceDefault(problemType: ProblemType?, numLabels: Int) -> ScoreFunction {
        if problemType == .multiLabel || numLabels == 1 { return .sigmoid }
        if problemType == .singleLabel || numLabels > 1 { return .softmax }
        return .none
    }

    /// Applies the function to one row of logits.
    public func apply(_ logits: [Float]) -> [Float] {
        switch self {
        case .none: return logits
        case .sigmoid: return logits.map { 1 / (1 + expf(-$0)) }
        case .softmax:
            // In Double: the score of a confident model must not round to exactly 1 by accident.
            return Softmax.probabilities(logits.map(Double.init)).map(Float.init)
        }
    }

    /// Applies the function to one row of logits divided by `temperature` first (temperature scaling; nil: none).
    public func apply(_ logits: [Float], temperature: Float?) -> [Float] {
        apply(temperature.map { t in logits.map { $0 / t } } ?? logits)
    }
}

/// How texts longer than the model's window are handled.
public enum LongTextStrategy: Sendable, Equatable {
    /// Keep the first window only (HF's behaviour with truncation=True).
    case truncate
    /// Split into overlapping windows (the tokenizer's overflow, `stride` tokens shared by neighbours), score each,
    /// and aggregate the scores.
    case chunk(stride: Int = 64, aggregation: ChunkAggregation = .mean)
}

/// How the scores of a long text's windows become one answer.
public enum ChunkAggregation: String, Sendable, Codable, CaseIterable {
    /// Mean of every window's scores (each label's probability averaged).
    case mean
    /// The scores of the window whose top score is highest (the most confident window decides).
    case maxConfidence = "max-confidence"
}

/// Options of one `SentimentPipeline` call, mirroring HF `pipeline("sentiment-analysis")(texts, top_k=,
/// function_to_apply=, batch_size=, truncation=, max_length=)`.
public struct ClassificationOptions: Sendable, Equatable {
    /// Labels per text, best first; nil = every label (HF `top_k=None`). Default 1 (HF's default).
    public var topK: Int?
    /// nil: HF's rule from the model config (`ScoreFunction.huggingFaceDefault`).
    public var functionToApply: ScoreFunction?
    /// Texts (windows, when chunking) per model call.
    public var batchSize: Int
    /// Longest window in tokens, specials included; nil = the model's own limit.
    public var maxLength: Int?
    /// When false, a text longer than the window is an error instead of being truncated.
    public var truncation: Bool
    public var longText: LongTextStrategy
    /// Apply the model's temperature scaling (`calibration.json`, `SentimentPipeline.calibration`) before the
    /// score function; false gives HF's uncalibrated scores. No effect on models without one, or on raw logits.
    public var calibrated: Bool

    public init(topK: Int? = 1, functionToApply: ScoreFunction? = nil, batchSize: Int = 32, maxLength: Int? = nil,
                truncation: Bool = true, longText: LongTextStrategy = .truncate, calibrated: Bool = true) {
        self.topK = topK
        self.functionToApply = functionToApply
        self.batchSize = batchSize
        self.maxLength = maxLength
        self.truncation = truncation
        self.longText = longText
        self.calibrated = calibrated
    }

    func validate() throws {
        if let topK, topK < 1 { throw PipelineError.invalidOption("top-k must be at least 1 (nil for every label)") }
        guard batchSize >= 1 else { throw PipelineError.invalidOption("batch size must be at least 1") }
        if let maxLength, maxLength < 3 { throw PipelineError.invalidOption("max length must be at least 3 tokens") }
        if case .chunk(let stride, _) = longText, stride < 0 {
            throw PipelineError.invalidOption("stride must not be negative")
        }
    }
}

/// The answer for one text: the best label and its score, the `topK` best (when more than one was asked for),
/// and for chunked long texts the number of windows. JSON: `{"label", "score", "scores"?, "chunks"?}` (HF names).
public struct Classification: Codable, Sendable, Equatable {
    public var label: String
    public var score: Float
    /// The requested labels, best first (the first is `label`/`score`).
    public var scores: [LabelScore]
    /// Windows scored for this text (1 unless chunked).
    public var chunks: Int

    public init(scores: [LabelScore], chunks: Int = 1) {
        label = scores.first?.label ?? ""
        score = scores.first?.score ?? 0
        self.scores = scores
        self.chunks = chunks
    }

    enum CodingKeys: String, CodingKey { case label, score, scores, chunks }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let label = try c.decode(String.self, forKey: .label)
        let score = try c.decode(Float.self, forKey: .score)
        self.init(scores: try c.decodeIfPresent([LabelScore].self, forKey: .scores) ?? [LabelScore(label: label, score: score)],
                  chunks: try c.decodeIfPresent(Int.self, forKey: .chunks) ?? 1)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(label, forKey: .label)
        try c.encode(score, forKey: .score)
        if scores.count > 1 { try c.encode(scores, forKey: .scores) }
        if chunks > 1 { try c.encode(chunks, forKey: .chunks) }
    }
}

extension Array where Element == LabelScore {
    /// Best first; ties keep label order (Python's stable `sort(key=score, reverse=True)`), then the first `topK`.
    func ranked(topK: Int?) -> [LabelScore] {
        let sorted = enumerated().sorted { a, b in
            a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
        }.map(\.element)
        return topK.map { Array(sorted.prefix($0)) } ?? sorted
    }
}
