import Foundation

/// What a fine-tuning run recorded beside the model it exported: `training_summary.json`, written by
/// SentimentTraining's `FineTuning.run` (its `FineTuningResult`), read here — below the trainer — by whoever needs
/// to know how a model folder was made: `compare` (training time), `triage` (the data set, for its dev split),
/// `models` (test metrics). Only those fields are decoded; the file holds more (hyperparameters, dev history,
/// sample logits, calibration), which `FineTuningResult` decodes in full.
public struct FineTuningRecord: Decodable, Sendable, Equatable {
    /// The file's name inside a model folder (the trainer writes it under this name).
    public static let fileName = "training_summary.json"

    /// The data the model was trained on: a catalog data set or a table file with its columns (the recipe's).
    public struct DataSource: Codable, Sendable, Equatable {
        /// Catalog data set name (e.g. "rotten-tomatoes", also "+"-joined) or a .csv/.tsv/.jsonl file path.
        public var data: String
        public var textColumn: String
        public var labelColumn: String
        public var pairColumn: String?
        /// Only these classes (e.g. the polar texts of three-class sets for a two-class model); nil: all.
        public var keepLabels: [String]?
        /// At most this many train texts from the named "+"-joined catalog parts (`Datasets.load`); nil: all.
        public var trainLimits: [String: Int]?

        public init(data: String, textColumn: String = "text", labelColumn: String = "label", pairColumn: String? = nil,
                    keepLabels: [String]? = nil, trainLimits: [String: Int]? = nil) {
            self.data = data
            self.textColumn = textColumn
            self.labelColumn = labelColumn
            self.pairColumn = pairColumn
            self.keepLabels = keepLabels
            self.trainLimits = trainLimits
        }

        /// The data set with its split: `data` as a file when one is there, else a catalog data set.
        public func load(cache: ArtifactCache = .default) throws -> Dataset {
            if FileManager.default.fileExists(atPath: data) {
                return try Datasets.load(file: URL(fileURLWithPath: data), textColumn: textColumn, labelColumn: labelColumn,
                                         pairColumn: pairColumn)
            }
            return try Datasets.load(data, cache: cache, keepLabels: keepLabels, trainLimits: trainLimits)
        }
    }

    /// Test metrics of the exported model (the trainer's `ClassificationMetrics`, as far as they are read here).
    public struct TestMetrics: Decodable, Sendable, Equatable {
        /// Texts in the test split.
        public var count: Int
        /// Share of them classified right, and the unweighted mean of the per-class F1 scores.
        public var accuracy: Double, macroF1: Double

        public init(count: Int, accuracy: Double, macroF1: Double) {
            (self.count, self.accuracy, self.macroF1) = (count, accuracy, macroF1)
        }
    }

    /// The recipe's data (`recipe` in the file).
    public var recipe: DataSource
    public var labels: [String]
    /// Seconds spent in training steps, evaluation excluded (`training.trainingSeconds`).
    public var trainingSeconds: Double
    /// Nil when the data had no test split.
    public var test: TestMetrics?

    public init(recipe: DataSource, labels: [String], trainingSeconds: Double, test: TestMetrics?) {
        self.recipe = recipe
        self.labels = labels
        self.trainingSeconds = trainingSeconds
        self.test = test
    }

    enum CodingKeys: String, CodingKey { case recipe, labels, training, test }
    enum TrainingKeys: String, CodingKey { case trainingSeconds }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        recipe = try container.decode(DataSource.self, forKey: .recipe)
        labels = try container.decode([String].self, forKey: .labels)
        trainingSeconds = try container.nestedContainer(keyedBy: TrainingKeys.self, forKey: .training)
            .decode(Double.self, forKey: .trainingSeconds)
        test = try container.decodeIfPresent(TestMetrics.self, forKey: .test)
    }

    /// The record in `folder`, nil when it has none (a baseline, a model trained elsewhere); a file that is there
    /// but cannot be read as one throws.
    public static func load(folder: URL) throws -> FineTuningRecord? {
        let url = folder.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try JSONDecoder().decode(FineTuningRecord.self, from: Data(contentsOf: url))
    }
}
