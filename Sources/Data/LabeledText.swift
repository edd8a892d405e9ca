/// One example of a labelled data set: a text, its class name, and an optional second text
/// (for sentence-pair tasks: BERT's `text_pair`, token type 1).
public struct LabeledText: Sendable, Hashable, Codable {
    public var text: String
    public var label: String
    public var textPair: String?

    public init(text: String, label: String, textPair: String? = nil) {
        self.text = text
        self.label = label
        self.textPair = textPair
    }
}
