/// The stack of transformer blocks (HF `BertEncoder`; DistilBERT `Transformer`).
public struct BertEncoder: Sendable {
    public let layers: [BertLayer]

    init(_ reader: CheckpointReader, config: ModelConfig) throws {
        let prefix = reader.encoderPrefix
        layers = try (0..<config.numHiddenLayers).map { index in
            config.modelType == .distilbert
                ? try BertLayer(reader, prefix: prefix + "transformer.layer.\(index).", keys: .distilBert, config: config)
                : try BertLayer(reader, prefix: prefix + "encoder.layer.\(index).", keys: .bert, config: config)
        }
    }

    /// Runs every layer over `workspace.hidden`; the last layer's first-token attention goes to `capture` if given.
    func forward(_ batch: PackedBatch, _ ws: EncoderWorkspace, capture: UnsafeMutablePointer<Float>?) {
        for (index, layer) in layers.enumerated() {
            layer.forward(batch, ws, capture: index == layers.count - 1 ? capture : nil)
        }
    }
}
