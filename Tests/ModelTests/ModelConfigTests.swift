import Foundation
import XCTest

@testable import SentimentModels

final class ModelConfigTests: XCTestCase {
    private func decode(_ json: String) throws -> ModelConfig {
        try JSONDecoder().decode(ModelConfig.self, from: Data(json.utf8))
    }

    func testMiniLMConfigReadsEveryField() throws {
        let config = try ModelConfig.load(from: TestArtifacts.folder("all-MiniLM-L6-v2"))
        XCTAssertEqual(config.modelType, .bert)
        XCTAssertEqual(config.architectures, ["BertModel"])
        XCTAssertEqual(config.hiddenSize, 384)
        XCTAssertEqual(config.numHiddenLayers, 6)
        XCTAssertEqual(config.numAttentionHeads, 12)
        XCTAssertEqual(config.headSize, 32)
        XCTAssertEqual(config.intermediateSize, 1536)
        XCTAssertEqual(config.hiddenAct, .gelu)
        XCTAssertEqual(config.layerNormEps, 1e-12)
        XCTAssertEqual(config.typeVocabSize, 2)
        XCTAssertEqual(config.labels, ["LABEL_0", "LABEL_1"])
    }

    func testDefaultsAreBertBase() throws {
        let config = try decode(#"{"model_type": "bert"}"#)
        XCTAssertEqual(config, ModelConfig())
        XCTAssertEqual(config.hiddenSize, 768)
        XCTAssertEqual(config.numHiddenLayers, 12)
        XCTAssertEqual(config.intermediateSize, 3072)
        XCTAssertEqual(config.vocabSize, 30522)
    }

    func testDistilBertSpellings() throws {
        let config = try decode("""
            {"model_type": "distilbert", "architectures": ["DistilBertForSequenceClassification"], "dim": 64,
             "n_layers": 2, "n_heads": 4, "hidden_dim": 128, "activation": "relu", "seq_classif_dropout": 0.3,
             "id2label": {"0": "NEGATIVE", "1": "POSITIVE"}, "label2id": {"NEGATIVE": 0, "POSITIVE": 1}}
            """)
        XCTAssertEqual(config.hiddenSize, 64)
        XCTAssertEqual(config.numHiddenLayers, 2)
        XCTAssertEqual(config.numAttentionHeads, 4)
        XCTAssertEqual(config.intermediateSize, 128)
        XCTAssertEqual(config.hiddenAct, .relu)
        XCTAssertEqual(config.typeVocabSize, 0)
        XCTAssertEqual(config.layerNormEps, 1e-12)
        XCTAssertEqual(config.classifierDropout, 0.3)
        XCTAssertEqual(config.labels, ["NEGATIVE", "POSITIVE"])
    }

    func testRobertaPadAndEps() throws {
        let config = try decode("""
            {"model_type": "roberta", "pad_token_id": 1, "layer_norm_eps": 1e-05, "hidden_act": "gelu_new",
             "type_vocab_size": 1, "max_position_embeddings": 514, "problem_type": "multi_label_classification",
             "id2label": {"0": "a", "1": "b", "2": "c"}}
            """)
        XCTAssertEqual(config.padTokenId, 1)
        XCTAssertEqual(config.layerNormEps, 1e-5)
        XCTAssertEqual(config.hiddenAct, .geluNew)
        XCTAssertTrue(config.hiddenAct.isTanhGELU)
        XCTAssertEqual(config.problemType, .multiLabel)
        XCTAssertEqual(config.numLabels, 3)
        XCTAssertEqual(config.label2id, ["a": 0, "b": 1, "c": 2])
    }

    func testUnknownArchitectureAndTypeFailClearly() {
        XCTAssertThrowsError(try decode(#"{"model_type": "bert", "architectures": ["BertForQuestionAnswering"]}"#)) {
            XCTAssertEqual($0 as? ModelError, .unsupportedArchitecture("BertForQuestionAnswering"))
            XCTAssertTrue("\($0)".contains("BertForQuestionAnswering"))
        }
        XCTAssertThrowsError(try decode(#"{"model_type": "gpt2"}"#)) {
            XCTAssertEqual($0 as? ModelError, .unsupportedModelType("gpt2"))
        }
        XCTAssertThrowsError(try decode(#"{"model_type": "bert", "hidden_act": "swish"}"#)) {
            XCTAssertEqual($0 as? ModelError, .unsupportedActivation("swish"))
        }
        XCTAssertThrowsError(try decode(#"{"model_type": "bert", "hidden_size": 100, "num_attention_heads": 12}"#)) {
            guard case .invalidConfig = $0 as? ModelError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try ModelConfig.load(from: URL(fileURLWithPath: "/nonexistent/folder"))) {
            guard case .missingFile = $0 as? ModelError else { return XCTFail("\($0)") }
        }
    }

    func testEncodeRoundTripsInHFSpelling() throws {
        for json in [
            #"{"model_type": "distilbert", "dim": 32, "n_layers": 1, "n_heads": 2, "hidden_dim": 64, "id2label": {"0": "x"}}"#,
            #"{"model_type": "roberta", "hidden_size": 32, "num_attention_heads": 2, "problem_type": "regression"}"#,
        ] {
            let config = try decode(json)
            let data = try config.jsonData()
            XCTAssertEqual(try JSONDecoder().decode(ModelConfig.self, from: data), config)
            let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            XCTAssertNotNil(object[config.modelType == .distilbert ? "dim" : "hidden_size"])
        }
    }
}
