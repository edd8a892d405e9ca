import SentimentTensor

/// Sequence classification on each sequence's first token: first → dense → (tanh | ReLU) → classifier.
/// The three HF heads differ only in names and activation (dropout is the identity at inference):
/// - BERT (`BertForSequenceClassification`): pooler (dense + tanh, `bert.pooler.dense`) → `classifier`;
/// - DistilBERT (`DistilBertForSequenceClassification`): `pre_classifier` + ReLU → `classifier`;
/// - RoBERTa (`RobertaClassificationHead`): `classifier.dense` + tanh → `classifier.out_proj`.
public struct ClassificationHead: Sendable {
    public let dense: Linear        // [C, C]
    public let activation: DenseActivation
    public let classifier: Linear   // [numLabels, C]
    public var numLabels: Int { classifier.outFeatures }

    public enum DenseActivation: Sendable { case tanh, relu }

    init(dense: Linear, activation: DenseActivation, classifier: Linear) {
        self.dense = dense
        self.activation = activation
        self.classifier = classifier
    }

    /// The head for `config`'s family; BERT's reuses the already-loaded pooler.
    init(_ reader: CheckpointReader, config: ModelConfig, pooler: BertPooler?) throws {
        let c = config.hiddenSize, labels = config.numLabels
        switch config.modelType {
        case .bert:
            guard let pooler else { throw ModelError.missingParameter(reader.encoderPrefix + "pooler.dense.weight") }
            self.init(dense: pooler.dense, activation: .tanh,
                      classifier: try Linear(reader, "classifier", out: labels, in: c))
        case .distilbert:
            self.init(dense: try Linear(reader, "pre_classifier", out: c, in: c), activation: .relu,
                      classifier: try Linear(reader, "classifier", out: labels, in: c))
        case .roberta:
            self.init(dense: try Linear(reader, "classifier.dense", out: c, in: c), activation: .tanh,
                      classifier: try Linear(reader, "classifier.out_proj", out: labels, in: c))
        }
    }

    /// logits[B, numLabels] from the encoder's last hidden states [N, C].
    func forward(_ hidden: UnsafePointer<Float>, batch: PackedBatch) -> Tensor {
        let b = batch.count, c = dense.inFeatures
        var logits = Tensor(shape: [b, numLabels])
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * b * c) { buffer in
            let first = buffer.baseAddress!, features = first + b * c
            gatherFirstTokens(hidden, batch: batch, width: c, out: first)
            dense(first, rows: b, out: features)
            switch activation {
            case .tanh: Kernels.tanhActivation(features, count: b * c, out: features)
            case .relu: Kernels.relu(features, count: b * c, out: features)
            }
            logits.withUnsafeMutableBufferPointer { classifier(features, rows: b, out: $0.baseAddress!) }
        }
        return logits
    }
}
