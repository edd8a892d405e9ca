import Foundation

/// Inference caches kept between calls of one model, so a forward reuses memory that is already mapped instead of
/// allocating (and page-faulting) a layer's worth of buffers every call. Each call takes a cache of its own, so
/// concurrent calls never share one. At most `limit` idle caches are kept, and a cache that served a batch of more
/// than `maxRetainedTokens` tokens is freed rather than kept (buffers never shrink).
package final class ActivationCachePool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [ActivationCache] = []
    private let limit: Int
    private let maxRetainedTokens: Int

    package init(limit: Int = 4, maxRetainedTokens: Int = 4096) {
        self.limit = limit
        self.maxRetainedTokens = maxRetainedTokens
    }

    /// Runs body with an inference cache (activations not kept; probabilities kept only if asked for).
    package func withCache<R>(keepsProbabilities: Bool = false, _ body: (ActivationCache) throws -> R) rethrows -> R {
        let cache = lock.withLock { idle.popLast() } ?? ActivationCache(keepsActivations: false)
        cache.keepsProbabilities = keepsProbabilities
        defer {
            if cache.layout.tokenCount <= maxRetainedTokens { lock.withLock { if idle.count < limit { idle.append(cache) } } }
        }
        return try body(cache)
    }
}
