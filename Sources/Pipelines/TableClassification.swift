import Foundation
import SentimentCore
import SentimentData

/// Classifies one column of a table (`classify --file`) and appends the answers as new columns, keeping every
/// original column and row exactly as read: `label`, `score`, then with `allScores` one `score_<label>` column per
/// label (label-id order), and `chunks` when long texts were chunked. Existing names get a `_2` suffix.
public enum TableClassification {
    public static func classify(
        _ table: TabularFile, column: String, with classifier: any TextClassifier, options: ClassificationOptions,
        allScores: Bool = false, progress: ((Int) -> Void)? = nil
    ) throws -> (table: TabularFile, results: [Classification]) {
        let texts = try table.column(named: column)
        guard !texts.isEmpty else { throw DataError.emptyFile(file: table.source) }
        var options = options
        if allScores { options.topK = nil }
        let results: [Classification]
        do {
            results = try classifier.classify(texts, options: options, progress: progress)
        } catch let error as PipelineError {
            // Name the row and its line in the file, not just the text's position.
            switch error {
            case .emptyText(let index), .noTokens(let index), .textTooLong(let index, _, _):
                throw DataError.malformedFile(file: table.source, line: table.lines[index], reason: "column '\(column)': \(error)")
            default: throw error
            }
        }
        var output = table
        try output.appendColumn("label", values: results.map(\.label))
        try output.appendColumn("score", values: results.map { format($0.score) })
        if allScores {
            for label in classifier.labels {
                try output.appendColumn("score_" + label, values: results.map { result in
                    format(result.scores.first { $0.label == label }?.score ?? 0)
                })
            }
        }
        if case .chunk = options.longText {
            try output.appendColumn("chunks", values: results.map { String($0.chunks) })
        }
        return (output, results)
    }

    /// Shortest decimal that reads back as the same Float (Swift's description), e.g. 0.9987.
    static func format(_ score: Float) -> String { "\(score)" }
}

extension TableClassification {
    /// One JSON object per row: the original columns (strings), then `label`, `score` (a number), `scores` (HF's
    /// list of {label, score}, when more than one label was asked for) and `chunks` (when more than one window).
    /// A name the table already uses gets a `_2` suffix, as the appended columns do.
    public static func jsonLines(_ table: TabularFile, results: [Classification]) throws -> [String] {
        precondition(table.rows.count == results.count, "one result per row")
        var taken = Set(table.columns)
        func unique(_ name: String) -> String {
            var candidate = name, suffix = 2
            while taken.contains(candidate) { candidate = "\(name)_\(suffix)"; suffix += 1 }
            taken.insert(candidate)
            return candidate
        }
        let (labelKey, scoreKey, scoresKey, chunksKey) = (unique("label"), unique("score"), unique("scores"), unique("chunks"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]   // label before score, every run
        func json<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        return try zip(table.rows, results).map { row, result in
            var fields = try zip(table.columns, row).map { try json($0) + ": " + json($1) }
            fields.append(try json(labelKey) + ": " + json(result.label))
            fields.append(try json(scoreKey) + ": " + json(result.score))
            if result.scores.count > 1 { fields.append(try json(scoresKey) + ": " + json(result.scores)) }
            if result.chunks > 1 { fields.append(try json(chunksKey) + ": " + json(result.chunks)) }
            return "{" + fields.joined(separator: ", ") + "}"
        }
    }
}
