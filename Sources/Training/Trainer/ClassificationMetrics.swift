import Foundation
import SentimentCore

/// Accuracy, macro-F1 and mean loss of single-label predictions, as scikit-learn computes them
/// (`accuracy_score`, `f1_score(average="macro", zero_division=0)` over all `numClasses` labels).
public struct ClassificationMetrics: Codable, Sendable, Equatable {
    public var count: Int
    public var accuracy: Double
    public var macroF1: Double
    /// F1 of each class, in label-id order (0 where a class has neither true nor predicted examples).
    public var perClassF1: [Double]
    /// Mean cross-entropy over the examples (nil when not computed).
    public var loss: Double?

    public init(predictions: [Int], labels: [Int], numClasses: Int, loss: Double? = nil) {
        let matrix = ConfusionMatrix(gold: labels, predicted: predictions, classes: numClasses)
        count = labels.count
        accuracy = matrix.accuracy
        perClassF1 = (0..<numClasses).map(matrix.f1)
        macroF1 = matrix.macroF1
        self.loss = loss
    }

    /// The value of `metric` (higher is better for every metric: loss is negated).
    public func score(_ metric: SelectionMetric) -> Double {
        switch metric {
        case .accuracy: accuracy
        case .macroF1: macroF1
        case .loss: -(loss ?? .infinity)
        }
    }
}

/// Which dev metric picks the best epoch and drives early stopping.
public enum SelectionMetric: String, Codable, Sendable, CaseIterable {
    case accuracy
    case macroF1 = "macro-f1"
    case loss
}

/// Index of the largest value of each row (ties → lowest index, as numpy/torch argmax).
public func argmaxRows(_ rows: [[Float]]) -> [Int] {
    rows.map { row in
        var best = 0
        for i in row.indices where row[i] > row[best] { best = i }
        return best
    }
}

/// Mean softmax cross-entropy of logits against labels, in Float64 (log-sum-exp with the max subtracted).
public func meanCrossEntropy(logits: [[Float]], labels: [Int]) -> Double {
    guard !logits.isEmpty else { return 0 }
    var total = 0.0
    for (row, y) in zip(logits, labels) { total += Softmax.logSumExp(row.map(Double.init)) - Double(row[y]) }
    return total / Double(logits.count)
}
