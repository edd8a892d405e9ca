/// The stack of transformer blocks (HF `BertEncoder`; DistilBERT `Transformer`; MPNet `MPNetEncoder`, which also
/// owns the relative attention bias table every block adds to its scores).
public struct BertEncoder: Sendable {
    public let layers: [BertLayer]
    /// MPNet: `encoder.relative_attention_bias.weight` [buckets, heads]; nil for the other families.
    public let relativeAttentionBias: Weight?

    init(_ reader: CheckpointReader, config: ModelConfig) throws {
        let prefix = reader.encoderPrefix, keys = ParameterKeys(config.modelType)
        self.init(
            layers: try (0..<config.numHiddenLayers).map { index in
                try BertLayer(reader, prefix: prefix + keys.layerPrefix(index), keys: keys.layer, config: config)
            },
            relativeAttentionBias: try keys.relativeAttentionBias.map {
                try reader.weight(prefix + $0, shape: [config.relativeAttentionNumBuckets, config.numAttentionHeads])
            })
    }

    package init(layers: [BertLayer], relativeAttentionBias: Weight?) {
        self.layers = layers
        self.relativeAttentionBias = relativeAttentionBias
    }
}
