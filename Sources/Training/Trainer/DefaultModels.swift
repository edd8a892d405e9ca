import Foundation
import SentimentCore
import SentimentData
import SentimentTensor

/// The catalog's own fine-tuned models. No fine-tuned sentiment model can be fetched, so SentimentKit trains them
/// here, on CPU, from a fetched base model and data set. The recipes live in this one place (their names, folders
/// and whether they are built: `DefaultModelCatalog`, SentimentData); `sentiment train --name`, `sentiment setup`
/// and `classify` (for a missing default model) all go through `build(name:progress:)`.
public enum DefaultModels {
    /// Name → recipe. See README "Fine-tuning" and "Default models" for what each reaches and how each was chosen
    /// (on dev; never on a test split or on heldout/).
    public static let recipes: [String: FineTuningRecipe] = [
        // all-mpnet-base-v2 on Rotten Tomatoes (10,092 train). Learning rate and layer-wise decay chosen on dev
        // (4,000-text, one-epoch runs: lr 2e-5 / 4e-5 / 6e-5, decay 1 / 0.85); 3 epochs, best dev epoch kept.
        "sentiment-en-large": mpnet(on: "rotten-tomatoes", epochs: 3, learningRate: 4e-5),
        // MiniLM-L6 distilled from sentiment-en-large: Rotten Tomatoes train (soft + gold labels) and the train texts
        // of the CrowdFlower tweets and the drug reviews (soft labels only), from the committed teacher logits.
        "sentiment-en": distilled(from: "sentiment-en-large", on: "rotten-tomatoes",
                                  unlabeled: ["crowdflower-tweets", "drug-reviews"], unlabeledLimit: 10_000,
                                  logits: "bundled:sentiment-en.sktl", epochs: 3, learningRate: 1e-4),
        // all-mpnet-base-v2 on two domains: CrowdFlower tweets (~30k) and drug reviews (480), 3 classes.
        "sentiment-3class-large": mpnet(on: "crowdflower-tweets+drug-reviews", epochs: 1, learningRate: 4e-5),
        // MiniLM-L6 on the CrowdFlower tweets (negative / neutral / positive, ~30k train): one epoch suffices.
        // (Distillation from sentiment-3class-large and the drug reviews: not yet — README "Large models".)
        "sentiment-3class": miniLM(on: "crowdflower-tweets", epochs: 1, learningRate: 1e-4),
    ]

    /// `Precision.fastestTraining`, as `TrainerConfiguration.precision` writes it (nil: fp32).
    static var fastestPrecision: Precision? { Precision.fastestTraining == .fp32 ? nil : .bf16 }

    /// all-MiniLM-L6-v2 with the `TrainerConfiguration` defaults otherwise: batch 32, max length 128, 10 % linear
    /// warm-up then linear decay, weight decay 0.01, gradient norm clipped at 1, seed 13, best dev accuracy kept.
    static func miniLM(on data: String, epochs: Int, learningRate: Float) -> FineTuningRecipe {
        var configuration = TrainerConfiguration()
        configuration.epochs = epochs
        configuration.learningRate = learningRate
        configuration.precision = fastestPrecision
        return FineTuningRecipe(base: "all-MiniLM-L6-v2", data: data, configuration: configuration)
    }

    /// all-mpnet-base-v2, otherwise as `miniLM`.
    static func mpnet(on data: String, epochs: Int, learningRate: Float, layerDecay: Float? = nil) -> FineTuningRecipe {
        var recipe = miniLM(on: data, epochs: epochs, learningRate: learningRate)
        recipe.base = "all-mpnet-base-v2"
        recipe.configuration.layerDecay = layerDecay
        return recipe
    }

    /// MiniLM-L6 distilled from a teacher (T = 2, alpha = 0.5: DistilBERT's), from shipped teacher logits.
    static func distilled(from teacher: String, on data: String, unlabeled: [String], unlabeledLimit: Int?, logits: String,
                          epochs: Int, learningRate: Float) -> FineTuningRecipe {
        var recipe = miniLM(on: data, epochs: epochs, learningRate: learningRate)
        recipe.configuration.distillation = .init(temperature: 2, alpha: 0.5)
        recipe.distillation = DistillationRecipe(teacher: teacher, logits: logits, unlabeled: unlabeled, unlabeledLimit: unlabeledLimit)
        return recipe
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
