extension Duration {
    /// The duration in seconds as a Double (timings, rates, `Thread.sleep`).
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
