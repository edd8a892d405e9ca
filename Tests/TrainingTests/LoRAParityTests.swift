import Foundation
import SentimentCore
import SentimentModels
import SentimentTensor
import XCTest

@testable import SentimentTraining

/// LoRA against peft (scripts/fixtures/lora.py, on the tiny classifiers of families.py): for each family, adapters
/// on a different set of projections (every target kind is covered), r 4, alpha 8, the head in
/// `modules_to_save`. Checks the gradients of every trainable tensor (without dropout, and with LoRA dropout on our
/// masks) and ten AdamW steps against PyTorch + peft;
/// that a peft-saved adapter loads (for training, and merged for inference) to peft's logits; and that the adapter
/// our trainer writes is the committed one, which peft loads to our logits (`lora.py --check`).
final class LoRAParityTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The fixture's targets per family (lora.py's TARGETS).
    static let targets: [String: [LoRATarget]] = [
        "bert": [.query, .value],
        "distilbert": LoRATarget.allCases,
        "roberta": [.key, .attentionOutput, .intermediate, .output],
        "mpnet": [.query, .value, .attentionOutput],
    ]
    static let families = ["bert", "distilbert", "roberta", "mpnet"]

    /// FamilyParityTests' case, its `folder` the base model and its fixture lora.py's. With `loraDropout`, the model's
    /// own dropout is off (as in the fixture's eval() model) and only the adapters' inputs are dropped.
    func load(_ family: String, loraDropout: Float = 0) throws -> FamilyParityTests.Case {
        let base = Self.folder.appendingPathComponent("families/tiny-\(family)-cls")
        let fixture = try SafeTensorsFile(contentsOf: Self.folder.appendingPathComponent("lora/\(family).safetensors"))
        let adapter = try LoRAAdapter(folder: Self.folder.appendingPathComponent("lora/\(family)-peft"))
        let lora = LoRAConfiguration(rank: 4, alpha: 8, dropout: loraDropout, targets: Self.targets[family]!)
        var config = try ModelConfig.load(from: base)
        if loraDropout > 0 {
            config.hiddenDropoutProb = 0
            config.attentionProbsDropoutProb = 0
            config.classifierDropout = 0
        }
        let model = try TrainableClassifier(
            config: config, reader: try CheckpointReader(.safetensors(base.appendingPathComponent("model.safetensors"))),
            numLabels: 3, problem: .singleLabel, seed: 1, head: .fromCheckpoint, baseConfigJSON: [:], lora: lora, adapter: adapter)
        let batch = try FamilyParityTests.batch(try SafeTensorsFile(contentsOf: Self.folder.appendingPathComponent("families/\(family).safetensors")))
        return FamilyParityTests.Case(model: model, fixture: fixture, batch: batch, folder: base)
    }

    /// One forward / backward against the fixture's `prefix`logits, loss and grad.NAME: every trainable tensor
    /// within relative 1e-3, the frozen base without any gradient.
    func checkGradients(_ family: String, training: Bool, prefix: String) throws {
        let c = try load(family, loraDropout: training ? 0.25 : 0)
        let (loss, logits) = try c.model.forwardBackward(c.batch, training: training)
        let refLoss = try c.fixture.tensor(prefix + "loss").storage[0], refLogits = try c.fixture.tensor(prefix + "logits").storage
        let logitsDelta = zip(logits.flatMap { $0 }, refLogits).map { abs($0 - $1) }.max()!
        XCTAssertEqual(loss, refLoss, accuracy: 1e-5, family)
        XCTAssertLessThan(logitsDelta, 1e-5, family)
        let trainable = c.model.parameters.entries.filter(\.trainable)
        XCTAssertEqual(Set(trainable.map { prefix + "grad." + $0.name }),
                       Set(c.fixture.names.filter { $0.hasPrefix(prefix + "grad.") }), "\(family): the tensors peft trains")
        var worst: (String, Float) = ("", 0)
        for e in trainable {
            let ref = try c.fixture.tensor(prefix + "grad.\(e.name)").storage
            let ours = Array(UnsafeBufferPointer(start: c.model.parameters.grads + e.offset, count: e.count))
            let relative = (zip(ours, ref).map { abs($0 - $1) }.max() ?? 0) / max(ref.map(abs).max() ?? 0, 1e-12)
            XCTAssertLessThanOrEqual(relative, 1e-3, "\(family) \(e.name)")
            if relative > worst.1 { worst = (e.name, relative) }
        }
        // Frozen: no gradient at all.
        for e in c.model.parameters.entries where !e.trainable {
            XCTAssertFalse(UnsafeBufferPointer(start: c.model.parameters.grads + e.offset, count: e.count).contains { $0 != 0 },
                           "\(family) \(e.name) is frozen")
        }
        print("\(family) LoRA\(training ? " with dropout 0.25" : ""): loss |Δ| \(abs(loss - refLoss)), logits max |Δ| "
              + "\(logitsDelta); \(trainable.count) trainable tensors, worst gradient relative error \(worst.1) (\(worst.0))")
    }

    func testGradientsMatchPeft() throws {
        for family in Self.families {
            try KernelPath.onEveryPath("LoRA gradients (\(family))") { try checkGradients(family, training: false, prefix: "") }
        }
    }

    /// LoRA dropout: our masks (which the fixture re-draws in Python for peft's `lora_dropout` modules), the
    /// forward's correction on the merged weight and backward's x̃ and input-gradient correction.
    func testGradientsWithLoRADropoutMatchPeft() throws {
        for family in Self.families {
            try KernelPath.onEveryPath("LoRA dropout gradients (\(family))") {
                try checkGradients(family, training: true, prefix: "dropout.")
            }
        }
    }

    func testTenAdamWStepsMatchPeftAndTheCommittedAdapter() throws {
        for family in Self.families {
            try KernelPath.onEveryPath("LoRA AdamW steps (\(family))") {
                let c = try load(family)
                let refLosses = try c.fixture.tensor("steps.loss").storage, refNorms = try c.fixture.tensor("steps.grad_norm").storage
                var adam = AdamW(trainableOf: c.model.parameters, weightDecay: 0.01)
                XCTAssertEqual(adam.m.count, c.model.parameters.trainableCount, "no optimiser state for the frozen base")
                let (losses, norms) = try FamilyParityTests.tenAdamWSteps(c.model, c.batch, &adam)
                let lossDelta = zip(losses, refLosses).map { abs($0 - $1) }.max()!
                let normDelta = zip(norms, refNorms).map { abs($0 - $1) / $1 }.max()!
                print("\(family) LoRA: 10 AdamW steps, loss \(losses.first!) → \(losses.last!); max |Δ| loss \(lossDelta), "
                      + "max rel Δ grad norm \(normDelta)")
                XCTAssertLessThanOrEqual(lossDelta, 1e-4, family)
                XCTAssertLessThanOrEqual(normDelta, 1e-3, family)

                // What our trainer writes after these steps is the committed adapter that peft loaded (lora.py --check).
                c.model.baseModelName = "../../families/tiny-\(family)-cls"
                let tensors = c.model.adapterTensors()
                if let dir = ProcessInfo.processInfo.environment["LORA_EXPORT_DIR"] {
                    let out = URL(fileURLWithPath: dir).appendingPathComponent(family)
                    try HFExport.write(c.model, labels: ["negative", "neutral", "positive"], tokenizerFrom: c.folder, to: out)
                    let logits = try c.model.logits(c.batch)
                    try JSONEncoder().encode(logits).write(to: out.appendingPathComponent("logits.json"))
                }
                let committed = try LoRAAdapter(folder: Self.folder.appendingPathComponent("lora/\(family)-ours"))
                XCTAssertEqual(Set(tensors.keys.map { String($0.dropFirst(LoRAAdapter.keyPrefix.count)) }), Set(committed.tensors.keys))
                var worst: Float = 0
                for (key, t) in tensors {
                    let ref = committed.tensors[String(key.dropFirst(LoRAAdapter.keyPrefix.count))]!
                    worst = max(worst, zip(t.storage, ref.storage).map { abs($0 - $1) }.max() ?? 0)
                }
                XCTAssertLessThanOrEqual(worst, 1e-5, "\(family): our adapter after 10 steps vs the committed one")
                XCTAssertEqual(c.model.adapterConfig(), committed.config, family)
            }
        }
    }

    /// A peft-saved adapter, merged at load (W₀ + scale·B·A), gives peft's logits; so does ours (peft's logits on
    /// the committed adapter our trainer wrote).
    func testAdaptersLoadMergedForInference() throws {
        for family in Self.families {
            try KernelPath.onEveryPath("LoRA merged inference (\(family))") {
                let base = Self.folder.appendingPathComponent("families/tiny-\(family)-cls")
                let fixture = try SafeTensorsFile(contentsOf: Self.folder.appendingPathComponent("lora/\(family).safetensors"))
                let batch = try FamilyParityTests.batch(try SafeTensorsFile(contentsOf: Self.folder.appendingPathComponent("families/\(family).safetensors")))
                let packed = try PackedBatch(sequences: batch.sequences, typeIds: batch.typeIds)
                for (name, reference, tolerance) in [
                    ("peft", try fixture.tensor("logits").storage, Float(1e-5)),
                    ("ours", try JSONDecoder().decode([[Float]].self, from: Data(contentsOf: Self.folder.appendingPathComponent("lora/\(family)-ours/peft_logits.json"))).flatMap { $0 }, Float(1e-4)),
                ] {
                    let adapter = try LoRAAdapter(folder: Self.folder.appendingPathComponent("lora/\(family)-\(name)"))
                    let model = try AutoModel.load(baseFolder: base, adapter: adapter, labels: ["negative", "neutral", "positive"])
                    XCTAssertEqual(model.architecture.head, .sequenceClassification)
                    let logits = try model.classify(packed).storage
                    let delta = zip(logits, reference).map { abs($0 - $1) }.max()!
                    print("\(family): \(name) adapter merged at load vs peft: logits max |Δ| \(delta)")
                    XCTAssertLessThanOrEqual(delta, tolerance, "\(family) \(name)")
                    for precision in [Precision.bf16, .int8] {
                        let low = try AutoModel.load(baseFolder: base, adapter: adapter, options: LoadOptions(precision: precision))
                        let lowLogits = try low.classify(packed).storage
                        XCTAssertLessThan(zip(lowLogits, reference).map { abs($0 - $1) }.max()!, 0.5, "\(family) \(name) \(precision)")
                    }
                }
            }
        }
    }

    func testBrokenAdaptersAreRefusedClearly() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("lora-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let good = Self.folder.appendingPathComponent("lora/mpnet-peft")
        XCTAssertThrowsError(try LoRAAdapter(folder: tmp)) { XCTAssertTrue("\($0)".contains("adapter_config.json"), "\($0)") }
        try Data("{\"peft_type\": \"LORA\"".utf8).write(to: tmp.appendingPathComponent("adapter_config.json"))
        XCTAssertThrowsError(try LoRAAdapter(folder: tmp)) { XCTAssertTrue("\($0)".contains("not a LoRA adapter config"), "\($0)") }
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: good.appendingPathComponent("adapter_config.json"))) as! [String: Any]
        config["use_dora"] = true
        try JSONSerialization.data(withJSONObject: config).write(to: tmp.appendingPathComponent("adapter_config.json"))
        XCTAssertThrowsError(try LoRAAdapter(folder: tmp)) { XCTAssertTrue("\($0)".contains("DoRA"), "\($0)") }
        config["use_dora"] = false
        try JSONSerialization.data(withJSONObject: config).write(to: tmp.appendingPathComponent("adapter_config.json"))
        XCTAssertThrowsError(try LoRAAdapter(folder: tmp)) { XCTAssertTrue("\($0)".contains("adapter_model.safetensors"), "\($0)") }
        let weights = try Data(contentsOf: good.appendingPathComponent("adapter_model.safetensors"))
        try weights.prefix(weights.count / 2).write(to: tmp.appendingPathComponent("adapter_model.safetensors"))
        XCTAssertThrowsError(try LoRAAdapter(folder: tmp)) { XCTAssertTrue("\($0)".contains("adapter_model.safetensors"), "\($0)") }
        // A rank that does not match the run's.
        let base = Self.folder.appendingPathComponent("families/tiny-mpnet-cls")
        XCTAssertThrowsError(try TrainableClassifier(folder: base, numLabels: 3, head: .fromCheckpoint,
                                                     lora: LoRAConfiguration(rank: 8, alpha: 16, targets: [.query, .value, .attentionOutput]),
                                                     adapter: try LoRAAdapter(folder: good))) {
            XCTAssertTrue("\($0)".contains("rank 4"), "\($0)")
        }
        XCTAssertThrowsError(try LoRATarget.parse("query,nonsense")) { XCTAssertTrue("\($0)".contains("nonsense"), "\($0)") }
        XCTAssertEqual(try LoRATarget.parse("ffn,query"), [.query, .intermediate, .output])
    }
}
