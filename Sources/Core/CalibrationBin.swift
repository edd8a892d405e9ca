/// One equal-width bin of scores in [0, 1]: how many predictions fell in it, their mean score and how often they
/// were right. Bins are (e_i, e_(i+1)] with the first closed at 0, as scikit-learn's `calibration_curve`
/// (strategy "uniform") assigns them.
public struct CalibrationBin: Codable, Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var count: Int
    /// Mean score in the bin (0 when empty).
    public var meanScore: Double
    /// Fraction of positive outcomes in the bin (0 when empty).
    public var accuracy: Double

    /// Bins `count` equal-width intervals of [0, 1].
    public static func bins(scores: [Double], outcomes: [Bool], count: Int) -> [CalibrationBin] {
        // Edges as numpy.linspace(0, 1, count + 1) computes them: i · (1 / count), last one exactly 1.
        let step = 1 / Double(count)
        let edges = (0 ... count).map { $0 == count ? 1.0 : Double($0) * step }
        var totals = [Int](repeating: 0, count: count)
        var scoreSums = [Double](repeating: 0, count: count)
        var positives = [Int](repeating: 0, count: count)
        for (score, outcome) in zip(scores, outcomes) {
            // numpy.searchsorted(edges[1:-1], score, side="left"): the number of inner edges below the score.
            var bin = 0
            while bin < count - 1 && edges[bin + 1] < score { bin += 1 }
            totals[bin] += 1
            scoreSums[bin] += score
            if outcome { positives[bin] += 1 }
        }
        return (0 ..< count).map { i in
            CalibrationBin(lower: edges[i], upper: edges[i + 1], count: totals[i],
                           meanScore: totals[i] == 0 ? 0 : scoreSums[i] / Double(totals[i]),
                           accuracy: totals[i] == 0 ? 0 : Double(positives[i]) / Double(totals[i]))
        }
    }

    /// ECE = Σ_bins (n_b / N) · |accuracy_b − confidence_b|.
    public static func expectedCalibrationError(_ bins: [CalibrationBin], total: Int) -> Double {
        bins.reduce(0) { $0 + Double($1.count) / Double(total) * abs($1.accuracy - $1.meanScore) }
    }
}
