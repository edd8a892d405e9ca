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

    /// Loads with `load(folder, tokenizer_config.json)` and checks every row of `fixture` (but those marked `skipping`).
    @discardableResult
    func checkParity(
        _ label: String, folder: URL, fixture: String, skipping: String? = nil, file: StaticString = #filePath,
        line: UInt = #line, load: (URL, [String: Any]) throws -> PreTrainedTokenizer
    ) throws -> ParityChecker.Report {
        let config = try TokenizerLoader.readConfig(folder.appendingPathComponent("tokenizer_config.json"))
        let tokenizer = try load(folder, config)
        let report = try ParityChecker(tokenizer: tokenizer, label: label, corpora: loadCorpora(), skipping: skipping)
            .check(Fixtures.jsonLines(fixture), file: file, line: line)
        XCTAssertGreaterThan(report.checked, 50_000, file: file, line: line)
        return report
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

    /// all-mpnet-base-v2 (BertNormalizer + BertPreTokenizer + WordPiece + RobertaProcessing, `<unk>` matched on
    /// the normalized text): every corpus text and case as transformers' AutoTokenizer encodes them.
    func testMPNetTokenizerJSONMatchesHF() throws {
        try checkParity("all-mpnet-base-v2 tokenizer.json", folder: Fixtures.artifact("all-mpnet-base-v2"), fixture: "mpnet.jsonl.gz") {
            try TokenizerLoader.fromTokenizerJSON($0.appendingPathComponent("tokenizer.json"), config: $1)
        }
    }

    /// vocab.txt + tokenizer_config.json (tokenizer_class MPNetTokenizer), as transformers builds it without
    /// tokenizer.json: the same, except that it has no `<unk>` added token (the 17 rows whose text has one).
    func testMPNetVocabTxtMatchesHF() throws {
        let report = try checkParity(
            "all-mpnet-base-v2 vocab.txt", folder: Fixtures.artifact("all-mpnet-base-v2"), fixture: "mpnet.jsonl.gz",
            skipping: "vt"
        ) {
            try TokenizerLoader.fromVocabTxt($0.appendingPathComponent("vocab.txt"), config: $1)
        }
        XCTAssertEqual(report.skipped, 17)
    }

    /// The MPNet folder's specials and its normalized `<unk>`: "<UNK>" and "<un\0k>" are that token, as in HF.
    func testAutoTokenizerLoadsMPNet() throws {
        let mpnet = try AutoTokenizer.load(folder: Fixtures.artifact("all-mpnet-base-v2"))
        XCTAssertEqual(mpnet.specialTokens, SpecialTokens(
            cls: SpecialToken(content: "<s>", id: 0), sep: SpecialToken(content: "</s>", id: 2),
            pad: SpecialToken(content: "<pad>", id: 1), mask: SpecialToken(content: "<mask>", id: 30526),
            unk: SpecialToken(content: "[UNK]", id: 104)))
        XCTAssertEqual(mpnet.vocabSize, 30527)
        XCTAssertEqual(mpnet.modelMaxLength, 512)
        let encoding = try mpnet.encode("Hello <UNK> a <mask>", pair: "x<un\u{0}k>")
        XCTAssertEqual(encoding.ids, [0, 7596, 3, 1041, 30526, 2, 2, 1064, 3, 2])
        XCTAssertEqual(encoding.tokens, ["<s>", "hello", "<unk>", "a", " <mask>", "</s>", "</s>", "x", "<unk>", "</s>"])
        XCTAssertEqual(encoding.offsets, [0..<0, 0..<5, 6..<11, 12..<13, 14..<20, 0..<0, 0..<0, 0..<1, 1..<7, 0..<0])
        XCTAssertEqual(encoding.typeIds, Array(repeating: 0, count: 10))
        let padded = try mpnet.encodeBatch(["a", "a b c"], options: EncodingOptions(padding: .longest))
        XCTAssertEqual(padded.map(\.ids), [[0, 1041, 2, 1, 1], [0, 1041, 1042, 1043, 2]])
        XCTAssertEqual(padded[0].attentionMask, [1, 1, 1, 0, 0])
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
