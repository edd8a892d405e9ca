import Foundation
import SentimentBaselines
import SentimentCore
import SentimentData

extension SentimentPipeline {
    /// `ModelResolver` source for `--model NAME|DIR` (evaluate, compare, classify): a classifier folder with
    /// config.json, or a built/catalog model name; nil when `nameOrPath` is none of these (so other sources may try).
    public static func resolve(_ nameOrPath: String, cache: ArtifactCache = .default) throws -> (any TextClassifier)? {
        let folder: URL
        do {
            folder = try ModelLocator.folder(for: nameOrPath, cache: cache)
        } catch PipelineError.unknownModel {
            return nil
        }
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path) else { return nil }
        return try SentimentPipeline(folder: folder, name: ModelLocator.displayName(nameOrPath, folder: folder))
    }
}

extension ModelLocator {
    /// Any classifier by NAME|DIR: a baseline folder or name (`baseline.json`), or a fine-tuned BERT-family folder.
    public static func classifier(_ nameOrPath: String, cache: ArtifactCache = .default) throws -> any TextClassifier {
        if let baseline = try BaselineModel.resolve(nameOrPath, cache: cache) { return baseline }
        return try SentimentPipeline.load(nameOrPath, cache: cache)
    }
}

extension TextClassifier {
    /// Classifies with pipeline options, whatever the classifier: `SentimentPipeline` applies all of them; other
    /// classifiers (baselines) give their scores, ranked and cut to `topK` (length options do not apply to them).
    public func classify(_ texts: [String], options: ClassificationOptions,
                         progress: ((Int) -> Void)? = nil) throws -> [Classification] {
        if let pipeline = self as? SentimentPipeline { return try pipeline.classify(texts, options: options, progress: progress) }
        try options.validate()
        guard !texts.isEmpty else { throw PipelineError.emptyInput }
        if let index = texts.firstIndex(where: { !$0.contains { !$0.isWhitespace } }) { throw PipelineError.emptyText(index: index) }
        var results: [Classification] = []
        results.reserveCapacity(texts.count)
        for slice in texts.batches(of: options.batchSize) {
            results += try classify(Array(slice)).map { Classification(scores: $0.ranked(topK: options.topK)) }
            progress?(results.count)
        }
        return results
    }
}
