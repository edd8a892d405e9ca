import Foundation
import SentimentModels
import XCTest

@testable import SentimentTraining

/// Shared helpers of the Trainer*Tests: fixture paths, temporary folders, toy examples without a tokenizer.
enum TrainerFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/trainer")
    /// Random BertForSequenceClassification (2 layers, hidden 32, 3 labels) saved by transformers.
    static var tinyBert: URL { folder.appendingPathComponent("tiny-bert") }
    static var toyCSV: URL { folder.appendingPathComponent("toy-sentiment.csv") }
    static let labels = ["negative", "neutral", "positive"]

    /// A fresh temporary folder, removed when the test ends.
    static func temporaryFolder(_ test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Toy CSV rows as examples, tokenized by whole-word vocabulary lookup (every toy word is one token):
    /// enough for trainer tests that must not depend on the tokenizer.
    static func toyExamples() throws -> [TrainingExample] {
        let vocab = try String(contentsOf: tinyBert.appendingPathComponent("vocab.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let id = Dictionary(uniqueKeysWithValues: vocab.enumerated().map { ($1, Int32($0)) })
        // The csv module writes CRLF line ends ("\r\n" is one Character in Swift).
        let lines = try String(contentsOf: toyCSV, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
        return lines.map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let first = fields[0].split(separator: " ").map { id[String($0)]! }
            let second = fields[1].split(separator: " ").map { id[String($0)]! }
            var ids: [Int32] = [2] + first + [3]
            var types = [Int32](repeating: 0, count: ids.count)
            if !second.isEmpty {
                ids += second + [3]
                types += [Int32](repeating: 1, count: second.count + 1)
            }
            return TrainingExample(ids: ids, typeIds: types, label: labels.firstIndex(of: fields[2])!)
        }
    }

    /// The tiny model with a fresh Xavier head (as fine-tuning starts).
    static func tinyModel(seed: UInt64 = 13) throws -> TrainableClassifier {
        try TrainableClassifier(folder: tinyBert, numLabels: 3, seed: seed)
    }

    /// A small, fast configuration for the tiny model.
    static func tinyConfiguration() -> TrainerConfiguration {
        var c = TrainerConfiguration()
        c.epochs = 3
        c.learningRate = 5e-3
        c.batchSize = 16
        c.maxLength = 32
        c.checkpointEverySteps = 5
        return c
    }
}
