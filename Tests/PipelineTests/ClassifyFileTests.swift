import Foundation
import SentimentCore
import SentimentData
import XCTest

@testable import SentimentPipelines

/// `classify --file`: the table round trip (every original column and row kept) and the CLI's errors and exit codes.
final class ClassifyFileTests: XCTestCase {
    /// Quoted fields, embedded newlines and quotes, UTF-8 beyond ASCII, an empty field, an extra column named `label`.
    static let csv = """
        id,text,label,note
        1,the movie was great,gold,"plain"
        2,"a very dull film, really",gold,"with ""quotes"" and, commas"
        3,"this plot is silly
        and the ending was weak",,"multi
        line"
        4,superb cast — lovely story ✨ café,x,
        """ + "\n"

    func testCSVRoundTripKeepsEveryColumnAndRow() throws {
        let pipeline = try SentimentPipeline(folder: PipelineFixtures.tinyBert)
        let table = try TabularFile.parse(bytes: Array(Self.csv.utf8), format: .csv, file: "reviews.csv")
        let (result, classifications) = try TableClassification.classify(table, column: "text", with: pipeline,
                                                                         options: ClassificationOptions(batchSize: 3), allScores: true)
        XCTAssertEqual(result.columns, ["id", "text", "label", "note", "label_2", "score",
                                        "score_negative", "score_neutral", "score_positive"])
        for format in [TabularFile.Format.csv, .tsv, .jsonl] {
            let written = try TabularWriter.encode(result, as: format)
            let reread = try TabularFile.parse(bytes: [UInt8](written), format: format, file: "out.\(format.rawValue)")
            XCTAssertEqual(reread.columns, result.columns, "\(format)")
            XCTAssertEqual(reread.rows.count, 4, "\(format)")
            for (row, original) in zip(reread.rows, table.rows) {
                XCTAssertEqual(Array(row.prefix(4)), original, "\(format): original fields byte for byte")
            }
            XCTAssertEqual(reread.rows.map { $0[4] }, classifications.map(\.label))
            XCTAssertEqual(reread.rows.map { Float($0[5])! }, classifications.map(\.score))
        }
        // The appended scores are the pipeline's own, text by text.
        let direct = try pipeline.classify(table.column(named: "text"), options: ClassificationOptions(topK: nil))
        XCTAssertEqual(classifications.map(\.scores).map { $0.map(\.label) }, direct.map(\.scores).map { $0.map(\.label) })
        let worst = zip(classifications, direct).flatMap { zip($0.scores, $1.scores).map { abs($0.score - $1.score) } }.max()!
        XCTAssertLessThan(worst, 1e-6, "batch size 3 vs 32")
        XCTAssertEqual(result.rows[2][1], "this plot is silly\nand the ending was weak")
    }

