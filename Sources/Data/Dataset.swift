/// The three parts of a data set. Raw values are the names used on the command line and in reports.
public enum Split: String, Sendable, CaseIterable {
    case train, dev, test
}

/// A labelled data set with its canonical train/dev/test split.
public struct Dataset: Sendable {
    /// Catalog name (e.g. "rotten-tomatoes") or the file name it was read from.
    public var name: String
    /// Class names, sorted (e.g. ["negative", "positive"]); label ids follow this order.
    public var labels: [String]
    /// Every example in file order, after trimming and de-duplication.
    public var all: [LabeledText]
    public var train: [LabeledText]
    public var dev: [LabeledText]
    public var test: [LabeledText]

    public init(name: String, labels: [String], all: [LabeledText], train: [LabeledText], dev: [LabeledText], test: [LabeledText]) {
        self.name = name
        self.labels = labels
        self.all = all
        self.train = train
        self.dev = dev
        self.test = test
    }

    /// Builds a data set from examples in file order: trims texts, drops empty and duplicate texts
    /// (keeping the first), and splits by the canonical FNV-1a rule (see `CanonicalSplit`).
    public init(name: String, splitting examples: [LabeledText]) {
        let kept = CanonicalSplit.deduplicated(examples)
        var parts: [Split: [LabeledText]] = [.train: [], .dev: [], .test: []]
        for example in kept { parts[CanonicalSplit.split(of: example.text), default: []].append(example) }
        self.init(
            name: name, labels: Set(kept.map(\.label)).sorted(), all: kept,
            train: parts[.train]!, dev: parts[.dev]!, test: parts[.test]!
        )
    }

    public func split(_ s: Split) -> [LabeledText] {
        switch s {
        case .train: return train
        case .dev: return dev
        case .test: return test
        }
    }

    /// Label id of every example of a split, in `labels` order.
    public func labelIDs(_ s: Split) -> [Int] {
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        return split(s).map { index[$0.label]! }
    }

    /// Number of examples per label in a split, in `labels` order.
    public func labelCounts(_ s: Split) -> [Int] {
        var counts = [Int](repeating: 0, count: labels.count)
        for id in labelIDs(s) { counts[id] += 1 }
        return counts
    }
}
