import Foundation
import SentimentCore

/// Every failure of the pipelines, each naming what is at fault and what to do about it.
public enum PipelineError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// No texts at all.
    case emptyInput
    /// Text `index` (0-based in the call) is empty or only whitespace.
    case emptyText(index: Int)
    /// Text `index` produced no tokens besides the specials (e.g. only control characters).
    case noTokens(index: Int)
    /// The tokenizer cannot drive this model (ids beyond the embedding table, different special tokens...).
    case tokenizerMismatch(String)
    /// A classifier whose config.json has no id2label names (only generic LABEL_i) where names are required.
    case missingLabelNames(folder: String)
    /// The folder's model lacks the head this pipeline needs.
    case wrongModelKind(folder: String, expected: String, found: String)
    /// NAME|DIR matched nothing: not a folder, not a built model, not a catalog artifact.
    case unknownModel(String, known: [String])
    /// A default model (e.g. sentiment-en) that has not been trained yet.
    case modelNotBuilt(name: String, folder: String)
    /// Fill-mask: text `index` has no mask token.
    case noMaskToken(index: Int, maskToken: String)
    /// Fill-mask: none of the targets maps to a token.
    case noValidTargets
    /// Text `index` has more tokens than the model accepts, where truncating would change the answer.
    case textTooLong(index: Int, tokens: Int, maxLength: Int)
    /// An option out of range (batch size 0, negative top-k, stride too large...).
    case invalidOption(String)

    public var description: String {
        switch self {
        case .emptyInput: return "no input texts"
        case .emptyText(let index), .noTokens(let index), .noMaskToken(let index, _), .textTooLong(let index, _, _):
            return rejectionMessage(textName: "text \(index + 1)")
        case .tokenizerMismatch(let why): return "tokenizer does not match the model: \(why)"
        case .missingLabelNames(let folder):
            return "\(folder): config.json has no label names (id2label); add them, e.g. {\"0\": \"negative\", \"1\": \"positive\"}"
        case .wrongModelKind(let folder, let expected, let found):
            return "\(folder) holds a \(found) model; this needs a \(expected) model"
        case .unknownModel(let name, let known):
            return "no model '\(name)': not a model folder, a built model or a catalog name (known names: \(known.joined(separator: ", ")))"
        case .modelNotBuilt(let name, let folder):
            return "default model '\(name)' is not built yet (\(folder)); run `sentiment setup` or `sentiment train --name \(name)`"
        case .noValidTargets: return "none of the given targets is a token of this model's vocabulary"
        case .invalidOption(let why): return "invalid option: \(why)"
        }
    }

    public var errorDescription: String? { description }
}

extension PipelineError: InputRejection {
    /// Whether the input (texts, options) is at fault rather than the model: the CLI's exit code 65 vs 69.
    public var isInputError: Bool { rejectionCode != nil }

    public var rejectionCode: String? {
        switch self {
        case .emptyInput: return "empty_texts"
        case .emptyText: return "empty_text"
        case .noTokens: return "no_tokens"
        case .noMaskToken: return "no_mask_token"
        case .noValidTargets: return "no_valid_targets"
        case .textTooLong: return "text_too_long"
        case .invalidOption: return "invalid_option"
        case .tokenizerMismatch, .missingLabelNames, .wrongModelKind, .unknownModel, .modelNotBuilt: return nil
        }
    }

    public func rejectionMessage(textName: String) -> String {
        switch self {
        case .emptyText: return "\(textName) is empty"
        case .noTokens: return "\(textName) has no tokens (only whitespace or control characters)"
        case .noMaskToken(_, let mask): return "\(textName) has no mask token \(mask)"
        case .textTooLong(_, let tokens, let maxLength):
            return "\(textName) has \(tokens) tokens, more than the model's \(maxLength)"
        default: return description
        }
    }
}
