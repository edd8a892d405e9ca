import SentimentCore
import SentimentModels
import SentimentTensor

/// One adapted weight of a LoRA model (peft's `lora.Linear` around a frozen `nn.Linear`): where the weight, A [r, in]
/// and B [out, r] live in the parameter store, and the frozen base value W₀. The store's weight holds the merged
/// W₀ + scale·B·A, refreshed before every forward (`TrainableClassifier.mergeAdapters`), so the shared encoder pass
/// runs unchanged; backward adds the adapters' gradients (`LoRAOp`).
struct LoRASlot {
    /// The adapted module's HF name, without `.weight` (e.g. `bert.encoder.layer.0.attention.self.query`).
    let module: String
    let layer: Int
    let target: LoRATarget
    let outFeatures, inFeatures, rank: Int
    let scale: Float
    /// lora_dropout on the adapter's input (0: none).
    let dropout: Float
    /// Float offsets in the store.
    let weight, a, b: Int
    /// W₀, as loaded.
    let base: [Float]

    typealias Module = (module: String, layer: Int, target: LoRATarget, outFeatures: Int, inFeatures: Int)

    /// Every (block, target) adapted, in block order then `LoRATarget` order.
    static func modules(config c: ModelConfig, keys: ParameterKeys, targets: [LoRATarget]) -> [Module] {
        let C = c.hiddenSize, I = c.intermediateSize
        return (0..<c.numHiddenLayers).flatMap { l in
            targets.map { t -> Module in
                let (out, inF) = t == .intermediate ? (I, C) : t == .output ? (C, I) : (C, C)
                return (c.modelType.basePrefix + keys.layerPrefix(l) + t.module(keys), l, t, out, inF)
            }
        }
    }

    /// The adapters' store entries: `<module>.lora_A.weight` [r, in], `<module>.lora_B.weight` [out, r] (peft's names).
    static func layout(_ modules: [Module], rank: Int) -> [(name: String, shape: [Int])] {
        modules.flatMap { m in [(m.module + ".lora_A.weight", [rank, m.inFeatures]), (m.module + ".lora_B.weight", [m.outFeatures, rank])] }
    }

    static func isAdapterName(_ name: String) -> Bool { name.hasSuffix(".lora_A.weight") || name.hasSuffix(".lora_B.weight") }

    /// Slots over a loaded store: W₀ copied, A drawn as peft's default init does (`kaiming_uniform_(a=√5)`: uniform
    /// in ±1/√in), B zero — so the model starts as the base.
    static func initialise(_ modules: [Module], rank: Int, scale: Float, dropout: Float, store: ParameterStore,
                           rng: inout SeededGenerator) throws -> [LoRASlot] {
        try modules.map { m in
            guard let w = store.entry(m.module + ".weight"), let a = store.entry(m.module + ".lora_A.weight"),
                  let b = store.entry(m.module + ".lora_B.weight") else { throw TrainingError.unknownParameter(m.module) }
            let bound = 1 / Float(m.inFeatures).squareRoot()
            for i in 0..<a.count { store.values[a.offset + i] = (2 * rng.nextUniform() - 1) * bound }
            (store.values + b.offset).update(repeating: 0, count: b.count)
            return LoRASlot(module: m.module, layer: m.layer, target: m.target, outFeatures: m.outFeatures,
                            inFeatures: m.inFeatures, rank: rank, scale: scale, dropout: dropout, weight: w.offset,
                            a: a.offset, b: b.offset,
                            base: Array(UnsafeBufferPointer(start: store.values + w.offset, count: w.count)))
        }
    }

    /// store weight = W₀ + scale·B·A.
    func merge(_ store: ParameterStore) {
        base.withUnsafeBufferPointer { w0 in
            LoRAOp.merge(base: w0.baseAddress!, a: store.values + a, b: store.values + b, outFeatures: outFeatures,
                         inFeatures: inFeatures, rank: rank, scale: scale, into: store.values + weight)
        }
    }

    /// The adapter as the passes see it, on output rows `rows` of the linear layer they run (a fused Q/K/V
    /// projection puts K at C and V at 2C).
    func view(_ store: ParameterStore, rows: Range<Int>) -> LoRAView {
        LoRAView(rows: rows, a: store.values + a, b: store.values + b, rank: rank, inFeatures: inFeatures, scale: scale,
                 dropout: dropout, site: DropoutSite.lora(layer, target))
    }

    /// The adapter's gradient view (see `view`).
    func gradient(_ store: ParameterStore, rows: Range<Int>) -> LoRAGradient {
        LoRAGradient(adapter: view(store, rows: rows), dA: store.grads + a, dB: store.grads + b)
    }
}