    func testJSONLinesKeepColumnsAndAvoidNameClashes() throws {
        let table = try TabularFile.parse(bytes: Array(Self.csv.utf8), format: .csv, file: "reviews.csv")
        let results = (0..<4).map { i in
            Classification(scores: [LabelScore(label: "positive", score: 0.75), LabelScore(label: "negative", score: 0.25)],
                           chunks: i == 3 ? 2 : 1)
        }
        let lines = try TableClassification.jsonLines(table, results: results)
        XCTAssertEqual(lines.count, 4)
        XCTAssertEqual(lines[0], #"{"id": "1", "text": "the movie was great", "label": "gold", "note": "plain", "label_2": "positive", "#
                       + #""score": 0.75, "scores": [{"label":"positive","score":0.75},{"label":"negative","score":0.25}]}"#)
        let last = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[3].utf8)) as? [String: Any])
        XCTAssertEqual(last["text"] as? String, "superb cast — lovely story ✨ café")
        XCTAssertEqual(last["chunks"] as? Int, 2)
        let third = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[2].utf8)) as? [String: Any])
        XCTAssertEqual(third["note"] as? String, "multi\nline")
    }

    func testProgressLine() {
        XCTAssertEqual(TextProgress.line(done: 640, total: 1280, elapsed: 4),
                       "[████████████············] 640/1280 texts  160.0 texts/s  ETA 0:04")
    }

    func testEmptyTextInFileNamesItsLine() throws {
        let pipeline = try SentimentPipeline(folder: PipelineFixtures.tinyBert)
        let table = try TabularFile.parse(bytes: Array("id,text\n1,good\n2,\"\"\n".utf8), format: .csv, file: "bad.csv")
        XCTAssertThrowsError(try TableClassification.classify(table, column: "text", with: pipeline, options: ClassificationOptions())) {
            XCTAssertEqual($0 as? DataError, .malformedFile(file: "bad.csv", line: 3, reason: "column 'text': text 2 is empty"))
        }
        XCTAssertThrowsError(try TableClassification.classify(table, column: "review", with: pipeline, options: ClassificationOptions())) {
            guard case .some(.columnMissing) = $0 as? DataError else { return XCTFail("\($0)") }
        }
    }

    // MARK: - The `sentiment` executable

    /// The built `sentiment` next to the test bundle (swift test builds it too).
    func sentimentBinary() throws -> URL {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("sentiment")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        struct NotBuilt: Error, CustomStringConvertible {
            var description: String { "the sentiment executable is not built next to the tests (swift build first)" }
        }
        throw NotBuilt()
    }

    struct Run { var status: Int32; var stdout: String; var stderr: String }

    func sentiment(_ arguments: [String], stdin: String? = nil, home: URL) throws -> Run {
        let process = Process()
        process.executableURL = try sentimentBinary()
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SENTIMENTKIT_HOME"] = home.path   // an empty cache: nothing is built or fetched
        process.environment = environment
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                   stderr: String(decoding: stderr, as: UTF8.self))
    }

    func testCommandLineOutputsAndExitCodes() throws {
        let home = try PipelineFixtures.temporaryFolder("pipelines-cli")
        defer { try? FileManager.default.removeItem(at: home) }
        let model = PipelineFixtures.tinyBert.path
        let input = home.appendingPathComponent("reviews.csv")
        try Data(Self.csv.utf8).write(to: input)

        // File in, file out: original columns first, then label and score.
        let out = home.appendingPathComponent("out.csv")
        var run = try sentiment(["classify", "--file", input.path, "--model", model, "--out", out.path], home: home)
        XCTAssertEqual(run.status, 0, run.stderr)
        let written = try TabularFile.read(url: out)
        XCTAssertEqual(written.columns, ["id", "text", "label", "note", "label_2", "score"])
        XCTAssertEqual(written.rows.count, 4)

        // --jsonl on arguments: one object per text, in order.
        run = try sentiment(["classify", "the movie was great", "a very dull film", "--model", model, "--jsonl"], home: home)
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(first["text"] as? String, "the movie was great")
        XCTAssertEqual(first["label"] as? String, "neutral")
        XCTAssertEqual(try XCTUnwrap(first["score"] as? Double), 0.5526121, accuracy: 1e-6, "a number, as HF")

        // stdin, one text per line, --json.
        run = try sentiment(["classify", "--model", model, "--json"], stdin: "poor\nsuperb cast\n", home: home)
        XCTAssertEqual(run.status, 0, run.stderr)
        let array = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(array.map { $0["text"] as? String }, ["poor", "superb cast"])

        // Bad file (a row with more fields than the header): exit 65, the line named, nothing written.
        let bad = home.appendingPathComponent("bad.csv")
        try Data("id,text\n1,good\n2,bad,extra\n".utf8).write(to: bad)
        let badOut = home.appendingPathComponent("bad-out.csv")
        run = try sentiment(["classify", "--file", bad.path, "--model", model, "--out", badOut.path], home: home)
        XCTAssertEqual(run.status, 65)
        XCTAssertTrue(run.stderr.contains("bad.csv:3"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: badOut.path))

        // Invalid UTF-8: 65 as well.
        let latin1 = home.appendingPathComponent("latin1.txt")
        try Data([0x63, 0x61, 0x66, 0xE9, 0x0A]).write(to: latin1)
        run = try sentiment(["classify", "--file", latin1.path, "--model", model, "--out", badOut.path], home: home)
        XCTAssertEqual(run.status, 65, run.stderr)
        XCTAssertTrue(run.stderr.contains("invalid UTF-8"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: badOut.path))

        // Missing column, missing file, usage, default model not built with --no-build, unknown model.
        run = try sentiment(["classify", "--file", input.path, "--column", "review", "--model", model], home: home)
        XCTAssertEqual(run.status, 65)
        XCTAssertTrue(run.stderr.contains("columns are: id, text, label, note"), run.stderr)
        run = try sentiment(["classify", "--file", home.appendingPathComponent("none.csv").path, "--model", model], home: home)
        XCTAssertEqual(run.status, 66)
        run = try sentiment(["classify", "x", "--top-k", "0", "--model", model], home: home)
        XCTAssertEqual(run.status, 64)
        run = try sentiment(["classify", "x", "--no-build", "--model", "sentiment-en-large"], home: home)
        XCTAssertEqual(run.status, 69)
        XCTAssertTrue(run.stderr.contains("not built"), run.stderr)
        // The shipped default with --no-build in an empty cache: no fetch, an error naming its base.
        run = try sentiment(["classify", "x", "--no-build"], home: home)
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("all-mpnet-base-v2"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: home.appendingPathComponent("artifacts/all-mpnet-base-v2").path))
        run = try sentiment(["classify", "x", "--model", "no-such-model"], home: home)
        XCTAssertEqual(run.status, 69)
        run = try sentiment(["classify", "", "--model", model], home: home)
        XCTAssertEqual(run.status, 65, run.stderr)
    }
}

