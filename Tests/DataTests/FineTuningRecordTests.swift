import Foundation
import XCTest

@testable import SentimentData

/// `training_summary.json` as the layers below the trainer read it (the trainer's own test writes one for real).
final class FineTuningRecordTests: XCTestCase {
    /// The file's shape as `FineTuning.run` writes it, trimmed: the fields read are decoded, the others ignored.
    static let summary = """
        {"calibration": {"temperature": 1.2}, "dev": {"accuracy": 0.6, "count": 10, "macroF1": 0.5, "perClassF1": [0.4, 0.6]},
         "labels": ["negative", "positive"], "model": "/m", "sampleLogits": [],
         "recipe": {"base": "all-MiniLM-L6-v2", "configuration": {"epochs": 1}, "data": "rotten-tomatoes",
                    "labelColumn": "label", "textColumn": "text"},
         "test": {"accuracy": 0.58, "count": 1341, "loss": 0.67, "macroF1": 0.37, "perClassF1": [0, 0.74]},
         "trainExamples": 300, "training": {"steps": 10, "trainingSeconds": 4.5}, "wallSeconds": 12.6}
        """

    func testLoadsTheFieldsItReadsAndNothingWhereThereIsNoFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("record-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        XCTAssertNil(try FineTuningRecord.load(folder: folder), "no file: not a fine-tuned folder")

        try Data(Self.summary.utf8).write(to: folder.appendingPathComponent(FineTuningRecord.fileName))
        let record = try XCTUnwrap(try FineTuningRecord.load(folder: folder))
        XCTAssertEqual(record, FineTuningRecord(
            recipe: .init(data: "rotten-tomatoes"), labels: ["negative", "positive"], trainingSeconds: 4.5,
            test: .init(count: 1341, accuracy: 0.58, macroF1: 0.37)))

        try Data("{\"recipe\": {}}".utf8).write(to: folder.appendingPathComponent(FineTuningRecord.fileName))
        XCTAssertThrowsError(try FineTuningRecord.load(folder: folder), "a file that is there but is no record")
    }

    /// The recipe's data: a file when one is there (with its columns), else a catalog name.
    func testDataSourceLoadsAFileWithItsColumns() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("record-data-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        let rows = (0..<40).map { "review \($0),\($0 % 2 == 0 ? "pos" : "neg")" }
        try Data(("body,stars\n" + rows.joined(separator: "\n") + "\n").utf8).write(to: file)
        let dataset = try FineTuningRecord.DataSource(data: file.path, textColumn: "body", labelColumn: "stars").load()
        XCTAssertEqual(dataset.labels, ["neg", "pos"])
        XCTAssertEqual(dataset.all.count, 40)
        XCTAssertThrowsError(try FineTuningRecord.DataSource(data: "no-such-data-set").load(
            cache: ArtifactCache(root: FileManager.default.temporaryDirectory.appendingPathComponent("none"))))
    }
}
