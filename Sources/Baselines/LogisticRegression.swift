import Foundation
import SentimentCore

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
        // Parameters: W (K, F) row-major, then b (K). Forward over rows and backward over columns (through the
        // transposed matrix) run on all cores; every value is computed by one thread in a fixed order, so the result
        // does not depend on the number of cores.
        let xt = x.transposed()
        let rows = x.rowCount
        let dz = UnsafeMutableBufferPointer<Double>.allocate(capacity: rows * outputs)  // (N, K) ∂loss_i/∂z_ik / n
        let rowLoss = UnsafeMutableBufferPointer<Double>.allocate(capacity: rows)
        defer { dz.deallocate(); rowLoss.deallocate() }
        nonisolated(unsafe) let dzPointer = dz.baseAddress!, lossPointer = rowLoss.baseAddress!
        let chunks = 32
        let result = solver.minimize(from: [Double](repeating: 0, count: outputs * (features + 1))) { theta, gradient in
            theta.withUnsafeBufferPointer { theta in
            gradient.withUnsafeMutableBufferPointer { gradient in
                nonisolated(unsafe) let theta = theta.baseAddress!, gradient = gradient.baseAddress!
                // Forward: z_i = W x_i + b, loss_i, dz_i.
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    var z = [Double](repeating: 0, count: outputs)
                    x.values.withUnsafeBufferPointer { values in
                    x.columns.withUnsafeBufferPointer { columns in
                        for i in chunk * rows / chunks ..< (chunk + 1) * rows / chunks {
                            let entries = x.rowOffsets[i] ..< x.rowOffsets[i + 1]
                            for k in 0 ..< outputs {
                                var sum = theta[outputs * features + k]
                                let base = k * features
                                for e in entries { sum += values[e] * theta[base + Int(columns[e])] }
                                z[k] = sum
                            }
                            let d = dzPointer + i * outputs
                            if outputs == 1 {
                                let y = labels[i] == 1 ? 1.0 : -1.0
                                let margin = y * z[0]
                                lossPointer[i] = softplus(-margin)  // ln(1 + e^(−m))
                                d[0] = -y * sigmoid(-margin) / n
                            } else {
                                let top = z.max()!
                                var total = 0.0
                                for k in 0 ..< outputs { d[k] = exp(z[k] - top); total += d[k] }
                                lossPointer[i] = top + log(total) - z[labels[i]]
                                for k in 0 ..< outputs { d[k] /= total }
                                d[labels[i]] -= 1
                                for k in 0 ..< outputs { d[k] /= n }
                            }
                        }
                    }
                    }
                }
                // Backward: ∂F/∂W_kj = Σ_i x_ij dz_ik + W_kj / (C n), one column j at a time.
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    xt.values.withUnsafeBufferPointer { values in
                    xt.columns.withUnsafeBufferPointer { rowsOfColumn in
                        for j in chunk * features / chunks ..< (chunk + 1) * features / chunks {
                            let entries = xt.rowOffsets[j] ..< xt.rowOffsets[j + 1]
                            for k in 0 ..< outputs {
                                var sum = 0.0
                                for e in entries { sum += values[e] * dzPointer[Int(rowsOfColumn[e]) * outputs + k] }
                                gradient[k * features + j] = sum + penalty * theta[k * features + j]
                            }
                        }
                    }
                    }
                }
            }
            }
            var loss = 0.0
            for i in 0 ..< rows { loss += rowLoss[i] }
            var squares = 0.0
            for j in 0 ..< outputs * features { squares += theta[j] * theta[j] }
            for k in 0 ..< outputs {  // ∂F/∂b_k = Σ_i dz_ik
                var sum = 0.0
                for i in 0 ..< rows { sum += dz[i * outputs + k] }
                gradient[outputs * features + k] = sum
            }
            return loss / n + 0.5 * penalty * squares
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
        return Softmax.probabilities(decision)
    }
}

@inline(__always) func sigmoid(_ z: Double) -> Double {
    z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
}

/// ln(1 + e^z) without overflow.
@inline(__always) func softplus(_ z: Double) -> Double {
    z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
}

