import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment compare`: the baselines and a BERT model on the same test split, then the puzzle table.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare BOW+SVM, TF-IDF+LR and a BERT model on one test split and on hard puzzles.",
        discussion: """
            The baselines are trained (C tuned on dev) the first time and cached as <models>/bow-svm-DATA and \
            <models>/tfidf-logreg-DATA; --retrain trains them again. The puzzles are hard cases written for this \
            project (sarcasm, negation, double negation, intensity, contrast with "but", mixed aspects); \
            --puzzles FILE (.csv/.tsv/.jsonl with text, expected[, category]) replaces them.
            """
    )

    @Option(help: "Catalog data set or a labelled file.") var data = "rotten-tomatoes"
    @Option(help: "Text column of a data file.") var textColumn = "text"
    @Option(help: "Label column of a data file.") var labelColumn = "label"
    @Option(help: "A BERT model, folder or name (repeatable; default: every built default model with the data's labels, e.g. sentiment-en and sentiment-en-large).")
    var bert: [String] = []
    @Flag(help: "Print the result as JSON (one object per model, then the puzzles).") var json = false
    @Option(help: "Also write a self-contained HTML report to this file.") var report: String?
    @Option(help: "Puzzles file replacing the built-in ones.") var puzzles: String?
    @Flag(help: "Train the baselines again even when cached.") var retrain = false

    func run() throws {
        try exitOnError {
            let dataset = try CLIData.load(data, textColumn: textColumn, labelColumn: labelColumn)
            guard !dataset.test.isEmpty else { throw EvaluationError.invalidInput("the test split of \(dataset.name) is empty") }
            let puzzleList = try puzzles.map { try Puzzles.load(file: URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath)) }
                ?? Puzzles.builtIn

            var models: [(classifier: any TextClassifier, trainSeconds: Double?, source: String, folder: URL?)] = []
            for kind in BaselineKind.allCases {
                let folder = ArtifactCache.default.modelsDirectory.appendingPathComponent("\(kind.rawValue)-\(dataset.name)")
                if !retrain, BaselineModel.isModelFolder(folder), let cached = try? BaselineModel.load(folder: folder) {
                    stderr("\(kind.rawValue): cached at \(folder.path)")
                    models.append((cached, cached.training?.trainSeconds, "cached", folder))
                    continue
                }
                stderr("\(kind.rawValue): training on \(dataset.name) (C tuned on dev)…")
                let model = try BaselineTrainer.train(
                    kind: kind, labels: dataset.labels, train: LabeledTexts(dataset, .train),
                    dev: dataset.dev.isEmpty ? nil : LabeledTexts(dataset, .dev), dataName: dataset.name, log: stderr)
                try model.save(to: folder)
                models.append((model, model.training?.trainSeconds, "trained", folder))
            }
            // --bert as given, else every built default model whose labels are the data's.
            let names = bert.isEmpty ? DefaultModelCatalog.names.filter { DefaultModelCatalog.isBuilt($0) } : bert
            for bertName in names {
                // A default model with other labels is skipped by its config.json, before loading its weights.
                if bert.isEmpty {
                    let labels = try ModelConfig.load(from: DefaultModelCatalog.folder(bertName)).labels
                    if labels.count != dataset.labels.count
                        || !dataset.labels.allSatisfy({ label in labels.contains { LabelAlignment.same($0, label) } }) {
                        continue
                    }
                }
                let classifier = try ModelLocator.classifier(bertName)
                // Rows (and puzzle scores) are keyed by model name: a baseline passed as --bert would collide.
                if models.contains(where: { $0.classifier.name == classifier.name }) {
                    throw EvaluationError.invalidInput(
                        "--bert \(bertName) is the \(classifier.name) baseline (or given twice); give a BERT model folder or name")
                }
                let folder = try? ModelLocator.folder(for: bertName)
                models.append((classifier, folder.flatMap(Self.fineTuningSeconds), "loaded", folder))
            }
            if !models.contains(where: { $0.source == "loaded" }) {
                stderr("note: no BERT model in the comparison (none of \(DefaultModelCatalog.names.joined(separator: ", ")) is built with these labels); pass --bert NAME|DIR")
            }

            let texts = dataset.test.map(\.text), gold = dataset.test.map(\.label)
            var evaluations: [EvaluationResult] = []
            var entries: [ComparisonEntry] = []
            for m in models {
                stderr("evaluating \(m.classifier.name) on \(texts.count) test texts…")
                var result = try Evaluator.evaluate(m.classifier, texts: texts, gold: gold, labels: dataset.labels,
                                                    data: dataset.name, split: "test",
                                                    temperature: (m.classifier as? SentimentPipeline)?.calibration?.temperature)
                result.trainingLog = m.folder.flatMap { TrainingLog.load(folder: $0) }
                evaluations.append(result)
                entries.append(ComparisonEntry(result, trainSeconds: m.trainSeconds, source: m.source))
            }
            let outcomes = try PuzzleRunner.run(puzzleList, models: models.map(\.classifier))
            let comparison = ComparisonReport(data: dataset.name, split: "test", testSize: texts.count, models: entries, puzzles: outcomes)
            if let report {
                let url = URL(fileURLWithPath: (report as NSString).expandingTildeInPath)
                try HTMLReport.write(comparison.html(evaluations: evaluations), to: url)
                stderr("wrote \(url.path)")
            }
            if json {
                try printJSON(comparison)
            } else {
                print("\(dataset.name), test split (\(texts.count) texts)\n")
                print(comparison.metricsTable())
                print("Puzzles (\(outcomes.count) hard cases; ✓ = expected label):\n")
                print(comparison.puzzleTable())
            }
        }
    }

    /// Training time the trainer recorded in a fine-tuned folder (`training_summary.json`: training.trainingSeconds).
    static func fineTuningSeconds(_ folder: URL) -> Double? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("training_summary.json")),
              let summary = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let training = summary["training"] as? [String: Any] else { return nil }
        return (training["trainingSeconds"] as? NSNumber)?.doubleValue
    }
}
