import Foundation
import SentimentCore
import SentimentData
import SentimentModels
import SentimentTokenizers
import XCTest

@testable import SentimentPipelines

/// SentimentPipeline against HF transformers' text-classification pipeline and against direct model calls.
final class SentimentPipelineTests: XCTestCase {
    static let shared = Result { try SentimentPipeline(folder: PipelineFixtures.tinyBert) }

    func pipeline() throws -> SentimentPipeline { try Self.shared.get() }

    /// Largest |Δ| between two ranked score lists, after checking they rank the same labels.
    func maxDelta(_ ours: [LabelScore], _ theirs: [LabelScore], file: StaticString = #filePath, line: UInt = #line) -> Float {
        XCTAssertEqual(ours.map(\.label), theirs.map(\.label), file: file, line: line)
        return zip(ours, theirs).map { abs($0.score - $1.score) }.max() ?? 0
    }

    func testScoresMatchHuggingFacePipeline() throws {
        let hf = try PipelineFixtures.hf()
        let cases: [(String, ClassificationOptions)] = [
            ("all_default", ClassificationOptions(topK: nil)),
            ("all_sigmoid", ClassificationOptions(topK: nil, functionToApply: .sigmoid)),
            ("all_none", ClassificationOptions(topK: nil, functionToApply: ScoreFunction.none)),
            ("top2", ClassificationOptions(topK: 2)),
        ]
        for (name, options) in cases {
            let ours = try pipeline().classify(hf.texts, options: options)
            let theirs = try XCTUnwrap(hf.classification[name])
            var worst: Float = 0
            for (o, t) in zip(ours, theirs) {
                worst = max(worst, maxDelta(o.scores, t))
                XCTAssertEqual(o.label, t[0].label)
                XCTAssertEqual(o.score, t[0].score, accuracy: 1e-5)
            }
            print("HF text-classification \(name): max |Δ| = \(worst)")
            XCTAssertLessThan(worst, 1e-5, name)
        }
    }

    func testPipelineEqualsDirectModelCallsAtAnyBatchSize() throws {
        let p = try pipeline()
        let texts = try PipelineFixtures.hf().texts
        let encodings = try texts.map { try p.tokenizer.encode($0) }
        let direct = try p.model.classify(try PackedBatch(encodings: encodings))   // (B, 3)
        let width = p.labels.count
        for batchSize in [1, 2, 32] {
            let logits = try p.logits(texts, batchSize: batchSize)
            var worst: Float = 0
            for (b, row) in logits.enumerated() {
                for (j, value) in row.enumerated() { worst = max(worst, abs(value - direct.storage[b * width + j])) }
            }
            print("pipeline logits vs model.classify, batch size \(batchSize): max |Δ| = \(worst)")
            // Packed batches: no padding, so a text's logits depend on its batch only through BLAS's blocking of the
            // row count (summation order): a few ULPs.
            XCTAssertLessThan(worst, 2e-6)
            let scores = try p.classify(texts, options: ClassificationOptions(topK: nil, batchSize: batchSize))
            for (b, result) in scores.enumerated() {
                let expected = ScoreFunction.softmax.apply(logits[b])
                for labelScore in result.scores {
                    XCTAssertEqual(labelScore.score, expected[p.labels.firstIndex(of: labelScore.label)!], accuracy: 1e-7)
                }
            }
        }
    }

    func testTopKAndAllScoresRules() throws {
        let p = try pipeline()
        let all = try p.classify(["the movie was great"], options: ClassificationOptions(topK: nil))[0]
        XCTAssertEqual(all.scores.count, 3)
        XCTAssertEqual(all.scores.map(\.score), all.scores.map(\.score).sorted(by: >), "best first")
        XCTAssertEqual(all.scores.reduce(0) { $0 + $1.score }, 1, accuracy: 1e-6, "softmax sums to 1")
        let top1 = try p("the movie was great")
        XCTAssertEqual(top1.scores, [all.scores[0]])
        XCTAssertEqual(try p("the movie was great", options: ClassificationOptions(topK: 10)).scores, all.scores,
                       "top-k beyond the labels: all")
        XCTAssertEqual(try p.classify(["the movie was great"])[0], all.scores, "TextClassifier: every label, ranked")
        XCTAssertThrowsError(try p("fine", options: ClassificationOptions(topK: 0)))
        XCTAssertThrowsError(try p("fine", options: ClassificationOptions(batchSize: 0)))
        // Ties keep label order, as Python's stable sort.
        let tied = [LabelScore(label: "a", score: 0.25), LabelScore(label: "b", score: 0.5), LabelScore(label: "c", score: 0.25)]
        XCTAssertEqual(tied.ranked(topK: nil).map(\.label), ["b", "a", "c"])
    }

