import ArgumentParser
import Foundation
import SentimentKit

/// The fine-tuning hyperparameters `train` and `distill` share; each given option overrides the recipe's value.
struct HyperparameterOptions: ParsableArguments {
    @Option(help: "Training epochs.") var epochs: Int?
    @Option(help: "Peak learning rate.") var lr: Float?
    @Option(help: "Examples per optimiser step.") var batchSize: Int?
    @Option(help: "Tokens per example (longer texts are truncated).") var maxLength: Int?
    @Option(help: "Fraction of the steps spent warming up the learning rate.") var warmup: Float?
    @Option(help: "AdamW weight decay (not on biases and LayerNorm).") var weightDecay: Float?
    @Option(help: "Learning-rate schedule after warm-up: linear, cosine, constant.") var schedule: String?
    @Option(help: "Seed for head initialisation, dropout and data order.") var seed: UInt64?
    @Option(help: "Stop after this many epochs without dev improvement.") var patience: Int?
    @Option(help: "Dev metric that picks the best epoch: accuracy, macro-f1, loss.") var metric: String?
    @Option(help: "Layer-wise learning-rate decay in (0, 1]: encoder layer l of L trains at lr·decay^(L−l), embeddings at lr·decay^(L+1).")
    var layerDecay: Float?
    @Option(help: "Freeze the embeddings and the lowest N encoder layers.") var freezeLayers: Int?
    @Option(help: "Use only the first N training examples (quick runs, CI).") var limit: Int?
    @Option(help: "Write a checkpoint every N steps (and after every epoch).") var checkpointEvery: Int?
    @Option(help: "Number format of the GEMMs: fp32, or bf16 (fp32 master weights and AdamW; AVX512_BF16).")
    var precision: Precision?
    @Flag(help: "LoRA: train rank-r adapters on a frozen base (and the head in full); exports an adapter folder in peft's layout.")
    var lora = false
    @Option(name: .customLong("lora-r"), help: "LoRA rank (default 8).") var loraRank: Int?
    @Option(help: "LoRA alpha: the update is scaled by alpha / r (default 16).") var loraAlpha: Float?
    @Option(help: "LoRA dropout on each adapter's input, in [0, 1) (default 0).") var loraDropout: Float?
    @Option(help: "LoRA targets, comma-separated: query, key, value, attention-output, intermediate, output; ffn; all (default query,value).")
    var loraTargets: String?

    func validate() throws {
        if !lora && (loraRank != nil || loraAlpha != nil || loraDropout != nil || loraTargets != nil) {
            throw ValidationError("--lora-r, --lora-alpha, --lora-dropout and --lora-targets need --lora")
        }
        if let loraTargets { _ = try LoRATarget.parse(loraTargets) }
        if let schedule, TrainerConfiguration.ScheduleKind(rawValue: schedule) == nil {
            throw ValidationError("--schedule must be one of linear, cosine, constant")
        }
        if let metric, SelectionMetric(rawValue: metric) == nil {
            throw ValidationError("--metric must be one of accuracy, macro-f1, loss")
        }
    }

    func apply(to c: inout TrainerConfiguration) {
        if let epochs { c.epochs = epochs }
        if let lr { c.learningRate = lr }
        if let batchSize { c.batchSize = batchSize }
        if let maxLength { c.maxLength = maxLength }
        if let warmup { c.warmupRatio = warmup }
        if let weightDecay { c.weightDecay = weightDecay }
        if let schedule { c.schedule = TrainerConfiguration.ScheduleKind(rawValue: schedule)! }
        if let seed { c.seed = seed }
        if let patience { c.patience = patience }
        if let metric { c.selectionMetric = SelectionMetric(rawValue: metric)! }
        if let layerDecay { c.layerDecay = layerDecay }
        if let freezeLayers { c.freezeLayers = freezeLayers }
        if let limit { c.limit = limit }
        if let checkpointEvery { c.checkpointEverySteps = checkpointEvery }
        if let precision { c.precision = precision == .fp32 ? nil : precision }
        if lora {
            var l = c.lora ?? LoRAConfiguration()
            if let loraRank { l.rank = loraRank }
            if let loraAlpha { l.alpha = loraAlpha }
            if let loraDropout { l.dropout = loraDropout }
            if let loraTargets, let targets = try? LoRATarget.parse(loraTargets) { l.targets = targets }
            c.lora = l
        }
    }

    static func warnAboutPrecision(_ c: TrainerConfiguration) {
        if c.precision == .bf16, KernelPath.default(for: .bf16) != .avx512 {
            stderr("note: this CPU has no AVX512_BF16: bf16 training runs our generic C kernel, slower than fp32 (BLAS)")
        }
    }
}

/// What `train` and `distill` print at the end.
enum TrainingReport {
    static func print(_ result: FineTuningResult, json: Bool) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            Swift.print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        func line(_ split: String, _ m: ClassificationMetrics?) -> String {
            guard let m else { return "\(split): (no examples)" }
            return String(format: "%@: accuracy %.2f %%, macro-F1 %.2f %%, loss %.4f (%d examples)",
                          split, 100 * m.accuracy, 100 * m.macroF1, m.loss ?? .nan, m.count)
        }
        Swift.print("model: \(result.model)")
        Swift.print(line("dev ", result.dev) + " — best epoch \(result.training.bestEpoch ?? 0) of \(result.training.epochsCompleted)")
        Swift.print(line("test", result.test))
        if let c = result.calibration {
            Swift.print(String(format: "calibration: temperature %.3f (fitted on dev); ECE dev %.4f → %.4f", c.temperature,
                               c.before.ece, c.after.ece)
                + (c.testAfter.map { String(format: ", test %.4f → %.4f", c.testBefore!.ece, $0.ece) } ?? ""))
        }
        Swift.print(String(format: "time: %.0f s wall (training %.0f s, %.1f examples/s)",
                           result.wallSeconds, result.training.trainingSeconds, result.training.examplesPerSecond))
    }
}
