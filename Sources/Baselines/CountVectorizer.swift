/// A document-frequency limit: an absolute number of documents or a fraction of them (scikit-learn's int vs float
/// `min_df` / `max_df`).
public enum DocumentFrequency: Codable, Sendable, Equatable {
    case count(Int)
    case fraction(Double)

    /// The limit in documents for a corpus of `documents` texts.
    func documents(of documents: Int) -> Double {
        switch self {
        case .count(let n): Double(n)
        case .fraction(let f): f * Double(documents)
        }
    }
}

/// Bag of words: scikit-learn's `CountVectorizer` with the default word analyzer (lowercase, token regex
/// `(?u)\b\w\w+\b`, word n-grams joined by one space), document-frequency limits and binary counts.
/// Features are numbered in code-point order of their names, as `get_feature_names_out()` lists them.
public struct CountVectorizer: Sendable, Codable {
    public struct Options: Codable, Sendable, Equatable {
        public var lowercase: Bool
        /// Smallest and largest n of the word n-grams (scikit-learn's `ngram_range`).
        public var ngramRange: ClosedRange<Int>
        /// Terms in fewer documents than this are dropped.
        public var minDF: DocumentFrequency
        /// Terms in more documents than this are dropped.
        public var maxDF: DocumentFrequency
        /// Record presence (1) instead of counts.
        public var binary: Bool

        public init(lowercase: Bool = true, ngramRange: ClosedRange<Int> = 1 ... 1, minDF: DocumentFrequency = .count(1),
                    maxDF: DocumentFrequency = .fraction(1.0), binary: Bool = false) {
            self.lowercase = lowercase
            self.ngramRange = ngramRange
            self.minDF = minDF
            self.maxDF = maxDF
            self.binary = binary
        }
    }

    public let options: Options
    /// Feature names in feature-index order (empty until fitted).
    public private(set) var vocabulary: [String]
    private var index: [String: Int32]

    public init(options: Options = Options()) {
        self.options = options
        self.vocabulary = []
        self.index = [:]
    }

