/// Scratch memory for one forward pass over N packed tokens, allocated once and reused by every layer.
/// One per call, so concurrent calls on the same model never share it.
final class EncoderWorkspace {
    let hidden: UnsafeMutablePointer<Float>        // (N, C) the residual stream
    let qkv: UnsafeMutablePointer<Float>           // (N, 3C)
    let context: UnsafeMutablePointer<Float>       // (N, C) attention output before projection
    let scratch: UnsafeMutablePointer<Float>       // (N, C)
    let intermediate: UnsafeMutablePointer<Float>  // (N, I)
    private let memory: UnsafeMutableBufferPointer<Float>

    init(tokens n: Int, hidden c: Int, intermediate i: Int) {
        let sizes = [n * c, n * 3 * c, n * c, n * c, n * i]
        memory = .allocate(capacity: max(sizes.reduce(0, +), 1))
        memory.initialize(repeating: 0)
        var next = memory.baseAddress!
        func take(_ count: Int) -> UnsafeMutablePointer<Float> {
            defer { next += count }
            return next
        }
        hidden = take(sizes[0])
        qkv = take(sizes[1])
        context = take(sizes[2])
        scratch = take(sizes[3])
        intermediate = take(sizes[4])
    }

    deinit { memory.deallocate() }
}
