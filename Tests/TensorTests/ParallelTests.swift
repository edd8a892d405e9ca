import CKernels
import Foundation
import XCTest

@testable import SentimentTensor

/// The fork-join pool (Sources/CKernels/pool.c) behind `Parallel`: every item runs exactly once, whatever the
/// thread count, nested calls and concurrent callers (which fall back to GCD) included.
final class ParallelTests: XCTestCase {
    override func tearDown() { Parallel.threads = ProcessInfo.processInfo.activeProcessorCount }

    /// A counter per item, bumped atomically enough for the test: each item is owned by one part.
    private final class Hits: @unchecked Sendable {
        var counts: [Int]
        init(_ n: Int) { counts = Array(repeating: 0, count: n) }
    }

    func testEveryChunkRunsOnceOnAnyThreadCount() {
        for threads in [1, 2, 3, 8] {
            Parallel.threads = threads
            for count in [1, 7, 100, 4096, 100_003] {
                let hits = Hits(count)
                hits.counts.withUnsafeMutableBufferPointer { buffer in
                    nonisolated(unsafe) let buffer = buffer
                    Parallel.forEachChunk(count: count, minimumChunk: 1) { range in
                        for i in range { buffer[i] += 1 }
                    }
                }
                XCTAssertEqual(hits.counts.min(), 1, "threads \(threads) count \(count)")
                XCTAssertEqual(hits.counts.max(), 1, "threads \(threads) count \(count)")
                let items = Hits(count)
                items.counts.withUnsafeMutableBufferPointer { buffer in
                    nonisolated(unsafe) let buffer = buffer
                    Parallel.forEach(count: count) { buffer[$0] += 1 }
                }
                XCTAssertEqual(items.counts.min(), 1); XCTAssertEqual(items.counts.max(), 1)
            }
        }
    }

    /// A loop inside a part cannot take the pool again: sk_pool_run answers 0 and Parallel runs it on GCD.
    func testNestedLoopsFallBackAndStillRunEverything() {
        Parallel.threads = 2
        let outer = 6, inner = 1000
        let hits = Hits(outer * inner)
        hits.counts.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let buffer = buffer
            Parallel.forEach(count: outer) { o in
                Parallel.forEachChunk(count: inner, minimumChunk: 1) { range in
                    for i in range { buffer[o * inner + i] += 1 }
                }
            }
        }
        XCTAssertEqual(hits.counts.min(), 1); XCTAssertEqual(hits.counts.max(), 1)
    }

    /// Two threads looping at once (two server requests): one gets the pool, the other GCD; both finish, exactly.
    func testConcurrentCallersBothComplete() {
        Parallel.threads = 2
        let callers = 4, count = 20_000, rounds = 50
        let hits = (0..<callers).map { _ in Hits(count) }
        DispatchQueue.concurrentPerform(iterations: callers) { c in
            hits[c].counts.withUnsafeMutableBufferPointer { buffer in
                nonisolated(unsafe) let buffer = buffer
                for _ in 0..<rounds {
                    Parallel.forEachChunk(count: count, minimumChunk: 1) { range in
                        for i in range { buffer[i] += 1 }
                    }
                }
            }
        }
        for c in 0..<callers {
            XCTAssertEqual(hits[c].counts.min(), rounds); XCTAssertEqual(hits[c].counts.max(), rounds)
        }
    }

    /// The C entry point itself: part indices 0..<parts each once; nested call refused; more parts than workers
    /// the pool can hold refused.
    func testPoolRunContract() {
        final class Box: @unchecked Sendable {
            var seen = [Int32](repeating: 0, count: 16)
            var nestedAnswer: Int32 = -1
        }
        let box = Box()
        let ran = withUnsafeMutablePointer(to: &box.seen) { pointer -> Int32 in
            sk_pool_run(16, { context, part in
                context!.assumingMemoryBound(to: [Int32].self).pointee[Int(part)] += 1
            }, pointer)
        }
        XCTAssertEqual(ran, 1)
        XCTAssertEqual(box.seen, [Int32](repeating: 1, count: 16))
        let unmanaged = Unmanaged.passUnretained(box).toOpaque()
        XCTAssertEqual(sk_pool_run(2, { context, part in
            let box = Unmanaged<Box>.fromOpaque(context!).takeUnretainedValue()
            if part == 0 { box.nestedAnswer = sk_pool_run(2, { _, _ in }, nil) }
        }, unmanaged), 1)
        XCTAssertEqual(box.nestedAnswer, 0, "a call from inside a part must be refused")
        XCTAssertEqual(sk_pool_run(1000, { _, _ in }, nil), 0, "more parts than the pool's workers")
    }
}
