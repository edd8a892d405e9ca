import Foundation
import SentimentCore
import SentimentModels

/// Temperature scaling (Guo et al. 2017): the one T > 0 that minimises the mean negative log-likelihood of
/// softmax(z / T) on held-out logits — what `torch.optim.LBFGS` over a single temperature parameter, or
/// `scipy.optimize.minimize_scalar`, finds. Accuracy is unchanged (T does not move the argmax); confidence is.
public enum TemperatureScaling {
    /// Fits T on `logits` [N][C] with gold class `labels` [N].
    ///
    /// In β = 1/T the objective f(β) = mean_i [logsumexp(β·z_i) − β·z_i,y_i] is convex (f'' = mean_i Var_{p_i}(z_i)
    /// ≥ 0), so Newton's method inside a bisection bracket finds the global minimum to machine precision. When the
    /// logits separate every example (f keeps falling as β grows) or carry no signal (Var = 0), T is clamped to
    /// [0.05, 20] rather than running off to 0 or ∞.
    public static func fit(logits: [[Float]], labels: [Int]) throws -> Double {
        guard !logits.isEmpty, logits.count == labels.count else {
            throw TrainingError.invalidHyperparameter("temperature scaling needs one label per logit row, got \(logits.count) rows and \(labels.count) labels")
        }
        let classes = logits[0].count
        guard classes >= 2, logits.allSatisfy({ $0.count == classes }), labels.allSatisfy({ (0..<classes).contains($0) }) else {
            throw TrainingError.invalidHyperparameter("temperature scaling needs ≥ 2 logits per row and labels in range")
        }
        let z = logits.map { $0.map(Double.init) }
        let (lo, hi) = (1 / 20.0, 1 / 0.05)   // β bracket ↔ T in [0.05, 20]
        var a = lo, b = hi
        if derivatives(z, labels, beta: a).first >= 0 { return 1 / a }    // f rising already: smallest β (largest T)
        if derivatives(z, labels, beta: b).first <= 0 { return 1 / b }    // f still falling: largest β allowed
        var beta = 1.0
        for _ in 0..<100 {
            let (g, h) = derivatives(z, labels, beta: beta)
            if g > 0 { b = beta } else { a = beta }
            var next = h > 0 ? beta - g / h : .nan
            if !(next > a && next < b) { next = (a + b) / 2 }             // Newton left the bracket: bisect
            if abs(next - beta) <= 1e-14 * max(1, beta) || b - a <= 1e-14 * b { beta = next; break }
            beta = next
        }
        return 1 / beta
    }

    /// f'(β) and f''(β) of the mean NLL at β = 1/T.
    static func derivatives(_ z: [[Double]], _ labels: [Int], beta: Double) -> (first: Double, second: Double) {
        var g = 0.0, h = 0.0
        for (row, y) in zip(z, labels) {
            let p = Softmax.probabilities(row.map { beta * $0 })
            var mean = 0.0, square = 0.0
            for (pk, zk) in zip(p, row) { mean += pk * zk; square += pk * zk * zk }
            g += mean - row[y]
            h += square - mean * mean
        }
        let n = Double(z.count)
        return (g / n, h / n)
    }

    /// Mean negative log-likelihood of softmax(z / T), in Double.
    public static func negativeLogLikelihood(logits: [[Float]], labels: [Int], temperature: Double) -> Double {
        var total = 0.0
        for (row, y) in zip(logits, labels) {
            let scaled = row.map { Double($0) / temperature }
            total += Softmax.logSumExp(scaled) - scaled[y]
        }
        return total / Double(max(logits.count, 1))
    }

    /// Expected calibration error of the top-label confidence of softmax(z / T), 10 equal-width bins.
    public static func expectedCalibrationError(logits: [[Float]], labels: [Int], temperature: Double) -> Double {
        var confidences: [Double] = [], correct: [Bool] = []
        for (row, y) in zip(logits, labels) {
            let p = Softmax.probabilities(row.map { Double($0) / temperature })
            let best = p.indices.max { p[$0] < p[$1] }!
            confidences.append(p[best])
            correct.append(best == y)
        }
        let bins = CalibrationBin.bins(scores: confidences, outcomes: correct, count: 10)
        return CalibrationBin.expectedCalibrationError(bins, total: confidences.count)
    }

    /// NLL and ECE at temperature `t`.
    public static func quality(logits: [[Float]], labels: [Int], temperature t: Double) -> ModelCalibration.Quality {
        .init(nll: negativeLogLikelihood(logits: logits, labels: labels, temperature: t),
              ece: expectedCalibrationError(logits: logits, labels: labels, temperature: t))
    }

    /// Fits T on dev and measures it on dev (and test, when given): what every training run stores with its model.
    public static func calibrate(dev: (logits: [[Float]], labels: [Int]),
                                 test: (logits: [[Float]], labels: [Int])?) throws -> ModelCalibration {
        let t = try fit(logits: dev.logits, labels: dev.labels)
        return ModelCalibration(
            temperature: t, fittedOn: "dev", examples: dev.labels.count,
            before: quality(logits: dev.logits, labels: dev.labels, temperature: 1),
            after: quality(logits: dev.logits, labels: dev.labels, temperature: t),
            testBefore: test.map { quality(logits: $0.logits, labels: $0.labels, temperature: 1) },
            testAfter: test.map { quality(logits: $0.logits, labels: $0.labels, temperature: t) })
    }
}
