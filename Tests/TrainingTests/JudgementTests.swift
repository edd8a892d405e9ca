import Foundation
import SentimentModels
import SentimentTensor
import XCTest

@testable import SentimentTraining

/// Temperature scaling, the distillation loss and teacher-logits files against scripts/fixtures/judgement.py.
final class JudgementTests: XCTestCase {
    static func fixture(_ name: String) throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/judgement/\(name)")
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    static func floats(_ rows: Any?) -> [[Float]] { (rows as! [[Double]]).map { $0.map(Float.init) } }

    /// T within 1e-6 (relative) of scipy's bounded minimiser (and torch LBFGS), NLL within 1e-9, ECE within 1e-9.
    func testTemperatureMatchesScipyAndTorchLBFGS() throws {
        for case let c as [String: Any] in try Self.fixture("temperature.json")["cases"] as! [Any] {
            let logits = Self.floats(c["logits"]), labels = c["labels"] as! [Int]
            let reference = c["temperature"] as! Double
            let t = try TemperatureScaling.fit(logits: logits, labels: labels)
            let relative = abs(t - reference) / reference
            let nll = TemperatureScaling.negativeLogLikelihood(logits: logits, labels: labels, temperature: t)
            let nllDelta = abs(nll - (c["nll_after"] as! Double))
            let eceBefore = TemperatureScaling.expectedCalibrationError(logits: logits, labels: labels, temperature: 1)
            let eceAfter = TemperatureScaling.expectedCalibrationError(logits: logits, labels: labels, temperature: reference)
            print(String(format: "temperature %d classes: T %.8f vs scipy %.8f (relative |Δ| %.2e), NLL |Δ| %.2e, ECE %.4f → %.4f",
                         c["classes"] as! Int, t, reference, relative, nllDelta, eceBefore, eceAfter))
            XCTAssertLessThan(relative, 1e-6)
            XCTAssertLessThan(nllDelta, 1e-9)
            XCTAssertEqual(eceBefore, c["ece_before"] as! Double, accuracy: 1e-9)
            XCTAssertEqual(eceAfter, c["ece_after"] as! Double, accuracy: 1e-9)
            XCTAssertLessThan(eceAfter, eceBefore)
        }
    }

    func testTemperatureEdgeCasesAreClampedAndErrorsAreClear() throws {
        // Perfectly separated: NLL keeps falling as T → 0; clamped at the bracket's end.
        XCTAssertEqual(try TemperatureScaling.fit(logits: [[5, -5], [-5, 5]], labels: [0, 1]), 0.05, accuracy: 1e-12)
        // Every answer wrong: NLL falls as T → ∞; clamped at 20.
        XCTAssertEqual(try TemperatureScaling.fit(logits: [[5, -5], [-5, 5]], labels: [1, 0]), 20, accuracy: 1e-12)
        XCTAssertThrowsError(try TemperatureScaling.fit(logits: [], labels: []))
        XCTAssertThrowsError(try TemperatureScaling.fit(logits: [[1, 2]], labels: [2]))
    }

    /// Loss within 1e-6 and ∂loss/∂logits within 1e-6 of torch autograd (float64), labelled and unlabelled texts mixed.
    func testDistillationLossAndGradientMatchTorch() throws {
        for case let c as [String: Any] in try Self.fixture("distillation.json")["cases"] as! [Any] {
            let student = Self.floats(c["student"]), teacher = Self.floats(c["teacher"]), labels = c["labels"] as! [Int]
            let grad = Self.floats(c["grad"])
            let loss = Loss.distillation(temperature: Float(c["temperature"] as! Double), alpha: Float(c["alpha"] as! Double))
            let (b, k) = (student.count, student[0].count)
            var d = [Float](repeating: .nan, count: b * k)
            let value = student.flatMap { $0 }.withUnsafeBufferPointer { z in
                d.withUnsafeMutableBufferPointer { g in
                    loss.evaluate(logits: z.baseAddress!, batch: b, classes: k,
                                  targets: .distillation(labels: labels, teacherLogits: teacher), dLogits: g.baseAddress!)
                }
            }
            let delta = zip(d, grad.flatMap { $0 }).map { abs($0 - $1) }.max()!
            let reference = c["loss"] as! Double
            print(String(format: "distillation T %.1f alpha %.1f: loss %.7f vs torch %.7f, grad max |Δ| %.2e",
                         c["temperature"] as! Double, c["alpha"] as! Double, value, reference, delta))
            XCTAssertEqual(Double(value), reference, accuracy: 1e-6 * max(1, abs(reference)))
            XCTAssertLessThan(delta, 1e-6)
        }
    }

