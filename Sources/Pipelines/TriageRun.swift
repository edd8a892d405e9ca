import Foundation
import SentimentCore
import SentimentData
import SentimentEvaluation

/// `sentiment triage`'s workflow around SentimentEvaluation's `Triage`: the labelled texts a model brings along, and
/// a file classified and split at the threshold they give.
public enum TriageRun {
    /// The labelled texts for NAME|DIR when none are given: the dev split of the data it was trained on
    /// (`Triage.devSplit`, from the training record in the folder `ModelLocator` finds).
    public static func labelledSet(model: String, cache: ArtifactCache = .default) throws -> (texts: [LabeledText], source: String) {
        try Triage.devSplit(ofModelIn: ModelLocator.folder(for: model, cache: cache), model: model, cache: cache)
    }

    /// Classifies `column` of `table` (label and score appended to every row, `TableClassification`), then splits the
    /// rows at the threshold `labelled` gives for `target` (`Triage.split`).
    public static func split(
        _ table: TabularFile, column: String, classifier: any TextClassifier, labelled: SelectiveClassification,
        labelledSource: String, target: Double, minimumKept: Int, progress: ((Int) -> Void)? = nil
    ) throws -> (summary: TriageSummary, auto: TabularFile, review: TabularFile) {
        let (withAnswers, results) = try TableClassification.classify(
            table, column: column, with: classifier, options: ClassificationOptions(), progress: progress)
        return try Triage.split(withAnswers, confidences: results.map { Double($0.score) }, labelled: labelled,
                                labelledSource: labelledSource, target: target, minimumKept: minimumKept)
    }
}
