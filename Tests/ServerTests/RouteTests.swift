import Foundation
import SentimentCore
import SentimentServerTools
import XCTest

@testable import SentimentServer

/// Every route over real HTTP on 127.0.0.1, with exact expected values from the deterministic demo models.
final class RouteTests: XCTestCase {
    func testClassifyReturnsExactlyWhatTheModelReturns() async throws {
        let texts = ["I loved this wonderful film", "a terrible, boring mess", "The cinema is on Main Street", "not good"]
        let expected = try DemoKeywordClassifier().classify(texts)  // what the CLI prints for these texts
        let server = makeServer()
        try await server.withRunningServer { port in
            try await LoopbackHTTPClient.withConnection(port: port) { connection in
                let reply = try await connection.post("/v1/classify", json: ["texts": texts, "top_k": 3])
                XCTAssertEqual(reply.status, 200, reply.text)
                XCTAssertEqual(reply.headers["content-type"], "application/json; charset=utf-8")
                XCTAssertNotNil(reply.headers["x-request-id"])
                let body = try XCTUnwrap(reply.json)
                XCTAssertEqual(body["model"] as? String, "demo-sentiment")
                let results = try XCTUnwrap(body["results"] as? [[String: Any]])
                XCTAssertEqual(results.count, texts.count)
                var maxDelta: Float = 0
                for (result, scores) in zip(results, expected) {
                    XCTAssertEqual(result["label"] as? String, scores[0].label)
                    let returned = try XCTUnwrap(result["scores"] as? [[String: Any]])
                    XCTAssertEqual(returned.map { $0["label"] as? String }, scores.map(\.label))
                    for (r, s) in zip(returned, scores) {
                        // JSON carries the shortest decimal that round-trips a Float: exact.
                        let value = Float((r["score"] as! NSNumber).doubleValue)
                        maxDelta = max(maxDelta, abs(value - s.score))
                    }
                    XCTAssertNil(result["tokens"])
                }
                print("classify over HTTP vs direct call: max |Δscore| = \(maxDelta)")
                XCTAssertEqual(maxDelta, 0)
                XCTAssertEqual(results.map { $0["label"] as? String }, ["positive", "negative", "neutral", "negative"])
                let timing = try XCTUnwrap(body["timing"] as? [String: Any])
                XCTAssertGreaterThanOrEqual(timing["batch_size"] as? Int ?? 0, texts.count)
                XCTAssertGreaterThan((timing["total_ms"] as? Double) ?? 0, 0)

                // top_k defaults to 1; model may be named.
                let one = try await connection.post("/v1/classify", json: ["texts": ["great"], "model": "demo-sentiment"])
                let only = try XCTUnwrap((one.json?["results"] as? [[String: Any]])?.first)
                XCTAssertEqual((only["scores"] as? [Any])?.count, 1)
                XCTAssertEqual(only["label"] as? String, "positive")
            }
        }
    }

    func testExplainReturnsTokensWithCodePointOffsets() async throws {
        let text = "Ünïcode 🎬 film was awful"
        let server = makeServer()
        try await server.withRunningServer { port in
            let reply = try await LoopbackHTTPClient.withConnection(port: port) {
                try await $0.post("/v1/classify", json: ["texts": [text], "explain": true])
            }
            XCTAssertEqual(reply.status, 200, reply.text)
            let body = try XCTUnwrap(reply.json)
            XCTAssertEqual(body["importance_method"] as? String, DemoKeywordClassifier().method)
            let result = try XCTUnwrap((body["results"] as? [[String: Any]])?.first)
            let tokens = try XCTUnwrap(result["tokens"] as? [[String: Any]])
            let scalars = Array(text.unicodeScalars)
            let spans = tokens.map { token -> String in
                let (start, end) = (token["start"] as! Int, token["end"] as! Int)
                return String(String.UnicodeScalarView(scalars[start..<end]))
            }
            XCTAssertEqual(spans, ["Ünïcode", "film", "was", "awful"])
            let weights = tokens.map { Float(($0["weight"] as! NSNumber).doubleValue) }
            XCTAssertEqual(weights, [0.1, 0.1, 0.1, 2.1])
        }
    }

