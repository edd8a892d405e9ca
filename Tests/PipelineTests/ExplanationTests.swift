import Foundation
import SentimentCore
import SentimentModels
import XCTest

@testable import SentimentPipelines

/// `SentimentPipeline.explain` and `sentiment explain`: label and score as `classify` gives them, every token with
/// its offsets, rollout = `AttentionMaps.rollout` row 0 (whose values are checked against numpy in
/// AttentionMapsTests), the attention maps of the model's own forward.
extension ClassifyFileTests {
    func testExplainAgreesWithClassifyAndTheAttentionMaps() throws {
        let pipeline = try SentimentPipeline(folder: PipelineFixtures.tinyBert)
        let texts = ["the movie was great", "a very dull film , really", "ok"]
        let explanations = try pipeline.explain(texts, methods: [.attention, .rollout], batchSize: 2)
        let classified = try pipeline(texts)
        XCTAssertEqual(explanations.count, 3)
        for (i, (e, c)) in zip(explanations, classified).enumerated() {
            XCTAssertEqual(e.text, texts[i])
            XCTAssertEqual(e.label, c.label)
            XCTAssertEqual(e.score, c.score, accuracy: 1e-6)
            let encoding = try pipeline.tokenizer.encode(texts[i])
            XCTAssertEqual(e.tokens.map(\.token), encoding.tokens)
            XCTAssertEqual(e.tokens.map(\.special), encoding.sequenceIds.map { $0 == nil })
            let maps = try XCTUnwrap(e.attention)
            XCTAssertEqual(maps.length, encoding.count)
            let alone = try pipeline.model.forwardKeepingAttention(try PackedBatch(encodings: [encoding])).attention[0]
            let delta = zip(maps.probabilities, alone.probabilities).map { abs($0 - $1) }.max()!
            print("explain \"\(texts[i])\": attention maps in a batch vs alone, max |Δ| \(delta)")
            XCTAssertLessThanOrEqual(delta, 1e-6)
            let rollout = e.tokens.compactMap(\.attentionRollout)
            XCTAssertEqual(rollout, Array(maps.rollout().prefix(maps.length)))
            XCTAssertEqual(rollout.reduce(0, +), 1, accuracy: 1e-5)
        }
        let rolloutOnly = try pipeline.explain(["ok"], methods: [.rollout])[0]
        XCTAssertNil(rolloutOnly.attention)
        XCTAssertThrowsError(try pipeline.explain([], methods: [.rollout]))
        XCTAssertThrowsError(try pipeline.explain(["ok"], methods: []))
        XCTAssertThrowsError(try pipeline.explain(["   "], methods: [.rollout])) { error in
            XCTAssertEqual(error as? PipelineError, .emptyText(index: 0))
        }
    }

    func testExplainCommandPrintsOneJSONObjectPerText() throws {
        let home = try PipelineFixtures.temporaryFolder("explain-cli")
        defer { try? FileManager.default.removeItem(at: home) }
        let model = PipelineFixtures.tinyBert.path
        let run = try sentiment(["explain", "the movie was great", "very bad", "--model", model, "--json"], home: home)
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let pipeline = try SentimentPipeline(folder: PipelineFixtures.tinyBert)
        let expected = try pipeline.explain(["the movie was great", "very bad"], methods: [.attention, .rollout])
        for (line, e) in zip(lines, expected) {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            XCTAssertEqual(object["label"] as? String, e.label)
            let tokens = object["tokens"] as! [[String: Any]]
            XCTAssertEqual(tokens.map { $0["token"] as! String }, e.tokens.map(\.token))
            XCTAssertEqual(tokens.map { Float($0["attention_rollout"] as! Double) }, e.tokens.map { $0.attentionRollout! })
            let attention = object["attention"] as! [String: Any]
            let weights = attention["weights"] as! [[[[Double]]]]
            let maps = e.attention!
            XCTAssertEqual(weights.count, maps.layers)
            XCTAssertEqual(weights[0].count, maps.heads)
            XCTAssertEqual(Float(weights[maps.layers - 1][0][0][1]), maps.weight(layer: maps.layers - 1, head: 0, query: 0, key: 1))
        }
        let text = try sentiment(["explain", "the movie was great", "--model", model, "--method", "rollout"], home: home)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("attention rollout from [CLS]"), text.stdout)
        XCTAssertFalse(text.stdout.contains("layers ×"), text.stdout)
        let missing = try sentiment(["explain", "fine", "--model", "sentiment-en-large"], home: home)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("sentiment setup") || missing.stderr.contains("not built"), missing.stderr)
    }
}
