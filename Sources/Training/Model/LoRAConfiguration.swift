import SentimentModels

/// LoRA fine-tuning (Hu et al. 2021), peft's `LoraConfig`: a rank-r update B·A, scaled alpha / r, on the chosen
/// projections of every block; the base model frozen; the classification head trained in full (peft's
/// `modules_to_save`). Codable: it is part of `TrainerConfiguration`, stored in checkpoints.
public struct LoRAConfiguration: Codable, Sendable, Equatable {
    /// r: the update's rank.
    public var rank: Int = 8
    /// lora_alpha: the update is scaled by alpha / r.
    public var alpha: Float = 16
    /// lora_dropout on the adapter's input (0: none; peft's default), drawn per adapter as peft's one `nn.Dropout`
    /// per adapted module.
    public var dropout: Float = 0
    /// target_modules, by role (named per family when written).
    public var targets: [LoRATarget] = LoRATarget.defaults

    public init(rank: Int = 8, alpha: Float = 16, dropout: Float = 0, targets: [LoRATarget] = LoRATarget.defaults) {
        self.rank = rank
        self.alpha = alpha
        self.dropout = dropout
        self.targets = targets
    }

    /// peft's scaling.
    public var scale: Float { alpha / Float(rank) }

    func validate() throws {
        guard rank >= 1 else { throw TrainingError.invalidHyperparameter("LoRA rank must be ≥ 1, got \(rank)") }
        guard alpha > 0 && alpha.isFinite else { throw TrainingError.invalidHyperparameter("LoRA alpha must be positive, got \(alpha)") }
        guard dropout >= 0 && dropout < 1 else {
            throw TrainingError.invalidHyperparameter("LoRA dropout must be in [0, 1), got \(dropout)")
        }
        guard !targets.isEmpty else { throw TrainingError.invalidHyperparameter("LoRA needs at least one target") }
    }
}
