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
            let comparison = try ComparisonRun(dataset: CLIData.load(data, textColumn: textColumn, labelColumn: labelColumn))
            let puzzleList = try puzzles.map { try Puzzles.load(file: URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath)) }
                ?? Puzzles.builtIn
            let (result, evaluations) = try comparison.run(bert: bert, retrain: retrain, puzzles: puzzleList, log: stderr)
            if let report {
                let url = URL(fileURLWithPath: (report as NSString).expandingTildeInPath)
                try HTMLReport.write(result.html(evaluations: evaluations), to: url)
                stderr("wrote \(url.path)")
            }
            if json {
                try printJSON(result)
            } else {
                print("\(result.data), test split (\(result.testSize) texts)\n")
                print(result.metricsTable())
                print("Puzzles (\(result.puzzles.count) hard cases; ✓ = expected label):\n")
                print(result.puzzleTable())
            }
        }
    }
}
