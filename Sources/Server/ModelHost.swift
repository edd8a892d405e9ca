import Logging
import SentimentCore
import ServiceLifecycle

/// Input of one text to a classifier batch.
struct ClassifyInput: Sendable {
    var text: String
    var explain: Bool
}

/// A classifier's answer for one text.
struct ClassifyOutput: Sendable {
    var scores: [LabelScore]
    var tokens: [TokenWeight]?
}

struct FillMaskInput: Sendable {
    var text: String
    var topK: Int
}

/// The models being served, each behind its own batcher (one worker thread per model).
struct ServingModels: Sendable {
    let registry: ModelRegistry
    let classify: [String: DynamicBatcher<ClassifyInput, ClassifyOutput>]
    let fillMask: [String: DynamicBatcher<FillMaskInput, [[MaskPrediction]]>]
    let embed: [String: DynamicBatcher<String, [Float]>]

    init(registry: ModelRegistry, limits: BatchingLimits, metrics: ServerMetrics) {
        self.registry = registry
        classify = registry.classifiers.mapValues { entry in
            DynamicBatcher(
                name: "classify \(entry.model.name)", limits: limits,
                metrics: metrics.batchMetrics(model: entry.model.name, task: "classify")
            ) { inputs in try Self.classify(inputs, with: entry) }
        }
        fillMask = registry.fillMaskModels.mapValues { model in
            DynamicBatcher(
                name: "fill-mask \(model.name)", limits: limits,
                metrics: metrics.batchMetrics(model: model.name, task: "fill-mask")
            ) { inputs in
                // One model call for the batch at the largest top_k asked; each request keeps its own top_k.
                let topK = inputs.map(\.topK).max() ?? 1
                let predictions = try model.fillMask(inputs.map(\.text), topK: topK)
                guard predictions.count == inputs.count else { return predictions }
                return zip(inputs, predictions).map { input, masks in masks.map { Array($0.prefix(input.topK)) } }
            }
        }
        embed = registry.embedders.mapValues { model in
            DynamicBatcher(
                name: "embed \(model.name)", limits: limits, metrics: metrics.batchMetrics(model: model.name, task: "embed")
            ) { texts in try model.embed(texts) }
        }
    }

    /// Classify the whole batch in one call; explain only the texts that asked for it.
    private static func classify(_ inputs: [ClassifyInput], with entry: ModelRegistry.Classifier) throws -> [ClassifyOutput] {
        let scores = try entry.model.classify(inputs.map(\.text))
        var outputs = scores.map { ClassifyOutput(scores: $0, tokens: nil) }
        let explained = inputs.indices.filter { inputs[$0].explain }
        if let explainer = entry.explainer, !explained.isEmpty, outputs.count == inputs.count {
            let weights = try explainer.tokenImportance(explained.map { inputs[$0].text })
            for (index, tokens) in zip(explained, weights) { outputs[index].tokens = tokens }
        }
        return outputs
    }

    var allBatchers: [any BatcherLifecycle] {
        Array(classify.values) as [any BatcherLifecycle] + Array(fillMask.values) + Array(embed.values)
    }
}

protocol BatcherLifecycle: Sendable {
    func shutdown() async
    func refreshThroughputGauge()
}

extension DynamicBatcher: BatcherLifecycle {}

/// Holds the served models once they are loaded: `/readyz` is 503 until `install` has run (model loading can take
/// a while; the server answers `/healthz` meanwhile). Stateless otherwise: replicas share nothing.
public final class ModelHost: Sendable {
    private let state: LockedBox<ServingModels?>
    private let limits: BatchingLimits
    let metrics: ServerMetrics

    public init(limits: BatchingLimits, metrics: ServerMetrics = ServerMetrics()) {
        self.state = LockedBox(nil)
        self.limits = limits
        self.metrics = metrics
    }

    /// Start serving `registry` (once; later calls are ignored and return false).
    @discardableResult
    public func install(_ registry: ModelRegistry) -> Bool {
        state.withLock { current in
            guard current == nil else { return false }
            current = ServingModels(registry: registry, limits: limits, metrics: metrics)
            return true
        }
    }

    public var isReady: Bool { state.withLock { $0 != nil } }

    /// The served models, or 503 not_ready.
    func models() throws -> ServingModels {
        guard let models = state.withLock({ $0 }) else { throw APIError.notReady() }
        return models
    }

    /// Finish all queued work and stop every batcher's thread.
    public func shutdown() async {
        guard let models = state.withLock({ $0 }) else { return }
        for batcher in models.allBatchers { await batcher.shutdown() }
    }

    func refreshThroughputGauges() {
        guard let models = state.withLock({ $0 }) else { return }
        for batcher in models.allBatchers { batcher.refreshThroughputGauge() }
    }
}

/// Runs alongside the HTTP server in the application's service group. The group stops services in reverse order,
/// so the server drains its in-flight requests first (their batches still run), then this drains the batchers.
struct ModelHostService: Service {
    let host: ModelHost
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        logger.info("draining model batchers")
        await host.shutdown()
        logger.info("model batchers stopped")
    }
}
