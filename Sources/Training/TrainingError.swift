/// Typed errors of the training layer: bad checkpoints, bad batches, bad hyperparameters.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case unknownParameter(String)
    case missingWeight(String)
    case shapeMismatch(name: String, expected: [Int], got: [Int])
    case invalidConfig(String)
    case emptyBatch
    case emptySequence(index: Int)
    case sequenceTooLong(index: Int, length: Int, maxPositions: Int)
    case tokenOutOfRange(index: Int, id: Int32, vocabularySize: Int)
    case labelOutOfRange(index: Int, label: Int, numLabels: Int)
    case targetCountMismatch(sequences: Int, targets: Int)
    case invalidHyperparameter(String)

    public var description: String {
        switch self {
        case .unknownParameter(let n): "unknown parameter \(n)"
        case .missingWeight(let n): "checkpoint has no tensor \(n)"
        case let .shapeMismatch(n, e, g): "tensor \(n): expected shape \(e), got \(g)"
        case .invalidConfig(let m): "invalid model config: \(m)"
        case .emptyBatch: "empty training batch"
        case .emptySequence(let i): "sequence \(i) of the batch is empty"
        case let .sequenceTooLong(i, l, m): "sequence \(i) has \(l) tokens, the model accepts at most \(m)"
        case let .tokenOutOfRange(i, id, v): "sequence \(i): token id \(id) outside the vocabulary (\(v))"
        case let .labelOutOfRange(i, l, n): "example \(i): label \(l) outside 0..<\(n)"
        case let .targetCountMismatch(s, t): "\(s) sequences but \(t) targets"
        case .invalidHyperparameter(let m): "invalid hyperparameter: \(m)"
        }
    }
}
