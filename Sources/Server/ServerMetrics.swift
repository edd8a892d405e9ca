import Foundation
import Metrics
import Prometheus

/// The server's metrics, recorded through the swift-metrics API into a Prometheus registry owned by this server
/// (not the process-wide `MetricsSystem`, so several servers, e.g. in tests, never share counters).
/// `GET /metrics` serves `exposition()`.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Requests to a CPU model take milliseconds to seconds.
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        // Batch sizes are texts per model call: powers of two up to the largest sensible --max-batch.
        factory.valueHistogramBuckets = [Names.batchSize: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]]
        self.factory = factory
    }

    enum Names {
        static let requests = "http_requests_total"
        static let requestDuration = "http_request_duration_seconds"
        static let batchSize = "sentiment_batch_size"
        static let batchDuration = "sentiment_batch_duration_seconds"
        static let queueDepth = "sentiment_queue_depth"
        static let texts = "sentiment_texts_total"
        static let textsPerSecond = "sentiment_texts_per_second"
        static let rejected = "sentiment_rejected_total"
    }

    /// One finished HTTP request. `route` is the matched route pattern (bounded cardinality), never the raw path.
    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        Metrics.Counter(
            label: Names.requests, dimensions: [("route", route), ("method", method), ("status", String(status))],
            factory: factory
        ).increment()
        Metrics.Timer(label: Names.requestDuration, dimensions: [("route", route)], factory: factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    /// The handles one batcher (one model, one task) writes to.
    func batchMetrics(model: String, task: String) -> BatchMetrics {
        let dimensions = [("model", model), ("task", task)]
        return BatchMetrics(
            batchSize: Metrics.Recorder(label: Names.batchSize, dimensions: dimensions, aggregate: true, factory: factory),
            batchDuration: Metrics.Timer(label: Names.batchDuration, dimensions: dimensions, factory: factory),
            queueDepth: Metrics.Gauge(label: Names.queueDepth, dimensions: dimensions, factory: factory),
            texts: Metrics.Counter(label: Names.texts, dimensions: dimensions, factory: factory),
            textsPerSecond: Metrics.Gauge(label: Names.textsPerSecond, dimensions: dimensions, factory: factory),
            rejected: Metrics.Counter(label: Names.rejected, dimensions: dimensions, factory: factory)
        )
    }

    /// Prometheus text exposition format (version 0.0.4).
    public func exposition() -> String {
        registry.emitToString()
    }
}

/// Metric handles for one batcher.
struct BatchMetrics: Sendable {
    let batchSize: Metrics.Recorder
    let batchDuration: Metrics.Timer
    let queueDepth: Metrics.Gauge
    let texts: Metrics.Counter
    let textsPerSecond: Metrics.Gauge
    let rejected: Metrics.Counter
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    var milliseconds: Double { Double(nanoseconds) / 1e6 }
}
