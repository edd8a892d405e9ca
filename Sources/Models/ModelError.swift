/// Everything that can go wrong loading or running an encoder, each case naming what is at fault.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case missingFile(String)
    case invalidConfig(String)
    case unsupportedModelType(String)
    case unsupportedArchitecture(String)
    case unsupportedActivation(String)
    /// A parameter the architecture needs is not in the checkpoint (HF key, without prefix).
    case missingParameter(String)
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// Checkpoint tensors nothing consumed (strict loading refuses them unless asked to ignore).
    case unusedParameters([String])
    /// The model has no head of this kind (e.g. `classify` on a bare BertModel).
    case missingHead(String)
    /// Bad batch contents: token id outside the vocabulary, sequence longer than the position table, empty sequence.
    case invalidInput(String)
    /// Wraps an error from the weights reader.
    case weights(String)

    public var description: String {
        switch self {
        case .missingFile(let path): return "missing file: \(path)"
        case .invalidConfig(let why): return "invalid model config: \(why)"
        case .unsupportedModelType(let type):
            return "unsupported model_type \"\(type)\" (supported: bert, distilbert, roberta, mpnet)"
        case .unsupportedArchitecture(let name):
            let known = ModelArchitecture.allCases.map(\.rawValue).joined(separator: ", ")
            return "unsupported architecture \"\(name)\" (supported: \(known))"
        case .unsupportedActivation(let name):
            return "unsupported hidden_act \"\(name)\" (supported: gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu)"
        case .missingParameter(let name): return "checkpoint lacks parameter \(name)"
        case .shapeMismatch(let name, let expected, let found):
            return "parameter \(name) has shape \(found), expected \(expected)"
        case .unusedParameters(let names):
            let shown = names.prefix(8).joined(separator: ", ")
            return "checkpoint has \(names.count) tensor(s) the model does not use: \(shown)\(names.count > 8 ? ", ..." : "")"
        case .missingHead(let what): return "this model has no \(what) head"
        case .invalidInput(let why): return "invalid model input: \(why)"
        case .weights(let why): return "cannot read weights: \(why)"
        }
    }
}
