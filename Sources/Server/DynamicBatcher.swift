import Foundation
import SentimentCore

/// Why a batcher turned a request away.
public enum BatcherError: Error, Sendable, Equatable {
    /// The queue already holds `--max-queue` texts: shed load; the client should retry after the hint.
    case queueFull(retryAfterSeconds: Int)
    /// Graceful shutdown has begun: no new work is accepted (queued work still runs).
    case shuttingDown
    /// The model returned a different number of results than it was given texts.
    case wrongResultCount(expected: Int, got: Int)
}

/// A request failed because the model refused one of its inputs (or failed on it): `index` is the input's position
/// in the request, `underlying` what the model threw. Other requests of the same batch are not affected.
public struct BatchInputError: Error, CustomStringConvertible {
    public let index: Int
    public let underlying: any Error

    public var description: String { "input \(index): \(underlying)" }
}

/// When a batch is formed, and how much may wait.
public struct BatchingLimits: Sendable, Equatable {
    /// Most inputs (texts) per model call.
    public var maxBatch: Int
    /// How long the oldest queued input may wait for others to join its batch.
    public var maxWait: Duration
    /// Most inputs waiting at once, over all requests; beyond it requests get 503 (bounded memory).
    public var maxQueue: Int

    public init(maxBatch: Int = 32, maxWait: Duration = .milliseconds(5), maxQueue: Int = 1024) {
        self.maxBatch = max(1, maxBatch)
        self.maxWait = maxWait
        self.maxQueue = max(1, maxQueue)
    }
}

/// What one submitted request went through.
public struct BatchedResult<Output: Sendable>: Sendable {
    public var outputs: [Output]
    /// From submission until the first of its inputs entered a model call.
    public var queueTime: Duration
    /// Summed duration of the model calls its inputs were part of.
    public var inferenceTime: Duration
    /// The largest model call its inputs were part of (inputs from all requests in it).
    public var largestBatch: Int
}

/// Dynamic batching: requests from many concurrent callers are queued; one worker thread takes inputs in arrival
/// order and runs them through `process` together, up to `maxBatch` inputs, after waiting at most `maxWait` for the
/// oldest to be joined by others. Results are routed back to each caller. A request larger than `maxBatch` is
/// split across consecutive batches. The model runs on the worker thread, never on an event loop or the
/// cooperative pool (model calls block for milliseconds to seconds). When a model call of several inputs throws,
/// each input is run alone, so one bad text (say, only control characters) fails its own request, not the others
/// that shared its batch.
public final class DynamicBatcher<Input: Sendable, Output: Sendable>: @unchecked Sendable {
    // @unchecked: every mutable field below is guarded by `condition`.
    private final class Job {
        let inputs: [Input]
        var outputs: [Output?]
        var nextToSchedule = 0
        var remaining: Int
        let submitted: ContinuousClock.Instant
        var firstStarted: ContinuousClock.Instant?
        var inferenceTime: Duration = .zero
        var largestBatch = 0
        var failed = false
        let continuation: CheckedContinuation<BatchedResult<Output>, any Error>

        init(inputs: [Input], continuation: CheckedContinuation<BatchedResult<Output>, any Error>) {
            self.inputs = inputs
            self.outputs = Array(repeating: nil, count: inputs.count)
            self.remaining = inputs.count
            self.submitted = .now
            self.continuation = continuation
        }
    }

    public let name: String
    public let limits: BatchingLimits
    private let process: @Sendable ([Input]) throws -> [Output]
    private let metrics: BatchMetrics?

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var queuedInputs = 0 {
        didSet { metrics?.queueDepth.record(queuedInputs) }
    }
    private var stopping = false
    private var workerExited = false
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []
    private var lastBatchSeconds = 0.05
    private var throughput = ThroughputWindow()

    /// - Parameters:
    ///   - name: for the worker thread's name and logs.
    ///   - process: the model call; must return one output per input, in order.
    init(
        name: String, limits: BatchingLimits, metrics: BatchMetrics?,
        process: @escaping @Sendable ([Input]) throws -> [Output]
    ) {
        self.name = name
        self.limits = limits
        self.metrics = metrics
        self.process = process
        let thread = Thread { [self] in workerLoop() }
        thread.name = "batcher \(name)"
        thread.start()
    }

