import SentimentTensor

/// Masked-LM head: transform (dense + activation + LayerNorm) → decoder (usually tied to the word embeddings) + bias.
/// Each family's keys: `ParameterKeys.maskedLM`.
public struct MaskedLMHead: Sendable {
    public let transform: Linear     // [C, C]
    public let activation: Activation
    public let layerNorm: LayerNorm
    public let decoder: Weight       // [V, C]
    public let bias: Weight          // [V]
    public var vocabSize: Int { decoder.shape[0] }

    init(_ reader: CheckpointReader, config: ModelConfig, wordEmbeddings: Weight) throws {
        let c = config.hiddenSize, v = config.vocabSize
        let names = ParameterKeys(config.modelType).maskedLM
        activation = names.alwaysGELU ? .gelu : config.hiddenAct
        transform = try Linear(reader, names.dense, out: c, in: c)
        layerNorm = try LayerNorm(reader, names.norm, size: c, eps: config.layerNormEps)
        // Tied (HF default): the decoder IS the word embedding matrix; a saved copy is skipped, as HF does.
        if config.tieWordEmbeddings || !reader.contains(names.decoder + ".weight") {
            decoder = wordEmbeddings
            reader.markUsed(names.decoder + ".weight")
        } else {
            decoder = try reader.weight(names.decoder + ".weight", shape: [v, c])
        }
        // Old checkpoints store the bias twice (`cls.predictions.bias` and `.decoder.bias`, the same tensor).
        guard let biasName = names.bias.first(where: reader.contains) else { throw ModelError.missingParameter(names.bias[0]) }
        bias = try reader.weight(biasName, shape: [v])
        names.bias.forEach(reader.markUsed)
    }

    /// logits[rows.count, V] for the selected packed rows of hidden [N, C].
    func forward(_ hidden: UnsafePointer<Float>, rows: [Int]) -> Tensor {
        let m = rows.count, c = transform.inFeatures
        var logits = Tensor(shape: [m, vocabSize])
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * m * c) { buffer in
            let selected = buffer.baseAddress!, features = selected + m * c
            for (i, row) in rows.enumerated() { (selected + i * c).update(from: hidden + row * c, count: c) }
            transform(selected, rows: m, out: features)
            activation.forward(features, count: m * c, out: features)
            layerNorm(features, rows: m, out: features)
            logits.withUnsafeMutableBufferPointer {
                Kernels.linear(features, rows: m, inFeatures: c, weight: decoder.pointer, bias: bias.pointer,
                               outFeatures: vocabSize, out: $0.baseAddress!)
            }
        }
        return logits
    }
}
