import SentimentCore

/// L2-regularised linear SVM trained by dual coordinate descent, as liblinear's `solve_l2r_l1l2_svc`
/// (Hsieh et al. 2008) that scikit-learn's `LinearSVC(dual=True)` calls:
///
///   min_w  ½‖w‖² + C Σ_i ξ(y_i w·x_i)   with ξ = max(0, 1 − m)² (squared hinge) or max(0, 1 − m) (hinge).
///
/// The intercept is liblinear's: an extra feature of constant value `interceptScaling` whose weight is regularised
/// like the others; b = interceptScaling · w_bias. Two classes train one problem (positive = class 1); 3+ classes
/// train one-vs-rest problems (liblinear's default multi-class strategy, not Crammer–Singer).
public struct LinearSVC: Sendable {
    public enum Loss: String, Codable, Sendable { case hinge, squaredHinge = "squared_hinge" }

    public var C: Double
    public var loss: Loss
    /// Stop when the projected-gradient spread max PG − min PG falls to this (liblinear's `eps`, sklearn's `tol`).
    public var tolerance: Double
    public var maxIterations: Int
    public var interceptScaling: Double
    /// Seeds the random order in which coordinates are visited.
    public var seed: UInt64

    public init(C: Double = 1, loss: Loss = .squaredHinge, tolerance: Double = 1e-4, maxIterations: Int = 1000,
                interceptScaling: Double = 1, seed: UInt64 = 0) {
        self.C = C
        self.loss = loss
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.interceptScaling = interceptScaling
        self.seed = seed
    }

    /// Trains on the rows of `x` with class ids `labels` in 0..<classCount.
    public func fit(_ x: SparseMatrix, labels: [Int], classCount: Int) throws -> (model: LinearModel, iterations: [Int]) {
        try validateTrainingSet(x, labels: labels, classCount: classCount)
        guard C > 0, C.isFinite else { throw BaselineError.invalidOption("C must be a positive number, got \(C)") }
        let positives = classCount == 2 ? [1] : Array(0 ..< classCount)
        var weights: [Double] = []
        var intercepts: [Double] = []
        var iterations: [Int] = []
        for positive in positives {
            let y = labels.map { $0 == positive ? 1.0 : -1.0 }
            let (w, bias, steps) = solveDual(x, y: y)
            weights += w
            intercepts.append(bias * interceptScaling)
            iterations.append(steps)
        }
        return (try LinearModel(featureCount: x.columnCount, weights: weights, intercepts: intercepts), iterations)
    }

    /// One binary problem, y_i ∈ {−1, +1}. Returns w (F), the bias feature's weight and the outer iterations run.
    func solveDual(_ x: SparseMatrix, y: [Double]) -> (w: [Double], bias: Double, iterations: Int) {
        let n = x.rowCount
        // Squared hinge: α unbounded above with D_ii = 1/(2C); hinge: 0 ≤ α ≤ C with D_ii = 0.
        let diagonal = loss == .squaredHinge ? 0.5 / C : 0
        let upperBound = loss == .squaredHinge ? Double.infinity : C
        let biasValue = interceptScaling
        var w = [Double](repeating: 0, count: x.columnCount)
        var bias = 0.0
        var alpha = [Double](repeating: 0, count: n)
        // Q_ii = x_i·x_i (+ bias²) + D_ii.
        var qd = [Double](repeating: diagonal + biasValue * biasValue, count: n)
        for i in 0 ..< n { for k in x.range(ofRow: i) { qd[i] += x.values[k] * x.values[k] } }

        var order = Array(0 ..< n)
        var generator = SeededGenerator(seed: seed)
        var activeSize = n
        var maxPGOld = Double.infinity, minPGOld = -Double.infinity
        var iteration = 0
        x.values.withUnsafeBufferPointer { values in
        x.columns.withUnsafeBufferPointer { columns in
        w.withUnsafeMutableBufferPointer { w in
            while iteration < maxIterations {
                var maxPG = -Double.infinity, minPG = Double.infinity
                for i in 0 ..< activeSize { order.swapAt(i, i + Int(generator.next() % UInt64(activeSize - i))) }
                var s = 0
                while s < activeSize {
                    let i = order[s]
                    let yi = y[i]
                    let entries = x.rowOffsets[i] ..< x.rowOffsets[i + 1]
                    var margin = bias * biasValue
                    for k in entries { margin += w[Int(columns[k])] * values[k] }
                    let gradient = yi * margin - 1 + alpha[i] * diagonal
                    // Projected gradient; shrink coordinates stuck at a bound (liblinear's active set).
                    var projected = 0.0
                    if alpha[i] == 0 {
                        if gradient > maxPGOld {
                            activeSize -= 1
                            order.swapAt(s, activeSize)
                            continue
                        } else if gradient < 0 {
                            projected = gradient
                        }
                    } else if alpha[i] == upperBound {
                        if gradient < minPGOld {
                            activeSize -= 1
                            order.swapAt(s, activeSize)
                            continue
                        } else if gradient > 0 {
                            projected = gradient
                        }
                    } else {
                        projected = gradient
                    }
                    maxPG = max(maxPG, projected)
                    minPG = min(minPG, projected)
                    if abs(projected) > 1e-12 {
                        let old = alpha[i]
                        alpha[i] = min(max(old - gradient / qd[i], 0), upperBound)
                        let step = (alpha[i] - old) * yi
                        for k in entries { w[Int(columns[k])] += step * values[k] }
                        bias += step * biasValue
                    }
                    s += 1
                }
                iteration += 1
                if maxPG - minPG <= tolerance {
                    if activeSize == n { break }
                    // Converged on the active set: check all coordinates once more.
                    activeSize = n
                    maxPGOld = .infinity
                    minPGOld = -.infinity
                    continue
                }
                maxPGOld = maxPG <= 0 ? .infinity : maxPG
                minPGOld = minPG >= 0 ? -.infinity : minPG
            }
        }
        }
        }
        return (w, bias, iteration)
    }
}
