import Foundation

/// Softmax and log-sum-exp of one row, in Double with the maximum subtracted: the one place the library computes
/// them (losses, temperature scaling, logistic regression, the pipelines' scores, dev loss). A confident model's
/// score never rounds to exactly 1 by accident, and a row of large logits never overflows.
public enum Softmax {
    /// softmax(z) and logsumexp(z). An empty row gives ([], −∞).
    public static func probabilitiesAndLogSum(_ z: [Double]) -> (p: [Double], logSum: Double) {
        guard let top = z.max() else { return ([], -.infinity) }
        let e = z.map { exp($0 - top) }
        let s = e.reduce(0, +)
        return (e.map { $0 / s }, top + log(s))
    }

    /// softmax(z).
    public static func probabilities(_ z: [Double]) -> [Double] { probabilitiesAndLogSum(z).p }

    /// logsumexp(z) = log Σ exp(z_k).
    public static func logSumExp(_ z: [Double]) -> Double { probabilitiesAndLogSum(z).logSum }
}