    func testFunctionToApplyFollowsHuggingFaceRule() {
        XCTAssertEqual(ScoreFunction.huggingFaceDefault(problemType: nil, numLabels: 1), .sigmoid)
        XCTAssertEqual(ScoreFunction.huggingFaceDefault(problemType: .multiLabel, numLabels: 5), .sigmoid)
        XCTAssertEqual(ScoreFunction.huggingFaceDefault(problemType: .singleLabel, numLabels: 2), .softmax)
        XCTAssertEqual(ScoreFunction.huggingFaceDefault(problemType: nil, numLabels: 3), .softmax)
        XCTAssertEqual(ScoreFunction.huggingFaceDefault(problemType: .regression, numLabels: 1), .sigmoid, "HF checks num_labels == 1 first")
        XCTAssertEqual(ScoreFunction.huggingFaceDefault(problemType: .regression, numLabels: 0), ScoreFunction.none)
        XCTAssertEqual(ScoreFunction.sigmoid.apply([0, 2]), [0.5, 1 / (1 + expf(-2))])
        let softmax = ScoreFunction.softmax.apply([1, 2, 3])
        XCTAssertEqual(softmax[2], Float(exp(3.0) / (exp(1.0) + exp(2.0) + exp(3.0))), accuracy: 1e-7)
    }

    func testLongTextTruncatedAsHuggingFace() throws {
        let hf = try PipelineFixtures.hf()
        XCTAssertEqual(hf.review.split(separator: " ").count, 2000)
        let ours = try pipeline()(hf.review, options: ClassificationOptions(topK: nil, maxLength: 64))
        let delta = maxDelta(ours.scores, hf.truncated)
        print("2,000-word review truncated to 64 tokens vs HF: max |Δ| = \(delta)")
        XCTAssertLessThan(delta, 1e-5)
        XCTAssertEqual(ours.chunks, 1)
        // Default maxLength: the model's 64 positions.
        XCTAssertEqual(try pipeline()(hf.review, options: ClassificationOptions(topK: nil)), ours)
    }

    func testLongTextChunkedMeanAndMaxConfidence() throws {
        let hf = try PipelineFixtures.hf()
        let expected = hf.chunked
        // The overflow windows are the tokenizer's, identical to HF's.
        let encoding = try pipeline().tokenizer.encode(hf.review, pair: nil, options: EncodingOptions(maxLength: 64, stride: expected.stride))
        XCTAssertEqual(encoding.windows.map(\.count), expected.window_lengths)
        for (aggregation, reference) in [(ChunkAggregation.mean, expected.mean), (.maxConfidence, expected.max_confidence)] {
            let options = ClassificationOptions(topK: nil, batchSize: 8, maxLength: 64,
                                                longText: .chunk(stride: expected.stride, aggregation: aggregation))
            let ours = try pipeline()(hf.review, options: options)
            XCTAssertEqual(ours.chunks, expected.windows)
            var worst = 0.0
            for (label, value) in zip(expected.labels, reference) {
                let score = try XCTUnwrap(ours.scores.first { $0.label == label }).score
                worst = max(worst, abs(Double(score) - value))
            }
            print("2,000-word review, \(expected.windows) windows, \(aggregation.rawValue) vs torch: max |Δ| = \(worst)")
            XCTAssertLessThan(worst, 1e-5)
        }
        // Short texts in the same call stay single windows, and order is kept.
        let mixed = try pipeline()(["poor", hf.review, "the movie was great"],
                                   options: ClassificationOptions(maxLength: 64, longText: .chunk(stride: 16)))
        XCTAssertEqual(mixed.map(\.chunks), [1, expected.windows, 1])
        let alone = try pipeline()("the movie was great")
        XCTAssertEqual(mixed[2].label, alone.label)
        XCTAssertEqual(mixed[2].score, alone.score, accuracy: 2e-6)
    }

