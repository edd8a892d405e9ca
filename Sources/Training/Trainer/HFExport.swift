import Foundation
import SentimentModels
import SentimentTensor

/// Writes a trained classifier as a Hugging Face folder that `transformers` loads with
/// `AutoModelForSequenceClassification.from_pretrained(folder)` and our own loader reads back:
/// config.json (architectures [the family's *ForSequenceClassification], id2label, label2id, problem_type), model.safetensors
/// (HF key names), and the base model's tokenizer files. Written atomically (temporary folder + rename).
public enum HFExport {
    /// Tokenizer files copied from the base folder when present.
    public static let tokenizerFiles = ["tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json",
                                        "vocab.json", "merges.txt"]

    /// Exports `model` with class names `labels` to `folder`; `extraFiles` (name → contents) are added, e.g. the
    /// training summary and metrics log.
    public static func write(
        _ model: TrainableClassifier, labels: [String], tokenizerFrom base: URL, to folder: URL,
        extraFiles: [String: Data] = [:]
    ) throws {
        if let adapter = model.adapterConfig() {
            return try writeAdapter(model, config: adapter, to: folder, extraFiles: extraFiles)
        }
        let config = try model.hfConfigJSON(labels: labels)
        let tensors = model.hfTensors()
        try AtomicFolder.write(to: folder) { temporary in
            try config.write(to: temporary.appendingPathComponent("config.json"))
            try SafeTensors.write(tensors, metadata: ["format": "pt"], to: temporary.appendingPathComponent("model.safetensors"))
            for file in tokenizerFiles {
                let source = base.appendingPathComponent(file)
                if FileManager.default.fileExists(atPath: source.path) {
                    try FileManager.default.copyItem(at: source, to: temporary.appendingPathComponent(file))
                }
            }
            for (name, data) in extraFiles { try data.write(to: temporary.appendingPathComponent(name)) }
        }
    }

    /// A LoRA model as an adapter folder in peft's layout: adapter_config.json, adapter_model.safetensors (peft's
    /// keys), plus `extraFiles`. No tokenizer or base weights: the base folder provides them.
    static func writeAdapter(_ model: TrainableClassifier, config: LoRAAdapterConfig, to folder: URL,
                             extraFiles: [String: Data]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = try encoder.encode(config)
        let tensors = model.adapterTensors()
        try AtomicFolder.write(to: folder) { temporary in
            try json.write(to: temporary.appendingPathComponent(LoRAAdapter.configFile))
            try SafeTensors.write(tensors, metadata: ["format": "pt"], to: temporary.appendingPathComponent(LoRAAdapter.weightsFile))
            for (name, data) in extraFiles { try data.write(to: temporary.appendingPathComponent(name)) }
        }
    }

    /// Loads the parameters of an exported folder back into `model` (same architecture and label count; an adapter
    /// folder into a LoRA model).
    public static func loadParameters(from folder: URL, into model: TrainableClassifier) throws {
        if model.lora != nil { return try model.loadAdapter(LoRAAdapter(folder: folder)) }
        let file = try SafeTensorsFile(contentsOf: folder.appendingPathComponent("model.safetensors"))
        for entry in model.parameters.entries {
            guard file.info(entry.name) != nil else { throw TrainingError.missingWeight(entry.name) }
            try model.parameters.setValue(entry.name, file.tensor(entry.name))
        }
    }
}
