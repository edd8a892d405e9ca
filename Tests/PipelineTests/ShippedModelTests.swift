import Foundation
import SentimentData
import SentimentModels
import SentimentPipelines
import XCTest

/// The default models shipped as LoRA adapters (Sources/Data/Resources/adapters): each loads onto its fetched base
/// (`make test` fetches every catalog artifact first) and reproduces the dev accuracy its training run recorded
/// (`training_summary.json` beside it) within 0.2 point, on the same dev texts, truncated as in training.
final class ShippedModelTests: XCTestCase {
    func testShippedAdaptersReproduceTheirRecordedDevAccuracy() throws {
        for name in DefaultModelCatalog.shipped {
            let folder = try XCTUnwrap(DefaultModelCatalog.shippedFolder(name), "\(name) is in the resource bundle")
            let summary = try JSONSerialization.jsonObject(
                with: Data(contentsOf: folder.appendingPathComponent(FineTuningRecord.fileName))) as! [String: Any]
            let recordedAccuracy = try XCTUnwrap((summary["dev"] as? [String: Any])?["accuracy"] as? Double)
            let maxLength = try XCTUnwrap(((summary["recipe"] as? [String: Any])?["configuration"] as? [String: Any])?["maxLength"] as? Int)
            let record = try XCTUnwrap(try FineTuningRecord.load(folder: folder))
            XCTAssertNil(ModelLocator.unfetchedBase(name), "\(name): its base must be fetched (`sentiment fetch --all`) before the tests")
            let pipeline = try SentimentPipeline.load(name)
            XCTAssertEqual(pipeline.labels, record.labels)
            let dev = try record.recipe.load().dev
            XCTAssertGreaterThan(dev.count, 100)
            let started = Date()
            let logits = try pipeline.logits(dev.map(\.text), maxLength: maxLength, batchSize: 64)
            let predicted = logits.map { row in record.labels[row.indices.max { row[$0] < row[$1] }!] }
            let accuracy = Double(zip(predicted, dev).filter { $0 == $1.label }.count) / Double(dev.count)
            print(String(format: "%@: dev accuracy %.4f (recorded %.4f, |Δ| %.4f) on %d texts, %.0f s", name, accuracy,
                         recordedAccuracy, abs(accuracy - recordedAccuracy), dev.count, Date().timeIntervalSince(started)))
            XCTAssertEqual(accuracy, recordedAccuracy, accuracy: 0.002, name)
        }
    }

    func testShippedAdaptersAreSmallAndInPeftLayout() throws {
        for name in DefaultModelCatalog.shipped {
            let folder = try XCTUnwrap(DefaultModelCatalog.shippedFolder(name))
            let adapter = try LoRAAdapter(folder: folder)
            XCTAssertEqual(adapter.config.baseModelNameOrPath, "all-mpnet-base-v2")
            XCTAssertEqual(adapter.config.peftType, "LORA")
            let size = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(LoRAAdapter.weightsFile).path)[.size] as! Int
            XCTAssertLessThanOrEqual(size, 4 << 20, "\(name): adapter ≤ 4 MB")
            XCTAssertFalse(try adapter.loraPairs().isEmpty)
            XCTAssertNotNil(try ModelCalibration.load(folder: folder), "\(name) ships its temperature")
        }
    }
}
