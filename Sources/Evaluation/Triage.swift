import Foundation
import SentimentCore
import SentimentData

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

/// Why `sentiment triage` cannot choose a threshold.
public enum TriageError: Error, CustomStringConvertible, Equatable {
    /// No labelled texts were given and the model's folder has no training record naming its data.
    case noTrainingRecord(model: String)
    /// The model's training data has no dev split to choose the threshold on.
    case emptyDevSplit(data: String)
    /// A labelled text's label is none of the model's.
    case unknownLabel(String, modelLabels: [String])

    public var description: String {
        switch self {
        case .noTrainingRecord(let model):
            "\(model) has no \(FineTuningRecord.fileName) to find its dev split: give --labelled FILE (text and label columns)"
        case .emptyDevSplit(let data): "the dev split of \(data) is empty: give --labelled FILE"
        case .unknownLabel(let label, let modelLabels):
            "labelled text has label '\(label)', which the model does not have (\(modelLabels.joined(separator: ", ")))"
        }
    }
}

extension Triage {
    /// The labelled texts to choose a threshold on when none are given: the dev split of the data a fine-tuned model
    /// was trained on, as the training record in its `folder` names it; and what to call them ("DATA dev split").
    /// `model` is the name the error messages give it.
    public static func devSplit(ofModelIn folder: URL, model: String, cache: ArtifactCache = .default)
        throws -> (texts: [LabeledText], source: String) {
        guard let record = try? FineTuningRecord.load(folder: folder) else { throw TriageError.noTrainingRecord(model: model) }
        let dataset = try record.recipe.load(cache: cache)
        guard !dataset.dev.isEmpty else { throw TriageError.emptyDevSplit(data: record.recipe.data) }
        return (dataset.dev, "\(record.recipe.data) dev split")
    }

    /// The risk–coverage curve of `classifier` on labelled texts: its top label and score against the gold label.
    /// A gold label the classifier does not have is an error (before anything is classified).
    public static func selective(_ classifier: any TextClassifier, on labelled: [LabeledText]) throws -> SelectiveClassification {
        let known = Set(classifier.labels)
        if let unknown = labelled.first(where: { !known.contains($0.label) }) {
            throw TriageError.unknownLabel(unknown.label, modelLabels: classifier.labels)
        }
        let scores = try classifier.classify(labelled.map(\.text))
        return try SelectiveClassification(confidences: scores.map { Double($0[0].score) },
                                           correct: zip(scores, labelled).map { $0[0].label == $1.label })
    }

    /// `decide` on the rows of a classified table (`confidences`: each row's top-label score): the summary, and the
    /// rows auto-labelled and for review as tables of their own (every column kept; rows in input order, each with
    /// its line in the file).
    public static func split(
        _ table: TabularFile, confidences: [Double], labelled: SelectiveClassification, labelledSource: String,
        target: Double, minimumKept: Int
    ) throws -> (summary: TriageSummary, auto: TabularFile, review: TabularFile) {
        let (summary, auto, review) = try decide(labelled: labelled, labelledSource: labelledSource, target: target,
                                                 minimumKept: minimumKept, confidences: confidences)
        func rows(_ indices: [Int]) -> TabularFile {
            var subset = table
            subset.rows = indices.map { table.rows[$0] }
            subset.lines = indices.map { table.lines[$0] }
            return subset
        }
        return (summary, rows(auto), rows(review))
    }
}
