import SentimentCore

// Request and response bodies of the JSON API (documented in Resources/openapi.json). Keys are snake_case.

/// A model request: texts for the model named (or the task's default).
protocol TextsRequest: Decodable {
    var texts: [String] { get }
    var model: String? { get }
}

struct ClassifyRequest: TextsRequest {
    var texts: [String]
    /// How many scores per text, best first (default 1; at most the number of labels).
    var topK: Int?
    var model: String?
    /// Also return per-token importance (the page's shading).
    var explain: Bool?

    enum CodingKeys: String, CodingKey {
        case texts, model, explain
        case topK = "top_k"
    }
}

struct Timing: Encodable {
    var totalMilliseconds: Double
    var queueMilliseconds: Double
    var inferenceMilliseconds: Double
    /// Texts in the largest model call this request was part of (> its own count when merged with others).
    var batchSize: Int

    enum CodingKeys: String, CodingKey {
        case totalMilliseconds = "total_ms"
        case queueMilliseconds = "queue_ms"
        case inferenceMilliseconds = "inference_ms"
        case batchSize = "batch_size"
    }
}

struct ClassifyResult: Encodable {
    var label: String
    var score: Float
    var scores: [LabelScore]
    var tokens: [TokenWeight]?
}

struct ClassifyResponse: Encodable {
    var model: String
    var results: [ClassifyResult]
    var importanceMethod: String?
    var timing: Timing

    enum CodingKeys: String, CodingKey {
        case model, results, timing
        case importanceMethod = "importance_method"
    }
}

struct FillMaskRequest: TextsRequest {
    var texts: [String]
    var topK: Int?
    var model: String?

    enum CodingKeys: String, CodingKey {
        case texts, model
        case topK = "top_k"
    }
}

struct FillMaskResponse: Encodable {
    var model: String
    /// Per text, per mask (left to right), the candidates.
    var results: [[[MaskPrediction]]]
    var timing: Timing
}

struct EmbedRequest: TextsRequest {
    var texts: [String]
    var model: String?
    /// Scale each vector to unit length (cosine similarity becomes a dot product). Default false.
    var normalize: Bool?
}

struct EmbedResponse: Encodable {
    var model: String
    var dimension: Int
    var embeddings: [[Float]]
    var timing: Timing
}

struct ModelInfo: Encodable {
    var id: String
    var task: String
    var isDefault: Bool
    var labels: [String]?
    var dimension: Int?
    var maskToken: String?
    var importanceMethod: String?

    enum CodingKeys: String, CodingKey {
        case id, task, labels, dimension
        case isDefault = "default"
        case maskToken = "mask_token"
        case importanceMethod = "importance_method"
    }
}

struct ModelsResponse: Encodable {
    var models: [ModelInfo]
}
