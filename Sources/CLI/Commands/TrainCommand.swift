import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment train`: fine-tune a BERT-family base model on a labelled data set, on CPU, into an HF folder.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fine-tune a base model (e.g. all-MiniLM-L6-v2) for text classification.",
        discussion: """
            Data: a catalog data set (rotten-tomatoes, crowdflower-tweets) or a .csv/.tsv/.jsonl file with a text \
            and a label column (labels by name, 2 or more classes; --pair-column makes sentence pairs).
            Output: an HF folder (config.json, model.safetensors, tokenizer files) at --out, or at \
            <models>/NAME with --name. With --name sentiment-en or sentiment-3class and no --base/--data, the \
            default model's recipe is used; any option given overrides it.
            Defaults: --epochs 3 --lr 5e-5 --batch-size 32 --max-length 128 --warmup 0.1 --weight-decay 0.01 --seed 13.
            """
    )

    @Option(help: "Base model: catalog name or HF folder.") var base: String?
    @Option(help: "Catalog data set name or a table file.") var data: String?
    @Option(help: "Text column of a data file.") var textColumn = "text"
    @Option(help: "Label column of a data file.") var labelColumn = "label"
    @Option(help: "Second text column of a data file (sentence pairs).") var pairColumn: String?

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

    @Option(help: "Output folder.") var out: String?
    @Option(help: "Model name: output goes to the models folder of the cache (e.g. sentiment-en).") var name: String?
    @Flag(help: "Continue an interrupted run from its last checkpoint (same options).") var resume = false
    @Flag(help: "No progress line.") var quiet = false
    @Flag(help: "Print the result as JSON.") var json = false

    func validate() throws {
        if out != nil && name != nil { throw ValidationError("give either --out or --name, not both") }
        if out == nil && name == nil { throw ValidationError("give --out DIR or --name NAME") }
        if let schedule, TrainerConfiguration.ScheduleKind(rawValue: schedule) == nil {
            throw ValidationError("--schedule must be one of linear, cosine, constant")
        }
        if let metric, SelectionMetric(rawValue: metric) == nil {
            throw ValidationError("--metric must be one of accuracy, macro-f1, loss")
        }
    }

    /// The recipe: a default model's when --name names one and --base/--data are absent, else the defaults,
    /// with every option given on the command line applied on top.
    func recipe() throws -> FineTuningRecipe {
        var recipe: FineTuningRecipe
        if let name, let known = DefaultModels.recipes[name], base == nil || data == nil {
            recipe = known
            if let base { recipe.base = base }
            if let data { recipe.data = data }
        } else {
            guard let base, let data else { throw ValidationError("give --base and --data (or --name of a default model)") }
            recipe = FineTuningRecipe(base: base, data: data)
        }
        if data != nil {
            recipe.textColumn = textColumn
            recipe.labelColumn = labelColumn
            recipe.pairColumn = pairColumn
        }
        var c = recipe.configuration
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
        if let freezeLayers { c.freezeLayers = freezeLayers }
        if let layerDecay { c.layerDecay = layerDecay }
        if let limit { c.limit = limit }
        if let checkpointEvery { c.checkpointEverySteps = checkpointEvery }
        if let precision { c.precision = precision == .fp32 ? nil : precision }
        recipe.configuration = c
        return recipe
    }

    func run() throws {
        let output = out.map { URL(fileURLWithPath: $0) } ?? DefaultModelCatalog.folder(name!)
        let recipe = try recipe()
        if recipe.configuration.precision == .bf16, KernelPath.default(for: .bf16) != .avx512 {
            stderr("note: this CPU has no AVX512_BF16: bf16 training runs our generic C kernel, slower than fp32 (BLAS)")
        }
        try FineTuning.fetchMissingArtifacts(of: recipe, showsPipOutput: FetchProgressPrinter.isTerminal,
                                             progress: FetchProgressPrinter.print)
        let result = try FineTuning.run(recipe, output: output, resume: resume, showProgress: !quiet, log: stderr)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        func line(_ split: String, _ m: ClassificationMetrics?) -> String {
            guard let m else { return "\(split): (no examples)" }
            return String(format: "%@: accuracy %.2f %%, macro-F1 %.2f %%, loss %.4f (%d examples)",
                          split, 100 * m.accuracy, 100 * m.macroF1, m.loss ?? .nan, m.count)
        }
        print("model: \(result.model)")
        print(line("dev ", result.dev) + " — best epoch \(result.training.bestEpoch ?? 0) of \(result.training.epochsCompleted)")
        print(line("test", result.test))
        print(String(format: "time: %.0f s wall (training %.0f s, %.1f examples/s)",
                     result.wallSeconds, result.training.trainingSeconds, result.training.examplesPerSecond))
    }
}