    func testFillMaskAndEmbed() async throws {
        let server = makeServer()
        try await server.withRunningServer { port in
            try await LoopbackHTTPClient.withConnection(port: port) { connection in
                let texts = ["The film was [MASK].", "A [MASK] and [MASK] day."]
                let expected = try DemoFillMask().fillMask(texts, topK: 2)
                let reply = try await connection.post("/v1/fill-mask", json: ["texts": texts, "top_k": 2])
                XCTAssertEqual(reply.status, 200, reply.text)
                let results = try XCTUnwrap(reply.json?["results"] as? [[[[String: Any]]]])
                XCTAssertEqual(results.map(\.count), [1, 2])  // masks per text
                for (perText, expectedText) in zip(results, expected) {
                    for (perMask, expectedMask) in zip(perText, expectedText) {
                        XCTAssertEqual(perMask.map { $0["token_str"] as? String }, expectedMask.map(\.tokenString))
                        XCTAssertEqual(perMask.map { $0["sequence"] as? String }, expectedMask.map(\.sequence))
                        XCTAssertEqual(perMask.map { $0["token"] as? Int }, expectedMask.map(\.token))
                    }
                }
                XCTAssertEqual(results[0][0][0]["sequence"] as? String, "The film was good.")

                let embedTexts = ["good film", "film good", "bad"]
                let vectors = try DemoEmbedder().embed(embedTexts)
                let embed = try await connection.post("/v1/embed", json: ["texts": embedTexts])
                XCTAssertEqual(embed.status, 200, embed.text)
                XCTAssertEqual(embed.json?["dimension"] as? Int, 16)
                let got = try XCTUnwrap(embed.json?["embeddings"] as? [[Double]])
                XCTAssertEqual(got.map { $0.map(Float.init) }, vectors)
                XCTAssertEqual(got[0], got[1])  // bag of words

                let normalized = try await connection.post("/v1/embed", json: ["texts": ["good film"], "normalize": true])
                let unit = try XCTUnwrap((normalized.json?["embeddings"] as? [[Double]])?.first)
                let norm = unit.reduce(0) { $0 + $1 * $1 }.squareRoot()
                print("normalized embedding: | ‖v‖ − 1 | = \(abs(norm - 1))")
                XCTAssertEqual(norm, 1, accuracy: 1e-6)
            }
        }
    }

