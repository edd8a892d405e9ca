import Foundation
import SentimentCore
import SentimentTensor

/// Options for `AutoModel.load`.
public struct LoadOptions: Sendable {
    /// Refuse checkpoints with tensors the model does not use (beyond the ignore list). Default true.
    public var strict: Bool
    /// Load a different head than config.json's architecture names (e.g. `.none` for just the encoder of a
    /// classifier checkpoint; its head tensors are then ignored, not refused).
    public var head: HeadKind?
    /// Number format of the encoder's linear layers (QKV, attention output, FFN); heads, attention, layer norm and
    /// the residual stream stay fp32. Default fp32.
    public var precision: Precision

    public init(strict: Bool = true, head: HeadKind? = nil, precision: Precision = .fp32) {
        self.strict = strict
        self.head = head
        self.precision = precision
    }
}

/// Loads Hugging Face BERT / DistilBERT / RoBERTa folders (config.json + model.safetensors), like transformers'
/// `AutoModel*.from_pretrained`, but strictly: no parameter is ever randomly initialised.
public enum AutoModel {
    /// Loads `folder` (config.json, model.safetensors; sentence-transformers pooling files if present).
    /// The model.safetensors file is memory-mapped and F32 weights are used in place.
    public static func load(folder: URL, options: LoadOptions = LoadOptions()) throws -> EncoderModel {
        let config = try ModelConfig.load(from: folder.appendingPathComponent("config.json"))
        return try load(config: config, weights: .safetensors(try weightsFile(in: folder)), pooling: try SentencePooling(folder: folder),
                        options: options)
    }

    /// `folder/model.safetensors`, or `ModelError.missingFile` (with a hint when only pytorch_model.bin is there).
    static func weightsFile(in folder: URL) throws -> URL {
        let weights = folder.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weights.path) else {
            let hint = FileManager.default.fileExists(atPath: folder.appendingPathComponent("pytorch_model.bin").path)
                ? " (only pytorch_model.bin found: convert it to safetensors)" : ""
            throw ModelError.missingFile(weights.path + hint)
        }
        return weights
    }

    /// Loads a LoRA adapter onto the base model in `baseFolder`: the adapted weights merged (W₀ + scale·B·A), the
    /// adapter's head in place of any the base has — a `*ForSequenceClassification` when the adapter saved a
    /// classifier. `labels` name the classes (peft stores none; default LABEL_i).
    public static func load(baseFolder: URL, adapter: LoRAAdapter, labels: [String]? = nil,
                            options: LoadOptions = LoadOptions()) throws -> EncoderModel {
        var config = try ModelConfig.load(from: baseFolder.appendingPathComponent("config.json"))
        let reader = try CheckpointReader(.safetensors(try weightsFile(in: baseFolder)))
        reader.detectEncoderPrefix(config.modelType.basePrefix)
        reader.overlay(try adapter.overlay(on: reader, family: config.modelType))
        let keys = ParameterKeys(config.modelType)
        if let classifier = adapter.savedModules[keys.headClassifier + ".weight"] {
            let count = classifier.shape.first ?? 0
            let names = labels ?? (0..<count).map { "LABEL_\($0)" }
            guard names.count == count else {
                throw ModelError.invalidConfig("\(names.count) label names for an adapter classifier of \(count) labels")
            }
            config.architectures = [keys.sequenceClassificationClass.rawValue]
            config.id2label = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($0.offset, $0.element) })
            config.label2id = Dictionary(names.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        }
        try config.validate()
        reader.precision = options.precision
        let architecture = try resolveArchitecture(config: config, reader: reader)
        return try EncoderModel(config: config, architecture: architecture, reader: reader,
                                pooling: try SentencePooling(folder: baseFolder), strict: options.strict)
    }

    /// Loads an adapter folder onto its base: `base_model_name_or_path` is a folder (absolute, or relative to the
    /// adapter's) or a name `resolveBase` turns into one (the pipelines: any `--model` name; the trainer: the cache).
    /// Returns the merged model and the base folder (its tokenizer).
    public static func load(adapterFolder folder: URL, labels: [String]? = nil, options: LoadOptions = LoadOptions(),
                            resolveBase: (String) throws -> URL) throws -> (model: EncoderModel, base: URL) {
        let adapter = try LoRAAdapter(folder: folder)
        let named = adapter.config.baseModelNameOrPath
        let relative = folder.appendingPathComponent(named, isDirectory: true)
        let base = !named.hasPrefix("/") && FileManager.default.fileExists(atPath: relative.appendingPathComponent("config.json").path)
            ? relative : try resolveBase(named)
        return (try load(baseFolder: base, adapter: adapter, labels: labels, options: options), base)
    }

    /// Builds a model from tensors in memory, keyed by HF names (e.g. what a trainer exports).
    public static func load(config: ModelConfig, tensors: [String: Tensor], pooling: SentencePooling = SentencePooling(),
                            options: LoadOptions = LoadOptions()) throws -> EncoderModel {
        try load(config: config, weights: .tensors(tensors), pooling: pooling, options: options)
    }

    static func load(config: ModelConfig, weights: WeightSource, pooling: SentencePooling,
                     options: LoadOptions) throws -> EncoderModel {
        try config.validate()
        let reader = try CheckpointReader(weights)
        reader.precision = options.precision
        reader.detectEncoderPrefix(config.modelType.basePrefix)
        var architecture = try resolveArchitecture(config: config, reader: reader)
        var strict = options.strict
        if let head = options.head, head != architecture.head {
            architecture = ModelArchitecture.allCases.first { $0.family == config.modelType && $0.head == head }!
            strict = strict && head != .none   // dropping a head leaves its tensors unused on purpose
        }
        return try EncoderModel(config: config, architecture: architecture, reader: reader, pooling: pooling,
                                strict: strict)
    }

    /// config.json's first architecture, or (when it names none) the head the checkpoint's keys show. A named head
    /// whose tensors the checkpoint lacks entirely is the base model (sentence-transformers folders such as
    /// all-mpnet-base-v2 say `MPNetForMaskedLM` but ship `MPNetModel` weights; transformers' AutoModel loads them
    /// as the base model too).
    static func resolveArchitecture(config: ModelConfig, reader: CheckpointReader) throws -> ModelArchitecture {
        let names = reader.names, keys = ParameterKeys(config.modelType)
        let shown: HeadKind = keys.hasSequenceClassificationHead(names) ? .sequenceClassification
            : keys.hasMaskedLMHead(names) ? .maskedLM : .none
        let base = { ModelArchitecture.allCases.first { $0.family == config.modelType && $0.head == shown }! }
        guard let name = config.architectures.first else { return base() }
        guard let known = ModelArchitecture(rawValue: name) else { throw ModelError.unsupportedArchitecture(name) }
        guard known.family == config.modelType else {
            throw ModelError.invalidConfig("architecture \(name) does not match model_type \(config.modelType.rawValue)")
        }
        return known.head != .none && shown == .none ? base() : known
    }
}
