/// Typed errors of the training loop (data, labels, checkpoints); the training core's `TrainingError` covers the model.
public enum TrainerError: Error, Equatable, CustomStringConvertible {
    case tooFewClasses([String])
    case unknownLabel(String, split: String, known: [String])
    case emptySplit(String)
    case noCheckpoint(String)
    case corruptCheckpoint(path: String, reason: String)
    case resumeMismatch(String)
    case unknownDefaultModel(String, known: [String])
    case invalidTeacherLogits(file: String, reason: String)
    /// Texts the teacher-logits file has no logits for (how many, one example, how to regenerate).
    case missingTeacherLogits(file: String, missing: Int, example: String, regenerate: String)
    case teacherLabelsDiffer(teacher: [String], data: [String])

    public var description: String {
        switch self {
        case .tooFewClasses(let labels):
            "training needs at least 2 classes, the data has \(labels.count): \(labels)"
        case let .unknownLabel(label, split, known):
            "label \"\(label)\" in the \(split) split is not one of the training labels \(known)"
        case .emptySplit(let split): "the \(split) split is empty"
        case .noCheckpoint(let path): "no checkpoint to resume from at \(path) (run without --resume first)"
        case let .corruptCheckpoint(path, reason): "checkpoint \(path) is unreadable: \(reason)"
        case .resumeMismatch(let what): "cannot resume: \(what) differs from the checkpointed run"
        case let .unknownDefaultModel(name, known): "no default model called \(name); known: \(known.joined(separator: ", "))"
        case let .invalidTeacherLogits(file, reason): "teacher logits \(file): \(reason)"
        case let .missingTeacherLogits(file, missing, example, regenerate):
            "teacher logits \(file) lack \(missing) of the training texts (e.g. \"\(example.prefix(60))\"); regenerate them with: \(regenerate)"
        case let .teacherLabelsDiffer(teacher, data):
            "the teacher's labels \(teacher) are not the data's labels \(data)"
        }
    }
}
