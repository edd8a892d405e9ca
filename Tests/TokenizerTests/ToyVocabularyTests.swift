import Foundation
import XCTest

@testable import SentimentTokenizers

/// Small hand-made vocabularies whose every output can be worked out by hand.
final class ToyVocabularyTests: XCTestCase {
    func temporaryFolder(_ files: [String: Data]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("toy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, data) in files { try data.write(to: folder.appendingPathComponent(name)) }
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder
    }

    /// [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4 ba=5 ##na=6
    func toyWordPiece() throws -> any Tokenizer {
        let vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "ba", "##na"].joined(separator: "\n") + "\n"
        return try AutoTokenizer.load(folder: temporaryFolder(["vocab.txt": Data(vocab.utf8)]))
    }

    func testBananaIsBaNaNa() throws {
        let tokenizer = try toyWordPiece()
        let encoding = try tokenizer.encode("banana")
        XCTAssertEqual(encoding.tokens, ["[CLS]", "ba", "##na", "##na", "[SEP]"])
        XCTAssertEqual(encoding.ids, [2, 5, 6, 6, 3])
        XCTAssertEqual(encoding.offsets, [0..<0, 0..<2, 2..<4, 4..<6, 0..<0])
        XCTAssertEqual(encoding.typeIds, [0, 0, 0, 0, 0])
        XCTAssertEqual(encoding.attentionMask, [1, 1, 1, 1, 1])
        XCTAssertEqual(encoding.sequenceIds, [nil, 0, 0, 0, nil])
        XCTAssertEqual(tokenizer.decode(encoding.ids, skipSpecialTokens: true), "banana")
        XCTAssertEqual(tokenizer.decode(encoding.ids, skipSpecialTokens: false), "[CLS] banana [SEP]")
    }

    func testUnknownPieceMakesTheWholeWordUnknown() throws {
        let tokenizer = try toyWordPiece()
        // "nanana": no word-initial "na" in the vocabulary; "banan": "##n" is missing.
        let encoding = try tokenizer.encode("nanana banan BANANA", pair: nil, options: EncodingOptions(addSpecialTokens: false))
        XCTAssertEqual(encoding.tokens, ["[UNK]", "[UNK]", "ba", "##na", "##na"])
        XCTAssertEqual(encoding.offsets, [0..<6, 7..<12, 13..<15, 15..<17, 17..<19])
    }

    func testWordsLongerThan100CharactersAreUnknown() throws {
        let tokenizer = try toyWordPiece()
        let options = EncodingOptions(addSpecialTokens: false)
        // 100 characters: ba + 49 × ##na; 102 characters: one [UNK] although every piece exists.
        let hundred = "ba" + String(repeating: "na", count: 49)
        XCTAssertEqual(try tokenizer.encode(hundred, pair: nil, options: options).ids.count, 50)
        let longer = try tokenizer.encode(hundred + "na", pair: nil, options: options)
        XCTAssertEqual(longer.tokens, ["[UNK]"])
        XCTAssertEqual(longer.offsets, [0..<102])
    }

    func testSpecialTokensInTextAreNotSplit() throws {
        let tokenizer = try toyWordPiece()
        let encoding = try tokenizer.encode("ba[SEP]banana [MASK]", pair: nil, options: EncodingOptions(addSpecialTokens: false))
        XCTAssertEqual(encoding.tokens, ["ba", "[SEP]", "ba", "##na", "##na", "[MASK]"])
        XCTAssertEqual(encoding.offsets, [0..<2, 2..<7, 7..<9, 9..<11, 11..<13, 14..<20])
    }

    func testPairTruncationStrideAndPadding() throws {
        let tokenizer = try toyWordPiece()
        // A = 4 words, B = 2 words; max 7 = 3 specials + 4: longest first keeps 2 + 2.
        var options = EncodingOptions(maxLength: 7, stride: 1, padding: .length(9))
        let encoding = try tokenizer.encode("ba ba ba ba", pair: "ba ba", options: options)
        XCTAssertEqual(encoding.ids, [2, 5, 5, 3, 5, 5, 3, 0, 0])
        XCTAssertEqual(encoding.typeIds, [0, 0, 0, 0, 1, 1, 1, 0, 0])
        XCTAssertEqual(encoding.attentionMask, [1, 1, 1, 1, 1, 1, 1, 0, 0])
        XCTAssertEqual(encoding.sequenceIds, [nil, 0, 0, nil, 1, 1, nil, nil, nil])
        // Windows of A: tokens 0..<2, 1..<3, 2..<4 (stride 1), each with all of B, padded too.
        XCTAssertEqual(encoding.overflowing.map(\.offsets), [
            [0..<0, 3..<5, 6..<8, 0..<0, 0..<2, 3..<5, 0..<0, 0..<0, 0..<0],
            [0..<0, 6..<8, 9..<11, 0..<0, 0..<2, 3..<5, 0..<0, 0..<0, 0..<0],
        ])
        XCTAssertEqual(encoding.overflowing.map(\.sequenceIds), Array(repeating: [nil, 0, 0, nil, 1, 1, nil, nil, nil], count: 2))
        XCTAssertEqual(encoding.windows.count, 3)
        options.truncation = .onlySecond
        XCTAssertThrowsError(try tokenizer.encode("ba ba ba ba ba", pair: "ba", options: options)) {
            XCTAssertEqual($0 as? TokenizerError, .cannotTruncate("the text to truncate is too short to respect max length 4"))
        }
        XCTAssertThrowsError(try tokenizer.encode("ba ba ba ba ba ba", pair: nil, options: options)) {
            XCTAssertEqual($0 as? TokenizerError, .cannotTruncate("only_second needs a second text"))
        }
        XCTAssertThrowsError(
            try tokenizer.encode("ba ba ba ba ba", pair: nil, options: EncodingOptions(maxLength: 4, stride: 2))
        ) { XCTAssertEqual($0 as? TokenizerError, .strideTooLarge(stride: 2, room: 2)) }
        XCTAssertThrowsError(try tokenizer.encode("ba", pair: "ba", options: EncodingOptions(maxLength: 2))) {
            XCTAssertEqual($0 as? TokenizerError, .maxLengthTooSmall(maxLength: 2, specialTokens: 3))
        }
    }

