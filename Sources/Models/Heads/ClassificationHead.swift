import SentimentTensor

/// Sequence classification on each sequence's first token: first → [dropout] → dense → (tanh | ReLU) → dropout →
/// classifier. The four HF heads differ only in names, activation and where dropout sits:
/// - BERT (`BertForSequenceClassification`): pooler (dense + tanh, `bert.pooler.dense`) → dropout → `classifier`;
/// - DistilBERT (`DistilBertForSequenceClassification`): `pre_classifier` + ReLU → dropout → `classifier`;
/// - RoBERTa / MPNet (`RobertaClassificationHead`, `MPNetClassificationHead`): dropout → `classifier.dense` + tanh →
///   dropout → `classifier.out_proj`.
/// A typed view; inference and training run the same `forward` (dropout only when given a key).
public struct ClassificationHead: Sendable {
    public let dense: Linear        // [C, C]
    public let activation: DenseActivation
    public let classifier: Linear   // [numLabels, C]
    /// RoBERTa / MPNet: dropout on the first token before `dense` too.
    public let dropoutBeforeDense: Bool
    public var numLabels: Int { classifier.outFeatures }

    public enum DenseActivation: Sendable { case tanh, relu }

    package init(dense: Linear, activation: DenseActivation, classifier: Linear, dropoutBeforeDense: Bool) {
        self.dense = dense
        self.activation = activation
        self.classifier = classifier
        self.dropoutBeforeDense = dropoutBeforeDense
    }

    /// The head for `config`'s family; BERT's reuses the already-loaded pooler.
    init(_ reader: CheckpointReader, config: ModelConfig, pooler: BertPooler?) throws {
        let c = config.hiddenSize, labels = config.numLabels, keys = ParameterKeys(config.modelType)
        let dense: Linear
        if keys.headDenseIsPooler {
            guard let pooler else { throw ModelError.missingParameter(keys.headDense + ".weight") }
            dense = pooler.dense
        } else {
            dense = try Linear(reader, keys.headDense, out: c, in: c)
        }
        self.init(dense: dense, activation: keys.headActivation,
                  classifier: try Linear(reader, keys.headClassifier, out: labels, in: c),
                  dropoutBeforeDense: keys.headDropoutBeforeDense)
    }

    /// Dropout sites of the head (after the encoder's 1 + 3·layers sites).
    static func dropoutSites(layers: Int) -> (beforeDense: Int, afterDense: Int) { (2 + 3 * layers, 1 + 3 * layers) }

    /// logits (B, numLabels) into `cache.logits` from the first tokens `first` (B, C). With `dropout` (training:
    /// probability and pass key), keeps what `backward` needs.
    package func forward(_ first: UnsafePointer<Float>, count b: Int, cache ws: ActivationCache, layers: Int,
                         dropout: (p: Float, key: UInt64)?) {
        let c = dense.inFeatures
        var input = first
        let sites = Self.dropoutSites(layers: layers)
        if dropoutBeforeDense, let dropout, dropout.p > 0 {
            ws.headInput.pointer.update(from: first, count: b * c)
            DropoutOp.forward(ws.headInput.pointer, count: b * c, p: dropout.p,
                              key: DropoutRNG.siteKey(pass: dropout.key, site: sites.beforeDense), mask: ws.headInputMask.pointer)
            input = UnsafePointer(ws.headInput.pointer)
        }
        let features = ws.headDense.pointer
        dense(input, rows: b, out: features)
        switch activation {
        case .tanh: TanhOp.forward(features, count: b * c, out: features)
        case .relu: Kernels.relu(features, count: b * c, out: features)
        }
        var classifierInput = UnsafePointer(features)
        if let dropout, dropout.p > 0 {
            ws.headDropped.pointer.update(from: features, count: b * c)
            DropoutOp.forward(ws.headDropped.pointer, count: b * c, p: dropout.p,
                              key: DropoutRNG.siteKey(pass: dropout.key, site: sites.afterDense), mask: ws.headMask.pointer)
            classifierInput = UnsafePointer(ws.headDropped.pointer)
        }
        classifier(classifierInput, rows: b, out: ws.logits.pointer)
    }

    /// Backward of `forward` from `cache.dLogits`: classifier gradients, then (when `dense` trains or `dFirst` is
    /// wanted) dense and activation; d first tokens (B, C) into `dFirst`. Gradients accumulate; nil = frozen.
    package func backward(_ first: UnsafePointer<Float>, count b: Int, cache ws: ActivationCache, dropout: Float?,
                          gradients g: ClassificationHeadGradients, dFirst: UnsafeMutablePointer<Float>?) {
        let c = dense.inFeatures, L = numLabels
        let dropped = dropout.map { $0 > 0 } ?? false
        let classifierInput = dropped ? UnsafePointer(ws.headDropped.pointer) : UnsafePointer(ws.headDense.pointer)
        let dFeatures = ws.dHead.pointer
        let needFeatures = g.dense.isTrainable || dFirst != nil
        LinearOp.backward(ws.dLogits.pointer, x: classifierInput, rows: b, inFeatures: c, weight: classifier.weight.pointer,
                          outFeatures: L, dx: needFeatures ? dFeatures : nil,
                          dWeight: g.classifier.weight, dBias: g.classifier.bias)
        guard needFeatures else { return }
        if dropped { DropoutOp.backward(dFeatures, count: b * c, mask: ws.headMask.pointer) }
        switch activation {
        case .tanh: TanhOp.backward(dFeatures, y: ws.headDense.pointer, count: b * c)
        case .relu: for i in 0..<(b * c) where ws.headDense.pointer[i] <= 0 { dFeatures[i] = 0 }
        }
        let input = dropoutBeforeDense && dropped ? UnsafePointer(ws.headInput.pointer) : first
        LinearOp.backward(dFeatures, x: input, rows: b, inFeatures: c, weight: dense.weight.pointer, outFeatures: c,
                          dx: dFirst, dWeight: g.dense.weight, dBias: g.dense.bias)
        if let dFirst, dropoutBeforeDense && dropped {
            DropoutOp.backward(dFirst, count: b * c, mask: ws.headInputMask.pointer)
        }
    }
}
