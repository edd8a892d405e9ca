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
            print("  \(name)  [default model, not built: sentiment setup --name \(name)]")
        }
    }

    /// Test metrics from training_summary.json (fine-tuned models) or dev accuracy from baseline.json.
    static func metrics(_ folder: URL) -> String {
        func json(_ file: String) -> [String: Any]? {
            (try? Data(contentsOf: folder.appendingPathComponent(file)))
                .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        }
        if let test = json("training_summary.json")?["test"] as? [String: Any], let accuracy = test["accuracy"] as? Double {
            let f1 = (test["macroF1"] as? Double).map { String(format: ", macro F1 %.4f", $0) } ?? ""
            let t = (json("calibration.json")?["temperature"] as? Double).map { String(format: ", temperature %.3f", $0) } ?? ""
            return String(format: "test accuracy %.4f", accuracy) + f1 + " (\(test["count"] ?? "?") texts)" + t
        }
        if let training = json("baseline.json")?["training"] as? [String: Any], let accuracy = training["devAccuracy"] as? Double {
            return String(format: "baseline, dev accuracy %.4f", accuracy)
        }
        return ""
    }
}
