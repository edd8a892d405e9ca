import Foundation
import SentimentData
import SentimentModels

/// NAME|DIR → a model folder, the way every `--model` option reads it:
/// 1. an existing folder (an HF folder with config.json, or a baseline folder);
/// 2. a model built into the cache's models folder (`sentiment-en`, `sentiment train --output` names);
/// 3. a default model shipped as a LoRA adapter (`DefaultModelCatalog.shippedFolder`: sentiment-en, sentiment-3class);
///    another default model not built yet → `PipelineError.modelNotBuilt` (`DefaultModelCatalog` names them; building
///    is SentimentTraining's `DefaultModels.build`, which the CLI runs when `classify` needs it);
/// 4. a catalog artifact in the cache (`all-MiniLM-L6-v2`, `splade-tiny-mlm`).
/// `load(_:)` (ModelLoading.swift) then loads the folder as what it holds; every `--model` goes through both.
public enum ModelLocator {
    /// The model `classify` uses when none is named.
    public static let defaultClassifier = "sentiment-en"
    /// The masked LM `fill-mask` uses when none is named.
    public static let defaultFillMask = "splade-tiny-mlm"
    /// The sentence-embedding model `EmbeddingPipeline` uses when none is named.
    public static let defaultEmbedder = "all-MiniLM-L6-v2"

    public static func folder(for nameOrPath: String, cache: ArtifactCache = .default) throws -> URL {
        let expanded = (nameOrPath as NSString).expandingTildeInPath
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory), isDirectory.boolValue {
            return URL(fileURLWithPath: expanded, isDirectory: true)
        }
        // A name, not a path: a trailing or inner slash means the user meant a folder that is not there.
        guard !nameOrPath.isEmpty, !nameOrPath.contains("/") else {
            throw PipelineError.unknownModel(nameOrPath, known: knownNames(cache: cache))
        }
        let built = cache.modelsDirectory.appendingPathComponent(nameOrPath, isDirectory: true)
        if ["config.json", "baseline.json", LoRAAdapter.configFile].contains(where: {
            FileManager.default.fileExists(atPath: built.appendingPathComponent($0).path)
        }) {
            return built
        }
        if let shipped = DefaultModelCatalog.shippedFolder(nameOrPath) { return shipped }
        if DefaultModelCatalog.contains(nameOrPath) {
            throw PipelineError.modelNotBuilt(name: nameOrPath, folder: built.path)
        }
        if ArtifactCatalog.artifact(named: nameOrPath) != nil {
            return try cache.locate(nameOrPath)   // throws DataError.artifactMissing naming `sentiment fetch`
        }
        throw PipelineError.unknownModel(nameOrPath, known: knownNames(cache: cache))
    }

    /// The name a model found by `folder(for:)` goes by: the name as given, or a path's last folder.
    public static func displayName(_ nameOrPath: String, folder: URL) -> String {
        nameOrPath.contains("/") ? folder.lastPathComponent : nameOrPath
    }

    /// Whether `nameOrPath` is a default model that is not built yet (so `classify` may offer to build it).
    public static func needsBuild(_ nameOrPath: String, cache: ArtifactCache = .default) -> Bool {
        DefaultModelCatalog.contains(nameOrPath) && !DefaultModelCatalog.isAvailable(nameOrPath, cache: cache)
            && !FileManager.default.fileExists(atPath: (nameOrPath as NSString).expandingTildeInPath)
    }

    /// The catalog model that must be fetched before `nameOrPath` loads: a LoRA adapter's base not in the cache yet
    /// (nil: nothing to fetch, or not an adapter). The CLI fetches it; the library only names it in its error.
    public static func unfetchedBase(_ nameOrPath: String, cache: ArtifactCache = .default) -> String? {
        guard let folder = try? folder(for: nameOrPath, cache: cache), LoRAAdapter.isAdapterFolder(folder),
              let config = try? LoRAAdapter.config(folder: folder) else { return nil }
        let base = config.baseModelNameOrPath
        guard ArtifactCatalog.artifact(named: base) != nil, (try? cache.locate(base)) == nil else { return nil }
        return base
    }

    /// Default-model names, built models and model artifacts of the catalog, for error messages.
    public static func knownNames(cache: ArtifactCache = .default) -> [String] {
        let built = (try? FileManager.default.contentsOfDirectory(atPath: cache.modelsDirectory.path)) ?? []
        let catalog = ArtifactCatalog.all.filter { $0.kind == .model }.map(\.name)
        return Array(Set(DefaultModelCatalog.names + built.filter { !$0.hasPrefix(".") } + catalog)).sorted()
    }
}