    func testResultsEncodeWithHuggingFaceFieldNames() throws {
        let one = Classification(scores: [LabelScore(label: "positive", score: 0.75)])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        XCTAssertEqual(String(decoding: try encoder.encode(one), as: UTF8.self), #"{"label":"positive","score":0.75}"#)
        let chunked = Classification(scores: [LabelScore(label: "positive", score: 0.75), LabelScore(label: "negative", score: 0.25)], chunks: 3)
        XCTAssertEqual(try JSONDecoder().decode(Classification.self, from: try encoder.encode(chunked)), chunked)
        let prediction = MaskPrediction(score: 0.5, token: 7, tokenString: "good", sequence: "a good film")
        let object = try JSONSerialization.jsonObject(with: try encoder.encode(prediction)) as? [String: Any]
        XCTAssertEqual(Set(object?.keys.map { $0 } ?? []), ["score", "token", "token_str", "sequence"])
    }

    func testTypedErrors() throws {
        let p = try pipeline()
        XCTAssertThrowsError(try p([String]())) { XCTAssertEqual($0 as? PipelineError, .emptyInput) }
        XCTAssertThrowsError(try p(["fine", "  \n"])) { XCTAssertEqual($0 as? PipelineError, .emptyText(index: 1)) }
        // Control characters are removed by BERT's normaliser: nothing is left to classify.
        XCTAssertThrowsError(try p(["\u{0001}\u{0002}"])) { XCTAssertEqual($0 as? PipelineError, .noTokens(index: 0)) }
        // Truncation off: a text beyond the 64 positions is refused, naming its length.
        let long = String(repeating: "good ", count: 100)
        XCTAssertThrowsError(try p(long, options: ClassificationOptions(truncation: false))) {
            XCTAssertEqual($0 as? PipelineError, .textTooLong(index: 0, tokens: 102, maxLength: 64))
        }
        let splade = PipelineFixtures.artifact("splade-tiny-mlm")
        if FileManager.default.fileExists(atPath: splade.path) {
            // A tokenizer with ids beyond the model's embedding table.
            XCTAssertThrowsError(try SentimentPipeline(model: p.model, tokenizer: try AutoTokenizer.load(folder: splade), name: "x")) {
                guard case .some(.tokenizerMismatch) = $0 as? PipelineError else { return XCTFail("\($0)") }
            }
            XCTAssertThrowsError(try SentimentPipeline(folder: splade)) {
                guard case .some(.wrongModelKind) = $0 as? PipelineError else { return XCTFail("\($0)") }
            }
        }
        // An output with no name in id2label.
        let folder = try PipelineFixtures.temporaryFolder("pipelines-labels").appendingPathComponent("model")
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        try FileManager.default.copyItem(at: PipelineFixtures.tinyBert, to: folder)
        let configURL = folder.appendingPathComponent("config.json")
        var config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any])
        config["id2label"] = ["0": "negative", "2": "positive"]
        config["label2id"] = nil
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)
        XCTAssertThrowsError(try SentimentPipeline(folder: folder)) { error in
            print("id2label without id 1: \(error)")
            if case .some(.missingLabelNames) = error as? PipelineError { return }
            XCTAssertTrue(error is ModelError, "\(error)")   // or the model layer refuses the config first
        }
    }

    func testModelLocator() throws {
        let home = try PipelineFixtures.temporaryFolder("pipelines-home")
        defer { try? FileManager.default.removeItem(at: home) }
        let cache = ArtifactCache(root: home)
        XCTAssertEqual(try ModelLocator.folder(for: PipelineFixtures.tinyBert.path, cache: cache).standardizedFileURL,
                       PipelineFixtures.tinyBert.standardizedFileURL)
        XCTAssertThrowsError(try ModelLocator.folder(for: "sentiment-en-large", cache: cache)) {
            guard case .some(.modelNotBuilt(let name, _)) = $0 as? PipelineError else { return XCTFail("\($0)") }
            XCTAssertEqual(name, "sentiment-en-large")
        }
        XCTAssertTrue(ModelLocator.needsBuild("sentiment-en-large", cache: cache))
        // The shipped defaults resolve to their adapters in the resource bundle: nothing to build, only the base to fetch.
        for name in DefaultModelCatalog.shipped {
            let shipped = try XCTUnwrap(DefaultModelCatalog.shippedFolder(name), "\(name) is in the resource bundle")
            XCTAssertEqual(try ModelLocator.folder(for: name, cache: cache), shipped)
            XCTAssertFalse(ModelLocator.needsBuild(name, cache: cache))
            XCTAssertEqual(ModelLocator.unfetchedBase(name, cache: cache), "all-mpnet-base-v2")
            XCTAssertThrowsError(try ModelLocator.load(name, cache: cache)) {
                XCTAssertTrue("\($0)".contains("all-mpnet-base-v2"), "\($0)")
            }
        }
        XCTAssertThrowsError(try ModelLocator.folder(for: "no-such-model", cache: cache)) {
            guard case .some(.unknownModel) = $0 as? PipelineError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try ModelLocator.folder(for: "/no/such/folder", cache: cache))
        XCTAssertThrowsError(try ModelLocator.folder(for: "splade-tiny-mlm", cache: cache)) {
            XCTAssertTrue($0 is DataError, "a catalog artifact not fetched: \($0)")
        }
        // A model built into the models folder resolves by name, as a classifier and as a loaded model.
        try FileManager.default.createDirectory(at: cache.modelsDirectory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: PipelineFixtures.tinyBert, to: cache.modelsDirectory.appendingPathComponent("tiny"))
        let classifier = try ModelLocator.classifier("tiny", cache: cache)
        XCTAssertTrue(classifier is SentimentPipeline)
        XCTAssertEqual(classifier.labels, ["negative", "neutral", "positive"])
        XCTAssertEqual(classifier.name, "tiny")
        guard case .classifier(let loaded, let explainer) = try ModelLocator.load("tiny", cache: cache) else {
            return XCTFail("tiny-bert is a classifier")
        }
        XCTAssertEqual(loaded.name, "tiny")
        XCTAssertEqual(explainer?.method, SentimentPipeline.attentionMethod)
        XCTAssertThrowsError(try ModelLocator.classifier("no-such-model", cache: cache)) {
            guard case .some(.unknownModel(let name, let known)) = $0 as? PipelineError else { return XCTFail("\($0)") }
            XCTAssertEqual(name, "no-such-model")
            XCTAssertTrue(Set(known).isSuperset(of: ["sentiment-3class", "sentiment-en", "tiny", "all-MiniLM-L6-v2"]), "\(known)")
        }
        XCTAssertThrowsError(try ModelLocator.load("sentiment-en-large", cache: cache)) {
            XCTAssertEqual($0 as? PipelineError,
                           .modelNotBuilt(name: "sentiment-en-large", folder: DefaultModelCatalog.folder("sentiment-en-large", cache: cache).path))
        }
        // A folder that is neither a baseline nor an HF model: the model layer names what is missing.
        let empty = home.appendingPathComponent("empty", isDirectory: true)
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        XCTAssertThrowsError(try ModelLocator.classifier(empty.path, cache: cache)) { XCTAssertTrue($0 is ModelError, "\($0)") }
    }

    /// `ModelLocator.load` gives each folder as what it holds, the pipelines serving the other tasks directly
    /// (`FillMaskModel`, `Embedder`): the cached masked LM and sentence encoder (`make test` fetches them).
    func testLoadGivesEachModelAsWhatItIs() throws {
        for name in ["splade-tiny-mlm", "all-MiniLM-L6-v2"] { _ = try ArtifactCache.default.locate(name) }
        guard case .fillMask(let fillMask) = try ModelLocator.load("splade-tiny-mlm") else { return XCTFail("a masked LM") }
        XCTAssertTrue(fillMask is FillMaskPipeline)
        XCTAssertEqual(fillMask.name, "splade-tiny-mlm")
        XCTAssertEqual(fillMask.maskToken, "[MASK]")
        let direct = try FillMaskPipeline.load("splade-tiny-mlm")
        XCTAssertEqual(try fillMask.fillMask(["the film was [MASK] ."], topK: 3), try direct.fill(["the film was [MASK] ."], topK: 3))
        guard case .embedder(let embedder) = try ModelLocator.load("all-MiniLM-L6-v2") else { return XCTFail("an encoder") }
        XCTAssertEqual(embedder.dimension, 384)
        XCTAssertEqual(try embedder.embed(["a fine film"]), try EmbeddingPipeline.load().embed(["a fine film"]))
        // Not a classifier: the same error as loading it as a sentiment pipeline.
        XCTAssertThrowsError(try ModelLocator.classifier("splade-tiny-mlm")) {
            guard case .some(.wrongModelKind(_, let expected, _)) = $0 as? PipelineError else { return XCTFail("\($0)") }
            XCTAssertEqual(expected, "sequence classification")
        }
    }
}

