/// Weights of a linear classifier over sparse features: decision value of row i for output k is
/// `x_i · W[k] + b[k]`. Binary problems have one output (positive means class 1, scikit-learn's `coef_` shape
/// (1, F)); 3+ classes have one output per class.
public struct LinearModel: Sendable, Codable, Equatable {
    public let featureCount: Int
    /// (K, F) row-major, K = outputCount.
    public let weights: [Double]
    /// (K)
    public let intercepts: [Double]

    public init(featureCount: Int, weights: [Double], intercepts: [Double]) throws {
        guard !intercepts.isEmpty, weights.count == intercepts.count * featureCount else {
            throw BaselineError.corruptModel("\(weights.count) weights for \(intercepts.count) outputs × \(featureCount) features")
        }
        self.featureCount = featureCount
        self.weights = weights
        self.intercepts = intercepts
    }

    public var outputCount: Int { intercepts.count }

    /// The weights of output k.
    public func row(_ k: Int) -> ArraySlice<Double> { weights[k * featureCount ..< (k + 1) * featureCount] }

    /// Decision values (N, K) of the rows of `x`; features beyond `featureCount` are ignored.
    public func decisionValues(_ x: SparseMatrix) -> [[Double]] {
        weights.withUnsafeBufferPointer { w in
            (0 ..< x.rowCount).map { r in
                (0 ..< outputCount).map { k in
                    var sum = intercepts[k]
                    let base = k * featureCount
                    for e in x.range(ofRow: r) {
                        let column = Int(x.columns[e])
                        if column < featureCount { sum += x.values[e] * w[base + column] }
                    }
                    return sum
                }
            }
        }
    }

    /// Class id per row: sign of the single output for binary models, arg max otherwise.
    public static func predictedClass(_ decision: [Double]) -> Int {
        if decision.count == 1 { return decision[0] > 0 ? 1 : 0 }
        var best = 0
        for k in 1 ..< decision.count where decision[k] > decision[best] { best = k }
        return best
    }
}

/// Checks the inputs every classifier needs: one label per row, label ids in range, at least two classes present.
func validateTrainingSet(_ x: SparseMatrix, labels: [Int], classCount: Int) throws {
    guard x.rowCount == labels.count else {
        throw BaselineError.invalidTrainingData("\(x.rowCount) feature rows for \(labels.count) labels")
    }
    guard classCount >= 2 else { throw BaselineError.invalidTrainingData("need at least 2 classes, got \(classCount)") }
    if let bad = labels.first(where: { $0 < 0 || $0 >= classCount }) {
        throw BaselineError.invalidTrainingData("label id \(bad) outside 0..<\(classCount)")
    }
    guard Set(labels).count >= 2 else { throw BaselineError.invalidTrainingData("the training set holds only one class") }
}
