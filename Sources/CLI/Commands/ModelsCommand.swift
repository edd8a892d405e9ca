import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment models`: the artifact catalog (models and data sets, with their PyPI source and cache state)
/// and the trained models saved under the cache's models folder.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List catalog models and data sets (cached or not) and trained models."
    )

    func run() throws {
        let cache = ArtifactCache.default
        let fetcher = ArtifactFetcher(cache: cache)
        print("Catalog (cache: \(cache.artifactsDirectory.path))")
        let width = ArtifactCatalog.all.map(\.name.count).max() ?? 0
        for artifact in ArtifactCatalog.all {
            let state: String
            do {
                state = try fetcher.isCached(artifact) ? "cached" : "not cached: sentiment fetch \(artifact.name)"
            } catch {
                state = "damaged: \(error)"
            }
            let name = artifact.name.padding(toLength: width, withPad: " ", startingAt: 0)
            print("  \(name)  \(artifact.kind.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0))  \(artifact.source)  [\(state)]")
            print("  \(String(repeating: " ", count: width))  \(artifact.summary)")
        }
        let trained = (try? FileManager.default.contentsOfDirectory(atPath: cache.modelsDirectory.path))?
            .filter { !$0.hasPrefix(".") }.sorted() ?? []
        print("Trained models (\(cache.modelsDirectory.path)): \(trained.isEmpty ? "none" : "")")
        for model in trained { print("  \(model)  \(Self.metrics(cache.modelsDirectory.appendingPathComponent(model)))") }
        for name in DefaultModelCatalog.names where !trained.contains(name) {
            if let shipped = DefaultModelCatalog.shippedFolder(name) {
                let base = ModelLocator.unfetchedBase(name, cache: cache).map { "; base \($0) not fetched: sentiment setup" } ?? ""
                print("  \(name)  [default model, shipped LoRA adapter\(base)]  \(Self.metrics(shipped))")
            } else {
                print("  \(name)  [default model, not built: sentiment setup --name \(name)]")
            }
        }
    }

    /// Test metrics from the training record (fine-tuned models, `FineTuningRecord`) or dev accuracy from baseline.json.
    static func metrics(_ folder: URL) -> String {
        if let test = (try? FineTuningRecord.load(folder: folder))?.test {
            let t = (try? ModelCalibration.load(folder: folder)).map { String(format: ", temperature %.3f", $0.temperature) } ?? ""
            return String(format: "test accuracy %.4f, macro F1 %.4f", test.accuracy, test.macroF1) + " (\(test.count) texts)" + t
        }
        if let accuracy = BaselineModel.trainingSummary(folder: folder)?.devAccuracy {
            return String(format: "baseline, dev accuracy %.4f", accuracy)
        }
        return ""
    }
}
