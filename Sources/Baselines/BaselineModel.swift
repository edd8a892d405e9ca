import Foundation
import SentimentCore
import SentimentData

/// The two baselines of the comparison.
public enum BaselineKind: String, Codable, Sendable, CaseIterable {
    /// Binary unigram + bigram counts, linear SVM (squared hinge).
    case bowSVM = "bow-svm"
    /// Sublinear TF-IDF over unigrams + bigrams, logistic regression.
    case tfidfLogReg = "tfidf-logreg"

    /// The feature extractor this kind uses, unfitted.
    public var featureExtractor: FeatureExtractor {
        switch self {
        case .bowSVM:
            .counts(CountVectorizer(options: .init(ngramRange: 1 ... 2, binary: true)))
        case .tfidfLogReg:
            .tfidf(TfidfVectorizer(options: .init(counting: .init(ngramRange: 1 ... 2), sublinearTF: true)))
        }
    }

    /// The values of C tried on the dev split when none is given.
    public var defaultGrid: [Double] {
        switch self {
        case .bowSVM: [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3]
        case .tfidfLogReg: [0.3, 1, 3, 10, 30, 100, 300]
        }
    }
}

/// How decision values become the scores of `classify`.
public enum ScoreMapping: Codable, Sendable, Equatable {
    /// Logistic regression: its own probabilities, σ(z) for two classes, softmax(z) for more.
    case probabilities
    /// Linear SVM: σ(a·f) for two classes, softmax(a·f) over the one-vs-rest decision values for more, with a > 0
    /// fitted on the dev split by minimising log loss (a one-parameter Platt scaling without offset, so the predicted
    /// label is always the SVM's own: sign / arg max of f). a = 1 when no dev split was given.
    case scaledDecision(scale: Double)
}

/// What training recorded, saved with the model.
public struct BaselineTrainingSummary: Codable, Sendable, Equatable {
    public var data: String
    public var C: Double
    /// Dev accuracy for each C tried (empty when C was given).
    public var devAccuracyByC: [String: Double]
    public var devAccuracy: Double?
    public var trainSize: Int
    public var devSize: Int
    /// Wall time of the final fit: vectoriser + classifier on the training split.
    public var trainSeconds: Double
    public var solverIterations: Int
    /// Whether the solver met its tolerance before its iteration limit.
    public var solverConverged: Bool?
    public var createdAt: String
}

/// A trained baseline: features + linear classifier + score mapping. Conforms to `TextClassifier` like the BERT
/// pipelines; saved as one versioned JSON file, `baseline.json`, in a model folder.
public struct BaselineModel: TextClassifier, Codable {
    public static let fileName = "baseline.json"
    public static let format = "sentimentkit-baseline"
    public static let formatVersion = 1

    public let format: String
    public let version: Int
    public var name: String
    public let kind: BaselineKind
    public let labels: [String]
    public let features: FeatureExtractor
    public let classifier: LinearModel
    public let scoring: ScoreMapping
    public var training: BaselineTrainingSummary?

    public init(name: String, kind: BaselineKind, labels: [String], features: FeatureExtractor, classifier: LinearModel,
                scoring: ScoreMapping, training: BaselineTrainingSummary? = nil) throws {
        self.format = Self.format
        self.version = Self.formatVersion
        self.name = name
        self.kind = kind
        self.labels = labels
        self.features = features
        self.classifier = classifier
        self.scoring = scoring
        self.training = training
        try validate()
    }

