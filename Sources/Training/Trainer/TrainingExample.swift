/// One tokenized example: token ids ([CLS] text [SEP] (pair [SEP])), segment ids and the label's id.
public struct TrainingExample: Sendable, Equatable, Codable {
    public var ids: [Int32]
    public var typeIds: [Int32]
    public var label: Int

    public init(ids: [Int32], typeIds: [Int32], label: Int) {
        precondition(ids.count == typeIds.count, "ids and type ids differ in length")
        self.ids = ids
        self.typeIds = typeIds
        self.label = label
    }
}

extension TrainingBatch {
    /// The packed batch of `examples[indices]` with their labels as targets.
    public init(_ examples: [TrainingExample], indices: [Int]) {
        let picked = indices.map { examples[$0] }
        let hasPairs = picked.contains { $0.typeIds.contains { $0 != 0 } }
        self.init(sequences: picked.map(\.ids), typeIds: hasPairs ? picked.map(\.typeIds) : nil,
                  labels: picked.map(\.label))
    }
}
