import Foundation

/// Multi-threading for the Swift kernels (BLAS has its own pool: see `BLAS.threads`).
///
/// Work is split into contiguous chunks, one per worker, and run with `DispatchQueue.concurrentPerform`.
/// Small jobs stay on the calling thread: waking workers costs ~10 µs, more than a short loop.
/// Calls may nest (a kernel run inside a parallel loop over attention heads): GCD then simply runs the
/// inner chunks on the threads it has.
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
        // The closure runs on several threads at once; the caller guarantees its chunks are independent.
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: chunks) { index in
            let start = index * chunk
            body(start ..< min(count, start + chunk))
        }
    }

    /// Calls `body(i)` for every i in 0..<count on up to `threads` workers (balanced by GCD when all cores
    /// are used). Use for coarse tasks such as one attention head of one sequence.
    public static func forEach(count: Int, _ body: (Int) -> Void) {
        guard count > 0 else { return }
        let workers = min(threads, count)
        if workers <= 1 { for i in 0..<count { body(i) }; return }
        nonisolated(unsafe) let body = body
        if workers >= ProcessInfo.processInfo.activeProcessorCount {
            DispatchQueue.concurrentPerform(iterations: count) { body($0) }
        } else {
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for i in stride(from: worker, to: count, by: workers) { body(i) }
            }
        }
    }
}