/// `sentiment triage` end to end with the tiny model: the labelled sample decides the threshold, the file is split
/// into the two outputs (every row in exactly one, columns kept), the summary's numbers agree with the files.
extension ClassifyFileTests {
    func testTriageSplitsTheFileAtTheChosenThreshold() throws {
        let cli = self
        let home = try PipelineFixtures.temporaryFolder("triage-cli")
        defer { try? FileManager.default.removeItem(at: home) }
        let model = PipelineFixtures.tinyBert.path
        let texts = (0..<40).map { i in ["the movie was great", "a dull film", "the plot is silly", "lovely story",
                                         "weak ending", "the cast was fine", "really good", "very bad"][i % 8] + " \(i)" }
        let posts = home.appendingPathComponent("posts.csv")
        try ("id,text\n" + texts.enumerated().map { "\($0),\($1)" }.joined(separator: "\n") + "\n").write(to: posts, atomically: true, encoding: .utf8)
        // The labelled sample: the model's own answers on half of it are "right", so a threshold exists.
        let pipeline = try SentimentPipeline(folder: PipelineFixtures.tinyBert)
        let answers = try pipeline.classify(texts)
        let sample = home.appendingPathComponent("sample.csv")
        let rows = texts.indices.map { i in "\(texts[i]),\(i % 2 == 0 ? answers[i][0].label : answers[i][1].label)" }
        try ("text,label\n" + rows.joined(separator: "\n") + "\n").write(to: sample, atomically: true, encoding: .utf8)

        let run = try cli.sentiment(["triage", "--model", model, "--file", posts.path, "--labelled", sample.path,
                                     "--target-accuracy", "0.5", "--min-kept", "5", "--json"], home: home)
        XCTAssertEqual(run.status, 0, run.stderr)
        let summary = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        let auto = try TabularFile.read(url: home.appendingPathComponent("posts.auto.csv"))
        let review = try TabularFile.read(url: home.appendingPathComponent("posts.review.csv"))
        XCTAssertEqual(auto.columns, ["id", "text", "label", "score"])
        XCTAssertEqual(auto.rows.count + review.rows.count, 40)
        XCTAssertEqual(Set(auto.rows.map { $0[0] } + review.rows.map { $0[0] }).count, 40)
        XCTAssertEqual(summary["auto_labelled"] as? Int, auto.rows.count)
        XCTAssertEqual(summary["labelled_count"] as? Int, 40)
        let threshold = try XCTUnwrap(summary["threshold"] as? Double)
        XCTAssertTrue(auto.rows.allSatisfy { Double($0[3])! >= threshold - 1e-6 })
        XCTAssertTrue(review.rows.allSatisfy { Double($0[3])! < threshold + 1e-6 })
        XCTAssertGreaterThanOrEqual(summary["labelled_accuracy"] as! Double, 0.5)

        // A .txt input (one text per line) gets .csv outputs: label and score need columns.
        let lines = home.appendingPathComponent("lines.txt")
        try (texts.joined(separator: "\n") + "\n").write(to: lines, atomically: true, encoding: .utf8)
        let fromText = try cli.sentiment(["triage", "--model", model, "--file", lines.path, "--labelled", sample.path,
                                          "--target-accuracy", "0.5", "--min-kept", "5"], home: home)
        XCTAssertEqual(fromText.status, 0, fromText.stderr)
        let autoText = try TabularFile.read(url: home.appendingPathComponent("lines.auto.csv"))
        let reviewText = try TabularFile.read(url: home.appendingPathComponent("lines.review.csv"))
        XCTAssertEqual(autoText.columns, ["text", "label", "score"])
        XCTAssertEqual(autoText.rows.count, auto.rows.count)
        XCTAssertEqual(autoText.rows.count + reviewText.rows.count, 40)

        // A model without a training summary and no --labelled: a clear error, nothing written.
        let bad = try cli.sentiment(["triage", "--model", model, "--file", posts.path, "--auto", home.appendingPathComponent("a.csv").path],
                                    home: home)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--labelled"), bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: home.appendingPathComponent("a.csv").path))
    }
}
