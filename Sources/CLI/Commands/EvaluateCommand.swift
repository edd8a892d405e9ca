import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment evaluate`: metrics, calibration and the cases a person should review, for any model.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a model on a labelled split or file: report, JSON, HTML with charts.",
        discussion: """
            Metrics: accuracy, per-class precision/recall/F1/support with macro and weighted averages (scikit-learn's \
            classification_report layout), confusion matrix, log loss, expected calibration error (10 bins of \
            top-label confidence), confidence histogram, and for a model with temperature scaling (calibration.json, fitted \
            on dev by every training run) the reliability diagram before and after it; the risk–coverage curve \
            (accuracy of the texts auto-labelled above each confidence threshold, against their share). Cases to review: every misclassified text and every text \
            predicted with confidence below --review-threshold, least confident first. The HTML report is one \
            self-contained file with SVG charts (and training curves when the model folder has metrics.jsonl).
            """
    )

    @Option(help: "Model: a folder (fine-tuned BERT-family or baseline) or a name (trained model, default model).")
    var model: String
    @Option(help: "Catalog data set (rotten-tomatoes, crowdflower-tweets) or a labelled file.") var data: String?
    @Option(help: "Split of --data: train, dev or test.") var split = "test"
    @Option(help: PrecisionHelp.text) var precision: Precision = .fp32
    @Option(help: "Evaluate every row of this .csv/.tsv/.jsonl file instead of a split.") var file: String?
    @Option(help: "Text column of a file.") var textColumn = "text"
    @Option(help: "Label column of a file.") var labelColumn = "label"
    @Flag(help: "Print the full result as JSON.") var json = false
    @Option(help: "Also write a self-contained HTML report to this file.") var report: String?
    @Option(help: "Texts predicted with a lower confidence are listed for review.") var reviewThreshold = 0.6
    @Option(help: "Cases to review shown in the terminal.") var show = 15
    @Option(help: "Evaluate only the texts with these gold labels (comma-separated), e.g. negative,positive: a two-class model on three-class data.")
    var keepLabels: String?
    @Flag(help: "Ignore the model's temperature scaling (calibration.json): evaluate HF's raw softmax scores.")
    var noCalibration = false

    func validate() throws {
        if (data == nil) == (file == nil) { throw ValidationError("give --data NAME (with --split) or --file F") }
        if Split(rawValue: split) == nil { throw ValidationError("--split must be train, dev or test") }
        if !(0 ... 1).contains(reviewThreshold) { throw ValidationError("--review-threshold must be in [0, 1]") }
    }

    func run() throws {
        try exitOnError {
            try fetchBaseIfNeeded(model)
            let classifier = try ModelLocator.classifier(model, precision: precision, calibrated: !noCalibration)
            var examples: [LabeledText], labels: [String]
            let dataName: String, splitName: String
            if let file {
                let dataset = try CLIData.load(file, textColumn: textColumn, labelColumn: labelColumn)
                (examples, labels, dataName, splitName) = (dataset.all, dataset.labels, file, "all")
            } else {
                let dataset = try CLIData.load(data!, textColumn: textColumn, labelColumn: labelColumn)
                (examples, labels, dataName, splitName) = (dataset.split(Split(rawValue: split)!), dataset.labels, dataset.name, split)
            }
            if let keepLabels {
                let kept = keepLabels.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                guard kept.allSatisfy(labels.contains) else {
                    throw EvaluationError.invalidInput("--keep-labels \(keepLabels): the data's labels are \(labels.joined(separator: ", "))")
                }
                examples = examples.filter { kept.contains($0.label) }
                labels = labels.filter(kept.contains)
            }
            guard !examples.isEmpty else { throw EvaluationError.invalidInput("the \(splitName) split of \(dataName) is empty") }
            var result = try Evaluator.evaluate(classifier, texts: examples.map(\.text), gold: examples.map(\.label), labels: labels,
                                                data: dataName, split: splitName, reviewThreshold: reviewThreshold,
                                                temperature: (classifier as? SentimentPipeline)?.calibration?.temperature)
            result.trainingLog = (try? ModelLocator.folder(for: model)).flatMap { TrainingLog.load(folder: $0) }
            if let report {
                let url = URL(fileURLWithPath: (report as NSString).expandingTildeInPath)
                try HTMLReport.write(HTMLReport.evaluation(result), to: url)
                stderr("wrote \(url.path)")
            }
            if json { try printJSON(result) } else { print(TerminalReport.evaluation(result, reviewLimit: show), terminator: "") }
        }
    }
}
