import Foundation
import SentimentBaselines
import SentimentCore
import SentimentData
import SentimentModels
import SentimentTokenizers

/// NAME|DIR → a loaded model: the one resolver behind every `--model` (classify, evaluate, compare, serve).
/// `ModelLocator.folder(for:)` finds the folder (a folder, a built model, a default model not built yet → an error
/// naming `sentiment setup`, a catalog artifact); the folder is then loaded as what it holds: a baseline
/// (baseline.json) → classifier; a BERT-family folder by its head: sequence classification → `SentimentPipeline`
/// (which explains itself by attention), masked LM → `FillMaskPipeline`, bare encoder → `EmbeddingPipeline`.
/// Building a missing default model is SentimentTraining's (`DefaultModels.build`): the CLI does it first when
/// `ModelLocator.needsBuild` says so.
extension ModelLocator {
    /// The model NAME|DIR names, loaded by what it is; an encoder's linear layers in `precision` (baselines have
    /// none). `calibrated: false` ignores a classifier's `calibration.json` (HF's raw softmax scores).
    public static func load(_ nameOrPath: String, cache: ArtifactCache = .default,
                            precision: Precision = .fp32, calibrated: Bool = true) throws -> LoadedModel {
        switch try open(nameOrPath, cache: cache, precision: precision) {
        case .baseline(let model):
            return .classifier(model, explainer: nil)
        case .encoder(let model, let folder, let tokenizerFolder, let name):
            if model.classificationHead != nil {
                let pipeline = try SentimentPipeline(model: model, tokenizer: try AutoTokenizer.load(folder: tokenizerFolder),
                                                     name: name, folder: folder,
                                                     calibration: calibrated ? try ModelCalibration.load(folder: folder) : nil)
                return .classifier(pipeline, explainer: pipeline)
            }
            if model.maskedLMHead != nil {
                return .fillMask(try FillMaskPipeline(model: model, tokenizer: try AutoTokenizer.load(folder: folder), name: name))
            }
            // The model loaded above (it has no head); the pipeline adds sentence_bert_config.json's max_seq_length.
            return .embedder(try EmbeddingPipeline(folder: folder, model: model, name: name))
        }
    }

    /// Any classifier by NAME|DIR: a baseline, or a fine-tuned BERT-family folder (another kind of model throws
    /// `PipelineError.wrongModelKind`).
    public static func classifier(_ nameOrPath: String, cache: ArtifactCache = .default,
                                  precision: Precision = .fp32, calibrated: Bool = true) throws -> any TextClassifier {
        switch try open(nameOrPath, cache: cache, precision: precision) {
        case .baseline(let model):
            return model
        case .encoder(let model, let folder, let tokenizerFolder, let name):
            return try SentimentPipeline(model: model, tokenizer: try AutoTokenizer.load(folder: tokenizerFolder),
                                         name: name, folder: folder,
                                         calibration: calibrated ? try ModelCalibration.load(folder: folder) : nil)
        }
    }

    /// What a folder holds, opened: a baseline, or an encoder with the head its config names.
    private enum Opened {
        case baseline(BaselineModel)
        /// `tokenizerFolder`: the folder itself, or an adapter's base.
        case encoder(EncoderModel, folder: URL, tokenizerFolder: URL, name: String)
    }

    private static func open(_ nameOrPath: String, cache: ArtifactCache, precision: Precision) throws -> Opened {
        let folder = try folder(for: nameOrPath, cache: cache)
        if BaselineModel.isModelFolder(folder) { return .baseline(try BaselineModel.load(folder: folder)) }
        let name = displayName(nameOrPath, folder: folder)
        if LoRAAdapter.isAdapterFolder(folder) {
            let (model, base) = try loadAdapter(folder, cache: cache, precision: precision)
            return .encoder(model, folder: folder, tokenizerFolder: base, name: name)
        }
        return .encoder(try AutoModel.load(folder: folder, options: LoadOptions(precision: precision)), folder: folder,
                        tokenizerFolder: folder, name: name)
    }

    /// A LoRA adapter folder loaded onto its base (`base_model_name_or_path`: a folder, absolute or relative to the
    /// adapter's, or any name `folder(for:)` resolves — a catalog model is fetched by `sentiment fetch`), merged;
    /// class names from the training record beside it. Returns the model and the base folder (its tokenizer).
    public static func loadAdapter(_ folder: URL, cache: ArtifactCache = .default,
                                   precision: Precision = .fp32) throws -> (model: EncoderModel, base: URL) {
        try AutoModel.load(adapterFolder: folder, labels: try FineTuningRecord.load(folder: folder)?.labels, options: LoadOptions(precision: precision)) {
            try self.folder(for: $0, cache: cache)
        }
    }

    // MARK: - What `sentiment serve` offers by default

    /// Served beside `defaultClassifier` when no model is named, where built or fetched.
    public static let optionalServed = ["sentiment-3class", "sentiment-en-fast", "sentiment-3class-fast", "sentiment-en-large",
                                        "sentiment-3class-large", defaultFillMask, defaultEmbedder]

    /// The models a server offers when none is named: `defaultClassifier` (required: `PipelineError.modelNotBuilt`
    /// when it is not built — a server should become ready in seconds, not fine-tune for minutes in every replica),
    /// then each of `optionalServed` that is built or fetched; `note` says which are skipped and why.
    public static func loadServedDefaults(cache: ArtifactCache = .default, precision: Precision = .fp32,
                                          note: (String) -> Void = { _ in }) throws -> [LoadedModel] {
        var models = [try load(defaultClassifier, cache: cache, precision: precision)]
        for name in optionalServed {
            do {
                models.append(try load(name, cache: cache, precision: precision))
            } catch PipelineError.modelNotBuilt {
                note("\(name) not served: not built (`sentiment setup --name \(name)`)")
            } catch let error as DataError {
                guard case .artifactMissing(let artifact, _) = error else { throw error }
                note("\(name) not served: \(artifact == name ? "" : "its base \(artifact) is ")not fetched (`sentiment fetch \(artifact)`)")
            }
        }
        return models
    }
}