    func testBatchPaddingToLongest() throws {
        let tokenizer = try toyWordPiece()
        let batch = try tokenizer.encodeBatch(["ba", "banana ba", ""], options: EncodingOptions(padding: .longest))
        XCTAssertEqual(batch.map(\.ids), [[2, 5, 3, 0, 0, 0], [2, 5, 6, 6, 5, 3], [2, 3, 0, 0, 0, 0]])
        XCTAssertEqual(batch.map(\.attentionMask), [[1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1], [1, 1, 0, 0, 0, 0]])
        XCTAssertEqual(batch[0].tokens.suffix(3), ["[PAD]", "[PAD]", "[PAD]"])
    }

    /// A byte-level BPE: the 256 byte characters, then merges h+e, l+l, he+ll, hell+o, Ġ+w.
    func toyBPE() throws -> any Tokenizer {
        var vocab: [String: Int] = ["<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "<mask>": 4]
        for byte in 0..<256 { vocab[ByteLevelAlphabet.string(of: [UInt8(byte)])] = vocab.count }
        let merges = [("h", "e"), ("l", "l"), ("he", "ll"), ("hell", "o"), ("Ġ", "w")]
        for (left, right) in merges { vocab[left + right] = vocab.count }
        let mergesText = "#version: 0.2\n" + merges.map { "\($0.0) \($0.1)" }.joined(separator: "\n") + "\n"
        return try AutoTokenizer.load(folder: temporaryFolder([
            "vocab.json": try JSONSerialization.data(withJSONObject: vocab), "merges.txt": Data(mergesText.utf8),
        ]))
    }

    func testByteLevelBPEMergesByRank() throws {
        let tokenizer = try toyBPE()
        let encoding = try tokenizer.encode("hello world", pair: "hé")
        XCTAssertEqual(encoding.tokens, ["<s>", "hello", "Ġw", "o", "r", "l", "d", "</s>", "</s>", "h", "Ã", "©", "</s>"])
        XCTAssertEqual(encoding.offsets, [
            0..<0, 0..<5, 6..<7, 7..<8, 8..<9, 9..<10, 10..<11, 0..<0, 0..<0, 0..<1, 1..<2, 1..<2, 0..<0,
        ])  // "Ġw" starts at "w": RoBERTa trims the space off offsets
        XCTAssertEqual(encoding.typeIds, Array(repeating: 0, count: 13))
        XCTAssertEqual(tokenizer.decode(encoding.ids, skipSpecialTokens: true), "hello worldhé")
    }

    /// Words of more than 48 bytes take the heap path (HF's algorithm); both paths must merge alike.
    func testLongWordsMergeLikeShortOnes() throws {
        let tokenizer = try toyBPE()
        let options = EncodingOptions(addSpecialTokens: false)
        let short = try tokenizer.encode("hellohello", pair: nil, options: options)
        XCTAssertEqual(short.tokens, ["hello", "hello"])
        let long = try tokenizer.encode(String(repeating: "hello", count: 2_000), pair: nil, options: options)
        XCTAssertEqual(long.tokens, Array(repeating: "hello", count: 2_000))
        XCTAssertEqual(long.offsets.last, 9_995..<10_000)
        let ells = try tokenizer.encode(String(repeating: "l", count: 101), pair: nil, options: options)
        XCTAssertEqual(ells.tokens, Array(repeating: "ll", count: 50) + ["l"])  // leftmost pairs first
    }

    func testGPT2RegexSplit() {
        let text = Array("Hello world's  end 42!!\n\n x".unicodeScalars.map(\.value))
        var pieces: [String] = []
        text.withUnsafeBufferPointer { buffer in
            GPT2Splitter().split(buffer) { start, end in
                pieces.append(String(String.UnicodeScalarView(text[start..<end].map { Unicode.Scalar($0)! })))
            }
        }
        XCTAssertEqual(pieces, ["Hello", " world", "'s", " ", " end", " 42", "!!", "\n\n", " x"])
    }

    func testBadFilesGiveTypedErrors() throws {
        XCTAssertThrowsError(try AutoTokenizer.load(folder: temporaryFolder([:]))) {
            guard case .noTokenizerFiles = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try AutoTokenizer.load(folder: temporaryFolder(["tokenizer.json": Data("{\"model\":".utf8)]))) {
            guard case .invalidFile = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try AutoTokenizer.load(folder: temporaryFolder(["vocab.txt": Data([0x61, 0xFF, 0x0A])]))) {
            guard case .invalidFile(_, "not valid UTF-8") = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try AutoTokenizer.load(folder: temporaryFolder(["vocab.txt": Data("a\nb\n".utf8)]))) {
            XCTAssertEqual($0 as? TokenizerError, .missingSpecialToken("[UNK]"))
        }
        let unigram = #"{"model": {"type": "Unigram", "vocab": []}}"#
        XCTAssertThrowsError(try AutoTokenizer.load(folder: temporaryFolder(["tokenizer.json": Data(unigram.utf8)]))) {
            XCTAssertEqual($0 as? TokenizerError, .unsupported("model type Unigram"))
        }
    }
}
