import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment fill-mask "The movie was [MASK]." --top-k 5 --model splade-tiny-mlm`: masked-token prediction with
/// any masked-LM folder, as HF `pipeline("fill-mask")`.
struct FillMaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fill-mask",
        abstract: "Predict the tokens behind [MASK] (any BERT/DistilBERT/RoBERTa masked-LM folder).",
        discussion: "Texts with several masks get a list per mask. --json prints HF's fields: score, token, token_str, sequence."
    )

    @Argument(help: "Texts containing the model's mask token ([MASK] for BERT, <mask> for RoBERTa).") var texts: [String]
    @Option(help: "Candidates per mask.") var topK = 5
    @Option(help: "Restrict candidates to these words (comma-separated; words outside the vocabulary use their first sub-piece).")
    var targets: String?
    @Option(help: "A masked-LM model: catalog name or folder.") var model = ModelLocator.defaultFillMask
    @Flag(help: "JSON output (one array per text).") var json = false

    func validate() throws {
        guard topK >= 1 else { throw ValidationError("--top-k must be at least 1") }
        guard !texts.isEmpty else { throw ValidationError("give at least one text") }
    }

    func run() throws {
        try runReportingPipelineErrors {
            let pipeline = try FillMaskPipeline.load(model)
            let targetList = targets.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
            let results = try pipeline.fill(texts, topK: topK, targets: targetList)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.withoutEscapingSlashes, .prettyPrinted]
                // HF returns a flat list for a single mask, a list per mask otherwise.
                for perMask in results {
                    let data = perMask.count == 1 ? try encoder.encode(perMask[0]) : try encoder.encode(perMask)
                    FileHandle.standardOutput.write(data + Data("\n".utf8))
                }
                return
            }
            for (text, perMask) in zip(texts, results) {
                print(text)
                for (m, predictions) in perMask.enumerated() {
                    if perMask.count > 1 { print("  mask \(m + 1):") }
                    for p in predictions {
                        print("  " + String(format: "%.4f", p.score) + "  " + p.tokenString.padding(toLength: 14, withPad: " ", startingAt: 0)
                              + "  " + p.sequence)
                    }
                }
            }
        }
    }
}
