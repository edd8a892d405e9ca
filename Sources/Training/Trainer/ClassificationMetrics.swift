import Foundation

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
        precondition(predictions.count == labels.count, "\(predictions.count) predictions for \(labels.count) labels")
        var truePositives = [Int](repeating: 0, count: numClasses)
        var predicted = [Int](repeating: 0, count: numClasses)
        var actual = [Int](repeating: 0, count: numClasses)
        var correct = 0
        for (p, y) in zip(predictions, labels) {
            predicted[p] += 1
            actual[y] += 1
            if p == y { truePositives[y] += 1; correct += 1 }
        }
        count = labels.count
        accuracy = labels.isEmpty ? 0 : Double(correct) / Double(labels.count)
        // F1 = 2·TP / (2·TP + FP + FN) = 2·TP / (predicted + actual); 0 when both are 0 (zero_division=0).
        perClassF1 = (0..<numClasses).map { c in
            let denominator = predicted[c] + actual[c]
            return denominator == 0 ? 0 : 2 * Double(truePositives[c]) / Double(denominator)
        }
        macroF1 = numClasses == 0 ? 0 : perClassF1.reduce(0, +) / Double(numClasses)
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
    for (row, y) in zip(logits, labels) {
        let m = Double(row.max() ?? 0)
        let logSumExp = m + log(row.reduce(0.0) { $0 + exp(Double($1) - m) })
        total += logSumExp - Double(row[y])
    }
    return total / Double(logits.count)
}
