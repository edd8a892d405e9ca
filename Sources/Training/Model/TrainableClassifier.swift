import Foundation
import SentimentCore
import SentimentModels
import SentimentTensor

/// How the classification head (classifier.weight / classifier.bias) starts.
public enum HeadInitialization: Sendable, Equatable {
    /// Xavier-uniform weight, zero bias (seeded).
    case xavier
    /// Taken from the checkpoint (`classifier.weight`, `classifier.bias`); errors if absent or of the wrong shape.
    case fromCheckpoint
}

/// Which parameters stay fixed. Frozen parameters get no gradient (backward stops below the lowest trainable layer)
/// and the optimiser leaves them untouched.
public struct FreezePolicy: Sendable, Codable, Equatable {
    /// Freeze word / position / type embeddings and the embedding LayerNorm.
    public var embeddings: Bool
    /// Freeze encoder layers 0..<lowerLayers (and, if > 0, the embeddings too).
    public var lowerLayers: Int
    /// Freeze embeddings, every encoder layer and the pooler: only the classifier trains.
    public var wholeEncoder: Bool

    public init(embeddings: Bool = false, lowerLayers: Int = 0, wholeEncoder: Bool = false) {
        self.embeddings = embeddings
        self.lowerLayers = lowerLayers
        self.wholeEncoder = wholeEncoder
    }

    public static let none = FreezePolicy()
}

/// Any encoder the models layer loads (BERT, DistilBERT, RoBERTa, MPNet) with its family's HF classification head
/// (`*ForSequenceClassification`) for training, llm.c style: the shared forward (`EncoderPass`, the one inference
/// runs) keeping what backward needs, explicit backward passes that ACCUMULATE into `parameters.grads`, all
/// parameters in one `ParameterStore` read through typed views built once (`ClassifierParameters`).
///
/// Typical loop (the trainer owns batching, accumulation, schedules, checkpoints):
///
///     let model = try TrainableClassifier(folder: base, numLabels: 2, seed: 13)
///     var adam = AdamW(parameterCount: model.parameters.count, weightDecay: 0.01)
///     let schedule = LRSchedule.linearWarmupDecay(warmup: 100, total: 1000)
///     for batch in batches {
///         let (loss, _) = try model.forwardBackward(batch)            // grads += ∂loss/∂θ
///         let norm = clipGradientNorm(model.parameters, maxNorm: 1)
///         adam.update(model.parameters, lr: schedule.learningRate(base: 5e-5, step: adam.step))
///         model.parameters.zeroGradients()
///     }
///
/// Gradient accumulation: call forwardBackward k times with `lossScale: 1/k` (or n_i/N for uneven micro-batches) before
/// one update. Exact resume: save `parameters.flatValues()` (or `hfTensors()`), the AdamW state and `dropout` (Codable).
/// Not thread-safe: one forward/backward at a time (it parallelises internally).
public final class TrainableClassifier {
    /// The encoder's HF config (SentimentModels' ModelConfig; hidden_act gelu).
    public let config: ModelConfig
    public let numLabels: Int
    public let problem: ProblemType
    /// The loss forwardBackward minimises; defaults to HF's choice for `problem`.
    public var loss: Loss
    /// All parameters and gradients, under the family's HF `*ForSequenceClassification` names.
    public let parameters: ParameterStore
    /// Dropout randomness state (advance per training forward; Codable for exact resume).
    public var dropout: DropoutRNG
    /// The active freeze policy (see `freeze(_:)`).
    public private(set) var freezePolicy: FreezePolicy = .none
    /// LoRA settings when the model trains adapters on a frozen base (nil: full fine-tuning).
    public let lora: LoRAConfiguration?
    /// The adapted weights: where each lives in the store, its adapter, and its frozen base value W₀.
    let loraSlots: [LoRASlot]
    /// What an exported adapter names as its base (`base_model_name_or_path`): a catalog name or a folder.
    public var baseModelName: String = ""
    /// The base config.json as read (kept so the export carries every original field).
    let baseConfigJSON: [String: Any]
    /// Reusable activation buffers (grown on demand), every layer's kept for backward.
    let workspace = ActivationCache(keepsActivations: true)
    /// Typed views of `parameters` (values and gradients) for the passes.
    var views: ClassifierParameters
    /// The last forward's packed batch and position ids (backward reads them).
    var lastBatch: (batch: PackedBatch, positions: [Int32])?

