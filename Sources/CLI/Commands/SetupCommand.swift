import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment setup [--name NAME]... [--retrain NAME]...`: everything the other commands need, once: fetches the
/// catalog artifacts that are missing (the base models the shipped adapters load onto among them). The default
/// models sentiment-en and sentiment-3class are shipped as LoRA adapters, so nothing is trained; `--name` builds a
/// model that is not shipped (the -fast and -large ones), `--retrain` trains any default model from its recipe into
/// the cache (where it takes the shipped one's place). Re-running is a no-op.
struct SetupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Fetch missing artifacts; build or retrain default models on request (\(DefaultModelCatalog.shipped.joined(separator: ", ")) are shipped).",
        discussion: "Cached artifacts and built models are kept. Training: sentiment-en and sentiment-3class (MPNet + LoRA) "
            + "about 30-40 minutes each on 2 cores; the -fast models (MiniLM) minutes; the -large ones (MPNet fully "
            + "fine-tuned) about an hour each."
    )

    @Option(name: .long, help: "Build this default model if it is not built or shipped (repeatable).") var name: [String] = []
    @Option(name: .long, help: "Train this default model from its recipe, even when shipped or built (repeatable).")
    var retrain: [String] = []
    @Flag(help: "Rebuild the models named with --name even when built.") var rebuild = false

    func validate() throws {
        for n in name + retrain where DefaultModels.recipes[n] == nil {
            throw ValidationError("unknown default model '\(n)'; known: \(DefaultModelCatalog.names.joined(separator: ", "))")
        }
    }

    func run() throws {
        do {
            let fetcher = ArtifactFetcher(showsPipOutput: FetchProgressPrinter.isTerminal, progress: FetchProgressPrinter.print)
            for artifact in ArtifactCatalog.all { _ = try fetcher.fetch(artifact.name) }
            if name.isEmpty && retrain.isEmpty {
                for model in DefaultModelCatalog.shipped {
                    let where_ = DefaultModelCatalog.isBuilt(model) ? "built (\(DefaultModelCatalog.folder(model).path))"
                        : DefaultModelCatalog.shippedFolder(model).map { "shipped (\($0.path))" } ?? "missing: reinstall, or --retrain \(model)"
                    stderr("\(model): \(where_)")
                }
            }
            for model in name {
                if DefaultModelCatalog.isAvailable(model) && !rebuild {
                    stderr("\(model): available (\(DefaultModelCatalog.isBuilt(model) ? DefaultModelCatalog.folder(model).path : "shipped"))")
                    continue
                }
                stderr("\(model): building (fine-tuning)")
                try DefaultModels.build(name: model, progress: stderr)
            }
            for model in retrain {
                stderr("\(model): training from its recipe (fine-tuning)")
                try DefaultModels.build(name: model, progress: stderr)
            }
        } catch {
            stderr("error: \(String(describing: error))")
            throw ExitCode.failure
        }
    }
}