    func testModelsHealthReadyMetricsOpenAPIAndPage() async throws {
        let server = makeServer()
        try await server.withRunningServer { port in
            try await LoopbackHTTPClient.withConnection(port: port) { connection in
                let models = try await connection.get("/v1/models")
                XCTAssertEqual(models.status, 200)
                let list = try XCTUnwrap(models.json?["models"] as? [[String: Any]])
                XCTAssertEqual(list.map { $0["id"] as? String }, ["demo-sentiment", "demo-fill-mask", "demo-embed"])
                XCTAssertEqual(list.map { $0["task"] as? String }, ["classify", "fill-mask", "embed"])
                XCTAssertEqual(list[0]["labels"] as? [String], ["negative", "neutral", "positive"])
                XCTAssertEqual(list[0]["default"] as? Bool, true)
                XCTAssertEqual(list[1]["mask_token"] as? String, "[MASK]")
                XCTAssertEqual(list[2]["dimension"] as? Int, 16)

                let health = try await connection.get("/healthz")
                XCTAssertEqual(health.status, 200)
                XCTAssertEqual(health.json?["status"] as? String, "ok")
                let ready = try await connection.get("/readyz")
                XCTAssertEqual(ready.status, 200)
                XCTAssertEqual(ready.json?["status"] as? String, "ready")

                _ = try await connection.post("/v1/classify", json: ["texts": ["fine"]])
                let metrics = try await connection.get("/metrics")
                XCTAssertEqual(metrics.status, 200)
                XCTAssertTrue(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") ?? false)
                for name in [
                    #"http_requests_total{route="/v1/classify",method="POST",status="200"} 1"#,
                    #"http_requests_total{route="/v1/models",method="GET",status="200"} 1"#,
                    #"http_request_duration_seconds_bucket{route="/v1/classify""#,
                    #"sentiment_batch_size_bucket{model="demo-sentiment",task="classify""#,
                    #"sentiment_queue_depth{model="demo-sentiment",task="classify"} 0"#,
                    #"sentiment_texts_total{model="demo-sentiment",task="classify"} 1"#,
                    #"sentiment_texts_per_second{model="demo-sentiment",task="classify"}"#,
                ] {
                    XCTAssertTrue(metrics.text.contains(name), "missing \(name) in\n\(metrics.text)")
                }

                let openapi = try await connection.get("/openapi.json")
                XCTAssertEqual(openapi.status, 200)
                XCTAssertEqual(openapi.headers["content-type"], "application/json; charset=utf-8")
                let paths = try XCTUnwrap(openapi.json?["paths"] as? [String: Any])
                XCTAssertEqual(
                    Set(paths.keys),
                    ["/v1/classify", "/v1/fill-mask", "/v1/embed", "/v1/models", "/healthz", "/readyz", "/metrics", "/openapi.json", "/",
                     "/app.js", "/style.css"]
                )
                XCTAssertEqual(openapi.json?["openapi"] as? String, "3.1.0")

                let page = try await connection.get("/")
                XCTAssertEqual(page.status, 200)
                XCTAssertEqual(page.headers["content-type"], "text/html; charset=utf-8")
                XCTAssertTrue(page.headers["content-security-policy"]?.contains("default-src 'self'") ?? false)
                XCTAssertFalse(page.headers["content-security-policy"]?.contains("unsafe-inline") ?? true, "no inline script or style")
                for id in ["id=\"text\"", "id=\"classify\"", "id=\"label\"", "id=\"file\"", "id=\"results\"", "id=\"download\"", "id=\"histogram\""] {
                    XCTAssertTrue(page.text.contains(id), "page lacks \(id)")
                }
                // Works offline: nothing is loaded from another origin; the script and style sheet are beside it.
                XCTAssertNil(page.text.range(of: #"(src|href)\s*=\s*["']?(https?:)?//"#, options: .regularExpression))
                XCTAssertNil(page.text.range(of: "<style|style=|<script>", options: .regularExpression), "nothing inline")
                XCTAssertTrue(page.text.contains(#"<script src="/app.js"></script>"#))
                XCTAssertTrue(page.text.contains(#"<link rel="stylesheet" href="/style.css">"#))
                let script = try await connection.get("/app.js")
                XCTAssertEqual(script.status, 200)
                XCTAssertEqual(script.headers["content-type"], "text/javascript; charset=utf-8")
                XCTAssertTrue(script.text.contains("async function classifyText()"))
                XCTAssertNil(script.text.range(of: #"https?://"#, options: .regularExpression))
                let style = try await connection.get("/style.css")
                XCTAssertEqual(style.status, 200)
                XCTAssertEqual(style.headers["content-type"], "text/css; charset=utf-8")
                XCTAssertTrue(style.text.contains("#confidence-bar"))
                XCTAssertNil(style.text.range(of: #"url\(|@import"#, options: .regularExpression))
                let wrongMethod = try await connection.send(method: .POST, path: "/app.js", body: [])
                XCTAssertEqual(wrongMethod.status, 405)
            }
        }
    }

    /// openapi.json is a file of the resource bundle: valid JSON, and it describes every route the server has, with its
    /// method (`APIRoutes.methods`, which also answers 405s).
    func testOpenAPIResourceIsValidJSONListingEveryRoute() throws {
        let resources = try ServerResources.bundled()
        let file = try XCTUnwrap(resources.files["/openapi.json"])
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(file.body.readableBytesView)) as? [String: Any])
        let paths = try XCTUnwrap(document["paths"] as? [String: [String: Any]])
        XCTAssertEqual(Set(paths.keys), Set(APIRoutes.methods.keys))
        for (route, method) in APIRoutes.methods {
            XCTAssertEqual(paths[route].map { Set($0.keys) }, [method.lowercased()], route)
        }
        // Every $ref points at a component that exists.
        let text = String(decoding: file.body.readableBytesView, as: UTF8.self)
        let components = try XCTUnwrap(document["components"] as? [String: [String: Any]])
        let refs = try NSRegularExpression(pattern: ##""\$ref":\s*"#/components/(\w+)/(\w+)""##)
        let matches = refs.matches(in: text, range: NSRange(text.startIndex..., in: text))
        XCTAssertFalse(matches.isEmpty)
        for match in matches {
            let kind = String(text[Range(match.range(at: 1), in: text)!]), name = String(text[Range(match.range(at: 2), in: text)!])
            XCTAssertNotNil(components[kind]?[name], "#/components/\(kind)/\(name)")
        }
        // The page's files are there too, served from the same bundle.
        XCTAssertEqual(Set(resources.files.keys), ["/", "/app.js", "/style.css", "/openapi.json"])
    }

    /// Without its resource bundle the server does not start: a typed error naming the path, not a crash.
    func testMissingResourceBundleIsAClearError() throws {
        let nowhere = FileManager.default.temporaryDirectory.appendingPathComponent("no-bundle-\(UUID().uuidString)")
        XCTAssertThrowsError(try ServerResources.load(bundleAt: nowhere)) { error in
            XCTAssertEqual(error as? ServerResourceError, .bundleMissing(nowhere.path))
            XCTAssertTrue(String(describing: error).contains("resource bundle"), "\(error)")
        }
        // A bundle folder without the files names the first one missing.
        try FileManager.default.createDirectory(at: nowhere, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: nowhere) }
        XCTAssertThrowsError(try ServerResources.load(bundleAt: nowhere)) { error in
            XCTAssertEqual(error as? ServerResourceError, .fileMissing("index.html", bundle: nowhere.path))
        }
    }

    func testReadinessWaitsForModels() async throws {
        let server = makeServer(registry: nil)
        try await server.withRunningServer { port in
            try await LoopbackHTTPClient.withConnection(port: port) { connection in
                let health = try await connection.get("/healthz")
                XCTAssertEqual(health.status, 200)
                let notReady = try await connection.get("/readyz")
                XCTAssertEqual(notReady.status, 503)
                XCTAssertEqual(errorBody(notReady).code, "not_ready")
                XCTAssertEqual(notReady.headers["retry-after"], "1")
                let early = try await connection.post("/v1/classify", json: ["texts": ["hi"]])
                XCTAssertEqual(early.status, 503)
                XCTAssertEqual(errorBody(early).code, "not_ready")

                server.host.install(.demo())
                let ready = try await connection.get("/readyz")
                XCTAssertEqual(ready.status, 200)
                let classified = try await connection.post("/v1/classify", json: ["texts": ["hi"]])
                XCTAssertEqual(classified.status, 200)
            }
        }
    }

    func testRequestIDIsEchoedOrGenerated() async throws {
        let server = makeServer()
        try await server.withRunningServer { port in
            try await LoopbackHTTPClient.withConnection(port: port) { connection in
                let mine = try await connection.send(method: .GET, path: "/healthz", headers: [("X-Request-ID", "abc-123")])
                XCTAssertEqual(mine.headers["x-request-id"], "abc-123")
                // Ids that could garble logs (spaces, quotes) or bloat them (over 128 bytes) are replaced.
                for hostile in [#"a b" c"#, String(repeating: "x", count: 129)] {
                    let reply = try await connection.send(method: .GET, path: "/healthz", headers: [("X-Request-ID", hostile)])
                    let generated = try XCTUnwrap(reply.headers["x-request-id"])
                    XCTAssertEqual(generated.count, 16)
                    XCTAssertTrue(generated.allSatisfy(\.isHexDigit))
                }
            }
        }
    }
}
