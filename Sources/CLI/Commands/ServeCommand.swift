import ArgumentParser
import Foundation
import Logging
import SentimentKit
import SentimentServer
import SentimentServerTools

/// `sentiment serve`: the HTTP server (JSON API, /metrics, /openapi.json, the web page at /).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve models over HTTP with dynamic batching, Prometheus metrics and a web page.",
        discussion: """
            Routes: POST /v1/classify, /v1/fill-mask, /v1/embed; GET /v1/models, /healthz, /readyz, /metrics, \
            /openapi.json, and the page at /. SIGTERM or SIGINT drains in-flight requests, then exits.
            Models: without --model, sentiment-en (classification, with token shading from last-layer [CLS] \
            attention) — an error if it is not built yet (`sentiment setup`) — plus sentiment-3class, \
            splade-tiny-mlm (fill-mask) and all-MiniLM-L6-v2 (embed) where built or fetched. With --model, exactly \
            the models named, each served by what it is: a classifier (BERT-family or baseline folder), a masked \
            LM (fill-mask) or a bare encoder (embed); the first of each task is its default.
            """
    )

    @Option(help: "Address to bind (0.0.0.0 in a container).") var host = "127.0.0.1"
    @Option(help: "Port to bind.") var port = 8080
    @Option(help: PrecisionHelp.text) var precision: Precision = .fp32
    @Option(help: "Most texts per model call.") var maxBatch = 32
    @Option(help: "Longest wait, in milliseconds, for a batch to fill.") var maxWaitMs = 5.0
    @Option(help: "Most texts queued per model; beyond it requests get 503 with Retry-After.") var maxQueue = 1024
    @Option(help: "Largest request body in bytes (413 beyond).") var maxBodyBytes = 1 << 20
    @Option(help: "Most texts per request (422 beyond).") var maxTexts = 256
    @Option(help: "Longest text in Unicode code points (422 beyond).") var maxTextLength = 10_000
    @Option(help: "Log format: text or json (one JSON object per line).") var logFormat = "text"
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"
    @Option(help: "A model to serve, NAME or DIR (repeatable; default: sentiment-en and the optional extras).")
    var model: [String] = []
    @Flag(help: "Serve the deterministic demo models (word-list stand-ins; no downloads) instead of real ones.")
    var demo = false
    @Option(help: "Simulated time per demo model call, in milliseconds (to watch batching).") var demoDelayMs = 0.0

    func validate() throws {
        guard (1...65_535).contains(port) || port == 0 else { throw ValidationError("--port must be 0...65535") }
        guard maxBatch >= 1, maxQueue >= 1, maxTexts >= 1, maxTextLength >= 1, maxBodyBytes >= 1 else {
            throw ValidationError("--max-batch, --max-queue, --max-texts, --max-text-length, --max-body-bytes must be positive")
        }
        guard !(demo && !model.isEmpty) else { throw ValidationError("--demo and --model exclude each other") }
        guard maxWaitMs >= 0 else { throw ValidationError("--max-wait-ms must be >= 0") }
        guard maxTexts <= maxQueue else { throw ValidationError("--max-texts must not exceed --max-queue") }
        guard ["text", "json"].contains(logFormat) else { throw ValidationError("--log-format is text or json") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
    }

    func run() async throws {
        _ = try ServerResources.bundled()   // the page and openapi.json: a missing bundle stops here, before anything
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let json = logFormat == "json"
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.batching = BatchingLimits(
            maxBatch: maxBatch, maxWait: .microseconds(Int64(maxWaitMs * 1000)), maxQueue: maxQueue
        )
        configuration.maxBodyBytes = maxBodyBytes
        configuration.maxTextsPerRequest = maxTexts
        configuration.maxTextLength = maxTextLength
        let logger = Logger(label: "sentiment.server")
        let server = SentimentServer(configuration: configuration, logger: logger)

        // Listen at once (liveness), load models meanwhile; /readyz turns 200 once they are installed.
        let (demo, demoDelayMs, models, precision) = (self.demo, self.demoDelayMs, self.model, self.precision)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            group.addTask {
                let started = ContinuousClock.now
                let registry = try await Task.detached {
                    try Self.makeRegistry(demo: demo, demoDelayMs: demoDelayMs, models: models, precision: precision) { logger.notice("\($0)") }
                }.value
                server.host.install(registry)
                let names = registry.classifiers.keys.sorted() + registry.fillMaskModels.keys.sorted() + registry.embedders.keys.sorted()
                logger.info("models ready", metadata: [
                    "seconds": "\((ContinuousClock.now - started).components.seconds)", "models": "\(names.joined(separator: ","))",
                    "precision": "\(precision.rawValue)", "kernels": "\(KernelPath.default(for: precision).rawValue)",
                ])
            }
            // The loader finishes first; the server returns after a graceful shutdown. A loader error ends both.
            try await group.next()
            try await group.next()
        }
    }

    /// The models `serve` offers: the demo stand-ins; or exactly the models named, each by what it is
    /// (`ModelLocator.load`; the first of each task is its default); or the defaults (`loadServedDefaults`:
    /// sentiment-en, then the extras that are built or fetched, `note` naming those skipped). Serving never builds
    /// sentiment-en: a server should become ready in seconds, not fine-tune for minutes in every replica.
    static func makeRegistry(demo: Bool, demoDelayMs: Double, models: [String], cache: ArtifactCache = .default,
                             precision: Precision = .fp32, note: (String) -> Void = { _ in }) throws -> ModelRegistry {
        if demo { return .demo(delay: .microseconds(Int64(demoDelayMs * 1000))) }
        if !models.isEmpty {
            return ModelRegistry(try models.map { try ModelLocator.load($0, cache: cache, precision: precision) })
        }
        let required = ModelLocator.defaultClassifier
        if let base = ModelLocator.unfetchedBase(required, cache: cache) {
            throw ServeError("""
                \(required) loads onto \(base), which is not fetched yet: run `sentiment setup` once (or `sentiment \
                fetch \(base)`), or serve other models with --model NAME|DIR, or the demo models with --demo
                """)
        }
        if ModelLocator.needsBuild(required, cache: cache) {
            throw ServeError("""
                \(required) is not built yet (\(DefaultModelCatalog.folder(required, cache: cache).path)): \
                run `sentiment setup` once (fetches and fine-tunes; minutes on 2 cores), or serve other models with \
                --model NAME|DIR, or the demo models with --demo
                """)
        }
        return ModelRegistry(try ModelLocator.loadServedDefaults(cache: cache, precision: precision, note: note))
    }
}

struct ServeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
