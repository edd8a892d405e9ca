import Foundation
import SentimentBaselines
import SentimentCore
import SentimentData
import SentimentEvaluation
import SentimentModels

/// `sentiment compare`'s workflow: both baselines (trained, C tuned on dev, the first time, then cached in the models
/// folder) and BERT-family models on the test split of one data set, then the puzzles (`ComparisonReport.run`).
public struct ComparisonRun {
    public var dataset: Dataset
    public var cache: ArtifactCache

    /// Throws when `dataset` has no test split to compare on.
    public init(dataset: Dataset, cache: ArtifactCache = .default) throws {
        guard !dataset.test.isEmpty else { throw EvaluationError.invalidInput("the test split of \(dataset.name) is empty") }
        self.dataset = dataset
        self.cache = cache
    }

    /// Where a baseline of this data set is cached: `<models>/KIND-DATA`.
    public func baselineFolder(_ kind: BaselineKind) -> URL {
        cache.modelsDirectory.appendingPathComponent("\(kind.rawValue)-\(dataset.name)")
    }

    /// The baselines, then `bert` (NAME|DIR each; empty: every built default model whose labels are the data's).
    public func candidates(bert: [String], retrain: Bool = false, log: (String) -> Void = { _ in }) throws -> [ComparisonCandidate] {
        var candidates = try baselines(retrain: retrain, log: log)
        for name in bert.isEmpty ? DefaultModelCatalog.names.filter({ DefaultModelCatalog.isBuilt($0, cache: cache) }) : bert {
            // A default model with other labels is skipped by its config.json, before loading its weights.
            if bert.isEmpty, try !hasTheDataLabels(name) { continue }
            let classifier = try ModelLocator.classifier(name, cache: cache)
            // Rows (and puzzle scores) are keyed by model name: a baseline passed as --bert would collide.
            if candidates.contains(where: { $0.classifier.name == classifier.name }) {
                throw EvaluationError.invalidInput(
                    "--bert \(name) is the \(classifier.name) baseline (or given twice); give a BERT model folder or name")
            }
            let folder = try? ModelLocator.folder(for: name, cache: cache)
            candidates.append(ComparisonCandidate(
                classifier: classifier, trainSeconds: folder.flatMap { (try? FineTuningRecord.load(folder: $0))?.trainingSeconds },
                source: "loaded", folder: folder, temperature: (classifier as? SentimentPipeline)?.calibration?.temperature))
        }
        if !candidates.contains(where: { $0.source == "loaded" }) {
            log("note: no BERT model in the comparison (none of \(DefaultModelCatalog.names.joined(separator: ", ")) is built with these labels); pass --bert NAME|DIR")
        }
        return candidates
    }

    /// `candidates`, evaluated on the test split, then the puzzles.
    public func run(bert: [String], retrain: Bool = false, puzzles: [Puzzle] = Puzzles.builtIn,
                    log: (String) -> Void = { _ in }) throws -> (report: ComparisonReport, evaluations: [EvaluationResult]) {
        try ComparisonReport.run(candidates(bert: bert, retrain: retrain, log: log), on: dataset, puzzles: puzzles, log: log)
    }

    /// Each `BaselineKind`: cached (unless `retrain`), else trained on the train split, C tuned on dev, and saved.
    private func baselines(retrain: Bool, log: (String) -> Void) throws -> [ComparisonCandidate] {
        try BaselineKind.allCases.map { kind in
            let folder = baselineFolder(kind)
            if !retrain, BaselineModel.isModelFolder(folder), let cached = try? BaselineModel.load(folder: folder) {
                log("\(kind.rawValue): cached at \(folder.path)")
                return ComparisonCandidate(classifier: cached, trainSeconds: cached.training?.trainSeconds, source: "cached", folder: folder)
            }
            log("\(kind.rawValue): training on \(dataset.name) (C tuned on dev)…")
            let model = try BaselineTrainer.train(
                kind: kind, labels: dataset.labels, train: LabeledTexts(dataset, .train),
                dev: dataset.dev.isEmpty ? nil : LabeledTexts(dataset, .dev), dataName: dataset.name, log: log)
            try model.save(to: folder)
            return ComparisonCandidate(classifier: model, trainSeconds: model.training?.trainSeconds, source: "trained", folder: folder)
        }
    }

    /// Whether default model `name`'s labels (its config.json) are the data's.
    private func hasTheDataLabels(_ name: String) throws -> Bool {
        let labels = try ModelConfig.load(from: DefaultModelCatalog.folder(name, cache: cache)).labels
        return labels.count == dataset.labels.count
            && dataset.labels.allSatisfy { label in labels.contains { LabelAlignment.same($0, label) } }
    }
}
