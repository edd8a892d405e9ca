import Foundation

/// L2-regularised logistic regression solved to convergence with L-BFGS, scikit-learn's
/// `LogisticRegression(solver="lbfgs")` objective (intercepts not penalised), scaled by 1/n as sklearn does:
///
///   two classes:  F(w, b) = 1/n Σ_i ln(1 + e^(−y_i (w·x_i + b))) + ‖w‖² / (2 C n),  y_i ∈ {−1, +1}
///   3+ classes:   F(W, b) = 1/n Σ_i [logsumexp_k z_ik − z_i,y_i] + ‖W‖²_F / (2 C n),  z_i = W x_i + b (multinomial)
public struct LogisticRegression: Sendable {
    public var C: Double
    public var tolerance: Double
    public var maxIterations: Int

    public init(C: Double = 1, tolerance: Double = 1e-6, maxIterations: Int = 5000) {
        self.C = C
        self.tolerance = tolerance
        self.maxIterations = maxIterations
    }

    public struct FitInfo: Sendable {
        public var iterations: Int
        public var converged: Bool
        public var objective: Double
    }

    public func fit(_ x: SparseMatrix, labels: [Int], classCount: Int) throws -> (model: LinearModel, info: FitInfo) {
        try validateTrainingSet(x, labels: labels, classCount: classCount)
        guard C > 0, C.isFinite else { throw BaselineError.invalidOption("C must be a positive number, got \(C)") }
        let outputs = classCount == 2 ? 1 : classCount
        let features = x.columnCount
        let n = Double(x.rowCount)
        let penalty = 1 / (C * n)
        var solver = LBFGS()
        solver.maxIterations = maxIterations
        solver.gradientTolerance = tolerance
        // Parameters: W (K, F) row-major, then b (K).
        let result = solver.minimize(from: [Double](repeating: 0, count: outputs * (features + 1))) { theta, gradient in
            for j in gradient.indices { gradient[j] = 0 }
            var loss = 0.0
            theta.withUnsafeBufferPointer { theta in
            gradient.withUnsafeMutableBufferPointer { gradient in
            x.values.withUnsafeBufferPointer { values in
            x.columns.withUnsafeBufferPointer { columns in
                var z = [Double](repeating: 0, count: outputs)
                var dz = [Double](repeating: 0, count: outputs)
                for i in 0 ..< x.rowCount {
                    let entries = x.rowOffsets[i] ..< x.rowOffsets[i + 1]
                    for k in 0 ..< outputs {  // z_ik = W_k · x_i + b_k
                        var sum = theta[outputs * features + k]
                        let base = k * features
                        for e in entries { sum += values[e] * theta[base + Int(columns[e])] }
                        z[k] = sum
                    }
                    if outputs == 1 {
                        let y = labels[i] == 1 ? 1.0 : -1.0
                        let margin = y * z[0]
                        loss += softplus(-margin)  // ln(1 + e^(−m))
                        dz[0] = -y * sigmoid(-margin)
                    } else {
                        let top = z.max()!
                        var total = 0.0
                        for k in 0 ..< outputs { dz[k] = exp(z[k] - top); total += dz[k] }
                        loss += top + log(total) - z[labels[i]]
                        for k in 0 ..< outputs { dz[k] /= total }
                        dz[labels[i]] -= 1
                    }
                    for k in 0 ..< outputs {  // ∂/∂W_k += dz_k x_i, ∂/∂b_k += dz_k
                        let d = dz[k] / n
                        let base = k * features
                        for e in entries { gradient[base + Int(columns[e])] += d * values[e] }
                        gradient[outputs * features + k] += d
                    }
                }
                var squares = 0.0
                for j in 0 ..< outputs * features {
                    squares += theta[j] * theta[j]
                    gradient[j] += penalty * theta[j]
                }
                loss = loss / n + 0.5 * penalty * squares
            }
            }
            }
            }
            return loss
        }
        let model = try LinearModel(featureCount: features, weights: Array(result.x[0 ..< outputs * features]),
                                    intercepts: Array(result.x[outputs * features ..< outputs * (features + 1)]))
        return (model, FitInfo(iterations: result.iterations, converged: result.converged, objective: result.value))
    }

    /// Class probabilities from decision values: σ for one output, softmax for several.
    public static func probabilities(_ decision: [Double]) -> [Double] {
        if decision.count == 1 {
            let p = sigmoid(decision[0])
            return [1 - p, p]
        }
        return softmax(decision)
    }
}

@inline(__always) func sigmoid(_ z: Double) -> Double {
    z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
}

/// ln(1 + e^z) without overflow.
@inline(__always) func softplus(_ z: Double) -> Double {
    z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
}

func softmax(_ z: [Double]) -> [Double] {
    let top = z.max() ?? 0
    let e = z.map { exp($0 - top) }
    let total = e.reduce(0, +)
    return e.map { $0 / total }
}