extension SentimentPipelineTests {
    func testTokenAttentionCoversTheTextsTokens() throws {
        let p = try pipeline()
        let texts = ["the movie was great", "superb cast , lovely story"]
        let weights = try p.tokenAttention(texts, batchSize: 1)
        for (text, tokens) in zip(texts, weights) {
            let encoding = try p.tokenizer.encode(text)
            XCTAssertEqual(tokens.map(\.token), Array(encoding.tokens.dropFirst().dropLast()), "specials left out")
            let scalars = Array(text.unicodeScalars)
            for token in tokens {
                let covered = String(String.UnicodeScalarView(scalars[token.start..<token.end]))
                XCTAssertEqual(covered, token.token == "[UNK]" ? "," : token.token, "offsets point at the token's text")
                XCTAssertGreaterThan(token.weight, 0)
            }
            // The specials take the rest of the probability mass.
            XCTAssertLessThan(tokens.reduce(0) { $0 + $1.weight }, 1)
        }
        let output = try p.model.forward(try PackedBatch(encodings: [try p.tokenizer.encode(texts[0])]), captureAttention: true)
        XCTAssertEqual(weights[0].map(\.weight), Array(output.firstTokenAttention![0].dropFirst().dropLast()))
    }
}

/// Temperature scaling as the pipelines apply it: scores are softmax(logits / T); `calibrated: false` and a
/// folder without calibration.json give HF's softmax(logits); a damaged calibration.json is an error.
final class CalibratedPipelineTests: XCTestCase {
    func testCalibrationJSONDividesLogitsByTheTemperature() throws {
        let folder = try PipelineFixtures.temporaryFolder("calibrated")
        defer { try? FileManager.default.removeItem(at: folder) }
        for file in try FileManager.default.contentsOfDirectory(atPath: PipelineFixtures.tinyBert.path) {
            try FileManager.default.copyItem(at: PipelineFixtures.tinyBert.appendingPathComponent(file), to: folder.appendingPathComponent(file))
        }
        let calibration = ModelCalibration(temperature: 2.5, fittedOn: "dev", examples: 10,
                                           before: .init(nll: 1, ece: 0.2), after: .init(nll: 0.9, ece: 0.05))
        try calibration.write(to: folder)
        let pipeline = try SentimentPipeline(folder: folder)
        XCTAssertEqual(pipeline.calibration, calibration)
        let texts = ["the movie was good", "bad plot and dull cast", "a"]
        let logits = try pipeline.logits(texts)
        let calibrated = try pipeline.classify(texts, options: ClassificationOptions(topK: nil))
        let raw = try pipeline.classify(texts, options: ClassificationOptions(topK: nil, calibrated: false))
        var delta: Float = 0
        for i in texts.indices {
            let expected = ScoreFunction.softmax.apply(logits[i].map { $0 / 2.5 }), plain = ScoreFunction.softmax.apply(logits[i])
            for (k, label) in pipeline.labels.enumerated() {
                delta = max(delta, abs(calibrated[i].scores.first { $0.label == label }!.score - expected[k]),
                            abs(raw[i].scores.first { $0.label == label }!.score - plain[k]))
            }
            XCTAssertEqual(calibrated[i].label, raw[i].label)   // T moves confidence, never the answer
        }
        print("calibrated pipeline vs softmax(logits / T): max |Δ| \(delta)")
        XCTAssertLessThan(delta, 1e-6)
        // Raw logits stay raw (HF-compatible), whatever the calibration.
        XCTAssertEqual(try pipeline.logits(texts), logits)
        // The locator's `calibrated: false` ignores the file.
        XCTAssertNil((try ModelLocator.classifier(folder.path, calibrated: false) as? SentimentPipeline)?.calibration)

        try Data("{\"temperature\": -1}".utf8).write(to: folder.appendingPathComponent(ModelCalibration.fileName))
        XCTAssertThrowsError(try SentimentPipeline(folder: folder)) { XCTAssertTrue("\($0)".contains("calibration"), "\($0)") }
    }
}
