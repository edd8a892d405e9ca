import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment triage`: auto-label what the model is sure enough of, send the rest to a person.
struct TriageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Split a file into auto-labelled texts and texts for human review, at a target accuracy.",
        discussion: """
            The confidence threshold is chosen on labelled texts — --labelled FILE (text and label columns), else the \
            dev split of the data the model was trained on (its training_summary.json) — as the lowest threshold at \
            which the labelled texts at or above it are right at least --target-accuracy of the time (with at least \
            --min-kept of them). The rows of --file at or above it are written to --auto with label and score, the \
            others to --review (each atomically; defaults: NAME.auto.EXT and NAME.review.EXT beside the input, .csv for .txt). \
            Printed: the threshold, the coverage (share auto-labelled) with a 95 % Wilson interval, and the accuracy \
            the labelled texts give for the auto-labelled share, with its interval. The estimate holds for texts like \
            the labelled ones: label a sample of your own texts (--labelled) when they differ. Scores are calibrated \
            (calibration.json) unless --no-calibration.
            """
    )

    @Option(help: "Model: a default-model name, a trained model name, or a folder.") var model = ModelLocator.defaultClassifier
    @Option(name: .shortAndLong, help: "The .csv, .tsv, .jsonl or .txt file to triage.") var file: String
    @Option(help: "The column of --file holding the texts.") var column = "text"
    @Option(help: "Accuracy the auto-labelled texts must reach, in (0, 1].") var targetAccuracy = 0.95
    @Option(help: "Labelled texts to choose the threshold on (default: the model's dev split).") var labelled: String?
    @Option(help: "Text column of --labelled.") var textColumn = "text"
    @Option(help: "Label column of --labelled.") var labelColumn = "label"
    @Option(help: "A threshold must keep at least this many labelled texts.") var minKept = 30
    @Option(help: "Where the auto-labelled rows go.") var auto: String?
    @Option(help: "Where the rows for review go.") var review: String?
    @Option(help: "Also write an HTML report (risk–coverage curve, chosen threshold).") var report: String?
    @Option(help: PrecisionHelp.text) var precision: Precision = .fp32
    @Flag(help: "Ignore the model's temperature scaling.") var noCalibration = false
    @Flag(help: "Print the summary as JSON.") var json = false
    @Flag(help: "No progress bar.") var quiet = false

    func validate() throws {
        guard targetAccuracy > 0 && targetAccuracy <= 1 else { throw ValidationError("--target-accuracy must be in (0, 1]") }
        guard minKept >= 1 else { throw ValidationError("--min-kept must be at least 1") }
    }

    func run() throws {
        try exitOnError {
            // The inputs first: a bad file fails before any model work.
            let input = URL(fileURLWithPath: (file as NSString).expandingTildeInPath)
            guard FileManager.default.fileExists(atPath: input.path) else { throw CLIFailure("no such file: \(file)") }
            let table = try TabularFile.read(url: input)
            let texts = try table.column(named: column)
            guard !texts.isEmpty else { throw CLIFailure("\(file) has no rows") }
            if let empty = texts.firstIndex(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) {
                throw CLIFailure("\(file) line \(table.lines[empty]): empty text in column '\(column)'")
            }
            let (autoURL, reviewURL) = try outputs(for: input)
            // --labelled, else the dev split of the data the model was trained on.
            let (labelledTexts, source) = try labelled.map { (try CLIData.load($0, textColumn: textColumn, labelColumn: labelColumn).all, $0) }
                ?? TriageRun.labelledSet(model: model)

            try fetchBaseIfNeeded(model)
            let classifier = try ModelLocator.classifier(model, precision: precision, calibrated: !noCalibration)
            let selective = try Triage.selective(classifier, on: labelledTexts)
            let progress = TextProgress(total: texts.count, enabled: !quiet && isatty(STDERR_FILENO) == 1)
            let split = try TriageRun.split(
                table, column: column, classifier: classifier, labelled: selective, labelledSource: source,
                target: targetAccuracy, minimumKept: minKept, progress: progress.update)
            progress.finish()
            try TabularWriter.write(split.auto, to: autoURL)
            try TabularWriter.write(split.review, to: reviewURL)
            var summary = split.summary
            summary.autoOutput = autoURL.path
            summary.reviewOutput = reviewURL.path
            if let report {
                let url = URL(fileURLWithPath: (report as NSString).expandingTildeInPath)
                try HTMLReport.write(HTMLReport.triage(summary, selective: selective, model: classifier.name), to: url)
                stderr("wrote \(url.path)")
            }
            if json { try printJSON(summary) } else { print(TerminalReport.triage(summary), terminator: "") }
        }
    }

    /// --auto / --review, else NAME.auto.EXT and NAME.review.EXT beside the input (.csv for a .txt input or stdin-like
    /// extensionless file: the outputs add label and score columns, which a one-column .txt cannot hold).
    func outputs(for input: URL) throws -> (URL, URL) {
        let stem = input.deletingPathExtension().path
        let ext = ["", "txt"].contains(input.pathExtension.lowercased()) ? "csv" : input.pathExtension
        let a = URL(fileURLWithPath: auto ?? "\(stem).auto.\(ext)"), r = URL(fileURLWithPath: review ?? "\(stem).review.\(ext)")
        for url in [a, r] {
            _ = try TabularFile.Format(url: url)
            if url.standardizedFileURL == input.standardizedFileURL { throw CLIFailure("an output would overwrite the input \(input.path)") }
        }
        return (a, r)
    }
}
