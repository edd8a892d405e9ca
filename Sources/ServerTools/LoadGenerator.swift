import Foundation
import NIOHTTP1
import SentimentCore

/// Closed-loop load against a server on loopback (`sentiment bench serve`): `concurrency` connections, each
/// sending `POST /v1/classify` back to back for `duration`. Bounded in time and connections; loopback only.
public struct LoadGenerator: Sendable {
    public var host = "127.0.0.1"
    public var port: Int
    public var textsPerRequest = 1
    public var model: String?

    public init(port: Int) { self.port = port }

    public struct Result: Sendable {
        public var concurrency: Int
        public var seconds: Double
        public var requests: Int
        public var texts: Int
        public var errors: Int
        /// Per-request latencies in milliseconds, sorted.
        public var latencies: [Double]
        /// Mean of the responses' `timing.batch_size` (texts per model call the request joined).
        public var meanBatchSize: Double

        public var requestsPerSecond: Double { Double(requests) / seconds }
        public var textsPerSecond: Double { Double(texts) / seconds }
        public func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return .nan }
            let rank = Int((p / 100 * Double(latencies.count)).rounded(.up)) - 1
            return latencies[min(max(rank, 0), latencies.count - 1)]
        }
    }

    /// Sentences of review-like text, cycled through so requests differ.
    static let sampleTexts = [
        "A wonderful film with a moving story and great acting.",
        "The plot was dull and the ending made no sense at all.",
        "I expected more, but it was fine for a rainy afternoon.",
        "Absolutely loved it; the soundtrack is brilliant.",
        "Two hours of my life I will never get back. Terrible.",
        "Not bad, not great: a solid, forgettable thriller.",
        "The cast is excellent, though the pacing drags in the middle.",
        "Worst sequel ever made, a boring mess from start to finish.",
    ]

    public func run(concurrency: Int, duration: Duration) async throws -> Result {
        precondition((1...1024).contains(concurrency), "concurrency must be 1...1024")
        precondition(duration <= .seconds(600), "at most 10 minutes per level")
        let bodies: [[UInt8]] = (0..<Self.sampleTexts.count).map { start in
            var request: [String: Any] = [
                "texts": (0..<textsPerRequest).map { Self.sampleTexts[(start + $0) % Self.sampleTexts.count] }
            ]
            if let model { request["model"] = model }
            return Array(try! JSONSerialization.data(withJSONObject: request))
        }
        let started = ContinuousClock.now
        let deadline = started + duration
        let (host, port) = (self.host, self.port)
        let perWorker = try await withThrowingTaskGroup(of: WorkerTally.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    try await LoopbackHTTPClient.withConnection(host: host, port: port) { connection in
                        var tally = WorkerTally()
                        var index = worker
                        while ContinuousClock.now < deadline {
                            let sent = ContinuousClock.now
                            let reply = try await connection.send(method: .POST, path: "/v1/classify", body: bodies[index % bodies.count])
                            tally.latencies.append((ContinuousClock.now - sent).seconds * 1000)
                            if reply.status == 200 {
                                tally.batchSizes += Self.batchSize(in: reply.body) ?? 0
                            } else {
                                tally.errors += 1
                            }
                            index += 1
                        }
                        return tally
                    }
                }
            }
            var all: [WorkerTally] = []
            for try await tally in group { all.append(tally) }
            return all
        }
        let seconds = (ContinuousClock.now - started).seconds
        let latencies = perWorker.flatMap(\.latencies).sorted()
        let errors = perWorker.reduce(0) { $0 + $1.errors }
        let succeeded = latencies.count - errors
        return Result(
            concurrency: concurrency, seconds: seconds, requests: latencies.count,
            texts: succeeded * textsPerRequest, errors: errors, latencies: latencies,
            meanBatchSize: succeeded > 0 ? Double(perWorker.reduce(0) { $0 + $1.batchSizes }) / Double(succeeded) : 0
        )
    }

    private struct WorkerTally: Sendable {
        var latencies: [Double] = []
        var errors = 0
        var batchSizes = 0
    }

    /// `"batch_size":N` from a response body, without a JSON parse per request (the client shares the CPU).
    static func batchSize(in body: [UInt8]) -> Int? {
        let key = Array(#""batch_size":"#.utf8)
        guard body.count > key.count else { return nil }
        var i = 0
        while i + key.count <= body.count {
            if body[i] == key[0] && Array(body[i..<(i + key.count)]) == key {
                var value = 0
                var j = i + key.count
                while j < body.count, (48...57).contains(body[j]) {
                    value = value * 10 + Int(body[j] - 48)
                    j += 1
                }
                return value
            }
            i += 1
        }
        return nil
    }
}
