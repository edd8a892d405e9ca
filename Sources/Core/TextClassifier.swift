/// One class and its score (a probability unless the model was asked for raw logits).
/// Field names follow Hugging Face pipelines: `label`, `score`.
public struct LabelScore: Codable, Sendable, Hashable {
    public var label: String
    public var score: Float
    public init(label: String, score: Float) {
        self.label = label
        self.score = score
    }
}

/// Anything that classifies texts: fine-tuned BERT pipelines and bag-of-words baselines alike,
/// so that evaluation, comparison, the CLI and the server treat them the same way.
public protocol TextClassifier: Sendable {
    /// A short identifier (catalog name or folder name).
    var name: String { get }
    /// Class names, in the model's label-id order.
    var labels: [String] { get }
    /// Scores for every label of every text, each list sorted by descending score.
    func classify(_ texts: [String]) throws -> [[LabelScore]]
}
