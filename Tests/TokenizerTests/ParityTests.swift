import Foundation
import XCTest

@testable import SentimentTokenizers

/// 100 % parity with HF on every Rotten Tomatoes text, every CrowdFlower tweet and the edge cases
/// (fixtures: scripts/fixtures/tokenizers.py).
final class ParityTests: XCTestCase {
    /// Both corpora, loaded once for all tests.
    nonisolated(unsafe) static var corpora: [String: [String]]?

    func loadCorpora() throws -> [String: [String]] {
        if let corpora = Self.corpora { return corpora }
        let corpora = ["rotten-tomatoes": try Fixtures.rottenTomatoes(), "crowdflower-tweets": try Fixtures.crowdflower()]
        Self.corpora = corpora
        return corpora
    }

    func testMiniLMTokenizerJSONMatchesHF() throws {
        let folder = try Fixtures.artifact("all-MiniLM-L6-v2")
        let tokenizer = try TokenizerLoader.fromTokenizerJSON(
            folder.appendingPathComponent("tokenizer.json"),
            config: TokenizerLoader.readConfig(folder.appendingPathComponent("tokenizer_config.json")))
        let report = try ParityChecker(tokenizer: tokenizer, label: "MiniLM tokenizer.json", corpora: loadCorpora())
            .check(Fixtures.jsonLines("wordpiece.jsonl.gz"))
        XCTAssertGreaterThan(report.checked, 50_000)
    }

    func testMiniLMVocabTxtMatchesHF() throws {
        let folder = try Fixtures.artifact("all-MiniLM-L6-v2")
        let tokenizer = try TokenizerLoader.fromVocabTxt(
            folder.appendingPathComponent("vocab.txt"),
            config: TokenizerLoader.readConfig(folder.appendingPathComponent("tokenizer_config.json")))
        let report = try ParityChecker(tokenizer: tokenizer, label: "MiniLM vocab.txt", corpora: loadCorpora())
            .check(Fixtures.jsonLines("wordpiece.jsonl.gz"))
        XCTAssertGreaterThan(report.checked, 50_000)
    }

    func testRobertaBPETokenizerJSONMatchesHF() throws {
        let folder = Fixtures.robertaBPE
        let tokenizer = try TokenizerLoader.fromTokenizerJSON(
            folder.appendingPathComponent("tokenizer.json"),
            config: TokenizerLoader.readConfig(folder.appendingPathComponent("tokenizer_config.json")))
        let report = try ParityChecker(tokenizer: tokenizer, label: "roberta-bpe tokenizer.json", corpora: loadCorpora())
            .check(Fixtures.jsonLines("bpe.jsonl.gz"))
        XCTAssertGreaterThan(report.checked, 50_000)
    }

    func testRobertaBPEVocabJSONMergesMatchesHF() throws {
        let folder = Fixtures.robertaBPE
        let tokenizer = try TokenizerLoader.fromVocabJSON(
            folder.appendingPathComponent("vocab.json"), merges: folder.appendingPathComponent("merges.txt"),
            config: TokenizerLoader.readConfig(folder.appendingPathComponent("tokenizer_config.json")))
        let report = try ParityChecker(tokenizer: tokenizer, label: "roberta-bpe vocab.json+merges.txt", corpora: loadCorpora())
            .check(Fixtures.jsonLines("bpe.jsonl.gz"))
        XCTAssertGreaterThan(report.checked, 50_000)
    }
}