    /// With class-index targets (dev, test) the distillation loss is plain cross-entropy.
    func testDistillationLossOnGoldLabelsIsCrossEntropy() {
        let z: [Float] = [1, -1, 0.5, 2]
        var d1 = [Float](repeating: 0, count: 4), d2 = [Float](repeating: 0, count: 4)
        let a = Loss.distillation(temperature: 3, alpha: 0.7).evaluate(logits: z, batch: 2, classes: 2, targets: .classes([0, 1]), dLogits: &d1)
        let b = Loss.softmaxCrossEntropy().evaluate(logits: z, batch: 2, classes: 2, targets: .classes([0, 1]), dLogits: &d2)
        XCTAssertEqual(a, b)
        XCTAssertEqual(d1, d2)
    }

    /// Our float16 rounding is the platform's (IEEE round-to-nearest-even) on every half value's neighbourhood.
    func testFloat16RoundingMatchesTheHardwareConversion() {
        #if !(os(macOS) && arch(x86_64))
        var checked = 0
        for bits in UInt16.min ... UInt16.max {
            let f = HalfPrecision.floatFromFloat16(bits)
            guard f.isFinite else { continue }
            for x in [f, f.nextUp, f.nextDown, f + Float(Float16(bitPattern: bits).ulp) / 2] where x.isFinite {
                let expected = Float16(x).bitPattern
                let got = HalfPrecision.float16Bits(x)
                if got != expected {
                    XCTFail("float16(\(x)): \(String(got, radix: 16)) vs \(String(expected, radix: 16))")
                    return
                }
                checked += 1
            }
        }
        print("float16 rounding: \(checked) values, 0 mismatches")
        XCTAssertEqual(HalfPrecision.float16Bits(.infinity), 0x7C00)
        XCTAssertEqual(HalfPrecision.float16Bits(70000), 0x7C00)
        XCTAssertTrue(HalfPrecision.floatFromFloat16(HalfPrecision.float16Bits(.nan)).isNaN)
        #endif
    }

    func testTeacherLogitsFileRoundTripsAndRejectsDamage() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("teacher-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = TeacherLogits(teacher: "t", labels: ["negative", "positive"], sources: ["x"],
                                 logits: [("good film", [-2.5, 3.1]), ("bad film", [4.0, -3.9]), ("é", [0.001, -0.001])])
        let url = folder.appendingPathComponent("t.sktl")
        try file.write(to: url)
        let read = try TeacherLogits.read(from: url)
        XCTAssertEqual(read, file)
        XCTAssertEqual(read.logits(for: "good film")!, [-2.5, 3.099609375])   // float16: 3.1 → 3.0996
        XCTAssertNil(read.logits(for: "unseen"))
        // Same content, same bytes (records sorted by key).
        try file.write(to: folder.appendingPathComponent("u.sktl"))
        XCTAssertEqual(try Data(contentsOf: url), try Data(contentsOf: folder.appendingPathComponent("u.sktl")))
        // Truncated, wrong magic, missing: each a clear error naming the file.
        let bytes = try Data(contentsOf: url)
        for (name, damaged) in [("short", bytes.prefix(bytes.count - 3)), ("magic", Data("XXXXXXXX".utf8) + bytes.dropFirst(8))] {
            let bad = folder.appendingPathComponent("\(name).sktl")
            try damaged.write(to: bad)
            XCTAssertThrowsError(try TeacherLogits.read(from: bad)) { error in
                XCTAssertTrue("\(error)".contains(bad.path), "\(error)")
            }
        }
        XCTAssertThrowsError(try TeacherLogits.read(from: folder.appendingPathComponent("absent.sktl")))
    }
}
