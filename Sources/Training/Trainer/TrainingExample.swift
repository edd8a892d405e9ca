/// One tokenized example: token ids ([CLS] text [SEP] (pair [SEP])), segment ids and the label's id; for
/// distillation also the teacher's logits (then `label` may be −1: an unlabelled text).
public struct TrainingExample: Sendable, Equatable, Codable {
    public var ids: [Int32]
    public var typeIds: [Int32]
    public var label: Int
    public var teacherLogits: [Float]?

    public init(ids: [Int32], typeIds: [Int32], label: Int, teacherLogits: [Float]? = nil) {
        precondition(ids.count == typeIds.count, "ids and type ids differ in length")
        self.ids = ids
        self.typeIds = typeIds
        self.label = label
        self.teacherLogits = teacherLogits
    }
}

extension TrainingBatch {
    /// The packed batch of `examples[indices]` with their labels as targets (with the teacher's logits when the
    /// examples carry them: distillation targets).
    public init(_ examples: [TrainingExample], indices: [Int]) {
        let picked = indices.map { examples[$0] }
        let hasPairs = picked.contains { $0.typeIds.contains { $0 != 0 } }
        let teacher = picked.compactMap(\.teacherLogits)
        self.init(sequences: picked.map(\.ids), typeIds: hasPairs ? picked.map(\.typeIds) : nil,
                  targets: teacher.count == picked.count && !picked.isEmpty
                      ? .distillation(labels: picked.map(\.label), teacherLogits: teacher) : .classes(picked.map(\.label)))
    }
}
