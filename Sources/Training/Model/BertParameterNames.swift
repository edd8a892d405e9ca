import SentimentCore
import SentimentModels
import SentimentTensor

/// HF BertForSequenceClassification parameter names, the store layout, and checkpoint loading.
///
/// Layout detail that matters for speed: per layer the query/key/value weights are adjacent (one [3C, C] matrix) and
/// so are their biases ([3C]), so Q, K and V come out of one GEMM.
enum BertParameterNames {
    static func layer(_ l: Int) -> String { "bert.encoder.layer.\(l)." }

    static func layout(_ c: ModelConfig, numLabels: Int) -> [(name: String, shape: [Int])] {
        let C = c.hiddenSize, I = c.intermediateSize
        var out: [(name: String, shape: [Int])] = [
            ("bert.embeddings.word_embeddings.weight", [c.vocabSize, C]),
            ("bert.embeddings.position_embeddings.weight", [c.maxPositionEmbeddings, C]),
            ("bert.embeddings.token_type_embeddings.weight", [c.typeVocabSize, C]),
            ("bert.embeddings.LayerNorm.weight", [C]),
            ("bert.embeddings.LayerNorm.bias", [C]),
        ]
        for l in 0..<c.numHiddenLayers {
            let p = layer(l)
            out += [
                (p + "attention.self.query.weight", [C, C]),
                (p + "attention.self.key.weight", [C, C]),
                (p + "attention.self.value.weight", [C, C]),
                (p + "attention.self.query.bias", [C]),
                (p + "attention.self.key.bias", [C]),
                (p + "attention.self.value.bias", [C]),
                (p + "attention.output.dense.weight", [C, C]),
                (p + "attention.output.dense.bias", [C]),
                (p + "attention.output.LayerNorm.weight", [C]),
                (p + "attention.output.LayerNorm.bias", [C]),
                (p + "intermediate.dense.weight", [I, C]),
                (p + "intermediate.dense.bias", [I]),
                (p + "output.dense.weight", [C, I]),
                (p + "output.dense.bias", [C]),
                (p + "output.LayerNorm.weight", [C]),
                (p + "output.LayerNorm.bias", [C]),
            ]
        }
        out += [
            ("bert.pooler.dense.weight", [C, C]),
            ("bert.pooler.dense.bias", [C]),
            ("classifier.weight", [numLabels, C]),
            ("classifier.bias", [numLabels]),
        ]
        return out
    }

    /// Encoder layer index of a parameter name, if it is inside an encoder layer.
    static func layerIndex(_ name: String) -> Int? {
        let prefix = "bert.encoder.layer."
        guard name.hasPrefix(prefix) else { return nil }
        return Int(name.dropFirst(prefix.count).prefix { $0 != "." })
    }

    /// Names under which a checkpoint may store `name`: with or without the `bert.` prefix, LayerNorm weight/bias
    /// or the legacy gamma/beta.
    static func aliases(_ name: String) -> [String] {
        var base = [name]
        if name.hasPrefix("bert.") { base.append(String(name.dropFirst(5))) }
        var out = base
        for b in base where b.contains("LayerNorm.") {
            if b.hasSuffix(".weight") { out.append(String(b.dropLast(7)) + ".gamma") }
            if b.hasSuffix(".bias") { out.append(String(b.dropLast(5)) + ".beta") }
        }
        return out
    }

    static func load(
        _ weights: [String: Tensor], into store: ParameterStore, config: ModelConfig,
        head: HeadInitialization, rng: inout SeededGenerator
    ) throws {
        for e in store.entries {
            let found = aliases(e.name).lazy.compactMap { weights[$0] }.first
            let isHead = e.name.hasPrefix("classifier.")
            let isPooler = e.name.hasPrefix("bert.pooler.")
            if isHead && head == .xavier {
                initialiseHead(e, store: store, rng: &rng)
                continue
            }
            if let found {
                // Tolerate a [1, n] vs [n] difference, nothing else.
                guard found.count == e.count, found.shape.filter({ $0 != 1 }) == e.shape.filter({ $0 != 1 }) else {
                    throw TrainingError.shapeMismatch(name: e.name, expected: e.shape, got: found.shape)
                }
                try store.setValue(e.name, found.reshaped(e.shape))
            } else if isPooler {
                // BertModel checkpoints without a pooler (e.g. MLM models): HF initialises it normal(0, range), bias 0.
                let p = store.values + e.offset
                if e.name.hasSuffix("weight") {
                    for i in 0..<e.count { p[i] = rng.nextNormal() * config.initializerRange }
                }
            } else {
                throw TrainingError.missingWeight(e.name)
            }
        }
    }

    /// Xavier-uniform weight (bound √(6/(fan_in + fan_out))), zero bias.
    static func initialiseHead(_ e: ParameterStore.Entry, store: ParameterStore, rng: inout SeededGenerator) {
        let p = store.values + e.offset
        guard e.name.hasSuffix("weight"), e.shape.count == 2 else {
            p.update(repeating: 0, count: e.count)
            return
        }
        let bound = (6 / Float(e.shape[0] + e.shape[1])).squareRoot()
        for i in 0..<e.count { p[i] = (2 * rng.nextUniform() - 1) * bound }
    }
}
