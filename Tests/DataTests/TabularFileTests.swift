import Foundation
import XCTest

@testable import SentimentData

final class TabularFileTests: XCTestCase {
    private func parse(_ text: String, _ format: TabularFile.Format) throws -> TabularFile {
        try TabularFile.parse(bytes: Array(text.utf8), format: format, file: "t.\(format.rawValue)")
    }

    func testCSVQuotingLineBreaksAndBlankLines() throws {
        // BOM, CRLF, quoted delimiter, doubled quotes, a field over two lines, a blank line, a short row.
        let table = try parse("\u{FEFF}id,text,label\r\n1,\"x, \"\"y\"\"\nz\",pos\r\n\r\n2,,\n3,\"\",neg", .csv)
        XCTAssertEqual(table.columns, ["id", "text", "label"])
        XCTAssertEqual(table.rows, [["1", "x, \"y\"\nz", "pos"], ["2", "", ""], ["3", "", "neg"]])
        XCTAssertEqual(table.lines, [2, 5, 6])
        XCTAssertEqual(try table.column(named: "label"), ["pos", "", "neg"])
        XCTAssertThrowsError(try table.column(named: "sentiment")) { error in
            XCTAssertEqual(error as? DataError, .columnMissing(file: "t.csv", column: "sentiment", available: ["id", "text", "label"]))
        }
        // A CR inside quotes is kept (as Python's csv does); a lone CR outside quotes ends the record.
        XCTAssertEqual(try parse("a,b\r1,\"x\ry\"\r", .csv).rows, [["1", "x\ry"]])
    }

    func testTSVAndText() throws {
        XCTAssertEqual(try parse("text\tlabel\n\"a\tb\"\tpos\nc d\tneg\n", .tsv).rows, [["a\tb", "pos"], ["c d", "neg"]])
        let text = try parse("first line\r\n\n  \nsecond, with comma\n", .txt)
        XCTAssertEqual(text.columns, ["text"])
        XCTAssertEqual(text.rows, [["first line"], ["second, with comma"]])
        XCTAssertEqual(text.lines, [1, 4])
    }

    func testJSONLinesKeepsKeyOrderAndTypes() throws {
        let table = try parse("""
            {"text": "h\\u00e9llo \\"you\\"", "label": "positive", "score": 0.5, "ok": true, "n": null}

            {"label": "negative", "text": "bad", "extra": 3}
            """, .jsonl)
        XCTAssertEqual(table.columns, ["text", "label", "score", "ok", "n", "extra"])
        XCTAssertEqual(table.rows, [["héllo \"you\"", "positive", "0.5", "true", "", ""], ["bad", "negative", "", "", "", "3"]])
        XCTAssertEqual(table.lines, [1, 3])
        XCTAssertThrowsError(try parse("{\"a\": 1}\n[1, 2]\n", .jsonl)) { error in
            XCTAssertEqual(error as? DataError, .malformedFile(file: "t.jsonl", line: 2, reason: "expected a JSON object per line"))
        }
        XCTAssertThrowsError(try parse("{\"a\": 1}\n{oops\n", .jsonl)) { error in
            XCTAssertEqual(error as? DataError, .malformedFile(file: "t.jsonl", line: 2, reason: "invalid JSON"))
        }
    }

    func testBadInputGivesTypedErrors() throws {
        var bytes = Array("text,label\nok,pos\nbad ".utf8)
        bytes += [0xC3, 0x28]  // invalid UTF-8 sequence on line 3
        bytes += Array(",neg\n".utf8)
        for format in [TabularFile.Format.csv, .txt, .jsonl] {
            XCTAssertThrowsError(try TabularFile.parse(bytes: bytes, format: format, file: "f")) { error in
                XCTAssertEqual(error as? DataError, .invalidUTF8(file: "f", line: 3), "\(format)")
            }
        }
        XCTAssertThrowsError(try parse("text,label\n\"never closed,pos\nmore\n", .csv)) { error in
            XCTAssertEqual(error as? DataError, .malformedFile(file: "t.csv", line: 2, reason: "quoted field is never closed"))
        }
        XCTAssertThrowsError(try parse("text,label\na,b,c\n", .csv)) { error in
            XCTAssertEqual(error as? DataError, .malformedFile(file: "t.csv", line: 2, reason: "3 fields but the header has 2"))
        }
        XCTAssertThrowsError(try parse("", .csv)) { XCTAssertEqual($0 as? DataError, .emptyFile(file: "t.csv")) }
        XCTAssertThrowsError(try parse("\n \n", .txt)) { XCTAssertEqual($0 as? DataError, .emptyFile(file: "t.txt")) }
        XCTAssertThrowsError(try TabularFile.read(url: URL(fileURLWithPath: "/tmp/x.xlsx"))) { error in
            XCTAssertEqual(error as? DataError, .unsupportedFormat(file: "/tmp/x.xlsx"))
        }
    }

