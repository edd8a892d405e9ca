/// An error a model throws because of what it was given (an empty text, a text with no tokens, a text longer than
/// the model accepts), not because of the model or the machine. The server answers it with 422 and its code, and
/// only the request that sent the input fails; the CLI exits with 65 (bad input) instead of 69.
public protocol InputRejection: Error {
    /// A stable machine-readable code (e.g. `no_tokens`), or nil when this error is not the input's fault.
    var rejectionCode: String? { get }
    /// What is wrong, naming the text at fault `textName` (e.g. "texts[3]") where one text is.
    func rejectionMessage(textName: String) -> String
}
