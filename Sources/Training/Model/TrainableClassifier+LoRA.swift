import Foundation
import SentimentCore
import SentimentModels
import SentimentTensor

// LoRA on the trainer's classifier: which entries train, the merge before each forward, and the adapter in peft's
// layout (what `HFExport` writes for a LoRA run and what `init(…adapter:)` starts from).
extension TrainableClassifier {
    /// Every base parameter frozen; the adapters and the head (peft's `modules_to_save`: the classifier, and its
    /// dense unless that is BERT's pooler, which peft leaves frozen) train.
    func freezeForLoRA() {
        let saved = modulesToSave
        parameters.setFrozen(true) { _ in true }
        parameters.setFrozen(false) { name in
            LoRASlot.isAdapterName(name) || saved.contains { name.hasPrefix($0 + ".") }
        }
        views.refreshGradients(config: config, store: parameters, lora: loraSlots)
    }

    /// peft's `modules_to_save` for this family's head: top-level module names (`classifier`; DistilBERT's
    /// `pre_classifier` too).
    var modulesToSave: [String] {
        let keys = views.keys
        var heads = [keys.headClassifier]
        if !keys.headDenseIsPooler { heads.append(keys.headDense) }
        var out: [String] = []
        for h in heads {
            let top = String(h.prefix { $0 != "." })
            if !out.contains(top) { out.append(top) }
        }
        return out
    }

    /// Refreshes every adapted weight to W₀ + scale·B·A (after an optimiser step or a load). fp32, whatever the
    /// training precision; no-op without LoRA.
    func mergeAdapters() {
        for slot in loraSlots { slot.merge(parameters) }
    }

    /// Adapter tensors under peft's keys (`base_model.model.<module>.lora_A.weight`, …, and the saved head modules).
    public func adapterTensors() -> [String: Tensor] {
        let saved = modulesToSave
        var out: [String: Tensor] = [:]
        for e in parameters.entries where LoRASlot.isAdapterName(e.name) || saved.contains(where: { e.name.hasPrefix($0 + ".") }) {
            out[LoRAAdapter.keyPrefix + e.name] = parameters.value(e.name)
        }
        return out
    }

    /// adapter_config.json's content for this model (nil without LoRA). target_modules: each target's path inside a
    /// block, which peft matches as a key suffix; where one path ends another (BERT's FFN `output.dense` and the
    /// attention's `attention.output.dense`), a regular expression over the block's keys instead.
    public func adapterConfig() -> LoRAAdapterConfig? {
        guard let lora else { return nil }
        let keys = views.keys
        let paths = lora.targets.map { $0.module(keys) }
        let all = LoRATarget.allCases.map { $0.module(keys) }
        let ambiguous = paths.contains { p in all.contains { $0 != p && $0.hasSuffix("." + p) } }
        let targets: LoRAAdapterConfig.TargetModules
        if ambiguous {
            let escaped = paths.map { NSRegularExpression.escapedPattern(for: $0) }
            targets = .pattern(".*\\.layer\\.\\d+\\.(\(escaped.joined(separator: "|")))")
        } else {
            targets = .names(paths)
        }
        return LoRAAdapterConfig(base: baseModelName, r: lora.rank, alpha: lora.alpha, dropout: lora.dropout,
                                 targetModules: targets, modulesToSave: modulesToSave)
    }

    /// Sets the adapters and the head from an adapter (peft's or ours): same modules, rank and head shapes.
    public func loadAdapter(_ adapter: LoRAAdapter) throws {
        guard let lora else { throw TrainingError.invalidHyperparameter("this model trains no LoRA adapters") }
        guard adapter.config.r == lora.rank else {
            throw TrainingError.invalidHyperparameter("the adapter has rank \(adapter.config.r), the run \(lora.rank)")
        }
        guard adapter.config.scale == lora.scale else {
            throw TrainingError.invalidHyperparameter("the adapter scales by \(adapter.config.scale), the run by \(lora.scale)")
        }
        let pairs = try adapter.loraPairs()
        let adapted = Set(loraSlots.map(\.module))
        if let extra = pairs.keys.first(where: { !adapted.contains($0) }) {
            throw TrainingError.invalidHyperparameter("the adapter adapts \(extra), which this run's targets do not include")
        }
        for slot in loraSlots {
            guard let pair = pairs[slot.module] else { throw TrainingError.missingWeight(slot.module + ".lora_A.weight") }
            try parameters.setValue(slot.module + ".lora_A.weight", pair.a)
            try parameters.setValue(slot.module + ".lora_B.weight", pair.b)
        }
        let saved = modulesToSave
        for e in parameters.entries where saved.contains(where: { e.name.hasPrefix($0 + ".") }) {
            guard let t = adapter.savedModules[e.name] else { throw TrainingError.missingWeight(LoRAAdapter.keyPrefix + e.name) }
            try parameters.setValue(e.name, t)
        }
        mergeAdapters()
    }
}
