/// One token of a text with how much it mattered to a prediction: the sentiment pipeline's attention shading,
/// which the CLI prints and the web page draws.
public struct TokenWeight: Codable, Sendable, Hashable {
    /// The token as the tokenizer wrote it (e.g. `##ing`).
    public var token: String
    /// Offsets into the text in Unicode scalars (code points), end exclusive, like HF `offset_mapping`.
    public var start: Int
    public var end: Int
    /// Non-negative importance; only ratios within one text matter (for attention: a probability).
    public var weight: Float

    public init(token: String, start: Int, end: Int, weight: Float) {
        self.token = token
        self.start = start
        self.end = end
        self.weight = weight
    }
}
