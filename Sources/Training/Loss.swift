import Foundation
import SentimentCore
import SentimentModels

/// Classification losses over logits [B, L], mean-reduced exactly like PyTorch, with their gradient w.r.t. the logits.
public enum Loss: Sendable, Equatable, Codable {
    /// torch.nn.CrossEntropyLoss(weight: classWeights, label_smoothing: labelSmoothing), reduction "mean"
    /// (with weights, divided by Σ weight[target], as PyTorch does).
    case softmaxCrossEntropy(classWeights: [Float]? = nil, labelSmoothing: Float = 0)
    /// torch.nn.BCEWithLogitsLoss(), mean over B·L (HF "multi_label_classification").
    case sigmoidBCE
    /// Task distillation (Hinton et al. 2015; DistilBERT's and TinyBERT's prediction-layer loss), per example i
    /// with student logits s, teacher logits t and gold class y (or none):
    ///
    ///     L_i = a_i · T² · KL(softmax(t/T) ‖ softmax(s/T)) + (1 − a_i) · CE(s, y),   a_i = alpha, or 1 without y
    ///
    /// mean over the batch — in PyTorch, per example `T*T * F.kl_div(F.log_softmax(s/T), F.softmax(t/T),
    /// reduction="sum")` and `F.cross_entropy(s, y)`, mixed and averaged. ∂L_i/∂s = a_i·T·(softmax(s/T) −
    /// softmax(t/T)) + (1 − a_i)·(softmax(s) − onehot(y)). With class-index targets (dev, test) it is plain
    /// cross-entropy, so evaluation losses stay comparable with a plain fine-tune.
    case distillation(temperature: Float, alpha: Float)

    /// The loss HF uses for a classification problem type (nil for regression, which the training model refuses).
    public static func `default`(for problem: ProblemType) -> Loss? {
        switch problem {
        case .singleLabel: .softmaxCrossEntropy()
        case .multiLabel: .sigmoidBCE
        case .regression: nil
        }
    }

    /// Loss value for logits[B, L] (row-major); if `dLogits` is given, writes scale · ∂loss/∂logits there ([B, L]).
    public func evaluate(
        logits: UnsafePointer<Float>, batch: Int, classes: Int, targets: TrainingTargets,
        dLogits: UnsafeMutablePointer<Float>? = nil, scale: Float = 1
    ) -> Float {
        switch (self, targets) {
        case let (.softmaxCrossEntropy(weights, smoothing), .classes(labels)):
            return Self.crossEntropy(logits: logits, batch: batch, classes: classes, labels: labels,
                                     weights: weights, smoothing: smoothing, dLogits: dLogits, scale: scale)
        case let (.sigmoidBCE, .multiLabel(t)):
            return Self.binaryCrossEntropy(logits: logits, batch: batch, classes: classes, targets: t,
                                           dLogits: dLogits, scale: scale)
        case let (.sigmoidBCE, .classes(labels)):
            // One-hot targets from class indices.
            let t = labels.map { l in (0..<classes).map { Float($0 == l ? 1 : 0) } }
            return Self.binaryCrossEntropy(logits: logits, batch: batch, classes: classes, targets: t,
                                           dLogits: dLogits, scale: scale)
        case let (.distillation(temperature, alpha), .distillation(labels, teacher)):
            return Self.distillation(logits: logits, batch: batch, classes: classes, labels: labels, teacher: teacher,
                                     temperature: temperature, alpha: alpha, dLogits: dLogits, scale: scale)
        case let (.distillation, .classes(labels)):
            return Self.crossEntropy(logits: logits, batch: batch, classes: classes, labels: labels,
                                     weights: nil, smoothing: 0, dLogits: dLogits, scale: scale)
        case (.softmaxCrossEntropy, .distillation(let labels, _)) where labels.allSatisfy({ $0 >= 0 }):
            return Self.crossEntropy(logits: logits, batch: batch, classes: classes, labels: labels,
                                     weights: nil, smoothing: 0, dLogits: dLogits, scale: scale)
        case (.softmaxCrossEntropy, .multiLabel), (.softmaxCrossEntropy, .distillation), (.distillation, .multiLabel),
             (.sigmoidBCE, .distillation):
            preconditionFailure("loss \(self) cannot take these targets (TrainableClassifier.validate refuses them)")
        }
    }

