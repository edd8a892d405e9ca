import Foundation
import SentimentCore
import SentimentData
import SentimentModels
import SentimentTokenizers

/// Text classification with a fine-tuned encoder, as HF `pipeline("sentiment-analysis")`: tokenize (truncating by
/// default), run the model in packed batches, turn logits into scores, rank the labels.
///
/// Immutable and `Sendable`: one instance may serve any number of threads. Conforms to `TextClassifier`, so
/// `evaluate`, `compare` and the server use it like any other classifier.
public final class SentimentPipeline: TextClassifier, Sendable {
    public let name: String
    public let labels: [String]
    public let model: EncoderModel
    public let tokenizer: any Tokenizer
    /// Where the model was loaded from, if from a folder.
    public let folder: URL?
    /// The function `functionToApply: nil` resolves to for this model (HF's rule).
    public let defaultFunction: ScoreFunction
    /// The folder's temperature scaling (`calibration.json`), applied to the logits before the score function
    /// unless `ClassificationOptions.calibrated` is false; nil when the model has none.
    public let calibration: ModelCalibration?
    let core: TokenizedModel

    /// Wraps a loaded classifier and its tokenizer. Throws when the model has no classification head, when its
    /// config lacks names for some outputs, or when the tokenizer's ids do not fit the model.
    public init(model: EncoderModel, tokenizer: any Tokenizer, name: String, folder: URL? = nil,
                calibration: ModelCalibration? = nil) throws {
        let place = folder?.path ?? name
        guard let head = model.classificationHead else {
            throw PipelineError.wrongModelKind(folder: place, expected: "sequence classification", found: model.architecture.rawValue)
        }
        guard (0..<head.numLabels).allSatisfy({ model.config.id2label[$0] != nil }) else {
            throw PipelineError.missingLabelNames(folder: place)
        }
        core = try TokenizedModel(model: model, tokenizer: tokenizer)
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
        self.folder = folder
        self.calibration = calibration
        labels = (0..<head.numLabels).map { model.config.id2label[$0]! }
        defaultFunction = ScoreFunction.huggingFaceDefault(problemType: model.config.problemType, numLabels: head.numLabels)
    }

    /// Loads an HF folder (config.json, model.safetensors, tokenizer files), the encoder in `precision`.
    /// A LoRA adapter folder loads onto its base (`ModelLocator.loadAdapter`), with the base's tokenizer.
    public convenience init(folder: URL, name: String? = nil, precision: Precision = .fp32, cache: ArtifactCache = .default) throws {
        let model: EncoderModel, tokenizerFolder: URL
        if LoRAAdapter.isAdapterFolder(folder) {
            (model, tokenizerFolder) = try ModelLocator.loadAdapter(folder, cache: cache, precision: precision)
        } else {
            (model, tokenizerFolder) = (try AutoModel.load(folder: folder, options: LoadOptions(precision: precision)), folder)
        }
        let tokenizer = try AutoTokenizer.load(folder: tokenizerFolder)
        try self.init(model: model, tokenizer: tokenizer, name: name ?? folder.lastPathComponent, folder: folder,
                      calibration: try ModelCalibration.load(folder: folder))
    }

    /// Loads by NAME|DIR (see `ModelLocator`); `sentiment-en` by default. A default model that is not built yet
    /// throws `PipelineError.modelNotBuilt` (build it with `DefaultModels.build`, as `sentiment classify` does).
    public static func load(_ nameOrPath: String = ModelLocator.defaultClassifier, cache: ArtifactCache = .default,
                            precision: Precision = .fp32) throws -> SentimentPipeline {
        let folder = try ModelLocator.folder(for: nameOrPath, cache: cache)
        return try SentimentPipeline(folder: folder, name: ModelLocator.displayName(nameOrPath, folder: folder),
                                     precision: precision, cache: cache)
    }

    /// Longest window the model accepts (tokens, specials included).
    public var maxLength: Int { core.maxLength }

    // MARK: - Classification

    /// Classifies one text.
    public func callAsFunction(_ text: String, options: ClassificationOptions = ClassificationOptions()) throws -> Classification {
        try classify([text], options: options)[0]
    }

    /// Classifies texts, in input order.
    public func callAsFunction(_ texts: [String], options: ClassificationOptions = ClassificationOptions()) throws -> [Classification] {
        try classify(texts, options: options)
    }

