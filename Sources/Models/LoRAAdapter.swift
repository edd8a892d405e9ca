import Foundation
import SentimentTensor

/// A layer LoRA can adapt, by its role in a block (peft's `target_modules`, named per family by `ParameterKeys`).
public enum LoRATarget: String, Codable, Sendable, CaseIterable {
    case query, key, value
    case attentionOutput = "attention-output"
    /// The FFN's first linear (BERT `intermediate.dense`).
    case intermediate
    /// The FFN's second linear (BERT `output.dense`).
    case output

    /// The default, as in Hu et al. 2021 and peft's examples: the query and value projections.
    public static let defaults: [LoRATarget] = [.query, .value]

    /// Parses "query,value", "ffn" (intermediate + output) and "all".
    public static func parse(_ list: String) throws -> [LoRATarget] {
        var out: [LoRATarget] = []
        for raw in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            switch raw {
            case "ffn": out += [.intermediate, .output]
            case "all": out += allCases
            default:
                guard let t = LoRATarget(rawValue: raw) else {
                    throw ModelError.invalidConfig("unknown LoRA target '\(raw)' (known: \(allCases.map(\.rawValue).joined(separator: ", ")), ffn, all)")
                }
                out.append(t)
            }
        }
        guard !out.isEmpty else { throw ModelError.invalidConfig("no LoRA target given") }
        return allCases.filter(out.contains)
    }

    /// The module path inside a block (e.g. BERT `attention.self.query`, MPNet `attention.attn.q`).
    package func module(_ keys: ParameterKeys) -> String {
        let l = keys.layer
        switch self {
        case .query: return l.query
        case .key: return l.key
        case .value: return l.value
        case .attentionOutput: return l.attentionOutput
        case .intermediate: return l.intermediate
        case .output: return l.output
        }
    }
}

/// peft's `adapter_config.json` for a LoRA adapter: the fields we read and write (peft fills in the rest with its
/// defaults when it loads ours; `init_lora_weights`, which may be a string, only matters before training and is not
/// read).
public struct LoRAAdapterConfig: Codable, Sendable, Equatable {
    /// A catalog name (`all-mpnet-base-v2`) or a folder (absolute, or relative to the adapter folder).
    public var baseModelNameOrPath: String
    public var peftType = "LORA"
    public var taskType: String? = "SEQ_CLS"
    public var r: Int
    public var loraAlpha: Float
    public var loraDropout: Float = 0
    /// Module names (suffixes) or one regular expression, as peft takes them.
    public var targetModules: TargetModules
    public var modulesToSave: [String]?
    public var bias = "none"
    public var fanInFanOut = false
    public var useRslora: Bool? = false
    public var useDora: Bool? = false
    public var inferenceMode = true
    public var rankPattern: [String: Int]? = [:]
    public var alphaPattern: [String: Float]? = [:]

    /// peft writes a list of names, or a string that is a regular expression.
    public enum TargetModules: Codable, Sendable, Equatable {
        case names([String])
        case pattern(String)
        public init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { self = .pattern(s) } else { self = .names(try c.decode([String].self)) }
        }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .names(let n): try c.encode(n)
            case .pattern(let p): try c.encode(p)
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case baseModelNameOrPath = "base_model_name_or_path", peftType = "peft_type", taskType = "task_type", r
        case loraAlpha = "lora_alpha", loraDropout = "lora_dropout", targetModules = "target_modules"
        case modulesToSave = "modules_to_save", bias, fanInFanOut = "fan_in_fan_out", useRslora = "use_rslora"
        case useDora = "use_dora", inferenceMode = "inference_mode"
        case rankPattern = "rank_pattern", alphaPattern = "alpha_pattern"
    }

    public init(base: String, r: Int, alpha: Float, dropout: Float, targetModules: TargetModules, modulesToSave: [String]) {
        baseModelNameOrPath = base
        self.r = r
        loraAlpha = alpha
        loraDropout = dropout
        self.targetModules = targetModules
        self.modulesToSave = modulesToSave
    }

    /// peft's scaling: lora_alpha / r (rsLoRA: lora_alpha / √r).
    public var scale: Float { useRslora == true ? loraAlpha / Float(r).squareRoot() : loraAlpha / Float(r) }
}

/// A LoRA adapter folder in peft's layout (`PeftModel.save_pretrained`): `adapter_config.json` and
/// `adapter_model.safetensors` with keys `base_model.model.<module>.lora_A.weight` / `.lora_B.weight` and the
/// trained head (`modules_to_save`) under `base_model.model.<name>`. Loaded onto its base, it is merged
/// (W = W₀ + scale·B·A, peft's `merge_and_unload`), so inference runs at the base model's speed in every precision.
public struct LoRAAdapter: Sendable {
    public static let configFile = "adapter_config.json"
    public static let weightsFile = "adapter_model.safetensors"
    /// The prefix peft gives every key of a `PeftModel`'s state dict.
    public static let keyPrefix = "base_model.model."

    public let config: LoRAAdapterConfig
    /// Keys without `keyPrefix`, as the underlying `*ForSequenceClassification` names them.
    public let tensors: [String: Tensor]

