import Foundation
import SentimentTensor

/// Activation buffers kept between forward and backward.
struct Workspace {}

extension TrainableClassifier {
    func forward(_ batch: TrainingBatch, dropoutKey: UInt64?) { fatalError("not yet") }
    func lossAndGradient(targets: TrainingTargets, scale: Float?) -> Float { fatalError("not yet") }
    func backward() { fatalError("not yet") }
    func currentLogits() -> [[Float]] { fatalError("not yet") }
}

func loadSafeTensorsWeights(_ url: URL) throws -> [String: Tensor] { fatalError("not yet: waits for SafeTensorsFile") }
