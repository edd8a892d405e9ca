import Foundation
import SentimentTensor
import XCTest

@testable import SentimentModels

/// Strict loading: every parameter present with its shape, unused tensors refused, clear errors naming the key.
final class LoadingTests: XCTestCase {
    private let tinyBert = TestArtifacts.fixture("tiny-bert-cls")

    private func tinyBertTensors() throws -> (ModelConfig, [String: Tensor]) {
        let config = try ModelConfig.load(from: tinyBert)
        let tensors = try SafeTensorsFile(contentsOf: tinyBert.appendingPathComponent("model.safetensors")).allFloatTensors()
        return (config, tensors)
    }

    func testInMemoryTensorsGiveTheSameLogitsAsTheMappedFile() throws {
        let (config, tensors) = try tinyBertTensors()
        let mapped = try AutoModel.load(folder: tinyBert)
        let inMemory = try AutoModel.load(config: config, tensors: tensors)
        let batch = try FixtureInputs.load("tiny-bert-cls.json").batch()
        XCTAssertEqual(try mapped.classify(batch), try inMemory.classify(batch))
    }

    func testMissingParameterIsNamed() throws {
        var (config, tensors) = try tinyBertTensors()
        tensors["bert.encoder.layer.1.output.dense.bias"] = nil
        XCTAssertThrowsError(try AutoModel.load(config: config, tensors: tensors)) {
            XCTAssertEqual($0 as? ModelError, .missingParameter("bert.encoder.layer.1.output.dense.bias"))
        }
        config.numHiddenLayers = 3
        XCTAssertThrowsError(try AutoModel.load(config: config, tensors: try tinyBertTensors().1)) {
            XCTAssertEqual($0 as? ModelError, .missingParameter("bert.encoder.layer.2.attention.self.query.weight"))
        }
    }

    func testWrongShapeIsNamed() throws {
        var (config, tensors) = try tinyBertTensors()
        tensors["classifier.weight"] = Tensor(shape: [2, 48])
        XCTAssertThrowsError(try AutoModel.load(config: config, tensors: tensors)) {
            XCTAssertEqual($0 as? ModelError, .shapeMismatch(name: "classifier.weight", expected: [3, 48], found: [2, 48]))
            print("error:", $0)
        }
    }

    func testUnusedTensorsAreRefusedUnlessIgnorable() throws {
        var (config, tensors) = try tinyBertTensors()
        tensors["bert.embeddings.position_ids"] = Tensor(shape: [1, 64])  // a buffer HF drops too
        tensors["cls.seq_relationship.weight"] = Tensor(shape: [2, 48])   // next-sentence head
        let model = try AutoModel.load(config: config, tensors: tensors)
        XCTAssertEqual(Set(model.ignoredKeys), ["bert.embeddings.position_ids", "cls.seq_relationship.weight"])

        tensors["bert.encoder.layer.9.output.dense.weight"] = Tensor(shape: [48, 96])
        XCTAssertThrowsError(try AutoModel.load(config: config, tensors: tensors)) {
            XCTAssertEqual($0 as? ModelError, .unusedParameters(["bert.encoder.layer.9.output.dense.weight"]))
        }
        let lenient = try AutoModel.load(config: config, tensors: tensors, options: LoadOptions(strict: false))
        XCTAssertTrue(lenient.ignoredKeys.contains("bert.encoder.layer.9.output.dense.weight"))
    }

    func testEncoderOnlyFromClassifierCheckpointAndBareKeys() throws {
        let (config, tensors) = try tinyBertTensors()
        let full = try AutoModel.load(config: config, tensors: tensors)
        let encoderOnly = try AutoModel.load(config: config, tensors: tensors, options: LoadOptions(head: HeadKind.none))
        XCTAssertNil(encoderOnly.classificationHead)
        XCTAssertEqual(Set(encoderOnly.ignoredKeys), ["classifier.weight", "classifier.bias"])
        let batch = try FixtureInputs.load("tiny-bert-cls.json").batch()
        XCTAssertEqual(try encoderOnly.encode(batch), try full.encode(batch))
        XCTAssertThrowsError(try encoderOnly.classify(batch)) {
            XCTAssertEqual($0 as? ModelError, .missingHead("sequence classification"))
        }

        // A base-model checkpoint (no "bert." prefix, as BertModel.save_pretrained writes) loads the same encoder.
        var bare: [String: Tensor] = [:]
        for (key, value) in tensors where key.hasPrefix("bert.") { bare[String(key.dropFirst(5))] = value }
        var baseConfig = config
        baseConfig.architectures = ["BertModel"]
        XCTAssertEqual(try AutoModel.load(config: baseConfig, tensors: bare).encode(batch), try full.encode(batch))
    }

    func testArchitectureInferredFromKeysWhenConfigNamesNone() throws {
        var (config, tensors) = try tinyBertTensors()
        config.architectures = []
        XCTAssertEqual(try AutoModel.load(config: config, tensors: tensors).architecture, .bertForSequenceClassification)
    }

    func testBadFolderAndCorruptWeights() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("models-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        XCTAssertThrowsError(try AutoModel.load(folder: folder)) {
            guard case .missingFile(let path) = $0 as? ModelError else { return XCTFail("\($0)") }
            XCTAssertTrue(path.hasSuffix("config.json"))
        }
        try FileManager.default.copyItem(at: tinyBert.appendingPathComponent("config.json"),
                                         to: folder.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try AutoModel.load(folder: folder)) {
            guard case .missingFile(let path) = $0 as? ModelError else { return XCTFail("\($0)") }
            XCTAssertTrue(path.hasSuffix("model.safetensors"))
        }
        let weights = try Data(contentsOf: tinyBert.appendingPathComponent("model.safetensors"))
        try weights.prefix(weights.count / 2).write(to: folder.appendingPathComponent("model.safetensors"))
        XCTAssertThrowsError(try AutoModel.load(folder: folder)) {
            guard case .weights(let why) = $0 as? ModelError else { return XCTFail("\($0)") }
            print("truncated checkpoint:", why)
        }
    }
}