    /// Whether `folder` holds an adapter (its config file).
    public static func isAdapterFolder(_ folder: URL) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent(configFile).path)
    }

    public init(config: LoRAAdapterConfig, tensors: [String: Tensor]) {
        self.config = config
        self.tensors = tensors
    }

    /// An adapter folder's `adapter_config.json` alone (what its base is, without reading the weights); throws
    /// `ModelError` naming the file for a missing, corrupt or unsupported config.
    public static func config(folder: URL) throws -> LoRAAdapterConfig {
        let configURL = folder.appendingPathComponent(configFile)
        guard let data = FileManager.default.contents(atPath: configURL.path) else { throw ModelError.missingFile(configURL.path) }
        let config: LoRAAdapterConfig
        do { config = try JSONDecoder().decode(LoRAAdapterConfig.self, from: data) } catch {
            throw ModelError.invalidConfig("\(configURL.path): not a LoRA adapter config (\(error))")
        }
        try validate(config, file: configURL.path)
        return config
    }

    /// Reads an adapter folder; throws `ModelError` naming the file for a missing, corrupt or unsupported adapter.
    public init(folder: URL) throws {
        let config = try Self.config(folder: folder)
        let weights = folder.appendingPathComponent(Self.weightsFile)
        guard FileManager.default.fileExists(atPath: weights.path) else {
            let hint = FileManager.default.fileExists(atPath: folder.appendingPathComponent("adapter_model.bin").path)
                ? " (only adapter_model.bin found: save with safe_serialization=True)" : ""
            throw ModelError.missingFile(weights.path + hint)
        }
        let all: [String: Tensor]
        do { all = try SafeTensorsFile(contentsOf: weights).allFloatTensors() } catch {
            throw ModelError.weights("\(weights.path): \(error)")
        }
        var tensors: [String: Tensor] = [:]
        for (key, value) in all {
            guard key.hasPrefix(Self.keyPrefix) else {
                throw ModelError.weights("\(weights.path): key \(key) is not under \(Self.keyPrefix) (not a peft adapter)")
            }
            tensors[String(key.dropFirst(Self.keyPrefix.count))] = value
        }
        self.init(config: config, tensors: tensors)
    }

    /// What we can merge: plain LoRA (peft_type LORA, no DoRA, no bias training, no per-module rank or alpha).
    static func validate(_ c: LoRAAdapterConfig, file: String) throws {
        func fail(_ why: String) throws -> Never { throw ModelError.invalidConfig("\(file): \(why)") }
        if c.peftType != "LORA" { try fail("peft_type \(c.peftType): only LORA adapters are supported") }
        if c.r < 1 { try fail("r must be ≥ 1, got \(c.r)") }
        if !(c.loraAlpha.isFinite && c.loraAlpha > 0) { try fail("lora_alpha must be positive, got \(c.loraAlpha)") }
        if c.useDora == true { try fail("DoRA adapters are not supported") }
        if c.bias != "none" { try fail("bias '\(c.bias)': only adapters without trained biases (bias \"none\") are supported") }
        if c.fanInFanOut { try fail("fan_in_fan_out adapters (GPT-2 Conv1D) do not apply to BERT-family models") }
        if !(c.rankPattern ?? [:]).isEmpty || !(c.alphaPattern ?? [:]).isEmpty {
            try fail("per-module rank_pattern / alpha_pattern is not supported")
        }
    }

    /// Adapted modules (names without `.weight`) → (A [r, in], B [out, r]).
    public func loraPairs() throws -> [String: (a: Tensor, b: Tensor)] {
        var out: [String: (a: Tensor, b: Tensor)] = [:]
        for key in tensors.keys where key.hasSuffix(".lora_A.weight") {
            let module = String(key.dropLast(".lora_A.weight".count))
            guard let a = tensors[key], let b = tensors[module + ".lora_B.weight"] else {
                throw ModelError.weights("adapter has \(key) but no \(module).lora_B.weight")
            }
            guard a.shape.count == 2, b.shape.count == 2, b.shape[1] == a.shape[0] else {
                throw ModelError.shapeMismatch(name: module + ".lora_B.weight", expected: [b.shape.first ?? 0, a.shape.first ?? 0],
                                               found: b.shape)
            }
            out[module] = (a, b)
        }
        if let orphan = tensors.keys.first(where: { $0.hasSuffix(".lora_B.weight") && out[String($0.dropLast(".lora_B.weight".count))] == nil }) {
            throw ModelError.weights("adapter has \(orphan) but no matching lora_A")
        }
        return out
    }

    /// The trained head and any other saved module: every tensor that is not a LoRA factor (absolute model names).
    public var savedModules: [String: Tensor] {
        tensors.filter { !$0.key.contains(".lora_A.") && !$0.key.contains(".lora_B.") }
    }

    /// The tensors that, laid over the base checkpoint `reader`, make the adapted model: each adapted weight merged
    /// (W₀ + scale·B·A, W₀ read from the base), and the saved modules. Keys are the checkpoint's (the family prefix
    /// mapped as `CheckpointReader.key(forModelName:basePrefix:)` maps it).
    package func overlay(on reader: CheckpointReader, family: ModelFamily) throws -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        let scale = config.scale
        for (module, pair) in try loraPairs() {
            let name = module + ".weight"
            guard let key = reader.key(forModelName: name, basePrefix: family.basePrefix) else {
                throw ModelError.weights("the adapter adapts \(module), which the base model does not have")
            }
            let out0 = pair.b.shape[0], in0 = pair.a.shape[1], r = pair.a.shape[0]
            let base = try reader.weight(key, shape: [out0, in0])
            var merged = Tensor(shape: [out0, in0], data: [Float](repeating: 0, count: out0 * in0))
            merged.withUnsafeMutableBufferPointer { w in
                pair.a.withUnsafeBufferPointer { a in
                    pair.b.withUnsafeBufferPointer { b in
                        LoRAOp.merge(base: base.pointer, a: a.baseAddress!, b: b.baseAddress!, outFeatures: out0,
                                     inFeatures: in0, rank: r, scale: scale, into: w.baseAddress!)
                    }
                }
            }
            out[key] = merged
        }
        for (name, tensor) in savedModules {
            out[reader.key(forModelName: name, basePrefix: family.basePrefix) ?? name] = tensor
        }
        return out
    }
}
