import Foundation
import SentimentData
import SentimentModels
import SentimentTokenizers

/// A complete fine-tuning job as `sentiment train` and the default models describe it: which base model, which
/// data, which hyperparameters. Codable, so the exported folder records exactly how it was made.
public struct FineTuningRecipe: Codable, Sendable, Equatable {
    /// Catalog name (e.g. "all-MiniLM-L6-v2") or an HF folder path.
    public var base: String
    /// Catalog data set name (e.g. "rotten-tomatoes") or a .csv/.tsv/.jsonl file path.
    public var data: String
    /// Columns when `data` is a file (a pair column makes sentence-pair examples).
    public var textColumn: String = "text"
    public var labelColumn: String = "label"
    public var pairColumn: String? = nil
    /// Only these classes of the data (e.g. ["negative", "positive"]: the polar texts of three-class sets); nil: all.
    public var keepLabels: [String]? = nil
    /// At most this many train texts from the named "+"-joined catalog data sets (a hash-ordered sample); nil: all.
    public var trainLimits: [String: Int]? = nil
    public var configuration: TrainerConfiguration
    /// Task distillation: the teacher, its logits and unlabelled texts (`configuration.distillation` holds T and
    /// alpha). nil: plain fine-tuning.
    public var distillation: DistillationRecipe? = nil

    public init(base: String, data: String, configuration: TrainerConfiguration = TrainerConfiguration()) {
        self.base = base
        self.data = data
        self.configuration = configuration
    }

    /// The data and its columns, as the training record beside the model gives them to the layers below the trainer.
    public var dataSource: FineTuningRecord.DataSource {
        FineTuningRecord.DataSource(data: data, textColumn: textColumn, labelColumn: labelColumn, pairColumn: pairColumn,
                                    keepLabels: keepLabels, trainLimits: trainLimits)
    }
}

/// What a finished job measured; also written as `training_summary.json` (`FineTuningRecord.fileName`) into the
/// model folder, where SentimentData's `FineTuningRecord` reads the part the layers below the trainer need (`record`).
public struct FineTuningResult: Codable, Sendable, Equatable {
    public var recipe: FineTuningRecipe
    public var model: String
    public var labels: [String]
    public var trainExamples: Int
    /// Of `trainExamples`, the unlabelled texts learnt from the teacher alone (distillation; nil otherwise).
    public var unlabeledExamples: Int?
    public var training: TrainingSummary
    /// Best epoch's dev metrics and the same model's test metrics (nil when the data has no test split).
    public var dev: ClassificationMetrics
    public var test: ClassificationMetrics?
    /// Whole job: loading, tokenizing, training, evaluating, saving.
    public var wallSeconds: Double
    /// Logits of the final model for the first 8 test (else dev) texts, computed as one batch:
    /// `scripts/fixtures/trainer.py --check DIR` compares them with what transformers computes from the folder.
    public var sampleLogits: [SampleLogits]
    /// Temperature fitted on dev (also written as `calibration.json` into the model folder), with NLL and ECE before
    /// and after on dev and test. Optional so that older summaries still decode.
    public var calibration: ModelCalibration?

    public struct SampleLogits: Codable, Sendable, Equatable {
        public var text: String
        public var pair: String?
        public var logits: [Float]
    }

    /// What `FineTuningRecord.load` reads back from the file this result is written as.
    public var record: FineTuningRecord {
        FineTuningRecord(recipe: recipe.dataSource, labels: labels, trainingSeconds: training.trainingSeconds,
                         test: test.map { FineTuningRecord.TestMetrics(count: $0.count, accuracy: $0.accuracy, macroF1: $0.macroF1) })
    }
}

