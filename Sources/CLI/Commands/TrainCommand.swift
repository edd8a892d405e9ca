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
            <models>/NAME with --name; with --lora, an adapter folder in peft's layout (adapter_config.json, \
            adapter_model.safetensors) on the base. With --name of a default model (\(DefaultModelCatalog.names.joined(separator: ", "))) \
            and no --base/--data, its recipe is used; any option given overrides it.
            Defaults: --epochs 3 --lr 5e-5 --batch-size 32 --max-length 128 --warmup 0.1 --weight-decay 0.01 --seed 13.
            """
    )

    @Option(help: "Base model: catalog name or HF folder.") var base: String?
    @Option(help: "Catalog data set name or a table file.") var data: String?
    @Option(help: "Text column of a data file.") var textColumn = "text"
    @Option(help: "Label column of a data file.") var labelColumn = "label"
    @Option(help: "Second text column of a data file (sentence pairs).") var pairColumn: String?

    @OptionGroup(title: "Hyperparameters") var hyperparameters: HyperparameterOptions

    @Option(help: "Output folder (with --name: that recipe, written here instead of the models folder).") var out: String?
    @Option(help: "Model name: output goes to the models folder of the cache (e.g. sentiment-en).") var name: String?
    @Flag(help: "Continue an interrupted run from its last checkpoint (same options).") var resume = false
    @Flag(help: "No progress line.") var quiet = false
    @Flag(help: "Print the result as JSON.") var json = false

    func validate() throws {
        if out == nil && name == nil { throw ValidationError("give --out DIR or --name NAME") }
        if name.flatMap({ DefaultModels.recipes[$0] }) == nil && (base == nil || data == nil) {
            throw ValidationError("give --base and --data (or --name of a default model: \(DefaultModelCatalog.names.joined(separator: ", ")))")
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
        hyperparameters.apply(to: &recipe.configuration)
        return recipe
    }

    func run() throws {
        let output = out.map { URL(fileURLWithPath: $0) } ?? DefaultModelCatalog.folder(name!)
        let recipe = try recipe()
        HyperparameterOptions.warnAboutPrecision(recipe.configuration)
        try FineTuning.fetchMissingArtifacts(of: recipe, showsPipOutput: FetchProgressPrinter.isTerminal,
                                             progress: FetchProgressPrinter.print)
        let result = try FineTuning.run(recipe, output: output, resume: resume, showProgress: !quiet, log: stderr)
        try TrainingReport.print(result, json: json)
    }
}
