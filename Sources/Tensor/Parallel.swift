import CKernels
import Foundation

/// Multi-threading for the Swift kernels (BLAS has its own pool: see `BLAS.threads`).
///
/// Work is split into contiguous chunks, one per worker, and run on CKernels' fork-join pool of spinning workers
/// (`sk_pool_run`: a worker spins ~100 µs after its part before sleeping, so the ~50 short regions of a batch-1
/// forward do not each pay a thread wake-up). When the pool is taken (a second thread's loop, e.g. two server
/// requests, or a loop nested inside a part) the loop runs on `DispatchQueue.concurrentPerform` instead.
/// Small jobs stay on the calling thread.
public enum Parallel {
    private final class Setting: @unchecked Sendable {
        private let lock = NSLock()
        private var value = ProcessInfo.processInfo.activeProcessorCount
        var threads: Int {
            get { lock.lock(); defer { lock.unlock() }; return value }
            set { lock.lock(); value = max(1, newValue); lock.unlock() }
        }
    }
    private static let setting = Setting()

    /// Number of workers the kernels use (default: the active core count; 1 runs everything serially).
    public static var threads: Int {
        get { setting.threads }
        set { setting.threads = newValue }
    }

    /// Calls `body` on contiguous sub-ranges covering 0..<count, in parallel when there is enough work:
    /// at most `threads` chunks, none smaller than `minimumChunk` items (the last may be). Chunk starts are
    /// multiples of `alignment`, so SIMD loops see the same lane grouping whatever the thread count.
    public static func forEachChunk(
        count: Int, minimumChunk: Int = 1, alignment: Int = 1, _ body: (Range<Int>) -> Void
    ) {
        guard count > 0 else { return }
        let workers = min(threads, max(1, count / max(1, minimumChunk)))
        if workers <= 1 { body(0..<count); return }
        let perWorker = (count + workers - 1) / workers
        let chunk = (perWorker + alignment - 1) / alignment * alignment
        let chunks = (count + chunk - 1) / chunk
        run(parts: chunks) { index in
            let start = index * chunk
            body(start ..< min(count, start + chunk))
        }
    }

    /// `SENTIMENTKIT_POOL=0` runs every loop on GCD (for A/B comparisons of the pool).
    private static let usePool = ProcessInfo.processInfo.environment["SENTIMENTKIT_POOL"] != "0"

    /// Runs `part(i)` for i in 0..<parts at once, on the pool (or GCD when the pool is taken).
    private static func run(parts: Int, _ part: (Int) -> Void) {
        // The closure runs on several threads at once; the caller guarantees its parts are independent.
        nonisolated(unsafe) let part = part
        guard usePool else { DispatchQueue.concurrentPerform(iterations: parts) { part($0) }; return }
        let ran = withoutActuallyEscaping(part) { escaping -> Int32 in
            var closure = escaping
            return withUnsafeMutablePointer(to: &closure) { pointer in
                sk_pool_run(Int32(parts), { context, index in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(index))
                }, pointer)
            }
        }
        if ran == 0 { DispatchQueue.concurrentPerform(iterations: parts) { part($0) } }
    }

    /// Calls `body(i)` for every i in 0..<count on up to `threads` workers. Use for coarse tasks such as one
    /// attention head of one sequence.
    public static func forEach(count: Int, _ body: (Int) -> Void) {
        guard count > 0 else { return }
        let workers = min(threads, count)
        if workers <= 1 { for i in 0..<count { body(i) }; return }
        // Static round-robin: worker w runs items w, w + workers, ... (coarse items of similar cost).
        run(parts: workers) { worker in
            for i in stride(from: worker, to: count, by: workers) { body(i) }
        }
    }
}