/// Runs fine-tuning jobs: resolve base and data, tokenize, train, evaluate on test, write the HF folder.
public enum FineTuning {
    /// Runs `recipe`, writing the model to `output` (an HF folder). `log` receives progress messages; the
    /// progress line goes to stderr when `showProgress`. `tokenizer` replaces the base folder's tokenizer (whose
    /// files are still the ones copied into the output). `saveTeacherLogits`: with a distillation recipe, write
    /// every teacher logit the run used there (`TeacherLogits`), e.g. to ship them with the recipe.
    @discardableResult
    public static func run(
        _ recipe: FineTuningRecipe, output: URL, resume: Bool = false, cache: ArtifactCache = .default,
        tokenizer: (any Tokenizer)? = nil, showProgress: Bool = true, saveTeacherLogits: URL? = nil,
        log: @escaping (String) -> Void = { _ in }
    ) throws -> FineTuningResult {
        let started = Date()
        let configuration = recipe.configuration
        try configuration.validate()
        let baseFolder = try resolveBase(recipe.base, cache: cache)
        let dataset = try loadData(recipe, cache: cache)
        guard dataset.labels.count >= 2 else { throw TrainerError.tooFewClasses(dataset.labels) }
        log("data \(dataset.name): \(dataset.train.count) train / \(dataset.dev.count) dev / \(dataset.test.count) test, "
            + "labels \(dataset.labels.joined(separator: ", "))")

        let tokenizer = try tokenizer ?? AutoTokenizer.load(folder: baseFolder)
        let trainTexts = configuration.limit.map { Array(dataset.train.prefix($0)) } ?? dataset.train
        var train = try encode(trainTexts, labels: dataset.labels, tokenizer: tokenizer, maxLength: configuration.maxLength, split: "train")
        var unlabeledCount: Int?
        if let distillation = recipe.distillation {
            guard recipe.pairColumn == nil else {
                throw TrainingError.invalidHyperparameter("distillation takes single texts; the recipe has a pair column")
            }
            guard configuration.distillation != nil else {
                throw TrainingError.invalidHyperparameter("a distillation recipe needs configuration.distillation (temperature, alpha)")
            }
            let unlabeled = try Distillation.unlabeledTexts(distillation, exclude: dataset, cache: cache)
            let teacher = try Distillation.teacherTable(
                distillation, texts: trainTexts.map(\.text) + unlabeled, labels: dataset.labels,
                maxLength: configuration.maxLength, cache: cache, saveTo: saveTeacherLogits, log: log)
            for i in train.indices { train[i].teacherLogits = teacher[trainTexts[i].text] }
            let unlabeledExamples = try encode(unlabeled.map { LabeledText(text: $0, label: dataset.labels[0]) }, labels: dataset.labels,
                                               tokenizer: tokenizer, maxLength: configuration.maxLength, split: "unlabeled")
            train += zip(unlabeled, unlabeledExamples).map { text, e in
                TrainingExample(ids: e.ids, typeIds: e.typeIds, label: -1, teacherLogits: teacher[text])
            }
            unlabeledCount = unlabeled.count
            log("distillation from \(distillation.teacher): T = \(configuration.distillation!.temperature), alpha = "
                + "\(configuration.distillation!.alpha); \(trainTexts.count) labelled + \(unlabeled.count) unlabelled texts")
        }
        let dev = try encode(dataset.dev, labels: dataset.labels, tokenizer: tokenizer, maxLength: configuration.maxLength, split: "dev")
        let test = try encode(dataset.test, labels: dataset.labels, tokenizer: tokenizer, maxLength: configuration.maxLength, split: "test")

        let model = try TrainableClassifier(folder: baseFolder, numLabels: dataset.labels.count, seed: configuration.seed,
                                            lora: configuration.lora)
        model.baseModelName = FileManager.default.fileExists(atPath: recipe.base) ? baseFolder.standardizedFileURL.path : recipe.base
        let trainer = try Trainer(model: model, labels: dataset.labels, train: train, dev: dev, configuration: configuration,
                                  tokenizerFolder: baseFolder, output: output)
        trainer.showProgress = showProgress
        trainer.log = log
        log("base \(baseFolder.path), \(model.parameters.trainableCount) trainable parameters; model → \(trainer.paths.model.path)")
        let summary = try trainer.run(resume: resume)

        // The trainer left the best epoch's weights in the model.
        let testEvaluation = test.isEmpty ? nil : try trainer.evaluate(test)
        // Temperature scaling on dev (never test), measured on both; written beside the exported model.
        let devLogits = try trainer.evaluate(dev).logits
        let calibration = try TemperatureScaling.calibrate(
            dev: (devLogits, dev.map(\.label)), test: testEvaluation.map { ($0.logits, test.map(\.label)) })
        try calibration.write(to: trainer.paths.model)
        log(String(format: "calibration: temperature %.3f fitted on dev; ECE dev %.4f → %.4f%@", calibration.temperature,
                   calibration.before.ece, calibration.after.ece,
                   calibration.testAfter.map { String(format: ", test %.4f → %.4f", calibration.testBefore!.ece, $0.ece) } ?? ""))
        // A batch of its own, so that a reload can reproduce these logits bitwise (see `Trainer.predict`).
        let (sampleTexts, sampleExamples) = test.isEmpty ? (dataset.dev, dev) : (dataset.test, test)
        let sampleLogits = try Trainer.predict(model, Array(sampleExamples.prefix(8)), batchSize: 8).logits
        var result = FineTuningResult(
            recipe: recipe, model: trainer.paths.model.path, labels: dataset.labels, trainExamples: train.count,
            unlabeledExamples: unlabeledCount,
            training: summary, dev: summary.bestDev ?? ClassificationMetrics(predictions: [], labels: [], numClasses: 0),
            test: testEvaluation?.metrics, wallSeconds: 0,
            sampleLogits: zip(sampleTexts, sampleLogits).map { .init(text: $0.text, pair: $0.textPair, logits: $1) },
            calibration: calibration)
        result.wallSeconds = Date().timeIntervalSince(started)
        // Record how the model was made next to it (each file written atomically; the folder itself is complete).
        try JSONEncoder.sorted.encode(result).write(to: trainer.paths.model.appendingPathComponent(FineTuningRecord.fileName), options: .atomic)
        try Data(contentsOf: trainer.paths.metricsLog).write(to: trainer.paths.model.appendingPathComponent("metrics.jsonl"), options: .atomic)
        // The checkpoint has served its purpose once the run is complete (it is 3× the model size).
        try? FileManager.default.removeItem(at: trainer.paths.checkpoint)
        return result
    }

