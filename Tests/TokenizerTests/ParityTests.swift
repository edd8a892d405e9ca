import Foundation
import XCTest

@testable import SentimentTokenizers

/// 100 % parity with HF on every Rotten Tomatoes text, every CrowdFlower tweet and the edge cases
/// (fixtures: scripts/fixtures/tokenizer_parity.py), for each way of loading each tokenizer.
final class ParityTests: XCTestCase {
    /// Both corpora, loaded once for all tests.
    nonisolated(unsafe) static var corpora: [String: [String]]?

    func loadCorpora() throws -> [String: [String]] {
        if let corpora = Self.corpora { return corpora }
        let corpora = ["rotten-tomatoes": try Fixtures.corpus("rotten-tomatoes"),
                       "crowdflower-tweets": try Fixtures.corpus("crowdflower-tweets")]
        Self.corpora = corpora
        return corpora
    }

    /// Loads with `load(folder, tokenizer_config.json)` and checks every row of `fixture`.
    func checkParity(
        _ label: String, folder: URL, fixture: String, file: StaticString = #filePath, line: UInt = #line,
        load: (URL, [String: Any]) throws -> PreTrainedTokenizer
    ) throws {
        let config = try TokenizerLoader.readConfig(folder.appendingPathComponent("tokenizer_config.json"))
        let tokenizer = try load(folder, config)
        let report = try ParityChecker(tokenizer: tokenizer, label: label, corpora: loadCorpora())
            .check(Fixtures.jsonLines(fixture), file: file, line: line)
        XCTAssertGreaterThan(report.checked, 50_000, file: file, line: line)
    }

    func testMiniLMTokenizerJSONMatchesHF() throws {
        try checkParity("MiniLM tokenizer.json", folder: Fixtures.artifact("all-MiniLM-L6-v2"), fixture: "wordpiece.jsonl.gz") {
            try TokenizerLoader.fromTokenizerJSON($0.appendingPathComponent("tokenizer.json"), config: $1)
        }
    }

    func testMiniLMVocabTxtMatchesHF() throws {
        try checkParity("MiniLM vocab.txt", folder: Fixtures.artifact("all-MiniLM-L6-v2"), fixture: "wordpiece.jsonl.gz") {
            try TokenizerLoader.fromVocabTxt($0.appendingPathComponent("vocab.txt"), config: $1)
        }
    }

    func testRobertaBPETokenizerJSONMatchesHF() throws {
        try checkParity("roberta-bpe tokenizer.json", folder: Fixtures.robertaBPE, fixture: "bpe.jsonl.gz") {
            try TokenizerLoader.fromTokenizerJSON($0.appendingPathComponent("tokenizer.json"), config: $1)
        }
    }

    func testRobertaBPEVocabJSONMergesMatchesHF() throws {
        try checkParity("roberta-bpe vocab.json+merges.txt", folder: Fixtures.robertaBPE, fixture: "bpe.jsonl.gz") {
            try TokenizerLoader.fromVocabJSON(
                $0.appendingPathComponent("vocab.json"), merges: $0.appendingPathComponent("merges.txt"), config: $1)
        }
    }

    /// AutoTokenizer prefers tokenizer.json; the MiniLM and splade folders load, with the specials the models use.
    func testAutoTokenizerLoadsTheCachedModels() throws {
        let minilm = try AutoTokenizer.load(folder: Fixtures.artifact("all-MiniLM-L6-v2"))
        XCTAssertEqual(minilm.specialTokens.cls, SpecialToken(content: "[CLS]", id: 101))
        XCTAssertEqual(minilm.specialTokens.mask, SpecialToken(content: "[MASK]", id: 103))
        XCTAssertEqual(minilm.vocabSize, 30522)
        XCTAssertEqual(minilm.modelMaxLength, 512)
        let splade = try AutoTokenizer.load(folder: Fixtures.artifact("splade-tiny-mlm"))
        XCTAssertEqual(try splade.encode("Hello, world!").ids, try minilm.encode("Hello, world!").ids)
        let roberta = try AutoTokenizer.load(folder: Fixtures.robertaBPE)
        XCTAssertEqual(roberta.specialTokens.pad, SpecialToken(content: "<pad>", id: 1))
        XCTAssertEqual(roberta.vocabSize, 8000)
    }
}