    /// A fitted vectoriser from a saved vocabulary.
    public init(options: Options, vocabulary: [String]) throws {
        guard options.ngramRange.lowerBound >= 1 else { throw BaselineError.invalidOption("ngram_range must start at 1 or more") }
        self.options = options
        self.vocabulary = vocabulary
        self.index = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, Int32($0)) })
    }

    private enum CodingKeys: String, CodingKey { case options, vocabulary }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let options = try container.decode(Options.self, forKey: .options)
        let vocabulary = try container.decode([String].self, forKey: .vocabulary)
        guard Set(vocabulary).count == vocabulary.count else { throw BaselineError.corruptModel("duplicate terms in vocabulary") }
        try self.init(options: options, vocabulary: vocabulary)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(options, forKey: .options)
        try container.encode(vocabulary, forKey: .vocabulary)
    }

    public var featureCount: Int { vocabulary.count }

    /// The terms of one text: its tokens, then its word n-grams (scikit-learn's `_word_ngrams`).
    public func analyze(_ text: String) -> [String] {
        let tokens = WordTokenizer.tokens(options.lowercase ? WordTokenizer.lowercased(text) : text)
        let (minN, maxN) = (options.ngramRange.lowerBound, options.ngramRange.upperBound)
        if minN == 1 && maxN == 1 { return tokens }
        var terms: [String] = minN == 1 ? tokens : []
        for n in max(minN, 2) ... max(maxN, 2) where n <= tokens.count && n <= maxN {
            for start in 0 ... tokens.count - n {
                terms.append(tokens[start ..< start + n].joined(separator: " "))
            }
        }
        return terms
    }

    /// Learns the vocabulary from `texts` and returns their document-term matrix.
    public mutating func fitTransform(_ texts: [String]) throws -> SparseMatrix {
        guard options.ngramRange.lowerBound >= 1 else { throw BaselineError.invalidOption("ngram_range must start at 1 or more") }
        // 1. Count with provisional ids in order of first appearance.
        var provisional: [String: Int32] = [:]
        var names: [String] = []
        var rows = RowBuilder()
        for text in texts {
            var ids: [Int32] = []
            for term in analyze(text) {
                if let id = provisional[term] {
                    ids.append(id)
                } else {
                    let id = Int32(names.count)
                    provisional[term] = id
                    names.append(term)
                    ids.append(id)
                }
            }
            rows.append(ids)
        }
        // 2. Document frequencies and the min_df / max_df limits (scikit-learn's `_limit_features`).
        var documentFrequency = [Int](repeating: 0, count: names.count)
        for column in rows.columns { documentFrequency[Int(column)] += 1 }
        let high = options.maxDF.documents(of: texts.count)
        let low = options.minDF.documents(of: texts.count)
        guard high >= low else { throw BaselineError.invalidOption("max_df corresponds to fewer documents than min_df") }
        let kept = names.indices.filter { Double(documentFrequency[$0]) <= high && Double(documentFrequency[$0]) >= low }
        guard !kept.isEmpty else {
            throw BaselineError.emptyVocabulary(texts.isEmpty ? "no texts" : "no term passes the document-frequency limits")
        }
        // 3. Renumber in code-point order of the names (Python sorts str by code point; UTF-8 byte order is the same).
        let sorted = kept.sorted { names[$0].utf8.lexicographicallyPrecedes(names[$1].utf8) }
        var newID = [Int32](repeating: -1, count: names.count)
        for (new, old) in sorted.enumerated() { newID[old] = Int32(new) }
        vocabulary = sorted.map { names[$0] }
        index = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, Int32($0)) })
        return rows.remapped(newID, columnCount: vocabulary.count, binary: options.binary)
    }

    public mutating func fit(_ texts: [String]) throws { _ = try fitTransform(texts) }

    /// The document-term matrix of `texts` over the fitted vocabulary; unknown terms are ignored.
    public func transform(_ texts: [String]) -> SparseMatrix {
        var rows = RowBuilder()
        for text in texts { rows.append(analyze(text).compactMap { index[$0] }) }
        return rows.remapped(nil, columnCount: vocabulary.count, binary: options.binary)
    }
}

/// Accumulates documents as (term id, count) rows with ids sorted, then renumbers them into a CSR matrix.
private struct RowBuilder {
    var rowOffsets: [Int] = [0]
    var columns: [Int32] = []
    var counts: [Double] = []

    /// Adds one document from the ids of its terms (repeats allowed, any order).
    mutating func append(_ ids: [Int32]) {
        let ids = ids.sorted()
        var k = 0
        while k < ids.count {
            var end = k + 1
            while end < ids.count && ids[end] == ids[k] { end += 1 }
            columns.append(ids[k])
            counts.append(Double(end - k))
            k = end
        }
        rowOffsets.append(columns.count)
    }

    /// The CSR matrix with ids mapped through `newID` (−1 drops the term), columns re-sorted per row.
    func remapped(_ newID: [Int32]?, columnCount: Int, binary: Bool) -> SparseMatrix {
        var offsets = [0]
        offsets.reserveCapacity(rowOffsets.count)
        var outColumns: [Int32] = []
        var outValues: [Double] = []
        outColumns.reserveCapacity(columns.count)
        outValues.reserveCapacity(columns.count)
        var row: [(Int32, Double)] = []
        for r in 0 ..< rowOffsets.count - 1 {
            row.removeAll(keepingCapacity: true)
            for k in rowOffsets[r] ..< rowOffsets[r + 1] {
                let id = newID.map { $0[Int(columns[k])] } ?? columns[k]
                if id >= 0 { row.append((id, binary ? 1 : counts[k])) }
            }
            if newID != nil { row.sort { $0.0 < $1.0 } }
            for (id, value) in row {
                outColumns.append(id)
                outValues.append(value)
            }
            offsets.append(outColumns.count)
        }
        return SparseMatrix(rowCount: rowOffsets.count - 1, columnCount: columnCount, rowOffsets: offsets,
                            columns: outColumns, values: outValues)
    }
}
