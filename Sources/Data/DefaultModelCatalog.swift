import Foundation

/// The default fine-tuned models by name, and where each lives once built: what both the pipelines (which find
/// models) and the trainer (which builds them) need to know. The recipes and the build itself stay in
/// SentimentTraining (`DefaultModels`); a TrainingTests test keeps its recipe names equal to `names`.
public enum DefaultModelCatalog {
    /// Every default model, sorted.
    public static let names = ["sentiment-3class", "sentiment-3class-fast", "sentiment-3class-large", "sentiment-en",
                               "sentiment-en-fast", "sentiment-en-large"]

    /// The ones shipped in the repository as LoRA adapters (`Resources/adapters/NAME`, a few MB each) on a base model
    /// the catalog fetches: nothing to train on a fresh machine. The others (`-fast`: MiniLM, `-large`: MPNet fully
    /// fine-tuned) are built on request (`sentiment setup --retrain NAME`), as a shipped one can be retrained.
    public static let shipped = ["sentiment-3class", "sentiment-en"]

    /// The shipped adapter folder of `name`, when it is one and its files are in the resource bundle.
    public static func shippedFolder(_ name: String) -> URL? {
        guard shipped.contains(name) else { return nil }
        let folder = BundledResources.url("adapters/" + name, target: "SentimentData")
        return FileManager.default.fileExists(atPath: folder.appendingPathComponent("adapter_config.json").path) ? folder : nil
    }

    /// Whether `name` is one of the default models.
    public static func contains(_ name: String) -> Bool { names.contains(name) }

    /// `modelsDirectory/NAME`, where a default model lives once built.
    public static func folder(_ name: String, cache: ArtifactCache = .default) -> URL {
        cache.modelsDirectory.appendingPathComponent(name, isDirectory: true)
    }

    /// Whether `name` can be loaded without training: built into the cache, or shipped.
    public static func isAvailable(_ name: String, cache: ArtifactCache = .default) -> Bool {
        isBuilt(name, cache: cache) || shippedFolder(name) != nil
    }

    /// Whether `name` has been built into the cache (its folder holds a complete model, or a LoRA adapter).
    public static func isBuilt(_ name: String, cache: ArtifactCache = .default) -> Bool {
        let folder = folder(name, cache: cache)
        return [["config.json", "model.safetensors"], ["adapter_config.json", "adapter_model.safetensors"]].contains { files in
            files.allSatisfy { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }
        }
    }
}