    /// Fetches the recipe's base model and data set when they are catalog names not cached yet (a no-op for paths
    /// and for cached artifacts; offline once cached): a fresh machine can train at once.
    public static func fetchMissingArtifacts(
        of recipe: FineTuningRecipe, cache: ArtifactCache = .default, showsPipOutput: Bool = false,
        progress: (@Sendable (ArtifactFetcher.Event) -> Void)? = nil
    ) throws {
        let fetcher = ArtifactFetcher(cache: cache, showsPipOutput: showsPipOutput, progress: progress)
        let names = ([recipe.base, recipe.data] + (recipe.distillation?.unlabeled ?? [])).flatMap { name in
            FileManager.default.fileExists(atPath: name) ? [] : name.split(separator: "+").map(String.init)
        }
        for name in names {
            if let artifact = ArtifactCatalog.artifact(named: name) { try fetcher.fetch(artifact) }
        }
    }

    /// Computes (where the recipe's logits file lacks them) and writes the teacher's logits for every text a
    /// distillation recipe trains on — labelled train texts and unlabelled texts — without training; returns how many.
    @discardableResult
    public static func teacherLogits(for recipe: FineTuningRecipe, cache: ArtifactCache = .default, saveTo: URL,
                                     log: @escaping (String) -> Void = { _ in }) throws -> Int {
        guard let distillation = recipe.distillation else {
            throw TrainingError.invalidHyperparameter("the recipe distils from no teacher")
        }
        let dataset = try loadData(recipe, cache: cache)
        let trainTexts = recipe.configuration.limit.map { Array(dataset.train.prefix($0)) } ?? dataset.train
        let unlabeled = try Distillation.unlabeledTexts(distillation, exclude: dataset, cache: cache)
        return try Distillation.teacherTable(distillation, texts: trainTexts.map(\.text) + unlabeled, labels: dataset.labels,
                                             maxLength: recipe.configuration.maxLength, cache: cache, saveTo: saveTo, log: log).count
    }

    /// An HF folder path as given, else a cached catalog artifact.
    public static func resolveBase(_ base: String, cache: ArtifactCache) throws -> URL {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: base, isDirectory: &isDirectory), isDirectory.boolValue {
            return URL(fileURLWithPath: base)
        }
        return try cache.locate(base)
    }

    /// A table file with the recipe's columns when one is there, else a catalog data set (`FineTuningRecord.DataSource`).
    public static func loadData(_ recipe: FineTuningRecipe, cache: ArtifactCache) throws -> Dataset {
        try recipe.dataSource.load(cache: cache)
    }

    /// Tokenizes texts (pairs when `textPair` is set), truncating longest-first to `maxLength`, and maps labels by
    /// name to their index in `labels`. Runs on all cores; the result is in input order.
    public static func encode(
        _ texts: [LabeledText], labels: [String], tokenizer: any Tokenizer, maxLength: Int, split: String
    ) throws -> [TrainingExample] {
        let labelIDs = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        for t in texts where labelIDs[t.label] == nil { throw TrainerError.unknownLabel(t.label, split: split, known: labels) }
        let options = EncodingOptions(maxLength: maxLength, truncation: .longestFirst)
        let chunks = max(1, min(64, texts.count / 256))
        let results = ChunkResults<TrainingExample>(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let range = (texts.count * c / chunks)..<(texts.count * (c + 1) / chunks)
            results.set(c, Result {
                // One batch call per chunk: the tokenizer reuses its buffers (and BPE word cache) across the chunk.
                let encodings = try tokenizer.encodeBatch(pairs: range.map { (texts[$0].text, texts[$0].textPair) }, options: options)
                return zip(range, encodings).map { i, e in
                    TrainingExample(ids: e.ids, typeIds: e.typeIds, label: labelIDs[texts[i].label]!)
                }
            })
        }
        return try results.joined()
    }
}

/// Per-chunk results of a parallel loop (each chunk writes only its own slot).
final class ChunkResults<T>: @unchecked Sendable {
    private var slots: [Result<[T], Error>?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ result: Result<[T], Error>) { lock.lock(); slots[index] = result; lock.unlock() }
    func joined() throws -> [T] { try slots.flatMap { try $0!.get() } }
}
