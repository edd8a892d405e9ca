/// A model loaded for one task, as `--model NAME|DIR` turns out to be: a classifier (with its token-importance
/// explainer when it has one), a masked LM, or a sentence embedder. `ModelLocator.load` (SentimentPipelines) makes
/// them; `sentiment serve` hands them to the server's `ModelRegistry`.
public enum LoadedModel: Sendable {
    case classifier(any TextClassifier, explainer: (any TokenImportanceProvider)?)
    case fillMask(any FillMaskModel)
    case embedder(any Embedder)

    /// The model's name (what the server lists and requests name).
    public var name: String {
        switch self {
        case .classifier(let model, _): model.name
        case .fillMask(let model): model.name
        case .embedder(let model): model.name
        }
    }
}
