import SentimentCore

/// Everything that defines a fine-tuning run (HF `TrainingArguments` names in comments). Codable: it is stored in
/// checkpoints (a resume must continue the same run) and next to the exported model.
public struct TrainerConfiguration: Codable, Sendable, Equatable {
    /// num_train_epochs.
    public var epochs: Int = 3
    /// learning_rate (peak, after warm-up).
    public var learningRate: Float = 5e-5
    /// per_device_train_batch_size.
    public var batchSize: Int = 32
    /// Tokens per example, special tokens included (longer texts are truncated, longest-first for pairs).
    public var maxLength: Int = 128
    /// warmup_ratio: fraction of all optimiser steps spent warming up linearly from 0.
    public var warmupRatio: Float = 0.1
    /// weight_decay (AdamW, decoupled; never on biases and LayerNorm weights).
    public var weightDecay: Float = 0.01
    /// lr_scheduler_type after warm-up.
    public var schedule: ScheduleKind = .linear
    /// max_grad_norm (nil: no clipping; the norm is still logged).
    public var maxGradNorm: Float? = 1
    /// seed: head initialisation, dropout masks and data order all derive from it.
    public var seed: UInt64 = 13
    /// Dev metric that picks the best epoch (metric_for_best_model).
    public var selectionMetric: SelectionMetric = .accuracy
    /// early_stopping_patience in epochs (nil: train all epochs).
    public var patience: Int? = nil
    /// Freeze the embeddings and the lowest N encoder layers.
    public var freezeLayers: Int = 0
    /// label_smoothing_factor.
    public var labelSmoothing: Float = 0
    /// Use only the first N labelled training examples (after the canonical split), for quick runs and CI
    /// (distillation's unlabelled texts are limited by `DistillationRecipe.unlabeledLimit`).
    public var limit: Int? = nil
    /// Write a checkpoint every N optimiser steps (and always at the end of each epoch); nil: only at epoch ends.
    public var checkpointEverySteps: Int? = 200
    /// Examples per evaluation forward pass (no gradients, so larger batches are fine).
    public var evalBatchSize: Int = 64
    /// Number format of the GEMMs (nil: fp32). bf16: master weights, gradients and AdamW stay fp32, every linear
    /// layer's GEMM (forward, dX, dW) rounds both operands to bfloat16 and sums in fp32 (PyTorch's bf16 autocast);
    /// attention, layer norm, softmax and the loss stay fp32. Optional so that older checkpoints still decode.
    public var precision: Precision? = nil
    /// Layer-wise learning-rate decay (ELECTRA / BEiT "layer_decay", as Sun et al. 2019 fine-tune BERT): the head
    /// and pooler train at `learningRate`, encoder layer l (0-based, of L) at `learningRate · decay^(L − l)`, the
    /// embeddings at `learningRate · decay^(L + 1)`. nil (or 1): one rate for all. Optional so that older
    /// checkpoints still decode.
    public var layerDecay: Float? = nil
    /// Task distillation's loss (`Loss.distillation`): temperature T and the weight alpha of the teacher's soft
    /// labels against the gold labels. nil: plain fine-tuning. Optional so that older checkpoints still decode.
    public var distillation: DistillationLoss? = nil
    /// LoRA: train low-rank adapters (and the head) on a frozen base; the run exports an adapter folder in peft's
    /// layout. nil: full fine-tuning. Optional so that older checkpoints still decode.
    public var lora: LoRAConfiguration? = nil

    public init() {}

    /// T and alpha of `Loss.distillation` (DistilBERT's defaults: T = 2, alpha = 0.5).
    public struct DistillationLoss: Codable, Sendable, Equatable {
        public var temperature: Float = 2
        public var alpha: Float = 0.5
        public init(temperature: Float = 2, alpha: Float = 0.5) {
            self.temperature = temperature
            self.alpha = alpha
        }
    }

    public enum ScheduleKind: String, Codable, Sendable, CaseIterable {
        case linear, cosine, constant
    }

    /// Optimiser steps per epoch for `trainCount` examples (the last batch may be short).
    public func stepsPerEpoch(trainCount: Int) -> Int { (trainCount + batchSize - 1) / batchSize }

    /// The LR schedule over the whole run, warm-up rounded up as HF (`math.ceil(total × warmup_ratio)`).
    public func lrSchedule(totalSteps: Int) -> LRSchedule {
        let warmup = Int((Float(totalSteps) * warmupRatio).rounded(.up))
        switch schedule {
        case .linear: return .linearWarmupDecay(warmup: warmup, total: totalSteps)
        case .cosine: return .cosine(warmup: warmup, total: totalSteps)
        case .constant: return .constant(warmup: warmup)
        }
    }

    /// Throws a clear error for values that cannot train.
    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws {
            if !ok { throw TrainingError.invalidHyperparameter(message) }
        }
        try check(epochs >= 1, "epochs must be ≥ 1, got \(epochs)")
        try check(learningRate > 0 && learningRate.isFinite, "learning rate must be positive, got \(learningRate)")
        try check(batchSize >= 1, "batch size must be ≥ 1, got \(batchSize)")
        try check(maxLength >= 3, "max length must be ≥ 3 (room for [CLS] text [SEP]), got \(maxLength)")
        try check(warmupRatio >= 0 && warmupRatio <= 1, "warm-up ratio must be in [0, 1], got \(warmupRatio)")
        try check(weightDecay >= 0, "weight decay must be ≥ 0, got \(weightDecay)")
        try check(maxGradNorm.map { $0 > 0 } ?? true, "max gradient norm must be positive")
        try check(patience.map { $0 >= 1 } ?? true, "patience must be ≥ 1 epoch")
        try check(freezeLayers >= 0, "freeze layers must be ≥ 0, got \(freezeLayers)")
        try check(labelSmoothing >= 0 && labelSmoothing < 1, "label smoothing must be in [0, 1), got \(labelSmoothing)")
        try check(limit.map { $0 >= 1 } ?? true, "limit must be ≥ 1")
        try check(checkpointEverySteps.map { $0 >= 1 } ?? true, "checkpoint interval must be ≥ 1 step")
        try check(evalBatchSize >= 1, "evaluation batch size must be ≥ 1")
        try check(layerDecay.map { $0 > 0 && $0 <= 1 } ?? true, "layer decay must be in (0, 1], got \(layerDecay ?? 0)")
        if let d = distillation {
            try check(d.temperature > 0 && d.temperature.isFinite, "distillation temperature must be positive, got \(d.temperature)")
            try check(d.alpha >= 0 && d.alpha <= 1, "distillation alpha must be in [0, 1], got \(d.alpha)")
        }
        try lora?.validate()
        try check(lora == nil || freezeLayers == 0, "LoRA freezes the whole base model: drop --freeze-layers")
        try check(precision != .int8, "training runs in fp32 or bf16; int8 is for inference (--precision on classify)")
    }
}
