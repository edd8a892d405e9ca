import ArgumentParser
import Foundation
import SentimentKit

extension ModelResolver {
    /// Every source the CLI knows for `--model NAME|DIR`, tried in order.
    /// The BERT pipelines add theirs here (HF folders, catalog and default-model names).
    static var standard: ModelResolver {
        ModelResolver().adding("a baseline folder or a baseline name in the models folder") { try BaselineModel.resolve($0) }
            .adding("a fine-tuned BERT-family folder, a built model name or a default-model name") { try SentimentPipeline.resolve($0) }
    }

    /// The folder a model came from (for its training log), when NAME|DIR names one.
    static func folder(of nameOrPath: String) -> URL? {
        let direct = URL(fileURLWithPath: (nameOrPath as NSString).expandingTildeInPath)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: direct.path, isDirectory: &isDirectory), isDirectory.boolValue { return direct }
        let named = ArtifactCache.default.modelsDirectory.appendingPathComponent(nameOrPath)
        return FileManager.default.fileExists(atPath: named.path) ? named : nil
    }
}

/// `sentiment evaluate`: metrics, calibration and the cases a person should review, for any model.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a model on a labelled split or file: report, JSON, HTML with charts.",
        discussion: """
            Metrics: accuracy, per-class precision/recall/F1/support with macro and weighted averages (scikit-learn's \
            classification_report layout), confusion matrix, log loss, expected calibration error (10 bins of \
            top-label confidence), confidence histogram. Cases to review: every misclassified text and every text \
            predicted with confidence below --review-threshold, least confident first. The HTML report is one \
            self-contained file with SVG charts (and training curves when the model folder has metrics.jsonl).
            """
    )

    @Option(help: "Model: a folder or a name (baseline folders today; BERT folders and catalog names with the pipelines).")
    var model: String
    @Option(help: "Catalog data set (rotten-tomatoes, crowdflower-tweets) or a labelled file.") var data: String?
    @Option(help: "Split of --data: train, dev or test.") var split = "test"
    @Option(help: "Evaluate every row of this .csv/.tsv/.jsonl file instead of a split.") var file: String?
    @Option(help: "Text column of a file.") var textColumn = "text"
    @Option(help: "Label column of a file.") var labelColumn = "label"
    @Flag(help: "Print the full result as JSON.") var json = false
    @Option(help: "Also write a self-contained HTML report to this file.") var report: String?
    @Option(help: "Texts predicted with a lower confidence are listed for review.") var reviewThreshold = 0.6
    @Option(help: "Cases to review shown in the terminal.") var show = 15

    func validate() throws {
        if (data == nil) == (file == nil) { throw ValidationError("give --data NAME (with --split) or --file F") }
        if Split(rawValue: split) == nil { throw ValidationError("--split must be train, dev or test") }
        if !(0 ... 1).contains(reviewThreshold) { throw ValidationError("--review-threshold must be in [0, 1]") }
    }

    func run() throws {
        try exitOnError {
            let classifier = try ModelResolver.standard.resolve(model)
            let examples: [LabeledText], labels: [String], dataName: String, splitName: String
            if let file {
                let dataset = try CLIData.load(file, textColumn: textColumn, labelColumn: labelColumn)
                (examples, labels, dataName, splitName) = (dataset.all, dataset.labels, file, "all")
            } else {
                let dataset = try CLIData.load(data!, textColumn: textColumn, labelColumn: labelColumn)
                (examples, labels, dataName, splitName) = (dataset.split(Split(rawValue: split)!), dataset.labels, dataset.name, split)
            }
            guard !examples.isEmpty else { throw EvaluationError.invalidInput("the \(splitName) split of \(dataName) is empty") }
            var result = try Evaluator.evaluate(classifier, texts: examples.map(\.text), gold: examples.map(\.label), labels: labels,
                                                data: dataName, split: splitName, reviewThreshold: reviewThreshold)
            result.trainingLog = ModelResolver.folder(of: model).flatMap { TrainingLog.load(folder: $0) }
            if let report {
                let url = URL(fileURLWithPath: (report as NSString).expandingTildeInPath)
                try HTMLReport.write(HTMLReport.evaluation(result), to: url)
                stderr("wrote \(url.path)")
            }
            if json { try printJSON(result) } else { print(TerminalReport.evaluation(result, reviewLimit: show), terminator: "") }
        }
    }
}
