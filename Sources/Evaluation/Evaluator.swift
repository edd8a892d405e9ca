import Foundation
import SentimentCore

/// A text a person should look at: misclassified, or predicted with confidence below the review threshold.
public struct ReviewCase: Codable, Sendable, Equatable {
    /// Position in the evaluated split.
    public var index: Int
    public var text: String
    public var gold: String
    public var predicted: String
    /// Score of the predicted label.
    public var confidence: Double
    public var misclassified: Bool
    public var lowConfidence: Bool
}

/// Everything `sentiment evaluate` reports about one model on one set of labelled texts.
public struct EvaluationResult: Codable, Sendable {
    public var model: String
    public var data: String
    public var split: String
    public var metrics: EvaluationMetrics
    public var reviewThreshold: Double
    /// Misclassified or low-confidence cases, least confident first.
    public var review: [ReviewCase]
    /// Wall time of `classify` over all texts.
    public var seconds: Double
    public var textsPerSecond: Double
    /// Loss / dev-accuracy curves when the model folder holds a training log.
    public var trainingLog: TrainingLog?
    /// The model's temperature (temperature scaling) when its scores were calibrated, and the metrics its raw
    /// scores (T = 1) would have had: the "before" of the reliability diagram.
    public var temperature: Double?
    public var uncalibrated: EvaluationMetrics?
    /// Risk–coverage: accuracy of the texts kept above each confidence threshold against their share.
    public var selective: SelectiveClassification?
}

public enum Evaluator {
    /// Classifies `texts` in batches and scores the predictions against `gold`.
    /// - Parameters:
    ///   - classifier: the model (a pipeline, a baseline: anything `TextClassifier`).
    ///   - texts: the texts to classify.
    ///   - gold: each text's true label, by name.
    ///   - labels: the data set's class names (the rows / columns of the confusion matrix); model labels that mean
    ///     none of them (see `LabelAlignment`) are appended.
    ///   - temperature: the classifier's scores are softmax(z / T) (a calibrated `SentimentPipeline`): the result
    ///     also carries the metrics of softmax(z), recovered exactly as p_k^T / Σ_j p_j^T, without a second pass.
    ///   - data: the data set's name, for the report.
    ///   - split: the split's name, for the report.
    ///   - reviewThreshold: texts below this confidence are listed for review (with every misclassified one).
    ///   - batchSize: texts per `classify` call.
    public static func evaluate(_ classifier: any TextClassifier, texts: [String], gold: [String], labels: [String],
                                data: String, split: String, reviewThreshold: Double = 0.6,
                                batchSize: Int = 256, temperature: Double? = nil) throws -> EvaluationResult {
        guard texts.count == gold.count else { throw EvaluationError.invalidInput("\(texts.count) texts for \(gold.count) labels") }
        guard !texts.isEmpty else { throw EvaluationError.invalidInput("nothing to evaluate: 0 texts") }
        guard (0 ... 1).contains(reviewThreshold) else { throw EvaluationError.invalidInput("review threshold must be in [0, 1]") }
        let mapping = try LabelAlignment.map(modelLabels: classifier.labels, dataLabels: labels)
        var allLabels = labels
        var column = mapping.map { $0 ?? -1 }
        for (m, target) in mapping.enumerated() where target == nil {  // model classes the data does not have
            column[m] = allLabels.count
            allLabels.append(classifier.labels[m])
        }
        let index = Dictionary(uniqueKeysWithValues: allLabels.enumerated().map { ($1, $0) })
        let goldIDs = try gold.map { label in
            guard let id = index[label] else { throw EvaluationError.invalidInput("gold label '\(label)' is not one of \(labels)") }
            return id
        }
        let modelIndex = Dictionary(uniqueKeysWithValues: classifier.labels.enumerated().map { ($1, $0) })

        let clock = ContinuousClock()
        let start = clock.now
        var probabilities: [[Double]] = []
        probabilities.reserveCapacity(texts.count)
        for batchStart in stride(from: 0, to: texts.count, by: batchSize) {
            let batch = Array(texts[batchStart ..< min(batchStart + batchSize, texts.count)])
            for scores in try classifier.classify(batch) {
                var row = [Double](repeating: 0, count: allLabels.count)
                for score in scores {
                    guard let m = modelIndex[score.label] else {
                        throw EvaluationError.invalidInput("classifier returned unknown label '\(score.label)'")
                    }
                    row[column[m]] = Double(score.score)
                }
                probabilities.append(row)
            }
        }
        let elapsed = clock.now - start
        let seconds = elapsed.seconds
        let predicted = probabilities.map { p in p.indices.max { p[$0] < p[$1] }! }
        let metrics = try EvaluationMetrics(labels: allLabels, gold: goldIDs, predicted: predicted, probabilities: probabilities)
        var uncalibrated: EvaluationMetrics?
        if let temperature, temperature != 1 {
            // softmax(z/T)_k^T ∝ exp(z_k): renormalised, the raw softmax (same argmax, so the same predictions).
            let raw = probabilities.map { p -> [Double] in
                let top = p.max() ?? 1
                let powered = p.map { $0 > 0 ? exp(temperature * (log($0) - log(top))) : 0 }
                let sum = powered.reduce(0, +)
                return powered.map { $0 / sum }
            }
            uncalibrated = try EvaluationMetrics(labels: allLabels, gold: goldIDs, predicted: predicted, probabilities: raw)
        }
        let selective = try SelectiveClassification(confidences: texts.indices.map { probabilities[$0][predicted[$0]] },
                                                    correct: texts.indices.map { predicted[$0] == goldIDs[$0] })

        var review: [ReviewCase] = []
        for i in texts.indices {
            let confidence = probabilities[i][predicted[i]]
            let wrong = predicted[i] != goldIDs[i]
            let unsure = confidence < reviewThreshold
            if wrong || unsure {
                review.append(ReviewCase(index: i, text: texts[i], gold: gold[i], predicted: allLabels[predicted[i]],
                                         confidence: confidence, misclassified: wrong, lowConfidence: unsure))
            }
        }
        review.sort { ($0.confidence, $0.index) < ($1.confidence, $1.index) }
        return EvaluationResult(model: classifier.name, data: data, split: split, metrics: metrics,
                                reviewThreshold: reviewThreshold, review: review, seconds: seconds,
                                textsPerSecond: Double(texts.count) / max(seconds, 1e-9), trainingLog: nil,
                                temperature: temperature, uncalibrated: uncalibrated, selective: selective)
    }
}