    private func validate() throws {
        guard labels.count >= 2, Set(labels).count == labels.count else {
            throw BaselineError.corruptModel("labels must be at least two distinct names, got \(labels)")
        }
        let outputs = labels.count == 2 ? 1 : labels.count
        guard classifier.outputCount == outputs else {
            throw BaselineError.corruptModel("\(classifier.outputCount) classifier outputs for \(labels.count) labels")
        }
        guard classifier.featureCount == features.vocabulary.count else {
            throw BaselineError.corruptModel("\(classifier.featureCount) weights per output for \(features.vocabulary.count) terms")
        }
        if case .scaledDecision(let a) = scoring, !(a > 0 && a.isFinite) {
            throw BaselineError.corruptModel("score scale must be positive, got \(a)")
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        format = try container.decode(String.self, forKey: .format)
        guard format == Self.format else { throw BaselineError.corruptModel("format is \"\(format)\", expected \"\(Self.format)\"") }
        version = try container.decode(Int.self, forKey: .version)
        guard version == Self.formatVersion else {
            throw BaselineError.unsupportedVersion(found: version, supported: Self.formatVersion)
        }
        name = try container.decode(String.self, forKey: .name)
        kind = try container.decode(BaselineKind.self, forKey: .kind)
        labels = try container.decode([String].self, forKey: .labels)
        features = try container.decode(FeatureExtractor.self, forKey: .features)
        classifier = try container.decode(LinearModel.self, forKey: .classifier)
        scoring = try container.decode(ScoreMapping.self, forKey: .scoring)
        training = try container.decodeIfPresent(BaselineTrainingSummary.self, forKey: .training)
        try validate()
    }

    // MARK: classification

    /// Decision values (N, K) with K = 1 for two classes.
    public func decisionValues(_ texts: [String]) -> [[Double]] {
        classifier.decisionValues(features.transform(texts))
    }

    /// Class probabilities (N, labels.count) in label order.
    public func probabilities(_ texts: [String]) throws -> [[Double]] {
        for (i, text) in texts.enumerated() where text.allSatisfy(\.isWhitespace) {
            throw BaselineError.invalidInput("text \(i) is empty")
        }
        return decisionValues(texts).map { scores(fromDecision: $0) }
    }

    /// Decision values of one text → probabilities, by `scoring`.
    public func scores(fromDecision decision: [Double]) -> [Double] {
        switch scoring {
        case .probabilities: LogisticRegression.probabilities(decision)
        case .scaledDecision(let a): LogisticRegression.probabilities(decision.map { a * $0 })
        }
    }

    public func classify(_ texts: [String]) throws -> [[LabelScore]] {
        try probabilities(texts).map { p in
            zip(labels, p).map { LabelScore(label: $0, score: Float($1)) }.sorted { $0.score > $1.score }
        }
    }

    // MARK: explanation

    /// The `count` terms that push hardest towards each class: for two classes the most positive weights (class 1)
    /// and the most negative ones (class 0); for one-vs-rest / multinomial models the largest weights of each row.
    public func topFeatures(count: Int) -> [(label: String, terms: [(term: String, weight: Double)])] {
        let vocabulary = features.vocabulary
        func top(_ row: ArraySlice<Double>, sign: Double) -> [(term: String, weight: Double)] {
            let base = row.startIndex
            return row.indices.sorted { sign * row[$0] > sign * row[$1] }.prefix(count).map { (vocabulary[$0 - base], row[$0]) }
        }
        if classifier.outputCount == 1 {
            let row = classifier.row(0)
            return [(labels[0], top(row, sign: -1)), (labels[1], top(row, sign: 1))]
        }
        return labels.indices.map { (labels[$0], top(classifier.row($0), sign: 1)) }
    }

    // MARK: files

    /// Writes `folder/baseline.json` atomically (the folder is created if needed).
    public func save(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(self).write(to: folder.appendingPathComponent(Self.fileName), options: .atomic)
    }

    /// Whether `folder` holds a baseline model (has `baseline.json`).
    public static func isModelFolder(_ folder: URL) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent(fileName).path)
    }

    /// The training summary in `folder`'s baseline.json, without loading the model (`sentiment models`); nil when the
    /// folder holds no baseline or the file has no readable summary.
    public static func trainingSummary(folder: URL) -> BaselineTrainingSummary? {
        struct Header: Decodable { var training: BaselineTrainingSummary? }
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(fileName)) else { return nil }
        return (try? JSONDecoder().decode(Header.self, from: data))?.training
    }

    public static func load(folder: URL) throws -> BaselineModel {
        let file = folder.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: file.path) else { throw BaselineError.notABaselineFolder(folder.path) }
        let data = try Data(contentsOf: file)
        do {
            return try JSONDecoder().decode(BaselineModel.self, from: data)
        } catch let error as BaselineError {
            throw error
        } catch {
            throw BaselineError.corruptModel("\(file.path): \(error)")
        }
    }

    /// The baseline `nameOrPath` names (`sentiment baseline explain`): a baseline folder, or the name of one under the
    /// models directory (`compare` caches `bow-svm-rotten-tomatoes` there); nil otherwise. Every other `--model`
    /// goes through SentimentPipelines' `ModelLocator`, which finds baselines and BERT-family models alike.
    public static func resolve(_ nameOrPath: String, cache: ArtifactCache = .default) throws -> (any TextClassifier)? {
        let folder = URL(fileURLWithPath: (nameOrPath as NSString).expandingTildeInPath)
        if isModelFolder(folder) { return try load(folder: folder) }
        guard !nameOrPath.contains("/"), !nameOrPath.isEmpty else { return nil }
        let named = cache.modelsDirectory.appendingPathComponent(nameOrPath)
        return isModelFolder(named) ? try load(folder: named) : nil
    }
}
