import Foundation

/// Triage for human review: choose, on labelled texts, the confidence threshold at which the texts auto-labelled
/// reach a target accuracy, then split new texts into auto-labelled (confidence ≥ threshold) and for review.
/// What `sentiment triage` prints and writes as JSON.
public struct TriageSummary: Codable, Sendable, Equatable {
    public var target: Double
    /// The threshold chosen (nil: no threshold reaches the target on the labelled texts; every text goes to review).
    public var threshold: Double?
    /// Where the threshold was chosen: labelled texts, how many, and what they say about it.
    public var labelledSource: String
    public var labelledCount: Int
    /// Labelled texts at or above the threshold: their share and accuracy, with 95 % Wilson intervals.
    public var labelledCoverage: Double
    public var labelledCoverageInterval: [Double]
    public var labelledAccuracy: Double
    public var labelledAccuracyInterval: [Double]
    /// Accuracy of every labelled text (no triage), for comparison.
    public var labelledAccuracyAll: Double
    /// The file: texts, auto-labelled, for review; coverage with its 95 % Wilson interval.
    public var texts: Int
    public var autoLabelled: Int
    public var forReview: Int
    public var coverage: Double
    public var coverageInterval: [Double]
    public var autoOutput: String?
    public var reviewOutput: String?

    enum CodingKeys: String, CodingKey {
        case target, threshold, texts, coverage
        case labelledSource = "labelled_source", labelledCount = "labelled_count", labelledCoverage = "labelled_coverage"
        case labelledCoverageInterval = "labelled_coverage_interval", labelledAccuracy = "labelled_accuracy"
        case labelledAccuracyInterval = "labelled_accuracy_interval", labelledAccuracyAll = "labelled_accuracy_all"
        case autoLabelled = "auto_labelled", forReview = "for_review", coverageInterval = "coverage_interval"
        case autoOutput = "auto_output", reviewOutput = "review_output"
    }
}

public enum Triage {
    /// The threshold for `target` on labelled texts (`SelectiveClassification.threshold`, at least `minimumKept`
    /// texts kept), and the split of `confidences` (the new texts' top-label scores) it gives: indices auto-labelled
    /// and for review, in input order.
    public static func decide(
        labelled: SelectiveClassification, labelledSource: String, target: Double, minimumKept: Int, confidences: [Double]
    ) throws -> (summary: TriageSummary, auto: [Int], review: [Int]) {
        guard (0 ... 1).contains(target) else { throw EvaluationError.invalidInput("target accuracy must be in [0, 1], got \(target)") }
        guard !confidences.isEmpty else { throw EvaluationError.invalidInput("no texts to triage") }
        let point = labelled.threshold(targetAccuracy: target, minimumKept: minimumKept)
        let auto = point.map { p in confidences.indices.filter { confidences[$0] >= p.threshold } } ?? []
        let autoSet = Set(auto)
        let review = confidences.indices.filter { !autoSet.contains($0) }
        let kept = point?.kept ?? 0, right = point?.correct ?? 0
        let everything = labelled.curve.last!
        let coverageCI = SelectiveClassification.wilsonInterval(successes: kept, trials: labelled.total)
        let accuracyCI = SelectiveClassification.wilsonInterval(successes: right, trials: kept)
        let fileCI = SelectiveClassification.wilsonInterval(successes: auto.count, trials: confidences.count)
        let summary = TriageSummary(
            target: target, threshold: point?.threshold, labelledSource: labelledSource, labelledCount: labelled.total,
            labelledCoverage: Double(kept) / Double(labelled.total), labelledCoverageInterval: [coverageCI.lower, coverageCI.upper],
            labelledAccuracy: kept == 0 ? 0 : Double(right) / Double(kept), labelledAccuracyInterval: [accuracyCI.lower, accuracyCI.upper],
            labelledAccuracyAll: everything.accuracy, texts: confidences.count, autoLabelled: auto.count, forReview: review.count,
            coverage: Double(auto.count) / Double(confidences.count), coverageInterval: [fileCI.lower, fileCI.upper])
        return (summary, auto, review)
    }
}
