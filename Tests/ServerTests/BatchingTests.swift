import Foundation
import SentimentCore
import SentimentServer
import SentimentServerTools
import ServiceLifecycle
import XCTest

/// Dynamic batching: merging, splitting, ordering, the wait bound, and what HTTP clients see.
final class BatchingTests: XCTestCase {
    /// Records every batch it is given; output = input * 10 (so routing mistakes show).
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var batches: [[Int]] = []
        var seen: [[Int]] { lock.withLock { batches } }
        func record(_ batch: [Int]) { lock.withLock { batches.append(batch) } }
    }

    func testConcurrentSubmissionsMergeAndResultsGoBackToTheirCaller() async throws {
        let recorder = Recorder()
        let batcher = DynamicBatcher<Int, Int>(
            name: "test", limits: BatchingLimits(maxBatch: 64, maxWait: .milliseconds(200), maxQueue: 1000)
        ) { batch in
            recorder.record(batch)
            return batch.map { $0 * 10 }
        }
        // 20 callers with 3 inputs each, all within the 200 ms window.
        let results = try await withThrowingTaskGroup(of: (Int, [Int]).self) { group in
            for caller in 0..<20 {
                group.addTask {
                    let inputs = [caller * 100, caller * 100 + 1, caller * 100 + 2]
                    return (caller, try await batcher.submit(inputs).outputs)
                }
            }
            var all: [Int: [Int]] = [:]
            for try await (caller, outputs) in group { all[caller] = outputs }
            return all
        }
        await batcher.shutdown()
        for caller in 0..<20 {
            XCTAssertEqual(results[caller], [caller * 1000, caller * 1000 + 10, caller * 1000 + 20])
        }
        let sizes = recorder.seen.map(\.count)
        print("20 concurrent callers × 3 inputs → model calls of sizes \(sizes)")
        XCTAssertEqual(sizes.reduce(0, +), 60)
        XCTAssertLessThan(sizes.count, 20, "concurrent requests must share model calls")
        XCTAssertGreaterThan(sizes.max() ?? 0, 3)
    }

    func testLargeRequestIsSplitAtMaxBatchInOrder() async throws {
        let recorder = Recorder()
        let batcher = DynamicBatcher<Int, Int>(
            name: "split", limits: BatchingLimits(maxBatch: 4, maxWait: .zero, maxQueue: 100)
        ) { batch in
            recorder.record(batch)
            return batch.map { -$0 }
        }
        let result = try await batcher.submit(Array(0..<10))
        await batcher.shutdown()
        XCTAssertEqual(result.outputs, (0..<10).map { -$0 })
        XCTAssertEqual(recorder.seen, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
        XCTAssertEqual(result.largestBatch, 4)
    }

    func testLoneRequestWaitsAtMostMaxWait() async throws {
        let batcher = DynamicBatcher<Int, Int>(
            name: "wait", limits: BatchingLimits(maxBatch: 32, maxWait: .milliseconds(50), maxQueue: 100)
        ) { $0 }
        let started = ContinuousClock.now
        let result = try await batcher.submit([1])
        let elapsed = ContinuousClock.now - started
        await batcher.shutdown()
        print("lone request: queue \(result.queueTime), total \(elapsed) (max wait 50 ms)")
        XCTAssertGreaterThanOrEqual(result.queueTime, .milliseconds(45))
        XCTAssertLessThan(elapsed, .milliseconds(1000))
    }

    func testFullBatchDoesNotWait() async throws {
        let batcher = DynamicBatcher<Int, Int>(
            name: "full", limits: BatchingLimits(maxBatch: 8, maxWait: .seconds(10), maxQueue: 100)
        ) { $0 }
        let started = ContinuousClock.now
        _ = try await batcher.submit(Array(0..<8))
        await batcher.shutdown()
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(2))
    }

    func testModelErrorFailsOnlyItsRequestsAndShutdownDrains() async throws {
        struct Boom: Error {}
        let batcher = DynamicBatcher<Int, Int>(
            name: "errors", limits: BatchingLimits(maxBatch: 2, maxWait: .zero, maxQueue: 100)
        ) { batch in
            if batch.contains(-1) { throw Boom() }
            Thread.sleep(forTimeInterval: 0.02)
            return batch
        }
        do {
            _ = try await batcher.submit([5, -1, 6, 7])
            XCTFail("expected the model error")
        } catch let error as BatchInputError {
            XCTAssertEqual(error.index, 1, "the failing input is named by its position in the request")
            XCTAssertTrue(error.underlying is Boom)
        }
        XCTAssertEqual(batcher.queueDepth, 0, "the failed request's unscheduled inputs are dropped")
        let afterFailure = try await batcher.submit([1, 2, 3])
        XCTAssertEqual(afterFailure.outputs, [1, 2, 3])

        // Queued work still completes after shutdown begins; new work is refused.
        let pending = Task { try await batcher.submit(Array(0..<6)) }
        var polls = 0
        while batcher.queueDepth == 0 && polls < 5000 {  // bounded: 5 s
            try await Task.sleep(for: .milliseconds(1))
            polls += 1
        }
        XCTAssertGreaterThan(batcher.queueDepth, 0, "work is queued when shutdown begins")
        await batcher.shutdown()
        let drained = try await pending.value
        XCTAssertEqual(drained.outputs, Array(0..<6))
        do {
            _ = try await batcher.submit([1])
            XCTFail("expected shuttingDown")
        } catch let error as BatcherError {
            XCTAssertEqual(error, .shuttingDown)
        }
    }

    func testABadInputFailsOnlyTheRequestThatSentItNotItsBatchmates() async throws {
        // Three requests are held until they share one model call; the call throws because of -1 (sent by the
        // second request): the batch is rerun input by input, so the first and third still get their outputs.
        struct Refused: Error {}
        let calls = RecordedCalls()
        let batcher = DynamicBatcher<Int, Int>(
            name: "isolate", limits: BatchingLimits(maxBatch: 16, maxWait: .seconds(5), maxQueue: 100)
        ) { batch in
            calls.append(batch)
            if batch.contains(-1) { throw Refused() }
            return batch.map { $0 * 10 }
        }
        let first = Task { try await batcher.submit([1, 2]) }
        let second = Task { try await batcher.submit([3, -1, 4]) }
        let third = Task { try await batcher.submit([5]) }
        // Wait until all six inputs are queued, then let the batch go by shutting down (queued work still runs).
        var polls = 0
        while batcher.queueDepth < 6 && polls < 5000 {
            try await Task.sleep(for: .milliseconds(1))
            polls += 1
        }
        await batcher.shutdown()
        let one = try await first.value, three = try await third.value
        XCTAssertEqual(one.outputs, [10, 20])
        XCTAssertEqual(three.outputs, [50])
        switch await second.result {
        case .success: XCTFail("the request with the bad input must fail")
        case .failure(let error):
            let failure = try XCTUnwrap(error as? BatchInputError)
            XCTAssertEqual(failure.index, 1)
            XCTAssertTrue(failure.underlying is Refused)
        }
        let seen = calls.all
        XCTAssertEqual(seen.first?.count, 6, "all three requests shared the first model call")
        XCTAssertEqual(seen.dropFirst().map(\.count), Array(repeating: 1, count: 6), "then each input alone")
        XCTAssertEqual(seen.dropFirst().flatMap { $0 }.sorted(), [-1, 1, 2, 3, 4, 5])
    }

    func testConcurrentHTTPRequestsShareModelCalls() async throws {
        // A model call takes 30 ms; 24 clients send one text each at once; batches may hold 16.
        let model = RecordingClassifier(DemoKeywordClassifier(delay: .milliseconds(30)))
        var registry = ModelRegistry()
        registry.add(classifier: model)
        let server = makeServer(registry: registry) { configuration in
            configuration.batching = BatchingLimits(maxBatch: 16, maxWait: .milliseconds(20), maxQueue: 256)
        }
        let texts = (0..<24).map { ["a great film \($0)", "an awful film \($0)", "a film \($0)"][$0 % 3] }
        let expected = try DemoKeywordClassifier().classify(texts).map { $0[0].label }
        try await server.withRunningServer { port in
            let replies = try await withThrowingTaskGroup(of: (Int, String, Int).self) { group in
                for (index, text) in texts.enumerated() {
                    group.addTask {
                        let reply = try await LoopbackHTTPClient.withConnection(port: port) {
                            try await $0.post("/v1/classify", json: ["texts": [text]])
                        }
                        XCTAssertEqual(reply.status, 200, reply.text)
                        let label = (reply.json?["results"] as? [[String: Any]])?.first?["label"] as? String ?? ""
                        let batchSize = (reply.json?["timing"] as? [String: Any])?["batch_size"] as? Int ?? 0
                        return (index, label, batchSize)
                    }
                }
                var all: [(Int, String, Int)] = []
                for try await reply in group { all.append(reply) }
                return all.sorted { $0.0 < $1.0 }
            }
            XCTAssertEqual(replies.map(\.1), expected, "each caller gets the answer for its own text")
            let metrics = try await LoopbackHTTPClient.send(port: port, path: "/metrics").text
            let (sum, count) = histogramSumAndCount(metrics, name: "sentiment_batch_size", filter: #"model="demo-sentiment""#)
            print("24 concurrent HTTP requests → model calls \(model.batchSizes); batch-size histogram sum \(sum) count \(count); largest batch seen by clients \(replies.map(\.2).max() ?? 0)")
            XCTAssertEqual(sum, 24)
            XCTAssertLessThan(count, 24)
            XCTAssertGreaterThan(sum / count, 1, "the batch-size histogram must show merged batches")
            XCTAssertGreaterThan(model.batchSizes.max() ?? 0, 1)
            // The first bucket (le=1) holds fewer observations than the total: some batches were larger.
            XCTAssertTrue(metrics.contains(#"sentiment_batch_size_count{model="demo-sentiment",task="classify"} \#(Int(count))"#))
        }
    }

    func testGracefulShutdownDrainsInFlightRequests() async throws {
        let gate = GatedClassifier()
        var registry = ModelRegistry()
        registry.add(classifier: gate)
        let server = makeServer(registry: registry)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let application = server.makeApplication { portContinuation.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [application], gracefulShutdownSignals: [], logger: testLogger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let next = await iterator.next()
            let port = try XCTUnwrap(next)
            let inFlight = Task {
                try await LoopbackHTTPClient.withConnection(port: port) {
                    try await $0.post("/v1/classify", json: ["texts": ["wonderful"]])
                }
            }
            defer { gate.open() }  // whatever fails below, never leave the server waiting on the model
            try await gate.waitUntilEntered()  // the request is now inside the model call
            await group.triggerGracefulShutdown()
            try await Task.sleep(for: .milliseconds(200))  // shutdown is under way while the model still works
            gate.open()
            let reply = try await inFlight.value
            XCTAssertEqual(reply.status, 200, "an in-flight request completes during shutdown")
            XCTAssertEqual((reply.json?["results"] as? [[String: Any]])?.first?["label"] as? String, "positive")
            try await tasks.waitForAll()
            // Nothing listens any more.
            do {
                _ = try await LoopbackHTTPClient.send(port: port, path: "/healthz")
                XCTFail("server still answering after shutdown")
            } catch {}
        }
    }
}

/// The batches a model was called with, in order.
private final class RecordedCalls: @unchecked Sendable {
    private let lock = NSLock()
    private var batches: [[Int]] = []
    func append(_ batch: [Int]) { lock.withLock { batches.append(batch) } }
    var all: [[Int]] { lock.withLock { batches } }
}
