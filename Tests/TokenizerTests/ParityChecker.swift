import Foundation
import SentimentData
import XCTest

@testable import SentimentTokenizers

/// Compares a tokenizer with every row of a fixture written by scripts/fixtures/tokenizer_parity.py.
struct ParityChecker {
    let tokenizer: any Tokenizer
    let label: String
    var corpora: [String: [String]]
    /// Rows carrying this key are skipped (and counted): the fixture marks where this loading path differs from HF's
    /// reference on purpose (mpnet.jsonl.gz: "vt", where transformers' vocab.txt-only MPNetTokenizer differs).
    var skipping: String? = nil

    struct Report {
        var checked = 0
        var skipped = 0
        var mismatches = 0
        var textMismatches = 0
        var messages: [String] = []

        mutating func fail(_ message: String) {
            mismatches += 1
            if messages.count < 10 { messages.append(message) }
        }
    }

    /// Checks all rows; fails the test with the first differences (text and both id lists).
    func check(_ rows: [[String: Any]], file: StaticString = #filePath, line: UInt = #line) throws -> Report {
        var report = Report()
        var position: [String: Int] = [:]
        for row in rows {
            let set = row["set"] as! String
            let skip = skipping.map { row[$0] != nil } ?? false
            if let texts = corpora[set] {
                let index = position[set, default: 0]
                position[set] = index + 1
                if skip {
                    report.skipped += 1
                    continue
                }
                guard index < texts.count else {
                    report.textMismatches += 1
                    continue
                }
                checkCorpusRow(row, text: texts[index], set: set, index: index, &report)
            } else if skip {
                report.skipped += 1
            } else {
                try checkCase(row, &report)
            }
        }
        for (set, texts) in corpora where position[set, default: 0] != texts.count {
            report.textMismatches += 1
            report.messages.append("\(set): \(texts.count) texts loaded, \(position[set, default: 0]) in the fixture")
        }
        let skipped = skipping.map { ", \(report.skipped) rows marked \"\($0)\" skipped" } ?? ""
        print("\(label): \(report.checked) encodings checked, \(report.mismatches) differ from HF, "
              + "\(report.textMismatches) texts differ from the fixture's\(skipped)")
        for message in report.messages { print(message) }
        XCTAssertEqual(report.textMismatches, 0, "\(label): corpus texts differ from the fixture's", file: file, line: line)
        XCTAssertEqual(report.mismatches, 0, "\(label): encodings differ from HF", file: file, line: line)
        return report
    }

    private func checkCorpusRow(_ row: [String: Any], text: String, set: String, index: Int, _ report: inout Report) {
        let hash = row["h"] as! String
        let textHash = CanonicalSplit.fnv1a64(text.utf8)
        let expectedTextHash = hash.count == 8 ? String(format: "%08x", UInt32(truncatingIfNeeded: textHash))
            : String(format: "%016llx", textHash)
        guard expectedTextHash == hash else {
            report.textMismatches += 1
            if report.messages.count < 10 { report.messages.append("\(set)[\(index)]: text hash differs: \(text)") }
            return
        }
        report.checked += 1
        let encoding: Encoding
        do {
            encoding = try tokenizer.encode(text, pair: nil, options: EncodingOptions())
        } catch {
            report.fail("\(set)[\(index)] threw \(error): \(text)")
            return
        }
        if let expectedHash = row["e"] as? String {
            let ours = String(format: "%08x", Fixtures.encodingHash(encoding))
            if ours != expectedHash {
                report.fail("\(set)[\(index)] encoding hash differs (HF ids: run scripts/fixtures/tokenizer_parity.py "
                    + "--show \(set) \(index)): \(text)\n  ours: \(encoding.ids) \(encoding.offsets)")
            }
        } else if let difference = ExpectedEncoding(row).difference(from: encoding) {
            report.fail("\(set)[\(index)] \(difference)\n  text: \(text)")
        }
    }

    private func checkCase(_ row: [String: Any], _ report: inout Report) throws {
        let text = row["text"] as! String
        let pair = row["pair"] as? String
        let options = EncodingOptions(fixture: row["opts"] as? [String: Any] ?? [:])
        report.checked += 1
        let label = "\(row["set"]!) \(options) text \(text.debugDescription.prefix(120)) pair \(pair?.debugDescription.prefix(60) ?? "nil")"
        if row["error"] != nil {
            do {
                let encoding = try tokenizer.encode(text, pair: pair, options: options)
                report.fail("\(label): HF fails (\(row["error"]!)), ours gives \(encoding.ids)")
            } catch {}
            return
        }
        let encoding: Encoding
        do {
            encoding = try tokenizer.encode(text, pair: pair, options: options)
        } catch {
            report.fail("\(label): threw \(error)")
            return
        }
        if let difference = ExpectedEncoding(row).difference(from: encoding) {
            report.fail("\(label): \(difference)")
            return
        }
        if let decoded = row["dec"] as? String, !sameBytes(tokenizer.decode(encoding.ids, skipSpecialTokens: false), decoded) {
            report.fail("\(label): decode\n  HF:  \(decoded.debugDescription)\n  ours: "
                + tokenizer.decode(encoding.ids, skipSpecialTokens: false).debugDescription)
        }
        if let decoded = row["decs"] as? String, !sameBytes(tokenizer.decode(encoding.ids, skipSpecialTokens: true), decoded) {
            report.fail("\(label): decode skipping specials\n  HF:  \(decoded.debugDescription)\n  ours: "
                + tokenizer.decode(encoding.ids, skipSpecialTokens: true).debugDescription)
        }
    }
}

/// String `==` is canonical equivalence; HF parity means the same bytes.
func sameBytes(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }
