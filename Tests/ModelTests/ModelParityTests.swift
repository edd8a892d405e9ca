import Foundation
import SentimentTensor
import SentimentTokenizers
import XCTest

@testable import SentimentModels

/// Every model output against PyTorch/transformers (scripts/fixtures/models.py), max |Δ| ≤ 1e-4.
final class ModelParityTests: XCTestCase {
    func testMiniLMMatchesPyTorchOnSixteenTexts() throws {
        try KernelPath.onEveryPath(name) {
            let model = try AutoModel.load(folder: TestArtifacts.folder("all-MiniLM-L6-v2"))
            XCTAssertEqual(model.architecture, .bertModel)
            let inputs = try FixtureInputs.load("minilm/inputs.json")
            let batch = try inputs.batch()
            XCTAssertEqual(batch.count, 16)
            let expected = try expectedTensors("minilm/outputs.safetensors")

            let output = try model.forward(batch, captureAttention: true)
            assertClose(output.hidden, try expected.tensor("last_hidden_state"), "MiniLM last_hidden_state")
            assertClose(try model.pooledOutput(output), try expected.tensor("pooler_output"), "MiniLM pooler_output")
            assertClose(model.sentenceEmbeddings(output), try expected.tensor("embeddings"), "MiniLM mean-pooled embeddings")

            // First token's last-layer attention, mean over heads; the fixture is padded (B, T) with zeros on padding.
            let attention = try expected.tensor("cls_attention")
            let width = attention.shape[1]
            let padded = output.firstTokenAttention!.flatMap { $0 + [Float](repeating: 0, count: width - $0.count) }
            assertClose(Tensor(shape: attention.shape, data: padded), attention, "MiniLM first-token attention")
            for row in output.firstTokenAttention! { XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-5) }
        }
    }

    func testMiniLMPublishedExampleEmbedding() throws {
        try KernelPath.onEveryPath(name) {
            let model = try AutoModel.load(folder: TestArtifacts.folder("all-MiniLM-L6-v2"))
            let inputs = try FixtureInputs.load("minilm/inputs.json")
            XCTAssertEqual(inputs.texts?.first, "This is an example sentence")
            let embedding = try model.sentenceEmbeddings(PackedBatch(sequences: [inputs.input_ids[0]]))
            // Published sentence-transformers values for all-MiniLM-L6-v2.
            for (i, value) in [0.0677, 0.0635, 0.0487, 0.0793].enumerated() {
                XCTAssertEqual(Double(embedding[0, i]), value, accuracy: 5e-5)
            }
            print("MiniLM 'This is an example sentence' starts", (0..<4).map { embedding[0, $0] })
            let norm = (0..<384).reduce(Float(0)) { $0 + embedding[0, $1] * embedding[0, $1] }.squareRoot()
            XCTAssertEqual(norm, 1, accuracy: 1e-5)
        }
    }

    func testSpladeTinyMaskedLMLogits() throws {
        try KernelPath.onEveryPath(name) {
            // Legacy gamma/beta LayerNorm names, "bert." prefix, decoder tied to the word embeddings.
            let model = try AutoModel.load(folder: TestArtifacts.folder("splade-tiny-mlm"))
            XCTAssertEqual(model.architecture, .bertForMaskedLM)
            let inputs = try FixtureInputs.load("splade/inputs.json")
            let logits = try model.maskedLMLogits(try inputs.batch(), positions: inputs.mask_positions!)
            let expected = try expectedTensors("splade/outputs.safetensors").tensor("mask_logits")
            XCTAssertEqual(logits.shape, [4, 30522])
            assertClose(logits, expected, "SPLADE-tiny MLM logits at [MASK]")
            XCTAssertEqual(model.maskedLMHead!.decoder.pointer, model.embeddings.wordEmbeddings.pointer, "decoder is tied")
        }
    }

    func testTinyBertClassifier() throws { try KernelPath.onEveryPath(name) { try checkTinyClassifier("tiny-bert-cls", architecture: .bertForSequenceClassification) } }

    func testTinyDistilBertClassifier() throws { try KernelPath.onEveryPath(name) { try checkTinyClassifier("tiny-distilbert-cls", architecture: .distilBertForSequenceClassification) } }

    func testTinyRobertaClassifier() throws { try KernelPath.onEveryPath(name) { try checkTinyClassifier("tiny-roberta-cls", architecture: .robertaForSequenceClassification) } }

    func testTinyRobertaMaskedLM() throws { try KernelPath.onEveryPath(name) { try checkTinyMaskedLM("tiny-roberta-mlm", architecture: .robertaForMaskedLM) } }

    func testTinyDistilBertMaskedLM() throws { try KernelPath.onEveryPath(name) { try checkTinyMaskedLM("tiny-distilbert-mlm", architecture: .distilBertForMaskedLM) } }

    /// Logits at every token (the fixture stores them packed).
    private func checkTinyMaskedLM(_ name: String, architecture: ModelArchitecture) throws {
        let model = try AutoModel.load(folder: TestArtifacts.fixture(name))
        XCTAssertEqual(model.architecture, architecture)
        let batch = try FixtureInputs.load("\(name).json").batch()
        let expected = try expectedTensors("\(name).safetensors")
        let logits = try model.maskedLMLogits(batch, positions: batch.lengths.map { Array(0..<$0) })
        assertClose(logits, try expected.tensor("logits"), "\(name) logits")
    }

    private func checkTinyClassifier(_ name: String, architecture: ModelArchitecture) throws {
        let model = try AutoModel.load(folder: TestArtifacts.fixture(name))
        XCTAssertEqual(model.architecture, architecture)
        let batch = try FixtureInputs.load("\(name).json").batch()
        let expected = try expectedTensors("\(name).safetensors")
        let output = try model.forward(batch)
        assertClose(output.hidden, try expected.tensor("last_hidden_state"), "\(name) last_hidden_state")
        let logits = try model.classify(output)
        assertClose(logits, try expected.tensor("logits"), "\(name) logits")
        // `classify(batch)` runs the last block on the first tokens alone (`firstTokenOnly`): every kernel's rows are
        // independent of the other rows, so the logits are bitwise those of the full forward.
        XCTAssertEqual(try model.classify(batch).storage, logits.storage, "\(name): first-token-only classification")
    }
}

/// Text → our tokenizer → packed batch gives exactly the ids HF fed PyTorch (so `sentiment embed` matches too).
final class TokenizerToModelTests: XCTestCase {
    func testTokenizedTextsPackLikeTheFixture() throws {
        struct Texts: Decodable { var texts: [String]; var pairs: [String?] }
        let texts = try JSONDecoder().decode(Texts.self, from: Data(contentsOf: TestArtifacts.fixture("minilm/inputs.json")))
        let tokenizer = try AutoTokenizer.load(folder: TestArtifacts.folder("all-MiniLM-L6-v2"))
        let encodings = try zip(texts.texts, texts.pairs).map { try tokenizer.encode($0, pair: $1) }
        XCTAssertEqual(try PackedBatch(encodings: encodings), try FixtureInputs.load("minilm/inputs.json").batch())

        // Padded encodings pack to the same batch: padding is dropped through the attention mask.
        let padded = try tokenizer.encodeBatch(texts.texts, options: EncodingOptions(padding: .longest))
        let unpadded = try tokenizer.encodeBatch(texts.texts, options: EncodingOptions())
        XCTAssertEqual(try PackedBatch(encodings: padded), try PackedBatch(encodings: unpadded))
    }
}
