/// One candidate for one `[MASK]` position, with Hugging Face fill-mask's field names and order: `score`, `token`,
/// `token_str`, `sequence`. The fill-mask pipeline returns these; the server sends them as they are.
public struct MaskPrediction: Codable, Sendable, Hashable {
    /// Softmax probability over the whole vocabulary (also with `targets`: HF ranks the targets' probabilities).
    public var score: Float
    /// Vocabulary id of the predicted token.
    public var token: Int
    /// The token as text, `tokenizer.decode([token])` (`token_str` in HF).
    public var tokenString: String
    /// The input with this mask filled (specials kept when the text has several masks, as HF does).
    public var sequence: String

    public init(score: Float, token: Int, tokenString: String, sequence: String) {
        self.score = score
        self.token = token
        self.tokenString = tokenString
        self.sequence = sequence
    }

    enum CodingKeys: String, CodingKey {
        case score, token, sequence
        case tokenString = "token_str"
    }
}
