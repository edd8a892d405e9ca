/// Errors of the baselines layer; each says what was wrong in words a user can act on.
public enum BaselineError: Error, CustomStringConvertible, Equatable {
    case invalidOption(String)
    case emptyVocabulary(String)
    case invalidTrainingData(String)
    case corruptModel(String)
    case unsupportedVersion(found: Int, supported: Int)
    case notABaselineFolder(String)
    case invalidInput(String)

    public var description: String {
        switch self {
        case .invalidOption(let why): "invalid option: \(why)"
        case .emptyVocabulary(let why): "empty vocabulary: \(why)"
        case .invalidTrainingData(let why): "invalid training data: \(why)"
        case .corruptModel(let why): "corrupt baseline model: \(why)"
        case .unsupportedVersion(let found, let supported):
            "baseline model format version \(found) is not supported (this build reads version \(supported))"
        case .invalidInput(let why): "invalid input: \(why)"
        case .notABaselineFolder(let path): "\(path) holds no baseline model (\(BaselineModel.fileName) missing)"
        }
    }
}
