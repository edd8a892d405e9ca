import Foundation
import SentimentCore

/// Precision, recall, F1 and support of one class (or an average over classes).
public struct ClassScores: Codable, Sendable, Equatable {
    public var label: String
    public var precision: Double
    public var recall: Double
    public var f1: Double
    public var support: Int
}

/// Classification metrics over one set of predictions, with scikit-learn's definitions:
/// `precision_recall_fscore_support` (zero_division = 0), macro / weighted averages, `confusion_matrix`
/// (rows = true class, columns = predicted class), `log_loss` (probabilities clipped to [ε, 1 − ε], ε = 2^−52, not renormalised),
/// and the expected calibration error of the top-label confidence.
public struct EvaluationMetrics: Codable, Sendable, Equatable {
    public var labels: [String]
    public var count: Int
    public var accuracy: Double
    public var perClass: [ClassScores]
    public var macroAverage: ClassScores
    public var weightedAverage: ClassScores
    public var confusion: [[Int]]
    /// Nil when no probabilities were given.
    public var logLoss: Double?
    public var expectedCalibrationError: Double?
    /// Top-label confidence bins: the confidence histogram and the reliability diagram.
    public var calibration: [CalibrationBin]

    public var macroF1: Double { macroAverage.f1 }

    /// - Parameters:
    ///   - labels: the class names, in class-id order.
    ///   - gold: the true class ids, in 0..<labels.count.
    ///   - predicted: the predicted class ids, in 0..<labels.count.
    ///   - probabilities: (N, labels.count) scores per class, or nil.
    ///   - bins: equal-width confidence bins of the calibration error and the reliability diagram.
    public init(labels: [String], gold: [Int], predicted: [Int], probabilities: [[Double]]? = nil, bins: Int = 10) throws {
        let k = labels.count
        guard k >= 1 else { throw EvaluationError.invalidInput("no labels") }
        guard gold.count == predicted.count else {
            throw EvaluationError.invalidInput("\(gold.count) gold labels for \(predicted.count) predictions")
        }
        guard !gold.isEmpty else { throw EvaluationError.invalidInput("nothing to evaluate: 0 examples") }
        guard (gold + predicted).allSatisfy({ (0 ..< k).contains($0) }) else {
            throw EvaluationError.invalidInput("class id outside 0..<\(k)")
        }
        if let probabilities, probabilities.count != gold.count || probabilities.contains(where: { $0.count != k }) {
            throw EvaluationError.invalidInput("probabilities must be \(gold.count) rows of \(k) scores")
        }
        self.labels = labels
        count = gold.count
        let matrix = ConfusionMatrix(gold: gold, predicted: predicted, classes: k)
        confusion = matrix.counts
        accuracy = matrix.accuracy
        let perClass = (0 ..< k).map { c in
            ClassScores(label: labels[c], precision: matrix.precision(c), recall: matrix.recall(c), f1: matrix.f1(c),
                        support: matrix.support(c))
        }
        self.perClass = perClass
        let count = self.count
        func average(_ name: String, weights: [Double]) -> ClassScores {
            let total = weights.reduce(0, +)
            func mean(_ v: KeyPath<ClassScores, Double>) -> Double {
                total == 0 ? 0 : zip(perClass, weights).reduce(0) { $0 + $1.0[keyPath: v] * $1.1 } / total
            }
            return ClassScores(label: name, precision: mean(\.precision), recall: mean(\.recall), f1: mean(\.f1), support: count)
        }
        macroAverage = average("macro avg", weights: [Double](repeating: 1, count: k))
        weightedAverage = average("weighted avg", weights: perClass.map { Double($0.support) })

        if let probabilities {
            let epsilon = Double.ulpOfOne
            logLoss = zip(probabilities, gold).reduce(0) { $0 - log(min(max($1.0[$1.1], epsilon), 1 - epsilon)) } / Double(count)
            let confidences = zip(probabilities, predicted).map { $0[$1] }
            let correct = zip(gold, predicted).map { $0 == $1 }
            calibration = CalibrationBin.bins(scores: confidences, outcomes: correct, count: bins)
            expectedCalibrationError = CalibrationBin.expectedCalibrationError(calibration, total: count)
        } else {
            logLoss = nil
            expectedCalibrationError = nil
            calibration = []
        }
    }

    /// scikit-learn's `classification_report` text, character for character.
    public func classificationReport(digits: Int = 2) -> String {
        let headers = ["precision", "recall", "f1-score", "support"]
        let width = max(labels.map { $0.unicodeScalars.count }.max() ?? 0, "weighted avg".count, digits)
        func right(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.unicodeScalars.count)) + s }
        func number(_ x: Double) -> String { right(String(format: "%.\(digits)f", x), 9) }
        func row(_ scores: ClassScores) -> String {
            right(scores.label, width) + " " + " " + number(scores.precision) + " " + number(scores.recall) + " "
                + number(scores.f1) + " " + right(String(scores.support), 9) + "\n"
        }
        var report = right("", width) + " " + headers.map { " " + right($0, 9) }.joined() + "\n\n"
        for scores in perClass { report += row(scores) }
        report += "\n"
        report += right("accuracy", width) + " " + " " + right("", 9) + " " + right("", 9) + " " + number(accuracy) + " "
            + right(String(count), 9) + "\n"
        report += row(macroAverage)
        report += row(weightedAverage)
        return report
    }
}

/// Errors of the evaluation layer.
public enum EvaluationError: Error, CustomStringConvertible, Equatable {
    case invalidInput(String)
    case labelMismatch(model: [String], data: [String])
    case malformedFile(file: String, reason: String)

    public var description: String {
        switch self {
        case .invalidInput(let why): "invalid input: \(why)"
        case .labelMismatch(let model, let data):
            "the model's labels \(model) cannot be matched to the data's labels \(data)"
        case .malformedFile(let file, let reason): "\(file): \(reason)"
        }
    }
}
