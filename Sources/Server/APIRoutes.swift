import Foundation
import Hummingbird
import SentimentCore

/// The JSON API, probes, metrics, and the files of the resource bundle: the OpenAPI document and the page.
struct APIRoutes: Sendable {
    let host: ModelHost
    let configuration: ServerConfiguration
    let metrics: ServerMetrics

    var decoding: RequestDecoding { RequestDecoding(configuration: configuration) }

    /// Every route and its method (405 answers list them in `Allow`).
    static let methods: [String: String] = [
        "/v1/classify": "POST", "/v1/fill-mask": "POST", "/v1/embed": "POST", "/v1/models": "GET", "/healthz": "GET",
        "/readyz": "GET", "/metrics": "GET", "/openapi.json": "GET", "/": "GET", "/app.js": "GET", "/style.css": "GET",
    ]

    /// The page's files come from this origin only: no inline script or style, nothing from elsewhere.
    static let contentSecurityPolicy = "default-src 'self'; img-src 'self' data: blob:"

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/classify") { request, _ in try await classify(request) }
        router.post("/v1/fill-mask") { request, _ in try await fillMask(request) }
        router.post("/v1/embed") { request, _ in try await embed(request) }
        router.get("/v1/models") { _, _ in try Self.json(try listModels()) }
        router.get("/healthz") { _, _ in try Self.json(["status": "ok"]) }
        router.get("/readyz") { _, _ in
            guard host.isReady else { throw APIError.notReady() }
            return try Self.json(["status": "ready"])
        }
        router.get("/metrics") { _, _ in
            host.refreshThroughputGauges()
            return Self.text(metrics.exposition(), type: "text/plain; version=0.0.4; charset=utf-8")
        }
        for (route, _, _) in ServerResources.routes {
            router.get(RouterPath(route)) { _, _ in try Self.resource(route) }
        }
    }

    // MARK: routes

    func classify(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let (body, models, name) = try await read(ClassifyRequest.self, from: request, task: "classify", \.classify) {
            $0.defaultClassifier
        }
        let topK = body.topK ?? 1
        guard topK >= 1 else { throw APIError.unprocessable("invalid_top_k", "'top_k' must be at least 1, got \(topK).") }
        let explain = body.explain ?? false
        let batch = try await models.classify[name]!.submit(body.texts.map { ClassifyInput(text: $0, explain: explain) })
        let results = try batch.outputs.map { output in
            guard let best = output.scores.first else { throw APIError.internalError("model \(name) returned no scores") }
            return ClassifyResult(label: best.label, score: best.score, scores: Array(output.scores.prefix(topK)), tokens: output.tokens)
        }
        let explainer = explain ? models.registry.classifiers[name]?.explainer : nil
        return try Self.json(
            ClassifyResponse(
                model: name, results: results, importanceMethod: explainer?.method,
                timing: Self.timing(batch, since: started)
            )
        )
    }

    func fillMask(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let (body, models, name) = try await read(FillMaskRequest.self, from: request, task: "fill-mask", \.fillMask) {
            $0.defaultFillMask
        }
        let topK = body.topK ?? 5
        guard (1...configuration.maxFillMaskTopK).contains(topK) else {
            throw APIError.unprocessable(
                "invalid_top_k", "'top_k' must be between 1 and \(configuration.maxFillMaskTopK), got \(topK)."
            )
        }
        let maskToken = models.registry.fillMaskModels[name]!.maskToken
        if let index = body.texts.firstIndex(where: { !$0.contains(maskToken) }) {
            throw APIError.unprocessable("no_mask_token", "texts[\(index)] does not contain the mask token \(maskToken).")
        }
        let batch = try await models.fillMask[name]!.submit(body.texts.map { FillMaskInput(text: $0, topK: topK) })
        return try Self.json(FillMaskResponse(model: name, results: batch.outputs, timing: Self.timing(batch, since: started)))
    }

    func embed(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let (body, models, name) = try await read(EmbedRequest.self, from: request, task: "embed", \.embed) {
            $0.defaultEmbedder
        }
        let batch = try await models.embed[name]!.submit(body.texts)
        var vectors = batch.outputs
        if body.normalize ?? false {
            vectors = vectors.map { vector in
                let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
                return norm > 0 ? vector.map { $0 / norm } : vector
            }
        }
        let dimension = models.registry.embedders[name]!.dimension
        return try Self.json(
            EmbedResponse(model: name, dimension: dimension, embeddings: vectors, timing: Self.timing(batch, since: started))
        )
    }

    func listModels() throws -> ModelsResponse {
        let registry = try host.models().registry
        var models: [ModelInfo] = []
        for (id, entry) in registry.classifiers.sorted(by: { $0.key < $1.key }) {
            models.append(
                ModelInfo(
                    id: id, task: "classify", isDefault: id == registry.defaultClassifier, labels: entry.model.labels,
                    importanceMethod: entry.explainer?.method
                )
            )
        }
        for (id, model) in registry.fillMaskModels.sorted(by: { $0.key < $1.key }) {
            models.append(ModelInfo(id: id, task: "fill-mask", isDefault: id == registry.defaultFillMask, maskToken: model.maskToken))
        }
        for (id, model) in registry.embedders.sorted(by: { $0.key < $1.key }) {
            models.append(ModelInfo(id: id, task: "embed", isDefault: id == registry.defaultEmbedder, dimension: model.dimension))
        }
        return ModelsResponse(models: models)
    }

    // MARK: helpers

    /// What every model route does first: read and check the body (400/413/422), then find the model: the one
    /// named, or the task's default (404 when there is no such model; 503 before models are loaded).
    func read<Body: TextsRequest, Batcher>(
        _ type: Body.Type, from request: Request, task: String, _ batchers: KeyPath<ServingModels, [String: Batcher]>,
        default fallback: (ModelRegistry) -> String?
    ) async throws -> (Body, ServingModels, String) {
        let body = try await decoding.decode(Body.self, from: request)
        try decoding.validate(texts: body.texts)
        let models = try host.models()
        let available = models[keyPath: batchers]
        if let name = body.model ?? fallback(models.registry), available[name] != nil { return (body, models, name) }
        throw APIError.modelNotFound(body.model ?? "(default)", task: task, available: Array(available.keys))
    }

    static func timing<Output>(_ batch: BatchedResult<Output>, since started: ContinuousClock.Instant) -> Timing {
        Timing(
            totalMilliseconds: (ContinuousClock.now - started).milliseconds,
            queueMilliseconds: batch.queueTime.milliseconds,
            inferenceMilliseconds: batch.inferenceTime.milliseconds,
            batchSize: batch.largestBatch
        )
    }

    static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    /// A file of the resource bundle (the page's with its content security policy).
    static func resource(_ route: String) throws -> Response {
        let resources: ServerResources
        do {
            resources = try ServerResources.bundled()
        } catch {
            throw APIError.internalError("\(error)")
        }
        guard let file = resources.files[route] else { throw APIError.notFound(route) }
        var response = Response(status: .ok, headers: [.contentType: file.contentType], body: .init(byteBuffer: file.body))
        if file.contentType.hasPrefix("text/html") { response.headers[.contentSecurityPolicy] = contentSecurityPolicy }
        return response
    }

    static func text(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
