import Foundation
import SentimentData

/// The catalog's own fine-tuned models. No fine-tuned sentiment model can be fetched, so SentimentKit trains them
/// here, on CPU, from a fetched base model and data set. The recipes live in this one place (their names, folders
/// and whether they are built: `DefaultModelCatalog`, SentimentData); `sentiment train --name`, `sentiment setup`
/// and `classify` (for a missing default model) all go through `build(name:progress:)`.
public enum DefaultModels {
    /// Name → recipe. See README "Fine-tuning" for the results each recipe reaches.
    public static let recipes: [String: FineTuningRecipe] = [
        // MiniLM-L6 on Rotten Tomatoes sentences (10,092 train). A small model fine-tunes best with a learning
        // rate above BERT-base's 5e-5; 3 epochs, linear decay after 10 % warm-up, best dev epoch kept.
        "sentiment-en": miniLM(on: "rotten-tomatoes", epochs: 3, learningRate: 1e-4),
        // MiniLM-L6 on the CrowdFlower tweets (negative / neutral / positive, ~30k train): one epoch suffices.
        "sentiment-3class": miniLM(on: "crowdflower-tweets", epochs: 1, learningRate: 1e-4),
    ]

    /// all-MiniLM-L6-v2 with the `TrainerConfiguration` defaults otherwise: batch 32, max length 128, 10 % linear
    /// warm-up then linear decay, weight decay 0.01, gradient norm clipped at 1, seed 13, best dev accuracy kept.
    static func miniLM(on data: String, epochs: Int, learningRate: Float) -> FineTuningRecipe {
        var configuration = TrainerConfiguration()
        configuration.epochs = epochs
        configuration.learningRate = learningRate
        return FineTuningRecipe(base: "all-MiniLM-L6-v2", data: data, configuration: configuration)
    }

    /// Trains default model `name` from its recipe into `DefaultModelCatalog.folder(name)`; returns what it measured.
    /// Fetches the base model and data set first when they are not cached (a no-op otherwise). `progress` receives
    /// status lines, ending with the time taken (fetch + fine-tune) and the test accuracy, and, when given, the
    /// progress line is shown on stderr. Takes minutes on 2 cores (README "Fine-tuning").
    @discardableResult
    public static func build(
        name: String, cache: ArtifactCache = .default, resume: Bool = false,
        progress: (@Sendable (String) -> Void)? = nil
    ) throws -> FineTuningResult {
        guard let recipe = recipes[name] else {
            throw TrainerError.unknownDefaultModel(name, known: DefaultModelCatalog.names)
        }
        let started = Date()
        var onFetchEvent: (@Sendable (ArtifactFetcher.Event) -> Void)?
        if let progress { onFetchEvent = { event in progress(event.message) } }
        try FineTuning.fetchMissingArtifacts(of: recipe, cache: cache, progress: onFetchEvent)
        let output = DefaultModelCatalog.folder(name, cache: cache)
        let result = try FineTuning.run(recipe, output: output, resume: resume, cache: cache,
                                        showProgress: progress != nil, log: progress ?? { _ in })
        progress?(String(format: "%@ built in %.0f s (fetch + fine-tune): test accuracy %.2f %% → %@", name,
                         Date().timeIntervalSince(started), 100 * (result.test?.accuracy ?? result.dev.accuracy), result.model))
        return result
    }
}
