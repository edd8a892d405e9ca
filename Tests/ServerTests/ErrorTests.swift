import Foundation
import SentimentServer
import SentimentServerTools
import XCTest

/// Each error class, over HTTP: status, JSON `{"error": {"code", "message"}}`, and a message naming the problem.
final class ErrorTests: XCTestCase {
    func testMalformedBodiesAre400() async throws {
        let server = makeServer()
        try await server.withRunningServer { port in
            try await LoopbackHTTPClient.withConnection(port: port) { connection in
                let cases: [(body: [UInt8], code: String, mentions: String)] = [
                    (Array(#"{"texts": ["a",]"#.utf8), "invalid_json", "not valid JSON"),
                    ([], "invalid_json", "empty"),
                    (Array(#"{"texts": "just one"}"#.utf8), "invalid_request", "'texts'"),
                    (Array(#"{"texts": ["ok", 3]}"#.utf8), "invalid_request", "'texts[1]'"),
                    (Array(#"{"texts": ["ok"], "top_k": "two"}"#.utf8), "invalid_request", "'top_k'"),
                    (Array(#"{"text": ["ok"]}"#.utf8), "invalid_request", "Missing field 'texts'"),
                    (Array(#"["ok"]"#.utf8), "invalid_request", "the body"),
                    (Array(#"{"texts": ["caf"#.utf8) + [0xC3, 0x28] + Array(#""]}"#.utf8), "invalid_utf8", "UTF-8"),
                    (Array(#"{"texts": [""#.utf8) + [0xFF, 0xFE] + Array(#""]}"#.utf8), "invalid_utf8", "UTF-8"),
                ]
                for (body, code, mentions) in cases {
                    let reply = try await connection.send(method: .POST, path: "/v1/classify", body: body)
                    XCTAssertEqual(reply.status, 400, "\(String(decoding: body, as: UTF8.self)) → \(reply.text)")
                    XCTAssertEqual(reply.headers["content-type"], "application/json; charset=utf-8")
                    let error = errorBody(reply)
                    XCTAssertEqual(error.code, code, reply.text)
                    XCTAssertTrue(error.message.contains(mentions), "\(error.message) should mention \(mentions)")
                }
            }
        }
    }

    func testLimitsAre422WithWhichRule() async throws {
        let server = makeServer { configuration in
            configuration.maxTextsPerRequest = 4
            configuration.maxTextLength = 20
        }
        try await server.withRunningServer { port in
            try await LoopbackHTTPClient.withConnection(port: port) { connection in
                let cases: [(path: String, json: [String: Any], code: String, mentions: String)] = [
                    ("/v1/classify", ["texts": ["a", "b", "c", "d", "e"]], "too_many_texts", "limit is 4"),
                    ("/v1/classify", ["texts": ["fine", String(repeating: "é", count: 21)]], "text_too_long", "texts[1]"),
                    ("/v1/classify", ["texts": ["fine", "  \n"]], "empty_text", "texts[1]"),
                    ("/v1/classify", ["texts": [String]()], "empty_texts", "at least one"),
                    ("/v1/classify", ["texts": ["fine"], "top_k": 0], "invalid_top_k", "at least 1"),
                    ("/v1/fill-mask", ["texts": ["no mask here"]], "no_mask_token", "[MASK]"),
                    ("/v1/fill-mask", ["texts": ["a [MASK]"], "top_k": 500], "invalid_top_k", "between 1 and 50"),
                    ("/v1/embed", ["texts": ["x", ""]], "empty_text", "texts[1]"),
                ]
                for (path, json, code, mentions) in cases {
                    let reply = try await connection.post(path, json: json)
                    XCTAssertEqual(reply.status, 422, "\(path) \(json) → \(reply.text)")
                    let error = errorBody(reply)
                    XCTAssertEqual(error.code, code)
                    XCTAssertTrue(error.message.contains(mentions), "\(error.message) should mention \(mentions)")
                }
                // Exactly at the limits is fine: 4 texts, 20 code points (40 UTF-8 bytes).
                let atLimit = try await connection.post(
                    "/v1/classify", json: ["texts": ["a", "b", "c", String(repeating: "é", count: 20)]]
                )
                XCTAssertEqual(atLimit.status, 200, atLimit.text)
            }
        }
    }

    func testBodyTooLargeIs413() async throws {
        let server = makeServer { $0.maxBodyBytes = 1000 }
        try await server.withRunningServer { port in
            let big = Array(#"{"texts": [""#.utf8) + Array(repeating: UInt8(ascii: "a"), count: 2000) + Array(#""]}"#.utf8)
            let reply = try await LoopbackHTTPClient.send(port: port, method: .POST, path: "/v1/classify", body: big)
            XCTAssertEqual(reply.status, 413)
            let error = errorBody(reply)
            XCTAssertEqual(error.code, "body_too_large")
            XCTAssertTrue(error.message.contains("1000 bytes"))
            // The server is still fine afterwards.
            let small = try await LoopbackHTTPClient.withConnection(port: port) {
                try await $0.post("/v1/classify", json: ["texts": ["good"]])
            }
            XCTAssertEqual(small.status, 200)
        }
    }

    func testUnknownModelRouteAndMethod() async throws {
        let server = makeServer()
        try await server.withRunningServer { port in
            try await LoopbackHTTPClient.withConnection(port: port) { connection in
                let model = try await connection.post("/v1/classify", json: ["texts": ["x"], "model": "nope"])
                XCTAssertEqual(model.status, 404)
                XCTAssertEqual(errorBody(model).code, "model_not_found")
                XCTAssertTrue(errorBody(model).message.contains("demo-sentiment"))
                // A model of another task is not a classifier.
                let wrongTask = try await connection.post("/v1/classify", json: ["texts": ["x"], "model": "demo-embed"])
                XCTAssertEqual(wrongTask.status, 404)

                let route = try await connection.get("/v2/nothing")
                XCTAssertEqual(route.status, 404)
                XCTAssertEqual(errorBody(route).code, "not_found")

                let method = try await connection.get("/v1/classify")
                XCTAssertEqual(method.status, 405)
                XCTAssertEqual(errorBody(method).code, "method_not_allowed")
                XCTAssertEqual(method.headers["allow"], "POST")
                let delete = try await connection.send(method: .DELETE, path: "/metrics")
                XCTAssertEqual(delete.status, 405)
                XCTAssertEqual(delete.headers["allow"], "GET")

                let metrics = try await connection.get("/metrics")
                XCTAssertTrue(metrics.text.contains(#"http_requests_total{route="unmatched",method="GET",status="404"} 1"#), metrics.text)
                XCTAssertTrue(metrics.text.contains(#"http_requests_total{route="/v1/classify",method="POST",status="404"} 2"#))
            }
        }
    }

    func testModelFailureIs500AndServerKeepsServing() async throws {
        var registry = ModelRegistry()
        registry.add(classifier: FailingClassifier())
        registry.add(classifier: DemoKeywordClassifier(), isDefault: true)
        let server = makeServer(registry: registry)
        try await server.withRunningServer { port in
            try await LoopbackHTTPClient.withConnection(port: port) { connection in
                let failed = try await connection.post("/v1/classify", json: ["texts": ["x"], "model": "broken"])
                XCTAssertEqual(failed.status, 500)
                XCTAssertEqual(errorBody(failed).code, "internal")
                let fine = try await connection.post("/v1/classify", json: ["texts": ["great"]])
                XCTAssertEqual(fine.status, 200)
                XCTAssertEqual(fine.json?["model"] as? String, "demo-sentiment")
            }
        }
    }

    func testATextThePipelineRefusesIs422AndSparesTheRestOfItsBatch() async throws {
        // "\u{1}\u{2}" passes the server's checks (not empty) but has no tokens: the pipeline refuses it. Sent
        // together with good texts from other clients, it must fail only its own request, with 422 naming it.
        var registry = ModelRegistry()
        registry.add(classifier: RefusingClassifier())
        let server = makeServer(registry: registry) { configuration in
            configuration.batching = BatchingLimits(maxBatch: 16, maxWait: .seconds(1), maxQueue: 256)
        }
        try await server.withRunningServer { port in
            let bodies: [[String]] = [["a great film"], ["fine", "\u{1}\u{2}"], ["an awful film"]]
            let replies = try await withThrowingTaskGroup(of: (Int, HTTPReply).self) { group in
                for (index, texts) in bodies.enumerated() {
                    group.addTask {
                        (index, try await LoopbackHTTPClient.withConnection(port: port) {
                            try await $0.post("/v1/classify", json: ["texts": texts])
                        })
                    }
                }
                var all: [Int: HTTPReply] = [:]
                for try await (index, reply) in group { all[index] = reply }
                return all
            }
            for good in [replies[0], replies[2]] {
                XCTAssertEqual(good?.status, 200, good?.text ?? "")
                let batchSize = (good?.json?["timing"] as? [String: Any])?["batch_size"] as? Int
                XCTAssertEqual(batchSize, 4, "it shared a model call with the refused text")
            }
            let refused = try XCTUnwrap(replies[1])
            XCTAssertEqual(refused.status, 422, refused.text)
            XCTAssertEqual(errorBody(refused).code, "no_tokens")
            XCTAssertEqual(errorBody(refused).message, "texts[1] has no tokens (only whitespace or control characters).")
        }
    }

    func testFullQueueSheds503WithRetryAfter() async throws {
        // The model is held shut by a gate: one text inside it, four waiting (the queue's limit), then three more
        // must be refused at once with 503 + Retry-After; opening the gate serves the five.
        let gate = GatedClassifier()
        var registry = ModelRegistry()
        registry.add(classifier: gate)
        let server = makeServer(registry: registry) { configuration in
            configuration.batching = BatchingLimits(maxBatch: 1, maxWait: .zero, maxQueue: 4)
        }
        try await server.withRunningServer { port in
            let classify: @Sendable (Int) async throws -> HTTPReply = { index in
                try await LoopbackHTTPClient.withConnection(port: port) {
                    try await $0.post("/v1/classify", json: ["texts": ["good \(index)"]])
                }
            }
            defer { gate.open() }  // whatever fails below, never leave the server waiting on the model
            var admitted = [Task { try await classify(0) }]
            try await gate.waitUntilEntered()  // text 0 is in the model, so the queue is empty
            admitted += (1..<5).map { index in Task { try await classify(index) } }
            try await Self.waitForQueueDepth(4, port: port)
            for index in 5..<8 {
                let reply = try await classify(index)
                XCTAssertEqual(reply.status, 503, reply.text)
                XCTAssertEqual(errorBody(reply).code, "overloaded")
                XCTAssertGreaterThanOrEqual(Int(reply.headers["retry-after"] ?? "") ?? 0, 1)
            }
            gate.open()
            for task in admitted {
                let reply = try await task.value
                XCTAssertEqual(reply.status, 200, reply.text)
            }
            let metrics = try await LoopbackHTTPClient.send(port: port, path: "/metrics").text
            XCTAssertTrue(metrics.contains(#"sentiment_rejected_total{model="gated",task="classify"} 3"#), metrics)
            XCTAssertTrue(metrics.contains(#"http_requests_total{route="/v1/classify",method="POST",status="503"} 3"#))
        }
    }

    /// Poll /metrics until the gated model's queue holds `depth` texts (bounded: 10 s).
    private static func waitForQueueDepth(_ depth: Int, port: Int) async throws {
        let line = #"sentiment_queue_depth{model="gated",task="classify"} \#(depth)"#
        for _ in 0..<1000 {
            if try await LoopbackHTTPClient.send(port: port, path: "/metrics").text.contains(line) { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        let metrics = try await LoopbackHTTPClient.send(port: port, path: "/metrics").text
        struct QueueNeverFilled: Error { let metrics: [Substring] }
        throw QueueNeverFilled(metrics: metrics.split(separator: "\n").filter { $0.contains("gated") })  // stop: the gate opens
    }
}
