/// What the model learns from in one forward/backward: a list of token sequences, packed (no padding).
///
/// Sequences are concatenated into one [N, C] activation (N = total tokens), so GEMMs spend no FLOPs on padding and
/// attention runs per sequence (each sequence attends only to itself — the same result as HF with an attention mask).
public struct TrainingBatch: Sendable, Equatable {
    /// Token ids per example, special tokens included ([CLS] … [SEP] for BERT); at most `maxPositions` each.
    public var sequences: [[Int32]]
    /// Token type (segment) ids per example, same lengths as `sequences`; nil means all zeros (single sentences).
    public var typeIds: [[Int32]]?
    /// Targets per example; nil for inference-only batches (then forwardBackward is not allowed).
    public var targets: TrainingTargets?

    public init(sequences: [[Int32]], typeIds: [[Int32]]? = nil, targets: TrainingTargets? = nil) {
        self.sequences = sequences
        self.typeIds = typeIds
        self.targets = targets
    }

    /// Convenience: single-label classification (class index per example).
    public init(sequences: [[Int32]], typeIds: [[Int32]]? = nil, labels: [Int]) {
        self.init(sequences: sequences, typeIds: typeIds, targets: .classes(labels))
    }

    /// Number of examples.
    public var count: Int { sequences.count }
    /// Total tokens N (the packed activation height).
    public var tokenCount: Int { sequences.reduce(0) { $0 + $1.count } }
}

/// Per-example targets.
public enum TrainingTargets: Sendable, Equatable, Codable {
    /// One class index per example (softmax cross-entropy).
    case classes([Int])
    /// One multi-hot / probability vector of length numLabels per example (sigmoid BCE).
    case multiLabel([[Float]])
    /// Task distillation: the teacher's logits [numLabels] per example, and the gold class index where there is
    /// one (−1: an unlabelled text, learnt from the teacher alone). For `Loss.distillation`.
    case distillation(labels: [Int], teacherLogits: [[Float]])

    public var count: Int {
        switch self {
        case .classes(let c): c.count
        case .multiLabel(let m): m.count
        case .distillation(let labels, _): labels.count
        }
    }
}
