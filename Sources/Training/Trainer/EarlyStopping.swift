/// Early stopping on a dev metric with patience; remembers the best epoch.
/// Codable: it is part of the checkpoint, so a resumed run stops where the uninterrupted one would.
public struct EarlyStopping: Codable, Sendable, Equatable {
    public var metric: SelectionMetric
    /// Stop after this many epochs in a row without improvement, as HF `EarlyStoppingCallback` (nil: never).
    public var patience: Int?
    public private(set) var bestScore: Double?
    public private(set) var bestEpoch: Int?
    public private(set) var epochsWithoutImprovement = 0

    public init(metric: SelectionMetric, patience: Int?) {
        self.metric = metric
        self.patience = patience
    }

    /// Records one epoch's dev metrics; returns true when they are the best so far (strictly better).
    @discardableResult
    public mutating func record(epoch: Int, _ metrics: ClassificationMetrics) -> Bool {
        let score = metrics.score(metric)
        if let bestScore, score <= bestScore {
            epochsWithoutImprovement += 1
            return false
        }
        bestScore = score
        bestEpoch = epoch
        epochsWithoutImprovement = 0
        return true
    }

    public var shouldStop: Bool {
        guard let patience else { return false }
        return epochsWithoutImprovement >= patience
    }
}