    /// A batcher without metrics (for library users and tests).
    public convenience init(
        name: String, limits: BatchingLimits, process: @escaping @Sendable ([Input]) throws -> [Output]
    ) {
        self.init(name: name, limits: limits, metrics: nil, process: process)
    }

    /// Inputs waiting for a batch right now.
    public var queueDepth: Int {
        condition.lock()
        defer { condition.unlock() }
        return queuedInputs
    }

    /// Inputs processed per second over the last `ThroughputWindow.seconds` seconds.
    public var textsPerSecond: Double {
        condition.lock()
        defer { condition.unlock() }
        return throughput.rate(at: .now)
    }

    /// Queue `inputs` and wait for their outputs. Throws `BatcherError.queueFull` at once when the queue is full.
    public func submit(_ inputs: [Input]) async throws -> BatchedResult<Output> {
        if inputs.isEmpty { return BatchedResult(outputs: [], queueTime: .zero, inferenceTime: .zero, largestBatch: 0) }
        return try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            if stopping {
                condition.unlock()
                continuation.resume(throwing: BatcherError.shuttingDown)
                return
            }
            if queuedInputs + inputs.count > limits.maxQueue {
                // Hint: time for the worker to clear what is queued, at the last batch's speed.
                let batches = Double(queuedInputs + limits.maxBatch - 1) / Double(limits.maxBatch)
                let retryAfter = Int((batches * lastBatchSeconds).rounded(.up))
                condition.unlock()
                metrics?.rejected.increment()
                continuation.resume(throwing: BatcherError.queueFull(retryAfterSeconds: min(max(retryAfter, 1), 60)))
                return
            }
            jobs.append(Job(inputs: inputs, continuation: continuation))
            queuedInputs += inputs.count
            condition.signal()
            condition.unlock()
        }
    }

    /// Stop accepting work, finish everything queued, then stop the worker thread.
    public func shutdown() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            condition.lock()
            stopping = true
            if workerExited {
                condition.unlock()
                waiter.resume()
                return
            }
            exitWaiters.append(waiter)
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Refresh the texts/s gauge (called when metrics are scraped, so an idle model decays to 0).
    func refreshThroughputGauge() {
        metrics?.textsPerSecond.record(textsPerSecond)
    }

    // MARK: worker

    private func workerLoop() {
        condition.lock()
        while true {
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty { break }  // stopping, and everything queued is done
            // Give the oldest input up to maxWait to be joined by others (a full batch goes at once).
            let waited = ContinuousClock.now - jobs[0].submitted
            let deadline = Date().addingTimeInterval(max(0, (limits.maxWait - waited).seconds))
            while queuedInputs < limits.maxBatch && !stopping {
                if !condition.wait(until: deadline) { break }
            }
            let (batch, slices) = takeBatch()
            condition.unlock()

            let started = ContinuousClock.now
            let results = run(batch)
            let elapsed = ContinuousClock.now - started

            condition.lock()
            lastBatchSeconds = max(elapsed.seconds, 0.001)
            throughput.add(batch.count, at: .now)
            metrics?.batchSize.record(batch.count)
            metrics?.batchDuration.recordNanoseconds(elapsed.nanoseconds)
            metrics?.texts.increment(by: batch.count)
            metrics?.textsPerSecond.record(throughput.rate(at: .now))
            let finished = deliver(results, slices: slices, started: started, elapsed: elapsed)
            condition.unlock()
            for (job, outcome) in finished { job.continuation.resume(with: outcome) }
            condition.lock()
        }
        workerExited = true
        let waiters = exitWaiters
        exitWaiters = []
        condition.unlock()
        for waiter in waiters { waiter.resume() }
    }

    /// Take up to maxBatch inputs in arrival order. Caller holds the lock.
    private func takeBatch() -> ([Input], [(Job, Range<Int>)]) {
        var batch: [Input] = []
        var slices: [(Job, Range<Int>)] = []
        while batch.count < limits.maxBatch, let job = jobs.first {
            let take = min(limits.maxBatch - batch.count, job.inputs.count - job.nextToSchedule)
            let range = job.nextToSchedule..<(job.nextToSchedule + take)
            batch.append(contentsOf: job.inputs[range])
            slices.append((job, range))
            job.nextToSchedule += take
            if job.nextToSchedule == job.inputs.count { jobs.removeFirst() }
        }
        queuedInputs -= batch.count
        return (batch, slices)
    }

    /// One result per input: the batch in one model call, or, when that throws, each input in a call of its own
    /// (isolating the input at fault; the rest still get their outputs).
    private func run(_ batch: [Input]) -> [Result<Output, any Error>] {
        func call(_ inputs: [Input]) -> Result<[Output], any Error> {
            Result { try process(inputs) }.flatMap { outputs in
                outputs.count == inputs.count
                    ? .success(outputs)
                    : .failure(BatcherError.wrongResultCount(expected: inputs.count, got: outputs.count))
            }
        }
        switch call(batch) {
        case .success(let outputs): return outputs.map { .success($0) }
        case .failure(let error) where batch.count == 1: return [.failure(error)]
        case .failure: return batch.map { input in call([input]).map { $0[0] } }
        }
    }

    /// Hand each job its part of the batch; return the jobs now complete (or failed). Caller holds the lock.
    private func deliver(
        _ results: [Result<Output, any Error>], slices: [(Job, Range<Int>)],
        started: ContinuousClock.Instant, elapsed: Duration
    ) -> [(Job, Result<BatchedResult<Output>, any Error>)] {
        var finished: [(Job, Result<BatchedResult<Output>, any Error>)] = []
        var offset = 0
        for (job, range) in slices {
            defer { offset += range.count }
            if job.failed { continue }
            // (position in the request, its result)
            let outcomes = zip(range, results[offset ..< offset + range.count])
            let failure = outcomes.lazy.compactMap { position, result -> BatchInputError? in
                guard case .failure(let error) = result else { return nil }
                return BatchInputError(index: position, underlying: error)
            }.first
            if let failure {
                // The whole request fails; drop any of its inputs still queued.
                job.failed = true
                let unscheduled = job.inputs.count - job.nextToSchedule
                if unscheduled > 0 {
                    jobs.removeAll { $0 === job }
                    queuedInputs -= unscheduled
                }
                finished.append((job, .failure(failure)))
                continue
            }
            for (position, result) in outcomes {
                if case .success(let output) = result { job.outputs[position] = output }
            }
            job.remaining -= range.count
            job.firstStarted = job.firstStarted ?? started
            job.inferenceTime += elapsed
            job.largestBatch = max(job.largestBatch, results.count)
            if job.remaining == 0 {
                let done = BatchedResult(
                    outputs: job.outputs.map { $0! }, queueTime: (job.firstStarted ?? started) - job.submitted,
                    inferenceTime: job.inferenceTime, largestBatch: job.largestBatch
                )
                finished.append((job, .success(done)))
            }
        }
        return finished
    }
}

/// Texts processed per second over the last `seconds` whole seconds (a ring of per-second counts).
struct ThroughputWindow {
    static let seconds = 10
    private var counts = Array(repeating: 0, count: seconds)
    private var stamps = Array(repeating: Int.min, count: seconds)
    private let origin = ContinuousClock.now

    private func second(_ instant: ContinuousClock.Instant) -> Int {
        Int((instant - origin).components.seconds)
    }

    mutating func add(_ count: Int, at instant: ContinuousClock.Instant) {
        let now = second(instant)
        let slot = now % Self.seconds
        if stamps[slot] != now {
            stamps[slot] = now
            counts[slot] = 0
        }
        counts[slot] += count
    }

    func rate(at instant: ContinuousClock.Instant) -> Double {
        let now = second(instant)
        var total = 0
        for slot in 0..<Self.seconds where stamps[slot] > now - Self.seconds { total += counts[slot] }
        return Double(total) / Double(Self.seconds)
    }
}
