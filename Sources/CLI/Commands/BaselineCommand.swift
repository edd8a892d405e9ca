import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment baseline train | explain`: the bag-of-words baselines (BOW + linear SVM, TF-IDF + logistic regression).
struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Train and inspect bag-of-words baselines (bow-svm, tfidf-logreg).",
        subcommands: [BaselineTrainCommand.self, BaselineExplainCommand.self]
    )
}

struct BaselineTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a baseline on a data set and save it to a model folder (baseline.json).",
        discussion: """
            bow-svm: binary unigram+bigram counts, linear SVM (squared hinge, liblinear's dual coordinate descent); \
            scores are σ(a·f) with a fitted on dev. tfidf-logreg: sublinear TF-IDF over unigrams+bigrams, L2 logistic \
            regression (L-BFGS), scores are its probabilities. C is picked by dev accuracy over a grid unless --C is given. \
            The folder works with `evaluate --model DIR`, `compare` and `classify --model DIR`.
            """
    )

    @Option(help: "bow-svm or tfidf-logreg.") var kind: String
    @Option(help: "Catalog data set (rotten-tomatoes, crowdflower-tweets) or a .csv/.tsv/.jsonl file.") var data: String
    @Option(help: "Text column of a data file.") var textColumn = "text"
    @Option(help: "Label column of a data file.") var labelColumn = "label"
    @Option(help: "Output folder.") var out: String
    @Option(name: .customLong("C"), help: "Inverse regularisation strength (default: tuned on dev).") var C: Double?
    @Flag(help: "List the top features per class after training.") var explain = false
    @Option(help: "Features per class listed by --explain.") var top = 15
    @Flag(help: "Print the training summary as JSON.") var json = false

    func validate() throws {
        guard BaselineKind(rawValue: kind) != nil else {
            throw ValidationError("--kind must be one of \(BaselineKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let C, !(C > 0) { throw ValidationError("--C must be positive") }
    }

    func run() throws {
        try exitOnError {
            let kind = BaselineKind(rawValue: kind)!
            let dataset = try CLIData.load(data, textColumn: textColumn, labelColumn: labelColumn)
            stderr("training \(kind.rawValue) on \(dataset.name): \(dataset.train.count) train, \(dataset.dev.count) dev, \(dataset.test.count) test")
            let model = try BaselineTrainer.train(
                kind: kind, labels: dataset.labels, train: LabeledTexts(dataset, .train),
                dev: dataset.dev.isEmpty ? nil : LabeledTexts(dataset, .dev), C: C, dataName: dataset.name, log: stderr)
            let folder = URL(fileURLWithPath: (out as NSString).expandingTildeInPath)
            try model.save(to: folder)
            let summary = model.training!
            var testAccuracy: Double?
            if !dataset.test.isEmpty {
                let result = try Evaluator.evaluate(model, texts: dataset.test.map(\.text), gold: dataset.test.map(\.label),
                                                    labels: dataset.labels, data: dataset.name, split: "test")
                testAccuracy = result.metrics.accuracy
            }
            if json {
                struct Output: Encodable {
                    var model: String, folder: String, training: BaselineTrainingSummary, testAccuracy: Double?
                    var topFeatures: [String: [String]]?
                }
                let features = explain ? Dictionary(uniqueKeysWithValues: model.topFeatures(count: top).map { ($0.label, $0.terms.map(\.term)) }) : nil
                try printJSON(Output(model: model.name, folder: folder.path, training: summary, testAccuracy: testAccuracy, topFeatures: features))
                return
            }
            print("saved \(folder.appendingPathComponent(BaselineModel.fileName).path)")
            print(String(format: "C = %g, %d features, dev accuracy %.4f, train %.2f s", summary.C, model.features.vocabulary.count,
                         summary.devAccuracy ?? .nan, summary.trainSeconds))
            if let testAccuracy { print(String(format: "test accuracy %.4f (%d texts)", testAccuracy, dataset.test.count)) }
            if explain { print("\n" + BaselineExplainCommand.render(model, top: top)) }
        }
    }
}

struct BaselineExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain", abstract: "List the features that push hardest towards each class.")

    @Option(help: "Baseline folder or name under the models folder.") var model: String
    @Option(help: "Features per class.") var top = 15

    func run() throws {
        try exitOnError {
            guard let classifier = try BaselineModel.resolve(model), let baseline = classifier as? BaselineModel else {
                throw BaselineError.notABaselineFolder(model)
            }
            print(Self.render(baseline, top: top))
        }
    }

    static func render(_ model: BaselineModel, top: Int) -> String {
        var out = "Top features per class (\(model.kind.rawValue), weight):\n"
        for (label, terms) in model.topFeatures(count: top) {
            out += "\n\(label):\n" + terms.map { String(format: "  %+8.4f  %@", $0.weight, $0.term) }.joined(separator: "\n") + "\n"
        }
        return out
    }
}
