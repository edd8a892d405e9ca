/// How often each true class was predicted as each class (rows: true class, columns: predicted), and the per-class
/// scores scikit-learn derives from it: `precision_recall_fscore_support` with zero_division=0 and F1 from counts,
/// 2·TP / (2·TP + FP + FN), as scikit-learn ≥ 1.3 computes it. The one macro-F1 of the library (the trainer's dev
/// metrics and the evaluation reports).
public struct ConfusionMatrix: Codable, Sendable, Equatable {
    public let counts: [[Int]]

    /// Class ids in 0..<classes (the caller checks them).
    public init(gold: [Int], predicted: [Int], classes: Int) {
        precondition(gold.count == predicted.count, "\(gold.count) gold labels for \(predicted.count) predictions")
        var counts = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (g, p) in zip(gold, predicted) { counts[g][p] += 1 }
        self.counts = counts
    }

    public var classes: Int { counts.count }
    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }
    public var accuracy: Double { ratio((0..<classes).reduce(0) { $0 + counts[$1][$1] }, total) }

    /// Examples whose true class is `c`.
    public func support(_ c: Int) -> Int { counts[c].reduce(0, +) }
    /// Examples predicted as `c`.
    public func predictedCount(_ c: Int) -> Int { (0..<classes).reduce(0) { $0 + counts[$1][c] } }
    public func precision(_ c: Int) -> Double { ratio(counts[c][c], predictedCount(c)) }
    public func recall(_ c: Int) -> Double { ratio(counts[c][c], support(c)) }
    public func f1(_ c: Int) -> Double { ratio(2 * counts[c][c], predictedCount(c) + support(c)) }
    /// Unweighted mean of every class's F1 (0 for no classes).
    public var macroF1: Double { classes == 0 ? 0 : (0..<classes).reduce(0) { $0 + f1($1) } / Double(classes) }

    private func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
}
