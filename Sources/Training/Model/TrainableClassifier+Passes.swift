import Foundation
import SentimentModels
import SentimentTensor

// Forward and backward of *ForSequenceClassification over a packed batch: the shared encoder pass
// (SentimentModels' `EncoderPass`, the same forward inference runs) with its activations kept, the last block on the
// first tokens only (all the head reads), then the family's `ClassificationHead`; backward in reverse, stopping below
// the lowest trainable part. Shapes: N packed tokens, B sequences, C hidden, L labels.

extension TrainableClassifier {
    /// The packed batch and its position ids (the model's rule: from 0, or after padding_idx).
    func packed(_ batch: TrainingBatch) throws -> (batch: PackedBatch, positions: [Int32]) {
        let packed = try PackedBatch(sequences: batch.sequences, typeIds: batch.typeIds)
        return (packed, views.pass.embeddings.positionIds(packed))
    }

    /// Probability of the head's dropout (BERT / RoBERTa / MPNet `classifier_dropout` ?? hidden; DistilBERT
    /// `seq_classif_dropout`).
    var headDropoutProbability: Float { config.classifierDropout ?? config.hiddenDropoutProb }

    func forward(_ batch: TrainingBatch, dropoutKey: UInt64?) throws {
        let (packed, positions) = try packed(batch)
        mergeAdapters()   // LoRA: the weights the pass reads are W₀ + scale·B·A of the current A, B
        let ws = workspace
        ws.prepare(lengths: packed.lengths, config: config, numLabels: numLabels)
        lastBatch = (packed, positions)
        let first = views.pass.forward(packed, positions: positions, cache: ws, dropoutKey: dropoutKey, firstTokenOnly: true)
        views.head.forward(first, count: packed.count, cache: ws, layers: config.numHiddenLayers,
                           dropout: dropoutKey.map { (headDropoutProbability, $0) })
    }

    // MARK: loss

    /// Loss of the last forward's logits; with a scale, also writes scale·∂loss/∂logits for backward.
    func lossAndGradient(targets: TrainingTargets, scale: Float?) -> Float {
        let ws = workspace
        return loss.evaluate(logits: ws.logits.pointer, batch: ws.batchSize, classes: numLabels, targets: targets,
                             dLogits: scale == nil ? nil : ws.dLogits.pointer, scale: scale ?? 1)
    }

    func currentLogits() -> [[Float]] {
        let ws = workspace
        return (0..<ws.batchSize).map { b in Array(UnsafeBufferPointer(start: ws.logits.pointer + b * numLabels, count: numLabels)) }
    }

    // MARK: backward

    /// Backward from ws.dLogits; accumulates into the gradients of trainable parameters and stops below the lowest
    /// trainable one.
    func backward() {
        guard let (batch, positions) = lastBatch else { return }
        let ws = workspace, L = config.numHiddenLayers
        let lowest = views.lowestTrainableLevel
        views.head.backward(ws.cls.pointer, count: batch.count, cache: ws,
                            dropout: ws.dropoutActive ? headDropoutProbability : nil, gradients: views.headGradients,
                            dFirst: lowest <= L ? ws.dA.pointer : nil)
        guard lowest <= L else { return }
        views.pass.backward(batch, positions: positions, cache: ws, gradients: views.encoderGradients, firstTokenOnly: true)
    }
}
