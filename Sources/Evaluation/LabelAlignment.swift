/// Matches a model's class names to a data set's: exactly, then ignoring case, then through sentiment synonyms
/// (a model trained elsewhere may say POSITIVE where Rotten Tomatoes says positive, or fresh / rotten).
public enum LabelAlignment {
    /// Names that mean the same class.
    static let synonyms: [[String]] = [
        ["positive", "pos", "fresh", "good"],
        ["negative", "neg", "rotten", "bad"],
        ["neutral", "neu"],
    ]

    /// For each model label, the index of the data label it means, or nil when it means none of them.
    /// Throws when no model label matches or two model labels claim the same data label.
    public static func map(modelLabels: [String], dataLabels: [String]) throws -> [Int?] {
        func canonical(_ label: String) -> String {
            let lower = label.lowercased()
            return synonyms.first { $0.contains(lower) }?.first ?? lower
        }
        let mapping: [Int?] = modelLabels.map { label in
            dataLabels.firstIndex(of: label)
                ?? dataLabels.firstIndex { $0.lowercased() == label.lowercased() }
                ?? dataLabels.firstIndex { canonical($0) == canonical(label) }
        }
        let matched = mapping.compactMap { $0 }
        guard !matched.isEmpty, Set(matched).count == matched.count else {
            throw EvaluationError.labelMismatch(model: modelLabels, data: dataLabels)
        }
        return mapping
    }

    /// Whether a predicted label means the expected one (for puzzles, whose expected labels are plain sentiment words).
    public static func same(_ a: String, _ b: String) -> Bool {
        (try? map(modelLabels: [a], dataLabels: [b]))?.first == 0
    }
}
