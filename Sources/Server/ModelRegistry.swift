import SentimentCore

/// Maps model names to the models the server offers, per task. Build one (as `sentiment serve` does, from
/// `ModelLocator.load`'s `LoadedModel`s) and hand it to `SentimentServer`; the first model added for a task is its
/// default unless another says `isDefault`.
public struct ModelRegistry: Sendable {
    public struct Classifier: Sendable {
        public var model: any TextClassifier
        /// Token shading for the page and `"explain": true`; nil when the model cannot explain itself.
        public var explainer: (any TokenImportanceProvider)?
    }

    public private(set) var classifiers: [String: Classifier] = [:]
    public private(set) var fillMaskModels: [String: any FillMaskModel] = [:]
    public private(set) var embedders: [String: any Embedder] = [:]
    public private(set) var defaultClassifier: String?
    public private(set) var defaultFillMask: String?
    public private(set) var defaultEmbedder: String?

    public init() {}

    /// The registry of `models`, in order (the first of each task is its default).
    public init(_ models: [LoadedModel]) {
        for model in models { add(model) }
    }

    public var isEmpty: Bool { classifiers.isEmpty && fillMaskModels.isEmpty && embedders.isEmpty }

    /// Adds a model of any task, as its task's entry.
    public mutating func add(_ model: LoadedModel, isDefault: Bool = false) {
        switch model {
        case .classifier(let classifier, let explainer): add(classifier: classifier, explainer: explainer, isDefault: isDefault)
        case .fillMask(let model): add(fillMask: model, isDefault: isDefault)
        case .embedder(let model): add(embedder: model, isDefault: isDefault)
        }
    }

    public mutating func add(
        classifier: any TextClassifier, explainer: (any TokenImportanceProvider)? = nil, isDefault: Bool = false
    ) {
        classifiers[classifier.name] = Classifier(model: classifier, explainer: explainer)
        if isDefault || defaultClassifier == nil { defaultClassifier = classifier.name }
    }

    public mutating func add(fillMask model: any FillMaskModel, isDefault: Bool = false) {
        fillMaskModels[model.name] = model
        if isDefault || defaultFillMask == nil { defaultFillMask = model.name }
    }

    public mutating func add(embedder model: any Embedder, isDefault: Bool = false) {
        embedders[model.name] = model
        if isDefault || defaultEmbedder == nil { defaultEmbedder = model.name }
    }
}
