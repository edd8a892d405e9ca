/// Everything `sentiment serve` can set. Defaults suit a 2-core machine and interactive use.
public struct ServerConfiguration: Sendable {
    /// Address to bind; `0.0.0.0` in a container, loopback by default.
    public var host: String = "127.0.0.1"
    /// Port to bind; 0 picks a free one (tests).
    public var port: Int = 8080
    public var batching = BatchingLimits()
    /// Largest request body accepted (413 beyond).
    public var maxBodyBytes: Int = 1 << 20
    /// Most texts in one request (422 beyond).
    public var maxTextsPerRequest: Int = 256
    /// Longest text, in Unicode code points (422 beyond).
    public var maxTextLength: Int = 10_000
    /// Largest `top_k` for fill-mask.
    public var maxFillMaskTopK: Int = 50
    /// Sent as the `Server` header.
    public var serverName: String = "sentiment"

    public init() {}
}
