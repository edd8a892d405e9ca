import Foundation
import SentimentCore
import SentimentData

/// A hard case with the label a careful reader would give it.
public struct Puzzle: Codable, Sendable, Equatable {
    public var text: String
    /// "positive" or "negative" (or any label the models share).
    public var expected: String
    /// sarcasm, negation, double negation, intensity, contrast, mixed aspects, …
    public var category: String

    public init(text: String, expected: String, category: String) {
        self.text = text
        self.expected = expected
        self.category = category
    }
}

public enum Puzzles {
    /// Hard cases written for this project: the phenomena a bag of words cannot see.
    public static let builtIn: [Puzzle] = [
        Puzzle(text: "Great, another boring movie.", expected: "negative", category: "sarcasm"),
        Puzzle(text: "Oh wonderful, two and a half hours of my life I will never get back.", expected: "negative", category: "sarcasm"),
        Puzzle(text: "Yeah, because what every film needs is a forty-minute car chase and no plot.", expected: "negative", category: "sarcasm"),
        Puzzle(text: "Brilliant. I guessed the twist in the first five minutes.", expected: "negative", category: "sarcasm"),
        Puzzle(text: "This is not a bad film.", expected: "positive", category: "negation"),
        Puzzle(text: "I did not enjoy a single minute of it.", expected: "negative", category: "negation"),
        Puzzle(text: "The jokes never fail to land.", expected: "positive", category: "negation"),
        Puzzle(text: "Nothing about this movie works.", expected: "negative", category: "negation"),
        Puzzle(text: "It's not that I didn't like it; I really did.", expected: "positive", category: "double negation"),
        Puzzle(text: "You can't not love this cast.", expected: "positive", category: "double negation"),
        Puzzle(text: "Not without its charms, and never less than entertaining.", expected: "positive", category: "double negation"),
        Puzzle(text: "I wouldn't say it's not a waste of time.", expected: "negative", category: "double negation"),
        Puzzle(text: "Hardly a masterpiece.", expected: "negative", category: "intensity"),
        Puzzle(text: "Barely watchable.", expected: "negative", category: "intensity"),
        Puzzle(text: "Absolutely, breathtakingly magnificent.", expected: "positive", category: "intensity"),
        Puzzle(text: "Mildly amusing at best.", expected: "negative", category: "intensity"),
        Puzzle(text: "The trailer looked great, but the film is a mess.", expected: "negative", category: "contrast"),
        Puzzle(text: "It starts slow, but the last hour is unforgettable.", expected: "positive", category: "contrast"),
        Puzzle(text: "Beautifully shot, but dull and far too long.", expected: "negative", category: "contrast"),
        Puzzle(text: "The premise sounds silly, but it works wonderfully.", expected: "positive", category: "contrast"),
        Puzzle(text: "Terrible script, yet the performances are so good that I loved it anyway.", expected: "positive", category: "mixed aspects"),
        Puzzle(text: "Great actors wasted on a lazy, predictable story.", expected: "negative", category: "mixed aspects"),
        Puzzle(text: "The music is lovely; everything else is forgettable.", expected: "negative", category: "mixed aspects"),
        Puzzle(text: "Clunky dialogue and a sagging middle, but gorgeous visuals and an ending that makes it all worth it.", expected: "positive", category: "mixed aspects"),
    ]

    /// Puzzles from a .csv / .tsv / .jsonl file with columns `text` and `expected` (or `label`), and optionally
    /// `category`.
    public static func load(file: URL) throws -> [Puzzle] {
        let table = try TabularFile.read(url: file)
        guard let textColumn = table.columns.firstIndex(of: "text"),
              let expectedColumn = table.columns.firstIndex(of: "expected") ?? table.columns.firstIndex(of: "label") else {
            throw EvaluationError.malformedFile(file: file.path, reason: "needs columns 'text' and 'expected' (or 'label'); has \(table.columns)")
        }
        let categoryColumn = table.columns.firstIndex(of: "category")
        let puzzles = try table.rows.enumerated().map { i, row in
            let text = row[textColumn].trimmingCharacters(in: .whitespacesAndNewlines)
            let expected = row[expectedColumn].trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty, !expected.isEmpty else {
                throw EvaluationError.malformedFile(file: file.path, reason: "line \(table.lines[i]): empty text or expected label")
            }
            return Puzzle(text: text, expected: expected, category: categoryColumn.map { row[$0] } ?? "")
        }
        guard !puzzles.isEmpty else { throw EvaluationError.malformedFile(file: file.path, reason: "no puzzles") }
        return puzzles
    }
}

/// One model's answer to one puzzle.
public struct PuzzleAnswer: Codable, Sendable, Equatable {
    public var model: String
    public var label: String
    public var score: Double
    public var correct: Bool
    /// False when the model cannot give the expected label at all (a neutral puzzle for a two-class model): such
    /// answers count neither way.
    public var applicable: Bool
}

public struct PuzzleOutcome: Codable, Sendable, Equatable {
    public var puzzle: Puzzle
    /// In the order of the models given.
    public var answers: [PuzzleAnswer]
}

public enum PuzzleRunner {
    /// Each model's top label and score for each puzzle; a label is right when it means the expected one
    /// (see `LabelAlignment`: POSITIVE, positive and fresh are the same answer).
    public static func run(_ puzzles: [Puzzle], models: [any TextClassifier]) throws -> [PuzzleOutcome] {
        let texts = puzzles.map(\.text)
        let predictions = try models.map { try $0.classify(texts) }
        return puzzles.enumerated().map { i, puzzle in
            PuzzleOutcome(puzzle: puzzle, answers: zip(models, predictions).map { model, scores in
                let top = scores[i][0]
                return PuzzleAnswer(model: model.name, label: top.label, score: Double(top.score),
                                    correct: LabelAlignment.same(top.label, puzzle.expected),
                                    applicable: model.labels.contains { LabelAlignment.same($0, puzzle.expected) })
            })
        }
    }

    /// Right answers per model, of the puzzles it can answer (`applicable`), in model order.
    public static func score(_ outcomes: [PuzzleOutcome]) -> [(model: String, right: Int, total: Int)] {
        guard let first = outcomes.first else { return [] }
        return first.answers.indices.map { m in
            (first.answers[m].model, outcomes.filter { $0.answers[m].correct }.count,
             outcomes.filter { $0.answers[m].applicable }.count)
        }
    }
}
