import Foundation

/// Selective classification (El-Yaniv & Wiener 2010; Geifman & El-Yaniv 2017): auto-label the texts whose top-label
/// confidence is at least a threshold, send the rest to a person. On labelled data it gives the risk–coverage curve
/// (accuracy of what is kept against the share kept) and the threshold that reaches a target accuracy.
public struct SelectiveClassification: Codable, Sendable, Equatable {
    /// One threshold: keeping every text with confidence ≥ `threshold` keeps `kept` of `total` (`coverage`),
    /// `correct` of them right (`accuracy`).
    public struct Point: Codable, Sendable, Equatable {
        public var threshold: Double
        public var kept: Int
        public var correct: Int
        public var coverage: Double
        public var accuracy: Double
    }

    /// Number of labelled texts.
    public var total: Int
    /// One point per distinct confidence, highest threshold (lowest coverage) first; the last keeps everything.
    public var curve: [Point]

    /// - Parameters: confidences[i] is the top-label score of text i, correct[i] whether that label is the gold one.
    public init(confidences: [Double], correct: [Bool]) throws {
        guard confidences.count == correct.count else {
            throw EvaluationError.invalidInput("\(confidences.count) confidences for \(correct.count) outcomes")
        }
        guard !confidences.isEmpty else { throw EvaluationError.invalidInput("no labelled texts to choose a threshold on") }
        guard confidences.allSatisfy({ $0.isFinite }) else { throw EvaluationError.invalidInput("confidences must be finite") }
        total = confidences.count
        let order = confidences.indices.sorted { confidences[$0] > confidences[$1] }
        var points: [Point] = []
        var kept = 0, right = 0
        for (position, i) in order.enumerated() {
            kept += 1
            if correct[i] { right += 1 }
            // A threshold keeps every text at or above it: emit a point only after the last text of a tie.
            if position + 1 < order.count && confidences[order[position + 1]] == confidences[i] { continue }
            points.append(Point(threshold: confidences[i], kept: kept, correct: right,
                                coverage: Double(kept) / Double(total), accuracy: Double(right) / Double(kept)))
        }
        curve = points
    }

    /// The point with the largest coverage whose accuracy is at least `target` (the lowest such threshold), or nil
    /// when no threshold reaches it. `minimumKept` ignores points that keep fewer texts (a handful of confident
    /// texts all right is no evidence).
    public func threshold(targetAccuracy target: Double, minimumKept: Int = 1) -> Point? {
        curve.last { $0.accuracy >= target && $0.kept >= minimumKept }
    }

    /// The Wilson score interval of a binomial proportion `successes / trials` at `confidence` (two-sided; 0.95 →
    /// z = 1.959964): what `statsmodels.stats.proportion.proportion_confint(method="wilson")` computes.
    public static func wilsonInterval(successes: Int, trials: Int, confidence: Double = 0.95) -> (lower: Double, upper: Double) {
        guard trials > 0 else { return (0, 1) }
        let z = normalQuantile(1 - (1 - confidence) / 2)
        let n = Double(trials), p = Double(successes) / n
        let denominator = 1 + z * z / n
        let centre = (p + z * z / (2 * n)) / denominator
        let half = z * ((p * (1 - p) / n + z * z / (4 * n * n)).squareRoot()) / denominator
        return (max(0, centre - half), min(1, centre + half))
    }

    /// Φ⁻¹(p) by Acklam's rational approximation refined with one Halley step (|error| < 1e-15 in double).
    static func normalQuantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1)
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
                 -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
                 -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
                 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        var x: Double
        if p < 0.02425 {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - 0.02425 {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * log(1 - p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        return x - u / (1 + x * u / 2)
    }
}
