import Foundation
import SentimentCore
import SentimentData
import SentimentTensor

/// The catalog's own fine-tuned models. No fine-tuned sentiment model can be fetched, so SentimentKit trains them
/// here, on CPU, from a fetched base model and data set. The recipes live in this one place (their names, folders
/// and whether they are built: `DefaultModelCatalog`, SentimentData); `sentiment train --name`, `sentiment setup`
/// and `classify` (for a missing default model) all go through `build(name:progress:)`.
public enum DefaultModels {
    /// Name → recipe. See docs/default-models.md and docs/training.md for what each reaches and how each was chosen
    /// (on dev; never on a test split or on heldout/).
    public static let recipes: [String: FineTuningRecipe] = [
        // The defaults, shipped as LoRA adapters (Sources/Data/Resources/adapters; docs/default-models.md):
        // all-mpnet-base-v2 with rank-8 adapters on query and value and the head trained in full, one epoch, sized to
        // train in under 40 minutes on 2 cores without AVX-512. Learning rate 1e-3 (LoRA's range: Hu et al. use
        // 4e-4–5e-4 for RoBERTa-base over many epochs; one epoch wants the top of it).
        // Two classes: Rotten Tomatoes (all 10,092 train texts), the polar CrowdFlower tweets (a 6,000-text sample
        // of 18.5k) and the polar drug reviews' train split; dev = the three dev splits' polar texts.
        "sentiment-en": mpnetLoRA(on: "rotten-tomatoes+crowdflower-tweets+drug-reviews", keepLabels: ["negative", "positive"],
                                  trainLimits: ["crowdflower-tweets": 6_000], learningRate: 1e-3),
        // Three classes: CrowdFlower tweets (a 12,000-text sample of 30.5k) and the drug reviews' train split.
        "sentiment-3class": mpnetLoRA(on: "crowdflower-tweets+drug-reviews", keepLabels: nil,
                                      trainLimits: ["crowdflower-tweets": 12_000], learningRate: 1e-3),
        // all-mpnet-base-v2 fully fine-tuned on Rotten Tomatoes (10,092 train). Learning rate and layer-wise decay chosen on dev
        // (4,000-text, one-epoch runs: lr 2e-5 / 4e-5 / 6e-5, decay 1 / 0.85); 3 epochs, best dev epoch kept.
        "sentiment-en-large": mpnet(on: "rotten-tomatoes", epochs: 3, learningRate: 4e-5),
        // The throughput models: all-MiniLM-L6-v2 fully fine-tuned, distilled from the shipped defaults on their own
        // training texts (soft + gold labels), from the committed teacher logits; best dev epoch kept. Two epochs for
        // sentiment-en-fast, one for sentiment-3class-fast (as its MiniLM recipe before; sized to train in a session).
        "sentiment-en-fast": distilled(from: "sentiment-en", on: "rotten-tomatoes+crowdflower-tweets+drug-reviews",
                                       keepLabels: ["negative", "positive"], trainLimits: ["crowdflower-tweets": 6_000],
                                       logits: "bundled:sentiment-en.sktl", epochs: 2, learningRate: 1e-4),
        // all-mpnet-base-v2 fully fine-tuned on two domains: CrowdFlower tweets (~30k) and drug reviews (480), 3 classes.
        "sentiment-3class-large": mpnet(on: "crowdflower-tweets+drug-reviews", epochs: 1, learningRate: 4e-5),
        "sentiment-3class-fast": distilled(from: "sentiment-3class", on: "crowdflower-tweets+drug-reviews", keepLabels: nil,
                                           trainLimits: ["crowdflower-tweets": 12_000],
                                           logits: "bundled:sentiment-3class.sktl", epochs: 1, learningRate: 1e-4),
    ]

    /// all-mpnet-base-v2 + LoRA (r 8, alpha 16, query and value), one epoch, fp32, checkpoints every 100 steps.
    static func mpnetLoRA(on data: String, keepLabels: [String]?, trainLimits: [String: Int], learningRate: Float) -> FineTuningRecipe {
        var recipe = mpnet(on: data, epochs: 1, learningRate: learningRate)
        recipe.configuration.lora = LoRAConfiguration(rank: 8, alpha: 16, targets: [.query, .value])
        recipe.configuration.precision = nil
        recipe.configuration.checkpointEverySteps = 100
        recipe.keepLabels = keepLabels
        recipe.trainLimits = trainLimits
        return recipe
    }

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

    /// MiniLM-L6 distilled from a teacher (T = 2, alpha = 0.5: DistilBERT's) on the teacher's own training texts,
    /// from shipped teacher logits.
    static func distilled(from teacher: String, on data: String, keepLabels: [String]?, trainLimits: [String: Int],
                          logits: String, epochs: Int, learningRate: Float) -> FineTuningRecipe {
        var recipe = miniLM(on: data, epochs: epochs, learningRate: learningRate)
        recipe.configuration.distillation = .init(temperature: 2, alpha: 0.5)
        recipe.distillation = DistillationRecipe(teacher: teacher, logits: logits)
        recipe.keepLabels = keepLabels
        recipe.trainLimits = trainLimits
        return recipe
    }

    /// Trains default model `name` from its recipe into `DefaultModelCatalog.folder(name)`; returns what it measured.
    /// Fetches the base model and data set first when they are not cached (a no-op otherwise). `progress` receives
    /// status lines, ending with the time taken (fetch + fine-tune) and the test accuracy, and, when given, the
    /// progress line is shown on stderr. Takes minutes on 2 cores (docs/training.md).
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
