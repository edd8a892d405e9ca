import Foundation
import Logging
import SentimentCore
import SentimentServer
import SentimentServerTools
import XCTest

import enum SentimentPipelines.PipelineError

/// Wraps a classifier and records the size of every call it gets (to see batching from the model's side).
final class RecordingClassifier: TextClassifier, @unchecked Sendable {
    let inner: any TextClassifier
    private let lock = NSLock()
    private var sizes: [Int] = []

    init(_ inner: any TextClassifier) { self.inner = inner }

    var name: String { inner.name }
    var labels: [String] { inner.labels }
    var batchSizes: [Int] { lock.withLock { sizes } }

    func classify(_ texts: [String]) throws -> [[LabelScore]] {
        lock.withLock { sizes.append(texts.count) }
        return try inner.classify(texts)
    }
}

/// A classifier whose every call fails (500 path).
struct FailingClassifier: TextClassifier {
    struct Broken: Error {}
    let name = "broken"
    let labels = ["a", "b"]
    func classify(_ texts: [String]) throws -> [[LabelScore]] { throw Broken() }
}

/// The demo classifier, except that it refuses texts of control characters only, as the BERT pipelines do.
struct RefusingClassifier: TextClassifier {
    let name = "refusing"
    let labels = DemoKeywordClassifier().labels
    func classify(_ texts: [String]) throws -> [[LabelScore]] {
        if let index = texts.firstIndex(where: { $0.unicodeScalars.allSatisfy { $0.properties.generalCategory == .control } }) {
            throw PipelineError.noTokens(index: index)
        }
        return try DemoKeywordClassifier().classify(texts)
    }
}

/// Blocks every call until `open()`: lets a test hold the model busy and fill the queue deterministically.
final class GatedClassifier: TextClassifier, @unchecked Sendable {
    let name = "gated"
    let labels = ["negative", "positive"]
    private let entered = DispatchSemaphore(value: 0)
    private let gate = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var isOpen = false

    func classify(_ texts: [String]) throws -> [[LabelScore]] {
        entered.signal()
        if !lock.withLock({ isOpen }) {
            gate.wait()
            gate.signal()  // once open, stay open for every later call
        }
        return texts.map { _ in [LabelScore(label: "positive", score: 0.75), LabelScore(label: "negative", score: 0.25)] }
    }

    /// Wait (bounded: 10 s) until a call is inside the model; a model never called fails the test (a skip here
    /// would let the batching and error tests pass without exercising anything).
    func waitUntilEntered() async throws {
        let entered = self.entered
        let inside = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: entered.wait(timeout: .now() + 10) == .success) }
        }
        guard inside else { throw NeverCalled() }
    }

    struct NeverCalled: Error, CustomStringConvertible {
        var description: String { "the gated model was never called within 10 s" }
    }

    func open() {
        lock.withLock { isOpen = true }
        gate.signal()
    }
}

/// Quiet logs in tests unless SENTIMENT_TEST_LOGS is set.
let testLogger: Logger = {
    var logger = Logger(label: "test.server")
    logger.logLevel = ProcessInfo.processInfo.environment["SENTIMENT_TEST_LOGS"] == nil ? .critical : .debug
    return logger
}()

func makeServer(
    registry: ModelRegistry? = .demo(), configure: (inout ServerConfiguration) -> Void = { _ in }
) -> SentimentServer {
    var configuration = ServerConfiguration()
    configuration.port = 0
    configure(&configuration)
    let server = SentimentServer(configuration: configuration, logger: testLogger)
    if let registry { server.host.install(registry) }
    return server
}

extension HTTPConnection {
    func get(_ path: String) async throws -> HTTPReply { try await send(method: .GET, path: path) }
}

/// `{"error": {"code": ..., "message": ...}}` → (code, message).
func errorBody(_ reply: HTTPReply, file: StaticString = #filePath, line: UInt = #line) -> (code: String, message: String) {
    guard let error = reply.json?["error"] as? [String: Any], let code = error["code"] as? String,
        let message = error["message"] as? String
    else {
        XCTFail("not a JSON error body: \(reply.text)", file: file, line: line)
        return ("", "")
    }
    return (code, message)
}

/// Sum and count of a Prometheus histogram series whose line contains `filter`.
func histogramSumAndCount(_ exposition: String, name: String, filter: String) -> (sum: Double, count: Double) {
    var sum = 0.0, count = 0.0
    for line in exposition.split(separator: "\n") where line.contains(filter) {
        let parts = line.split(separator: " ")
        guard parts.count >= 2, let value = Double(parts[parts.count - 1]) else { continue }
        if line.hasPrefix(name + "_sum") { sum += value }
        if line.hasPrefix(name + "_count") { count += value }
    }
    return (sum, count)
}
