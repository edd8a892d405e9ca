import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment explain TEXT… [--model M] [--method attention|rollout|all] [--json]`: why the classifier said what it
/// said — every layer's and head's attention, and attention rollout from the first token.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show what a classifier attends to: attention per layer and head, attention rollout.",
        discussion: """
            --method rollout (Abnar & Zuidema 2020: head-mean attention plus the residual as identity, multiplied up \
            the layers; row 0 is what the first token — the classifier's input — draws from each token), attention \
            (every layer × head, token to token: printed as each layer's strongest head-mean links; --json gives \
            weights[layer][head][query][key]), or all (the default). Texts are truncated to the model's window. \
            --json prints one object per text: text, label, score, tokens [{token, start, end, special, \
            attention_rollout}], attention {layers, heads, weights}.
            """
    )

    enum Method: String, ExpressibleByArgument, CaseIterable { case attention, rollout, all }

    @Argument(help: "Texts to explain.") var texts: [String]
    @Option(help: "Model: a default-model name, a trained model name, or a folder.") var model = ModelLocator.defaultClassifier
    @Option(help: "attention, rollout or all.") var method: Method = .all
    @Flag(help: "The raw softmax score, without the model's fitted temperature.") var noCalibration = false
    @Flag(help: "JSON output (one object per text, one per line).") var json = false

    func validate() throws {
        guard !texts.isEmpty else { throw ValidationError("give at least one text") }
    }

    var methods: Set<ExplanationMethod> {
        method == .all ? Set(ExplanationMethod.allCases) : [ExplanationMethod(rawValue: method.rawValue)!]
    }

    func run() throws {
        try runReportingPipelineErrors {
            if ModelLocator.needsBuild(model) {
                throw PipelineError.modelNotBuilt(name: model, folder: DefaultModelCatalog.folder(model).path)
            }
            try fetchBaseIfNeeded(model)
            let pipeline = try SentimentPipeline.load(model)
            let explanations = try pipeline.explain(texts, methods: methods, calibrated: !noCalibration)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
                for explanation in explanations {
                    FileHandle.standardOutput.write(try encoder.encode(explanation) + Data("\n".utf8))
                }
                return
            }
            for explanation in explanations { print(Self.render(explanation)) }
        }
    }

    /// The terminal view: label and score, rollout per token as a bar, each layer's strongest head-mean links.
    static func render(_ e: Explanation) -> String {
        var lines = [String(format: "%@  %.3f  %@", e.label, e.score, e.text)]
        if e.tokens.contains(where: { $0.attentionRollout != nil }) {
            lines.append("  attention rollout from \(e.tokens.first?.token ?? "the first token"):")
            // Bars scaled to the largest non-special token (the first token keeps most of its own state).
            let top = e.tokens.filter { !$0.special }.compactMap(\.attentionRollout).max() ?? 1
            for t in e.tokens {
                guard let w = t.attentionRollout else { continue }
                let bar = String(repeating: "█", count: min(30, Int((w / max(top, 1e-9) * 30).rounded())))
                lines.append("    " + t.token.padding(toLength: 16, withPad: " ", startingAt: 0) + String(format: " %.4f ", w) + bar)
            }
        }
        if let maps = e.attention {
            lines.append("  attention, \(maps.layers) layers × \(maps.heads) heads; per layer, the 3 strongest links between "
                         + "non-special tokens (head mean, query → key):")
            let T = maps.length
            for l in 0..<maps.layers {
                let mean = maps.headMean(layer: l)
                let links = (0..<T * T).filter { !e.tokens[$0 / T].special && !e.tokens[$0 % T].special && $0 / T != $0 % T }
                    .sorted { mean[$0] > mean[$1] }.prefix(3)
                    .map { String(format: "%@ → %@ %.2f", e.tokens[$0 / T].token, e.tokens[$0 % T].token, mean[$0]) }
                lines.append("    layer \(l + 1): " + links.joined(separator: ", "))
            }
        }
        return lines.joined(separator: "\n")
    }
}
