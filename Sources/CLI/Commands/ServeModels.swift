import Foundation
import SentimentKit
import SentimentServer

// The real models behind `sentiment serve`: the pipelines of SentimentPipelines, adapted to the server's model
// protocols (SentimentServer depends on SentimentCore only, so the adapters live here, where both are imported).

/// Token shading for the page: `SentimentPipeline.tokenAttention` (last-layer attention from [CLS], mean over heads;
/// special tokens left out).
struct AttentionExplainer: TokenImportanceProvider {
    let pipeline: SentimentPipeline
    var method: String { SentimentPipeline.attentionMethod }

    func tokenImportance(_ texts: [String]) throws -> [[TokenWeight]] { try pipeline.tokenAttention(texts) }
}

/// `/v1/fill-mask` through `FillMaskPipeline.fill` (HF fill-mask: softmax over the vocabulary, top k per mask).
struct FillMaskAdapter: FillMaskModel {
    let pipeline: FillMaskPipeline
    var name: String { pipeline.name }
    var maskToken: String { pipeline.maskToken }

    func fillMask(_ texts: [String], topK: Int) throws -> [[[MaskPrediction]]] { try pipeline.fill(texts, topK: topK) }
}

/// `/v1/embed` through `EmbeddingPipeline.embed` (sentence-transformers pooling of the folder).
struct EmbedderAdapter: Embedder {
    let pipeline: EmbeddingPipeline
    var name: String { pipeline.name }
    var dimension: Int { pipeline.dimension }

    func embed(_ texts: [String]) throws -> [[Float]] { try pipeline.embed(texts) }
}

/// Which models `serve` loads, and how each NAME|DIR becomes a registry entry.
enum ServedModels {
    /// Served when no `--model` is given: the classifier (required), then the optional extras.
    static let defaultClassifier = ModelLocator.defaultClassifier
    static let optionalDefaults = ["sentiment-3class", ModelLocator.defaultFillMask, ModelLocator.defaultEmbedder]

    /// `requested` empty: sentiment-en (an error naming `sentiment setup` and `--demo` when it is not built: a
    /// server should become ready in seconds, not fine-tune for minutes in every replica), plus sentiment-3class,
    /// splade-tiny-mlm and all-MiniLM-L6-v2 where built / fetched (`note` says which are skipped and why).
    /// Otherwise exactly the models named; the first of each task is its default.
    static func registry(_ requested: [String], cache: ArtifactCache = .default,
                         note: (String) -> Void = { _ in }) throws -> ModelRegistry {
        var registry = ModelRegistry()
        guard requested.isEmpty else {
            for nameOrPath in requested { try add(nameOrPath, to: &registry, cache: cache) }
            return registry
        }
        if ModelLocator.needsBuild(defaultClassifier, cache: cache) {
            throw ServeError("""
                \(defaultClassifier) is not built yet (\(DefaultModels.folder(defaultClassifier, cache: cache).path)): \
                run `sentiment setup` once (fetches and fine-tunes; minutes on 2 cores), or serve other models with \
                --model NAME|DIR, or the demo models with --demo
                """)
        }
        try add(defaultClassifier, to: &registry, cache: cache)
        for name in optionalDefaults {
            do {
                try add(name, to: &registry, cache: cache)
            } catch PipelineError.modelNotBuilt {
                note("\(name) not served: not built (`sentiment setup --name \(name)`)")
            } catch let error as DataError {
                guard case .artifactMissing = error else { throw error }
                note("\(name) not served: not fetched (`sentiment fetch \(name)`)")
            }
        }
        return registry
    }

    /// Adds one NAME|DIR by what it is: a baseline → classifier; a BERT-family folder by its head: sequence
    /// classification → classifier with attention shading, masked LM → fill-mask, bare encoder → embedder.
    static func add(_ nameOrPath: String, to registry: inout ModelRegistry, cache: ArtifactCache = .default) throws {
        if let baseline = try BaselineModel.resolve(nameOrPath, cache: cache) {
            registry.add(classifier: baseline)
            return
        }
        let folder = try ModelLocator.folder(for: nameOrPath, cache: cache)
        let name = ModelLocator.displayName(nameOrPath, folder: folder)
        let model = try AutoModel.load(folder: folder)
        if model.classificationHead != nil {
            let pipeline = try SentimentPipeline(model: model, tokenizer: try AutoTokenizer.load(folder: folder),
                                                 name: name, folder: folder)
            registry.add(classifier: pipeline, explainer: AttentionExplainer(pipeline: pipeline))
        } else if model.maskedLMHead != nil {
            registry.add(fillMask: FillMaskAdapter(pipeline: try FillMaskPipeline(
                model: model, tokenizer: try AutoTokenizer.load(folder: folder), name: name)))
        } else {
            // The model loaded above (it has no head); the pipeline adds sentence_bert_config.json's max_seq_length.
            registry.add(embedder: EmbedderAdapter(pipeline: try EmbeddingPipeline(folder: folder, model: model, name: name)))
        }
    }
}
