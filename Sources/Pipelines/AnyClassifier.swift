import SentimentCore

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
