import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment distill`: a small student learns a large teacher's soft labels (task distillation).
struct DistillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "Distil a fine-tuned teacher (e.g. sentiment-en) into a smaller student (e.g. all-MiniLM-L6-v2).",
        discussion: """
            The student minimises, per text, alpha · T² · KL(softmax(teacher/T) ‖ softmax(student/T)) + (1 − alpha) · \
            cross-entropy with the gold label (DistilBERT / TinyBERT task distillation); unlabelled texts \
            (--unlabeled: a catalog data set's train split, or a table's text column; never a dev or test text) are \
            learnt from the teacher alone. The teacher's logits come from --logits (a file written by --save-logits) \
            and the teacher computes the rest, so a committed logits file lets the student train without the teacher. \
            With --name sentiment-en-fast and no --student/--data, its default recipe is used. \
            Every run also fits a temperature on dev (calibration.json), as train does.
            """
    )

    @Option(help: "Teacher: a default model name (sentiment-en) or an HF classifier folder.") var teacher: String?
    @Option(help: "Student base model: catalog name or HF folder.") var student: String?
    @Option(help: "Labelled data: catalog data set name or a table file.") var data: String?
    @Option(help: "Text column of a data file.") var textColumn = "text"
    @Option(help: "Label column of a data file.") var labelColumn = "label"
    @Option(help: "Unlabelled texts (repeatable): a catalog data set (its train split) or a table file with a text column.")
    var unlabeled: [String] = []
    @Option(help: "At most this many texts per --unlabeled source.") var unlabeledLimit: Int?
    @Option(help: "Distillation temperature T.") var temperature: Float?
    @Option(help: "Weight of the teacher's soft labels against the gold labels, in [0, 1].") var alpha: Float?
    @Option(help: "Teacher logits to start from (a --save-logits file, or bundled:NAME); none: compute all with the teacher.")
    var logits: String?
    @Option(help: "Write every teacher logit of the run to this file (float16, keyed by text hash).") var saveLogits: String?
    @Flag(help: "Only compute and --save-logits the teacher's logits; train nothing.") var logitsOnly = false
    @Option(help: "Number format of the teacher when it computes logits: fp32, bf16 or int8 (default: bf16 where the CPU has AVX512_BF16).")
    var teacherPrecision: Precision?

    @OptionGroup(title: "Hyperparameters") var hyperparameters: HyperparameterOptions

    @Option(help: "Output folder (with --name: that recipe, written here instead of the models folder).") var out: String?
    @Option(help: "Model name: output goes to the models folder of the cache (e.g. sentiment-en-fast).") var name: String?
    @Flag(help: "Continue an interrupted run from its last checkpoint (same options).") var resume = false
    @Flag(help: "No progress line.") var quiet = false
    @Flag(help: "Print the result as JSON.") var json = false

    func validate() throws {
        if out == nil && name == nil && !logitsOnly { throw ValidationError("give --out DIR or --name NAME") }
        if logitsOnly && saveLogits == nil { throw ValidationError("--logits-only needs --save-logits FILE") }
        if let temperature, !(temperature > 0) { throw ValidationError("--temperature must be positive") }
        if let alpha, !(0 ... 1).contains(alpha) { throw ValidationError("--alpha must be in [0, 1]") }
        if let unlabeledLimit, unlabeledLimit < 0 { throw ValidationError("--unlabeled-limit must not be negative") }
        let known = name.flatMap { DefaultModels.recipes[$0] }?.distillation != nil
        if !known && (teacher == nil || student == nil || data == nil) {
            throw ValidationError("give --teacher, --student and --data (or --name of a distilled default model: sentiment-en-fast)")
        }
    }

    /// A default model's distillation recipe when --name names one, else one from the options; options given
    /// override it.
    func recipe() throws -> FineTuningRecipe {
        var recipe: FineTuningRecipe
        if let name, let known = DefaultModels.recipes[name], known.distillation != nil, student == nil || data == nil {
            recipe = known
            if let student { recipe.base = student }
            if let data { recipe.data = data }
        } else {
            guard let student, let data, let teacher else {
                throw ValidationError("give --teacher, --student and --data (or --name of a distilled default model)")
            }
            recipe = FineTuningRecipe(base: student, data: data)
            recipe.distillation = DistillationRecipe(teacher: teacher)
            recipe.configuration.distillation = .init()
        }
        if data != nil {
            recipe.textColumn = textColumn
            recipe.labelColumn = labelColumn
        }
        if let teacher { recipe.distillation!.teacher = teacher }
        if !unlabeled.isEmpty { recipe.distillation!.unlabeled = unlabeled }
        if let unlabeledLimit { recipe.distillation!.unlabeledLimit = unlabeledLimit }
        if let logits { recipe.distillation!.logits = logits == "none" ? nil : logits }
        if let teacherPrecision { recipe.distillation!.teacherPrecision = teacherPrecision }
        if let temperature { recipe.configuration.distillation!.temperature = temperature }
        if let alpha { recipe.configuration.distillation!.alpha = alpha }
        hyperparameters.apply(to: &recipe.configuration)
        return recipe
    }

    func run() throws {
        let recipe = try recipe()
        HyperparameterOptions.warnAboutPrecision(recipe.configuration)
        try FineTuning.fetchMissingArtifacts(of: recipe, showsPipOutput: FetchProgressPrinter.isTerminal,
                                             progress: FetchProgressPrinter.print)
        let save = saveLogits.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath) }
        if logitsOnly {
            let count = try FineTuning.teacherLogits(for: recipe, saveTo: save!, log: stderr)
            print("teacher logits for \(count) texts → \(save!.path)")
            return
        }
        let output = out.map { URL(fileURLWithPath: $0) } ?? DefaultModelCatalog.folder(name!)
        let result = try FineTuning.run(recipe, output: output, resume: resume, showProgress: !quiet, saveTeacherLogits: save, log: stderr)
        try TrainingReport.print(result, json: json)
    }
}
