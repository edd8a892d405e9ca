import Foundation
import SentimentBaselines
import SentimentData
import SentimentPipelines
import SentimentServer
import SentimentServerTools
import XCTest

/// The real pipelines behind `sentiment serve` (`ModelLocator.load`), over real HTTP on 127.0.0.1: what the server answers
/// must be exactly what `sentiment classify --json` prints and what the pipelines return when called directly.
/// Models: the trainer's tiny BertForSequenceClassification fixture (committed), splade-tiny-mlm and
/// all-MiniLM-L6-v2 (cached by `make test`'s `sentiment fetch --all`), a tf-idf baseline trained here.
final class RealModelTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static let tinyBert = fixtures.appendingPathComponent("trainer/tiny-bert")
    static let texts = ["the movie was great", "a very dull film", "really plot and fine a story", "ending this cast messy"]

    /// The cache the tests read (SENTIMENTKIT_HOME or ~/.cache/sentimentkit); a missing artifact fails the test.
    func cachedArtifact(_ name: String) throws -> URL { try ArtifactCache.default.locate(name) }

    // MARK: - /v1/classify = `sentiment classify --json`

    func testClassifyMatchesTheCommandLineAndExplainsWithAttention() async throws {
        let registry = ModelRegistry([try ModelLocator.load(Self.tinyBert.path)])
        XCTAssertEqual(registry.defaultClassifier, "tiny-bert")
        let cli = try sentiment(["classify", "--json", "--all-scores", "--model", Self.tinyBert.path] + Self.texts)
        let pipeline = try SentimentPipeline(folder: Self.tinyBert)
        let attention = try pipeline.tokenAttention(Self.texts)

        let server = makeServer(registry: registry)
        try await server.withRunningServer { port in
            try await LoopbackHTTPClient.withConnection(port: port) { connection in
                let ready = try await connection.get("/readyz")
                XCTAssertEqual(ready.status, 200)
                let reply = try await connection.post("/v1/classify", json: ["texts": Self.texts, "top_k": 3, "explain": true])
                XCTAssertEqual(reply.status, 200, reply.text)
                let body = try XCTUnwrap(reply.json)
                XCTAssertEqual(body["model"] as? String, "tiny-bert")
                XCTAssertEqual(body["importance_method"] as? String, "last-layer [CLS] attention, mean over heads")
                let results = try XCTUnwrap(body["results"] as? [[String: Any]])
                XCTAssertEqual(results.count, cli.count)
                var maxScoreDelta: Float = 0, maxWeightDelta: Float = 0
                for (index, (served, printed)) in zip(results, cli).enumerated() {
                    XCTAssertEqual(served["label"] as? String, printed.label, "text \(index)")
                    let servedScores = try XCTUnwrap(served["scores"] as? [[String: Any]])
                    XCTAssertEqual(servedScores.map { $0["label"] as? String }, printed.scores.map(\.label))
                    for (a, b) in zip(servedScores, printed.scores) {
                        maxScoreDelta = max(maxScoreDelta, abs(Self.float(a["score"]) - b.score))
                    }
                    // Token shading: the pipeline's attention, specials left out, code-point offsets.
                    let tokens = try XCTUnwrap(served["tokens"] as? [[String: Any]])
                    XCTAssertEqual(tokens.map { $0["token"] as? String }, attention[index].map(\.token))
                    XCTAssertEqual(tokens.map { $0["start"] as? Int }, attention[index].map(\.start))
                    XCTAssertEqual(tokens.map { $0["end"] as? Int }, attention[index].map(\.end))
                    XCTAssertFalse(tokens.contains { ["[CLS]", "[SEP]"].contains($0["token"] as? String) })
                    for (token, expected) in zip(tokens, attention[index]) {
                        maxWeightDelta = max(maxWeightDelta, abs(Self.float(token["weight"]) - expected.weight))
                    }
                }
                print("classify over HTTP vs `sentiment classify --json`: max |Δscore| = \(maxScoreDelta); "
                      + "attention weights vs pipeline: max |Δ| = \(maxWeightDelta)")
                // JSON carries the shortest decimal that round-trips a Float, on both sides: exact.
                XCTAssertEqual(maxScoreDelta, 0)
                XCTAssertEqual(maxWeightDelta, 0)

                let models = try await connection.get("/v1/models")
                let listed = try XCTUnwrap(models.json?["models"] as? [[String: Any]])
                XCTAssertEqual(listed.first?["labels"] as? [String], ["negative", "neutral", "positive"])

                // Only control characters: not empty for the server's checks, but no tokens for the pipeline.
                let refused = try await connection.post("/v1/classify", json: ["texts": ["fine", "\u{1}\u{2}"]])
                XCTAssertEqual(refused.status, 422, refused.text)
                XCTAssertEqual(errorBody(refused).code, "no_tokens")
                XCTAssertEqual(errorBody(refused).message, "texts[1] has no tokens (only whitespace or control characters).")
            }
        }
    }

    /// A baseline folder serves as a classifier too (no token shading), with the CLI's scores.
    func testBaselineFolderIsServedAsAClassifier() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("served-baseline-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let labels = ["negative", "positive"]
        let train = LabeledTexts(
            texts: ["great fun film", "a great story", "loved the cast", "dull and slow", "a boring mess", "poor plot"],
            labels: [1, 1, 1, 0, 0, 0])
        try BaselineTrainer.train(kind: .tfidfLogReg, labels: labels, train: train, dev: nil, C: 1).save(to: folder)
        let registry = ModelRegistry([try ModelLocator.load(folder.path)])
        let name = try XCTUnwrap(registry.defaultClassifier)
        XCTAssertNil(registry.classifiers[name]?.explainer)
        let texts = ["great cast", "boring plot"]
        let cli = try sentiment(["classify", "--json", "--all-scores", "--model", folder.path] + texts)

        let server = makeServer(registry: registry)
        try await server.withRunningServer { port in
            let reply = try await LoopbackHTTPClient.withConnection(port: port) {
                try await $0.post("/v1/classify", json: ["texts": texts, "top_k": 2, "explain": true])
            }
            XCTAssertEqual(reply.status, 200, reply.text)
            let results = try XCTUnwrap(reply.json?["results"] as? [[String: Any]])
            XCTAssertEqual(results.map { $0["label"] as? String }, ["positive", "negative"])
            var maxDelta: Float = 0
            for (served, printed) in zip(results, cli) {
                XCTAssertEqual(served["label"] as? String, printed.label)
                XCTAssertNil(served["tokens"])
                let a = try XCTUnwrap(served["scores"] as? [[String: Any]])
                XCTAssertEqual(a.map { $0["label"] as? String }, printed.scores.map(\.label))
                for (x, y) in zip(a, printed.scores) { maxDelta = max(maxDelta, abs(Self.float(x["score"]) - y.score)) }
            }
            print("baseline classify over HTTP vs CLI: max |Δscore| = \(maxDelta)")
            XCTAssertEqual(maxDelta, 0)
        }
    }

    // MARK: - /v1/fill-mask and /v1/embed = the pipelines

    func testFillMaskAndEmbedMatchThePipelines() async throws {
        _ = try cachedArtifact("splade-tiny-mlm")
        _ = try cachedArtifact("all-MiniLM-L6-v2")
        let registry = ModelRegistry([try ModelLocator.load("splade-tiny-mlm"), try ModelLocator.load("all-MiniLM-L6-v2")])
        XCTAssertEqual(registry.defaultFillMask, "splade-tiny-mlm")
        XCTAssertEqual(registry.defaultEmbedder, "all-MiniLM-L6-v2")
        XCTAssertTrue(registry.classifiers.isEmpty)

        let maskTexts = ["The movie was [MASK].", "Paris is the [MASK] of [MASK]."]
        let expectedFill = try FillMaskPipeline.load("splade-tiny-mlm").fill(maskTexts, topK: 4)
        let embedTexts = ["A wonderful film.", "Ünïcode 🎬 and a much longer sentence about the cinema on Main Street."]
        let expectedEmbeddings = try EmbeddingPipeline.load("all-MiniLM-L6-v2").embed(embedTexts)
        struct Line: Decodable { var embedding: [Float] }
        let printed = try String(decoding: run(["embed", "--json"] + embedTexts), as: UTF8.self)
            .split(separator: "\n").map { try JSONDecoder().decode(Line.self, from: Data($0.utf8)).embedding }

        let server = makeServer(registry: registry)
        try await server.withRunningServer { port in
            try await LoopbackHTTPClient.withConnection(port: port) { connection in
                let fill = try await connection.post("/v1/fill-mask", json: ["texts": maskTexts, "top_k": 4])
                XCTAssertEqual(fill.status, 200, fill.text)
                XCTAssertEqual(fill.json?["model"] as? String, "splade-tiny-mlm")
                let served = try XCTUnwrap(fill.json?["results"] as? [[[[String: Any]]]])
                XCTAssertEqual(served.map(\.count), [1, 2])   // masks per text
                var maxFillDelta: Float = 0
                for (servedText, expectedText) in zip(served, expectedFill) {
                    for (servedMask, expectedMask) in zip(servedText, expectedText) {
                        XCTAssertEqual(servedMask.map { $0["token"] as? Int }, expectedMask.map(\.token))
                        XCTAssertEqual(servedMask.map { $0["token_str"] as? String }, expectedMask.map(\.tokenString))
                        XCTAssertEqual(servedMask.map { $0["sequence"] as? String }, expectedMask.map(\.sequence))
                        for (a, b) in zip(servedMask, expectedMask) {
                            maxFillDelta = max(maxFillDelta, abs(Self.float(a["score"]) - b.score))
                        }
                    }
                }

                let embed = try await connection.post("/v1/embed", json: ["texts": embedTexts])
                XCTAssertEqual(embed.status, 200, embed.text)
                XCTAssertEqual(embed.json?["dimension"] as? Int, 384)
                let vectors = try XCTUnwrap(embed.json?["embeddings"] as? [[Any]])
                XCTAssertEqual(vectors.map(\.count), [384, 384])
                var maxEmbedDelta: Float = 0
                for (servedVector, expected) in zip(vectors, expectedEmbeddings) {
                    for (a, b) in zip(servedVector, expected) { maxEmbedDelta = max(maxEmbedDelta, abs(Self.float(a) - b)) }
                }
                // `sentiment embed --json` (JSON lines) prints the same vectors.
                XCTAssertEqual(printed.count, embedTexts.count)
                for (servedVector, printedVector) in zip(vectors, printed) {
                    for (a, b) in zip(servedVector, printedVector) { maxEmbedDelta = max(maxEmbedDelta, abs(Self.float(a) - b)) }
                }
                print("fill-mask over HTTP vs FillMaskPipeline: max |Δscore| = \(maxFillDelta); "
                      + "embed over HTTP vs EmbeddingPipeline and `sentiment embed --json`: max |Δ| = \(maxEmbedDelta)")
                XCTAssertEqual(maxFillDelta, 0)
                XCTAssertEqual(maxEmbedDelta, 0)

                // The real masked LM's own mask token is what the server checks for.
                let noMask = try await connection.post("/v1/fill-mask", json: ["texts": ["no mask here"]])
                XCTAssertEqual(noMask.status, 422)
                XCTAssertEqual(errorBody(noMask).code, "no_mask_token")
                // Classification was not loaded: a clear 404, not a crash.
                let classify = try await connection.post("/v1/classify", json: ["texts": ["fine"]])
                XCTAssertEqual(classify.status, 404, classify.text)
            }
        }
    }

    // MARK: - Defaults

    /// sentiment-en is shipped (a LoRA adapter), but its base must be fetched: with an empty cache the defaults
    /// refuse, naming the base.
    func testDefaultModelsNameSetupAndDemoWhenTheBaseIsNotFetched() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("serve-empty-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let cache = ArtifactCache(root: home)
        XCTAssertThrowsError(try ModelLocator.loadServedDefaults(cache: cache)) { error in
            guard case .some(.artifactMissing(let name, _)) = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "all-mpnet-base-v2")
        }
        // `sentiment serve` says so before loading anything, naming `sentiment setup` and `--demo`, and exits.
        let serve = try runSentiment(["serve", "--port", "0"], environment: ["SENTIMENTKIT_HOME": home.path])
        XCTAssertNotEqual(serve.status, 0)
        XCTAssertTrue(serve.stderr.contains("all-mpnet-base-v2, which is not fetched"), serve.stderr)
        XCTAssertTrue(serve.stderr.contains("sentiment setup") && serve.stderr.contains("--demo"), serve.stderr)
        // A named model that is not there: the locator's error, naming what is known.
        XCTAssertThrowsError(try ModelLocator.load("no-such-model", cache: cache)) { error in
            XCTAssertTrue(String(describing: error).contains("no-such-model"), "\(error)")
        }
    }

    /// With sentiment-en built (in the cache's models folder), the defaults load it first, plus the extras that are
    /// there; the ones missing are reported, not fatal.
    func testDefaultModelsServeABuiltSentimentEnAndSkipMissingExtras() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("serve-defaults-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let cache = ArtifactCache(root: home)
        try FileManager.default.createDirectory(at: cache.modelsDirectory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.tinyBert, to: DefaultModelCatalog.folder("sentiment-en", cache: cache))
        var notes: [String] = []
        let registry = ModelRegistry(try ModelLocator.loadServedDefaults(cache: cache) { notes.append($0) })
        XCTAssertEqual(registry.defaultClassifier, "sentiment-en")
        XCTAssertNotNil(registry.classifiers["sentiment-en"]?.explainer)
        XCTAssertTrue(registry.fillMaskModels.isEmpty && registry.embedders.isEmpty)
        XCTAssertEqual(notes, [
            "sentiment-3class not served: its base all-mpnet-base-v2 is not fetched (`sentiment fetch all-mpnet-base-v2`)",
            "sentiment-en-fast not served: not built (`sentiment setup --name sentiment-en-fast`)",
            "sentiment-3class-fast not served: not built (`sentiment setup --name sentiment-3class-fast`)",
            "sentiment-en-large not served: not built (`sentiment setup --name sentiment-en-large`)",
            "sentiment-3class-large not served: not built (`sentiment setup --name sentiment-3class-large`)",
            "splade-tiny-mlm not served: not fetched (`sentiment fetch splade-tiny-mlm`)",
            "all-MiniLM-L6-v2 not served: not fetched (`sentiment fetch all-MiniLM-L6-v2`)",
        ])
    }

    // MARK: - Helpers

    static func float(_ value: Any?) -> Float { Float((value as? NSNumber)?.doubleValue ?? .nan) }

    /// Runs the built `sentiment classify ... --json` and decodes its array (`text` is ignored).
    func sentiment(_ arguments: [String]) throws -> [Classification] {
        try JSONDecoder().decode([Classification].self, from: try run(arguments))
    }

    /// Runs the built `sentiment` and returns its stdout (asserting exit status 0).
    func run(_ arguments: [String]) throws -> Data {
        let result = try runSentiment(arguments)
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdout
    }

    /// Runs the `sentiment` built next to the tests (a subprocess: the tests do not link the executable).
    func runSentiment(_ arguments: [String], environment: [String: String] = [:]) throws
        -> (status: Int32, stdout: Data, stderr: String) {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var binary: URL?
        for _ in 0..<4 where binary == nil {
            let candidate = folder.appendingPathComponent("sentiment")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { binary = candidate }
            folder = folder.deletingLastPathComponent()
        }
        let process = Process()
        process.executableURL = try XCTUnwrap(binary, "sentiment executable not built next to the tests")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, stdout, String(decoding: stderr, as: UTF8.self))
    }
}