    /// Writer → reader round trip on awkward values, in every multi-column format; atomic file write.
    func testWriterRoundTripAndAppendColumn() throws {
        var table = TabularFile(columns: ["text", "label"], rows: [
            ["plain", "pos"], ["comma, \"quote\"", "neg"], ["line\nbreak\r\nand CR", ""], ["tab\there", "é 😀"],
            ["  padded  ", "\u{1}ctl"], ["", "x"],
        ])
        XCTAssertEqual(try table.appendColumn("label", values: ["a", "b", "c", "d", "e", "f"]), "label_2")
        XCTAssertEqual(try table.appendColumn("score", values: ["0.9", "0.1", "0.5", "1", "0", "-1"]), "score")
        XCTAssertThrowsError(try table.appendColumn("short", values: ["1"]))
        for format in [TabularFile.Format.csv, .tsv, .jsonl] {
            let data = try TabularWriter.encode(table, as: format)
            let back = try TabularFile.parse(bytes: [UInt8](data), format: format, file: "out")
            XCTAssertEqual(back.columns, table.columns, "\(format)")
            XCTAssertEqual(back.rows, table.rows, "\(format)")
        }
        XCTAssertEqual(
            String(decoding: try TabularWriter.encode(TabularFile(columns: ["a", "b"], rows: [["1,2", "x"]]), as: .csv), as: UTF8.self),
            "a,b\n\"1,2\",x\n")
        // One-column tables: an empty value must not read back as a blank (skipped) line.
        let single = TabularFile(columns: ["text"], rows: [["a"], [""], ["b"]])
        XCTAssertEqual(try TabularFile.parse(bytes: [UInt8](try TabularWriter.encode(single, as: .csv)), format: .csv, file: "s").rows, single.rows)
        XCTAssertThrowsError(try TabularWriter.encode(table, as: .txt))

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tabular-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try TabularWriter.write(table, to: url)
        XCTAssertEqual(try TabularFile.read(url: url).rows, table.rows)
    }

    func testDatasetFromFileWithAndWithoutSplitColumn() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ds-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let texts = (0..<40).map { "review number \($0)" }
        var csv = "review,stars,question\n"
        for (i, text) in texts.enumerated() { csv += "\" \(text) \",\(i % 3 == 0 ? "neg" : "pos"),q\(i)\n" }
        csv += "review number 0,pos,q0\n"  // a duplicate (text and pair) after trimming: dropped
        let plain = folder.appendingPathComponent("reviews.csv")
        try Data(csv.utf8).write(to: plain)
        let dataset = try Datasets.load(file: plain, textColumn: "review", labelColumn: "stars", pairColumn: "question")
        XCTAssertEqual(dataset.name, "reviews")
        XCTAssertEqual(dataset.labels, ["neg", "pos"])
        XCTAssertEqual(dataset.all.map(\.text), texts)
        XCTAssertEqual(dataset.all[5].textPair, "q5")
        XCTAssertEqual(dataset.all[0].label, "neg")
        for split in Split.allCases {
            XCTAssertEqual(dataset.split(split).map(\.text), texts.filter { CanonicalSplit.split(of: $0) == split })
        }
        XCTAssertThrowsError(try Datasets.load(file: plain, textColumn: "text", labelColumn: "stars")) { error in
            XCTAssertEqual(error as? DataError, .columnMissing(file: plain.path, column: "text", available: ["review", "stars", "question"]))
        }

        let withSplit = folder.appendingPathComponent("explicit.jsonl")
        try Data("""
            {"text": "a", "label": "x", "split": "train"}
            {"text": "b", "label": "y", "split": "validation"}
            {"text": "c", "label": "x", "split": "TEST"}
            {"text": "a ", "label": "y", "split": "test"}
            """.utf8).write(to: withSplit)
        let explicit = try Datasets.load(file: withSplit)
        XCTAssertEqual(explicit.train.map(\.text), ["a"])
        XCTAssertEqual(explicit.dev.map(\.text), ["b"])
        XCTAssertEqual(explicit.test.map(\.text), ["c"])
        XCTAssertEqual(explicit.all.count, 3)

        let emptyLabel = folder.appendingPathComponent("bad.tsv")
        try Data("text\tlabel\nfine\tpos\nmissing\t \n".utf8).write(to: emptyLabel)
        XCTAssertThrowsError(try Datasets.load(file: emptyLabel)) { error in
            XCTAssertEqual(error as? DataError, .malformedFile(file: emptyLabel.path, line: 3, reason: "empty label in column 'label'"))
        }
    }
}

final class CanonicalSplitTests: XCTestCase {
    /// FNV-1a-64 reference values (from the FNV specification's test suite).
    func testFNV1a64() {
        XCTAssertEqual(CanonicalSplit.fnv1a64("".utf8), 0xcbf2_9ce4_8422_2325)
        XCTAssertEqual(CanonicalSplit.fnv1a64("a".utf8), 0xaf63_dc4c_8601_ec8c)
        XCTAssertEqual(CanonicalSplit.fnv1a64("foobar".utf8), 0x8594_4171_f739_67e8)
    }

    func testPythonStripAndByteExactDeduplication() {
        // U+001C and U+0085 count as space for Python's str.strip() but U+200B (zero width space) does not.
        XCTAssertEqual(PythonWhitespace.strip("\u{1C}\u{85} \tword\u{3000}\u{2029}\n"), "word")
        XCTAssertEqual(PythonWhitespace.strip("\u{200B}x "), "\u{200B}x")
        XCTAssertEqual(PythonWhitespace.strip(" \n "), "")
        // Precomposed and decomposed "é" are equal Swift strings but different bytes: both are kept, like Python.
        let kept = CanonicalSplit.deduplicated([
            LabeledText(text: "caf\u{E9}", label: "a"), LabeledText(text: "cafe\u{301}", label: "a"),
            LabeledText(text: " caf\u{E9}", label: "b"), LabeledText(text: "   ", label: "a"),
        ])
        XCTAssertEqual(kept.map(\.label), ["a", "a"])
        XCTAssertEqual(kept.map { Array($0.text.utf8) }, [Array("caf\u{E9}".utf8), Array("cafe\u{301}".utf8)])
    }
}