    /// Loads the encoder (and the head's dense — BERT's pooler — if present; else initialised as HF does,
    /// normal(0, initializer_range)) from an HF folder with config.json + model.safetensors. Accepts base-model keys,
    /// family-prefixed keys (`bert.`, `roberta.`, …) and legacy LayerNorm gamma/beta names. Throws ModelError for a missing or invalid config.json, SafeTensorsError for a bad
    /// weights file, TrainingError for a model the training code does not support or missing / misshapen weights.
    public convenience init(
        folder: URL, numLabels: Int, problem: ProblemType = .singleLabel, seed: UInt64 = 13,
        head: HeadInitialization = .xavier, lora: LoRAConfiguration? = nil, adapter: LoRAAdapter? = nil
    ) throws {
        let config = try ModelConfig.load(from: folder)
        let json = (try? JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("config.json"))))
            as? [String: Any] ?? [:]
        let reader = try CheckpointReader(.safetensors(folder.appendingPathComponent("model.safetensors")))
        try self.init(config: config, reader: reader, numLabels: numLabels, problem: problem, seed: seed, head: head,
                      baseConfigJSON: json, lora: lora, adapter: adapter)
        baseModelName = folder.path
    }

    /// Builds the model from a config and a name → tensor map (same key rules as `init(folder:)`).
    public convenience init(
        config: ModelConfig, weights: [String: Tensor], numLabels: Int, problem: ProblemType = .singleLabel,
        seed: UInt64 = 13, head: HeadInitialization = .xavier, baseConfigJSON: [String: Any] = [:]
    ) throws {
        try self.init(config: config, reader: try CheckpointReader(.tensors(weights)), numLabels: numLabels,
                      problem: problem, seed: seed, head: head, baseConfigJSON: baseConfigJSON)
    }

    /// Builds the model from a checkpoint reader: the values are copied into the parameter store, the reader (and
    /// its memory mapping) is released afterwards.
    /// With `lora`, every base parameter is frozen and adapters are added on `lora.targets` (A Kaiming-uniform, B 0:
    /// peft's init), or read from `adapter` (a peft adapter folder of the same rank and targets, head included).
    init(
        config: ModelConfig, reader: CheckpointReader, numLabels: Int, problem: ProblemType, seed: UInt64,
        head: HeadInitialization, baseConfigJSON: [String: Any], lora: LoRAConfiguration? = nil, adapter: LoRAAdapter? = nil
    ) throws {
        try Self.validateForTraining(config)
        guard numLabels >= 1 else { throw TrainingError.invalidHyperparameter("numLabels must be ≥ 1, got \(numLabels)") }
        guard let loss = Loss.default(for: problem) else {
            throw TrainingError.invalidHyperparameter("problem type \(problem.rawValue) is not supported for training")
        }
        self.config = config
        self.numLabels = numLabels
        self.problem = problem
        self.loss = loss
        self.baseConfigJSON = baseConfigJSON
        self.dropout = DropoutRNG(seed: seed)
        try lora?.validate()
        if adapter != nil && lora == nil { throw TrainingError.invalidHyperparameter("an adapter to start from needs LoRA settings") }
        self.lora = lora
        let keys = ParameterKeys(config.modelType)
        let adapted = lora.map { LoRASlot.modules(config: config, keys: keys, targets: $0.targets) } ?? []
        var layout = keys.sequenceClassificationLayout(config, numLabels: numLabels)
        if let lora { layout += LoRASlot.layout(adapted, rank: lora.rank) }
        let parameters = ParameterStore(layout: layout)
        self.parameters = parameters
        var rng = SeededGenerator(seed: seed)
        try ClassifierParameters.load(reader, into: parameters, config: config, keys: keys, head: head, rng: &rng)
        if let lora {
            loraSlots = try LoRASlot.initialise(adapted, rank: lora.rank, scale: lora.scale, dropout: lora.dropout,
                                                store: parameters, rng: &rng)
        } else {
            loraSlots = []
        }
        views = ClassifierParameters(config: config, keys: keys, store: parameters, lora: loraSlots)
        if lora != nil {
            if let adapter { try loadAdapter(adapter) }
            freezeForLoRA()
        }
    }

    /// What the training model implements: every family, exact-erf GELU, dropout in [0, 1).
    static func validateForTraining(_ config: ModelConfig) throws {
        try config.validate()
        guard config.hiddenAct == .gelu else {
            throw TrainingError.invalidConfig("hidden_act \(config.hiddenAct.rawValue): the training model supports gelu only")
        }
        if config.modelType.hasTokenTypes {
            guard config.typeVocabSize > 0 else { throw TrainingError.invalidConfig("type_vocab_size must be positive") }
        }
        for p in [config.hiddenDropoutProb, config.attentionProbsDropoutProb, config.classifierDropout ?? 0]
        where !(p >= 0 && p < 1) {
            throw TrainingError.invalidConfig("dropout probability \(p) outside [0, 1)")
        }
    }

    /// Applies a freeze policy (replacing the previous one).
    public func freeze(_ policy: FreezePolicy) {
        precondition(lora == nil, "a LoRA model freezes its whole base; freeze policies do not apply")
        freezePolicy = policy
        parameters.setFrozen(false) { _ in true }
        let frozenLayers = policy.wholeEncoder ? config.numHiddenLayers : min(policy.lowerLayers, config.numHiddenLayers)
        let embeddings = policy.embeddings || policy.wholeEncoder || frozenLayers > 0
        let keys = views.keys
        parameters.setFrozen(true) { name in
            if keys.isEmbedding(name) { return embeddings }
            if name.hasPrefix(keys.headDense + ".") { return policy.wholeEncoder && keys.headDenseIsPooler }
            if let l = keys.layerIndex(name) { return l < frozenLayers }
            return false
        }
        views.refreshGradients(config: config, store: parameters, lora: loraSlots)
    }

    /// Layer-wise learning-rate decay multipliers for `AdamW.update(_:lr:lrMultipliers:)`, one per parameter entry:
    /// 1 for the head (classifier, pooler / dense), decay^(L − l) for encoder layer l (of L), decay^(L + 1) for the
    /// embeddings (and MPNet's relative bias) —
    /// the top layers move most, the embeddings least. decay 1 gives plain AdamW.
    public func layerwiseLRMultipliers(decay: Float) -> [Float] {
        let L = config.numHiddenLayers
        return parameters.entries.map { e in
            if views.keys.isEmbedding(e.name) { return pow(decay, Float(L + 1)) }
            if let l = views.keys.layerIndex(e.name) { return pow(decay, Float(L - l)) }
            return 1
        }
    }

    /// Forward with loss, then backward: ADDS lossScale · ∂loss/∂θ to `parameters.grads` for trainable entries.
    /// `training: true` applies dropout (and advances `dropout.counter`); false is deterministic.
    /// Returns the (unscaled) mean loss of the batch and its logits [B][numLabels].
    public func forwardBackward(
        _ batch: TrainingBatch, training: Bool = true, lossScale: Float = 1
    ) throws -> (loss: Float, logits: [[Float]]) {
        guard let targets = batch.targets else { throw TrainingError.targetCountMismatch(sequences: batch.count, targets: 0) }
        try validate(batch, targets: targets)
        let key = training ? nextDropoutKey() : nil
        try forward(batch, dropoutKey: key)
        let lossValue = lossAndGradient(targets: targets, scale: lossScale)
        backward()
        return (lossValue, currentLogits())
    }

    /// Evaluation: logits [B][numLabels] without dropout and without touching gradients.
    public func logits(_ batch: TrainingBatch) throws -> [[Float]] {
        try validate(batch, targets: nil)
        try forward(batch, dropoutKey: nil)
        return currentLogits()
    }

    /// Evaluation with the loss (targets required): no dropout, no gradients.
    public func evaluate(_ batch: TrainingBatch) throws -> (loss: Float, logits: [[Float]]) {
        guard let targets = batch.targets else { throw TrainingError.targetCountMismatch(sequences: batch.count, targets: 0) }
        try validate(batch, targets: targets)
        try forward(batch, dropoutKey: nil)
        let lossValue = lossAndGradient(targets: targets, scale: nil)
        return (lossValue, currentLogits())
    }

    /// Every parameter under its HF `*ForSequenceClassification` name, ready for `model.safetensors`.
    /// With LoRA: the adapted weights merged (W₀ + scale·B·A, peft's `merge_and_unload`), the adapters left out.
    public func hfTensors() -> [String: Tensor] {
        mergeAdapters()
        var out: [String: Tensor] = [:]
        for e in parameters.entries where !LoRASlot.isAdapterName(e.name) { out[e.name] = parameters.value(e.name) }
        return out
    }

    /// config.json for the exported folder: the base config plus the family's `*ForSequenceClassification` class,
    /// id2label / label2id (from `labels`, which must have numLabels names) and problem_type.
    public func hfConfigJSON(labels: [String]) throws -> Data {
        guard labels.count == numLabels else {
            throw TrainingError.invalidHyperparameter("\(labels.count) label names for \(numLabels) labels")
        }
        var exported = config
        exported.architectures = [views.keys.sequenceClassificationClass.rawValue]
        exported.id2label = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($0.offset, $0.element) })
        exported.label2id = Dictionary(labels.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
        exported.problemType = problem
        // Our fields over the base file's, so fields we do not model (e.g. transformers_version) survive.
        var json = baseConfigJSON
        let ours = try JSONSerialization.jsonObject(with: exported.jsonData()) as? [String: Any] ?? [:]
        json.merge(ours) { _, new in new }
        json.removeValue(forKey: "_name_or_path")
        json.removeValue(forKey: "num_labels")   // id2label says it; a stale count would contradict it
        return try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
    }

    func nextDropoutKey() -> UInt64 {
        let key = dropout.passKey()
        dropout.counter &+= 1
        return key
    }

    func validate(_ batch: TrainingBatch, targets: TrainingTargets?) throws {
        guard batch.count > 0 else { throw TrainingError.emptyBatch }
        for (i, s) in batch.sequences.enumerated() {
            if s.isEmpty { throw TrainingError.emptySequence(index: i) }
            if s.count > views.pass.embeddings.maxLength {
                throw TrainingError.sequenceTooLong(index: i, length: s.count, maxPositions: views.pass.embeddings.maxLength)
            }
            if let bad = s.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
                throw TrainingError.tokenOutOfRange(index: i, id: bad, vocabularySize: config.vocabSize)
            }
        }
        if let typeIds = batch.typeIds, config.modelType.hasTokenTypes {
            guard typeIds.count == batch.count else {
                throw TrainingError.targetCountMismatch(sequences: batch.count, targets: typeIds.count)
            }
            for (i, t) in typeIds.enumerated() {
                guard t.count == batch.sequences[i].count else {
                    throw TrainingError.shapeMismatch(name: "typeIds[\(i)]", expected: [batch.sequences[i].count], got: [t.count])
                }
                if let bad = t.first(where: { $0 < 0 || Int($0) >= config.typeVocabSize }) {
                    throw TrainingError.tokenOutOfRange(index: i, id: bad, vocabularySize: config.typeVocabSize)
                }
            }
        }
        guard let targets else { return }
        guard targets.count == batch.count else {
            throw TrainingError.targetCountMismatch(sequences: batch.count, targets: targets.count)
        }
        switch targets {
        case .classes(let labels):
            for (i, l) in labels.enumerated() where l < 0 || l >= numLabels {
                throw TrainingError.labelOutOfRange(index: i, label: l, numLabels: numLabels)
            }
            if case .softmaxCrossEntropy(let w, let s) = loss {
                if let w, w.count != numLabels {
                    throw TrainingError.invalidHyperparameter("\(w.count) class weights for \(numLabels) labels")
                }
                if !(s >= 0 && s <= 1) { throw TrainingError.invalidHyperparameter("label smoothing \(s) outside [0, 1]") }
            }
        case .multiLabel(let rows):
            for (i, r) in rows.enumerated() where r.count != numLabels {
                throw TrainingError.shapeMismatch(name: "targets[\(i)]", expected: [numLabels], got: [r.count])
            }
            if case .sigmoidBCE = loss {} else {
                throw TrainingError.invalidHyperparameter("multi-label targets need the sigmoidBCE loss")
            }
        case .distillation(let labels, let teacher):
            for (i, l) in labels.enumerated() where l < -1 || l >= numLabels {
                throw TrainingError.labelOutOfRange(index: i, label: l, numLabels: numLabels)
            }
            for (i, r) in teacher.enumerated() where r.count != numLabels || !r.allSatisfy(\.isFinite) {
                throw TrainingError.shapeMismatch(name: "teacherLogits[\(i)]", expected: [numLabels], got: [r.count])
            }
            guard case .distillation(let t, let a) = loss else {
                if case .softmaxCrossEntropy(nil, 0) = loss, labels.allSatisfy({ $0 >= 0 }) { return }
                throw TrainingError.invalidHyperparameter("distillation targets need the distillation loss")
            }
            if !(t > 0 && t.isFinite) { throw TrainingError.invalidHyperparameter("distillation temperature must be positive, got \(t)") }
            if !(a >= 0 && a <= 1) { throw TrainingError.invalidHyperparameter("distillation alpha must be in [0, 1], got \(a)") }
        }
    }
}
