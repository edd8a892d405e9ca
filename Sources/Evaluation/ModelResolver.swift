import SentimentCore

/// Turns what a user typed after `--model` (a folder path or a name) into a `TextClassifier`.
/// A chain of sources tried in order; the first that recognises the input wins. The CLI builds one with the
/// baseline source (`BaselineModel.resolve`); the BERT pipelines add their own sources (HF folders, catalog
/// names) with `adding(_:_:)` — the hook for every command that takes `--model`.
public struct ModelResolver: Sendable {
    /// Returns nil when the input is not this source's kind of model; throws when it is but cannot be loaded.
    public typealias Resolve = @Sendable (String) throws -> (any TextClassifier)?

    public struct Source: Sendable {
        public var description: String
        public var resolve: Resolve
    }

    public private(set) var sources: [Source]

    public init(sources: [Source] = []) { self.sources = sources }

    public func adding(_ description: String, _ resolve: @escaping Resolve) -> ModelResolver {
        ModelResolver(sources: sources + [Source(description: description, resolve: resolve)])
    }

    public func resolve(_ nameOrPath: String) throws -> any TextClassifier {
        for source in sources {
            if let model = try source.resolve(nameOrPath) { return model }
        }
        throw EvaluationError.unknownModel(nameOrPath, tried: sources.map(\.description))
    }
}
