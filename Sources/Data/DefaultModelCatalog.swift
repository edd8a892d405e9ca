import Foundation

/// The default fine-tuned models by name, and where each lives once built: what both the pipelines (which find
/// models) and the trainer (which builds them) need to know. The recipes and the build itself stay in
/// SentimentTraining (`DefaultModels`); a TrainingTests test keeps its recipe names equal to `names`.
public enum DefaultModelCatalog {
    /// Every default model, sorted.
    public static let names = ["sentiment-3class", "sentiment-3class-fast", "sentiment-3class-large", "sentiment-en",
                               "sentiment-en-fast", "sentiment-en-large"]

    /// The ones `sentiment setup` (and the first `make demo`) build: minutes on 2 cores. The `-large` models
    /// (all-mpnet-base-v2, 110M parameters: about an hour each on 2 cores) are built on request
    /// (`sentiment setup --name sentiment-en-large`), and are the teachers the standard ones are distilled from.
    public static let builtBySetup = ["sentiment-3class", "sentiment-en"]

    /// Whether `name` is one of the default models.
    public static func contains(_ name: String) -> Bool { names.contains(name) }

    /// `modelsDirectory/NAME`, where a default model lives once built.
    public static func folder(_ name: String, cache: ArtifactCache = .default) -> URL {
        cache.modelsDirectory.appendingPathComponent(name, isDirectory: true)
    }

    /// Whether `name` has been built (its folder holds a complete model, or a LoRA adapter).
    public static func isBuilt(_ name: String, cache: ArtifactCache = .default) -> Bool {
        let folder = folder(name, cache: cache)
        return [["config.json", "model.safetensors"], ["adapter_config.json", "adapter_model.safetensors"]].contains { files in
            files.allSatisfy { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }
        }
    }
}
