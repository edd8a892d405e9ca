import Foundation
import SentimentCore
import SentimentData

/// Committed fixtures (Tests/Fixtures/...) and cached artifacts (~/.cache/sentimentkit or $SENTIMENTKIT_HOME).
enum PipelineFixtures {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    /// The trainer's tiny random BertForSequenceClassification (3 labels, 46-token vocabulary, 64 positions).
    static let tinyBert = fixtures.appendingPathComponent("trainer/tiny-bert")

    static func artifact(_ name: String) -> URL { ArtifactCache.default.directory(for: name) }

    /// A fresh empty folder, removed by the caller.
    static func temporaryFolder(_ prefix: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// What HF transformers' pipelines returned (scripts/fixtures/pipelines.py).
    struct HF: Decodable {
        struct Chunked: Decodable {
            var max_length: Int
            var stride: Int
            var windows: Int
            var window_lengths: [Int]
            var mean: [Double]
            var max_confidence: [Double]
            var labels: [String]
        }
        struct Prediction: Decodable {
            var score: Float
            var token: Int
            var token_str: String
            var sequence: String
        }
        struct FillCase<R: Decodable>: Decodable {
            var text: String
            var top_k: Int
            var targets: [String]?
            var result: R
        }
        struct FillMask: Decodable {
            var one: FillCase<[Prediction]>
            var two: FillCase<[[Prediction]]>
            var targets: FillCase<[Prediction]>
        }
        var texts: [String]
        var classification: [String: [[LabelScore]]]
        var review: String
        var truncated: [LabelScore]
        var chunked: Chunked
        var fill_mask: FillMask?
    }

    static func hf() throws -> HF {
        try JSONDecoder().decode(HF.self, from: Data(contentsOf: fixtures.appendingPathComponent("pipelines/hf-pipelines.json")))
    }
}
