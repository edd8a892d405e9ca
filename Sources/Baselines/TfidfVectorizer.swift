import Foundation

/// scikit-learn's `TfidfVectorizer`: counts from a `CountVectorizer`, then
///   tf  = count, or 1 + ln(count) with `sublinearTF`
///   idf = ln((1 + n) / (1 + df)) + 1 with `smoothIDF` (as if one extra document held every term), else ln(n / df) + 1
///   row = tf · idf, scaled to unit L2 norm with `normalize`.
public struct TfidfVectorizer: Sendable, Codable {
    public struct Options: Codable, Sendable, Equatable {
        public var counting: CountVectorizer.Options
        public var smoothIDF: Bool
        public var sublinearTF: Bool
        public var normalize: Bool

        public init(counting: CountVectorizer.Options = .init(), smoothIDF: Bool = true, sublinearTF: Bool = false,
                    normalize: Bool = true) {
            self.counting = counting
            self.smoothIDF = smoothIDF
            self.sublinearTF = sublinearTF
            self.normalize = normalize
        }
    }

    public let options: Options
    public private(set) var counter: CountVectorizer
    /// Inverse document frequency per feature.
    public private(set) var idf: [Double]

    public init(options: Options = Options()) {
        self.options = options
        self.counter = CountVectorizer(options: options.counting)
        self.idf = []
    }

    private enum CodingKeys: String, CodingKey { case options, counter, idf }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        options = try container.decode(Options.self, forKey: .options)
        counter = try container.decode(CountVectorizer.self, forKey: .counter)
        idf = try container.decode([Double].self, forKey: .idf)
        guard idf.count == counter.featureCount, counter.options == options.counting else {
            throw BaselineError.corruptModel("TF-IDF: \(idf.count) idf values for \(counter.featureCount) terms")
        }
    }

    public var vocabulary: [String] { counter.vocabulary }
    public var featureCount: Int { counter.featureCount }

    public mutating func fitTransform(_ texts: [String]) throws -> SparseMatrix {
        var counts = try counter.fitTransform(texts)
        var documentFrequency = [Int](repeating: 0, count: counts.columnCount)
        for column in counts.columns { documentFrequency[Int(column)] += 1 }
        let smooth = options.smoothIDF ? 1.0 : 0.0
        let n = Double(texts.count) + smooth
        idf = documentFrequency.map { log(n / (Double($0) + smooth)) + 1 }
        weigh(&counts)
        return counts
    }

    public mutating func fit(_ texts: [String]) throws { _ = try fitTransform(texts) }

    public func transform(_ texts: [String]) -> SparseMatrix {
        var counts = counter.transform(texts)
        weigh(&counts)
        return counts
    }

    /// counts → tf · idf → unit rows.
    private func weigh(_ matrix: inout SparseMatrix) {
        let sublinear = options.sublinearTF
        matrix.mapValues { count, column in (sublinear ? 1 + log(count) : count) * idf[column] }
        if options.normalize { matrix.normalizeRowsL2() }
    }
}

/// The text → features step of a baseline model: plain counts (bag of words) or TF-IDF.
public enum FeatureExtractor: Sendable, Codable {
    case counts(CountVectorizer)
    case tfidf(TfidfVectorizer)

    public var vocabulary: [String] {
        switch self {
        case .counts(let v): v.vocabulary
        case .tfidf(let v): v.vocabulary
        }
    }

    public func transform(_ texts: [String]) -> SparseMatrix {
        switch self {
        case .counts(let v): v.transform(texts)
        case .tfidf(let v): v.transform(texts)
        }
    }

    /// Fits on `texts` and returns the fitted extractor with their features.
    public func fitted(on texts: [String]) throws -> (FeatureExtractor, SparseMatrix) {
        switch self {
        case .counts(var v):
            let x = try v.fitTransform(texts)
            return (.counts(v), x)
        case .tfidf(var v):
            let x = try v.fitTransform(texts)
            return (.tfidf(v), x)
        }
    }
}