    /// Classifies texts, in input order. `progress`, if given, is called with the number of texts done so far.
    public func classify(_ texts: [String], options: ClassificationOptions,
                         progress: ((Int) -> Void)? = nil) throws -> [Classification] {
        try options.validate()
        let function = options.functionToApply ?? defaultFunction
        var results: [Classification] = []
        results.reserveCapacity(texts.count)
        let temperature = scoringTemperature(function, calibrated: options.calibrated)
        try forEachScored(texts, options: options, function: function, temperature: temperature,
                          progress: progress) { windowScores in
            let (scores, chunks) = Self.aggregate(windowScores, options.longText)
            let labelled = zip(labels, scores).map { LabelScore(label: $0, score: $1) }
            results.append(Classification(scores: labelled.ranked(topK: options.topK), chunks: chunks))
        }
        return results
    }

    /// The temperature `function`'s scores are computed at: the folder's fitted one when `calibrated` (never for raw
    /// logits, `.none`), else nil.
    func scoringTemperature(_ function: ScoreFunction, calibrated: Bool) -> Float? {
        calibrated && function != .none ? calibration.map { Float($0.temperature) } : nil
    }

    /// `TextClassifier`: every label's score (default function, truncation), best first.
    public func classify(_ texts: [String]) throws -> [[LabelScore]] {
        try classify(texts, options: ClassificationOptions(topK: nil)).map(\.scores)
    }

    /// Raw logits (B, numLabels) of each text's first window, truncated to `maxLength` (default: the model's).
    public func logits(_ texts: [String], maxLength: Int? = nil, batchSize: Int = 32) throws -> [[Float]] {
        var options = ClassificationOptions(topK: nil, functionToApply: ScoreFunction.none, batchSize: batchSize, maxLength: maxLength)
        options.longText = .truncate
        var rows: [[Float]] = []
        try forEachScored(texts, options: options, function: ScoreFunction.none, temperature: nil, progress: nil) {
            rows.append($0[0])
        }
        return rows
    }

    /// Tokenizes, runs the model batch by batch and hands each text's window scores (in label-id order) to `body`,
    /// in input order. Texts are encoded one batch at a time, so memory stays flat on big files.
    /// `temperature`: logits are divided by it before `function` (temperature scaling).
    private func forEachScored(_ texts: [String], options: ClassificationOptions, function: ScoreFunction,
                               temperature: Float?, progress: ((Int) -> Void)?,
                               _ body: ([[Float]]) throws -> Void) throws {
        guard !texts.isEmpty else { throw PipelineError.emptyInput }
        var stride: Int?
        if case .chunk(let s, _) = options.longText { stride = s }
        let limit = options.truncation || stride != nil ? (options.maxLength ?? core.maxLength) : nil
        var done = 0
        for slice in texts.batches(of: options.batchSize) {
            let encodings = try core.encode(Array(slice), firstIndex: slice.startIndex, maxLength: limit, stride: stride)
            // Every window of every text, flattened, in text order.
            let windows = stride == nil ? encodings : encodings.flatMap(\.windows)
            var scores: [[Float]] = []
            scores.reserveCapacity(windows.count)
            for part in windows.batches(of: options.batchSize) {
                let logits = try model.classify(try PackedBatch(encodings: Array(part)))   // (B, numLabels)
                let width = labels.count
                logits.withUnsafeBufferPointer { rows in
                    for b in 0..<part.count {
                        let row = Array(rows[b * width ..< (b + 1) * width])
                        scores.append(function.apply(row, temperature: temperature))
                    }
                }
            }
            var start = 0
            for encoding in encodings {
                let count = stride == nil ? 1 : encoding.overflowing.count + 1   // the text's windows
                try body(Array(scores[start ..< start + count]))
                start += count
            }
            done += slice.count
            progress?(done)
        }
    }

    /// One text's window scores → its scores and window count.
    static func aggregate(_ windows: [[Float]], _ strategy: LongTextStrategy) -> ([Float], Int) {
        guard windows.count > 1, case .chunk(_, let aggregation) = strategy else { return (windows[0], windows.count) }
        switch aggregation {
        case .mean:
            var sum = [Float](repeating: 0, count: windows[0].count)
            for window in windows { for i in sum.indices { sum[i] += window[i] } }
            return (sum.map { $0 / Float(windows.count) }, windows.count)
        case .maxConfidence:
            let best = windows.max { ($0.max() ?? 0) < ($1.max() ?? 0) }!
            return (best, windows.count)
        }
    }
}