    static func distillation(
        logits: UnsafePointer<Float>, batch: Int, classes: Int, labels: [Int], teacher: [[Float]],
        temperature: Float, alpha: Float, dLogits: UnsafeMutablePointer<Float>?, scale: Float
    ) -> Float {
        let t = Double(temperature)
        var total = 0.0
        for i in 0..<batch {
            let s = (0..<classes).map { Double(logits[i * classes + $0]) }
            let a = labels[i] >= 0 ? Double(alpha) : 1
            let (q, logQ) = Softmax.probabilitiesAndLogSum(s.map { $0 / t })
            let (r, logR) = Softmax.probabilitiesAndLogSum(teacher[i].map { Double($0) / t })
            // KL(r ‖ q) = Σ r_k (log r_k − log q_k), log q_k = s_k/T − logsumexp(s/T).
            var kl = 0.0
            for k in 0..<classes where r[k] > 0 {
                kl += r[k] * ((Double(teacher[i][k]) / t - logR) - (s[k] / t - logQ))
            }
            var ce = 0.0
            var p = [Double](repeating: 0, count: classes)
            if labels[i] >= 0 {
                let (pp, logP) = Softmax.probabilitiesAndLogSum(s)
                p = pp
                ce = logP - s[labels[i]]
            }
            total += a * t * t * kl + (1 - a) * ce
            if let dLogits {
                for k in 0..<classes {
                    var g = a * t * (q[k] - r[k])
                    if labels[i] >= 0 { g += (1 - a) * (p[k] - (k == labels[i] ? 1 : 0)) }
                    dLogits[i * classes + k] = scale * Float(g / Double(batch))
                }
            }
        }
        return Float(total / Double(batch))
    }

    // Sums in Double: B is small and this keeps the loss value independent of the order of examples.
    // logp = z - logsumexp(z); ∂(-logp_c)/∂z_k = p_k - δ_ck.
    // loss = (1-ε)/W Σ_i w[y_i](-logp_{i,y_i}) + ε/(C·W) Σ_i Σ_c w_c(-logp_{i,c}),  W = Σ_i w[y_i] (B without weights).
    static func crossEntropy(
        logits: UnsafePointer<Float>, batch: Int, classes: Int, labels: [Int], weights: [Float]?, smoothing: Float,
        dLogits: UnsafeMutablePointer<Float>?, scale: Float
    ) -> Float {
        let w = weights ?? [Float](repeating: 1, count: classes)
        let sumW = w.reduce(0, +)
        var totalWeight: Double = 0
        for i in 0..<batch { totalWeight += Double(w[labels[i]]) }
        let eps = smoothing
        var nll: Double = 0, smooth: Double = 0
        for i in 0..<batch {
            let z = (0..<classes).map { Double(logits[i * classes + $0]) }
            let (pd, logSum) = Softmax.probabilitiesAndLogSum(z)
            let p = pd.map { Float($0) }
            let y = labels[i]
            nll += Double(w[y]) * (logSum - z[y])
            for c in 0..<classes { smooth += Double(w[c]) * (logSum - z[c]) }
            if let dLogits {
                let d = dLogits + i * classes
                let a = (1 - eps) * w[y] / Float(totalWeight)
                let b = eps / (Float(classes) * Float(totalWeight))
                for k in 0..<classes {
                    d[k] = scale * (a * (p[k] - (k == y ? 1 : 0)) + b * (sumW * p[k] - w[k]))
                }
            }
        }
        return Float((1 - Double(eps)) * nll / totalWeight + Double(eps) / Double(classes) * smooth / totalWeight)
    }

    // Stable BCE with logits: max(z,0) - z·y + log(1 + e^{-|z|}); ∂/∂z = σ(z) - y.
    static func binaryCrossEntropy(
        logits: UnsafePointer<Float>, batch: Int, classes: Int, targets: [[Float]],
        dLogits: UnsafeMutablePointer<Float>?, scale: Float
    ) -> Float {
        let n = Float(batch * classes)
        var total: Double = 0
        for i in 0..<batch {
            for c in 0..<classes {
                let z = logits[i * classes + c], y = targets[i][c]
                total += Double(max(z, 0) - z * y + log1p(exp(-abs(z))))
                if let dLogits {
                    let sigma = 1 / (1 + exp(-z))
                    dLogits[i * classes + c] = scale * (sigma - y) / n
                }
            }
        }
        return Float(total / Double(n))
    }
}
