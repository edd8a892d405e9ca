import Foundation
import XCTest

@testable import SentimentData

/// The canonical splits of the catalog corpora (needs `sentiment fetch rotten-tomatoes crowdflower-tweets`).
final class DatasetTests: XCTestCase {
    func testRottenTomatoesCanonicalSplit() throws {
        let dataset = try Datasets.load("rotten-tomatoes")
        XCTAssertEqual(dataset.labels, ["negative", "positive"])
        XCTAssertEqual(dataset.all.count, 12_752)
        XCTAssertEqual(dataset.train.count, 10_092)
        XCTAssertEqual(dataset.dev.count, 1_319)
        XCTAssertEqual(dataset.test.count, 1_341)
        XCTAssertEqual(dataset.labelCounts(.train), [4_283, 5_809])
        XCTAssertEqual(dataset.labelCounts(.dev), [540, 779])
        XCTAssertEqual(dataset.labelCounts(.test), [561, 780])
        // Texts are trimmed, unique and non-empty; the split follows the FNV rule.
        XCTAssertEqual(Set(dataset.all.map { Array($0.text.utf8) }).count, dataset.all.count)
        for example in dataset.all {
            XCTAssertFalse(example.text.isEmpty)
            XCTAssertEqual(PythonWhitespace.strip(example.text), example.text)
        }
        for split in Split.allCases {
            XCTAssertTrue(dataset.split(split).allSatisfy { CanonicalSplit.split(of: $0.text) == split })
        }
        // Multi-line quoted texts survive (280 raw texts hold a newline).
        XCTAssertTrue(dataset.all.contains { $0.text.contains("\n") })
    }

    /// Counts cross-checked with Python (csv module, mac_roman codec, str.strip, FNV-1a-64): 38,158 rows,
    /// 37,243 unique texts; train 29,752 / dev 3,741 / test 3,750.
    func testCrowdflowerTweetsCanonicalSplit() throws {
        let dataset = try Datasets.load("crowdflower-tweets")
        XCTAssertEqual(dataset.labels, ["negative", "neutral", "positive"])
        XCTAssertEqual(dataset.all.count, 37_243)
        XCTAssertEqual(dataset.labelCounts(.train), [12_752, 11_573, 5_427])
        XCTAssertEqual(dataset.labelCounts(.dev), [1_615, 1_429, 697])
        XCTAssertEqual(dataset.labelCounts(.test), [1_611, 1_452, 687])
        // Mac Roman decoding: byte 0xD1 in the first row is an em dash (U+2014), as Python's mac_roman says.
        XCTAssertEqual(dataset.all[0].text, "I just don't trust my life in google's hands #driverless cars_\u{2014}_.no thank you")
        XCTAssertEqual(dataset.all[0].label, "negative")
    }
}

/// The drug reviews and joined data sets (needs `sentiment fetch drug-reviews crowdflower-tweets`).
final class DrugReviewTests: XCTestCase {
    /// Counts cross-checked with Python (csv module, html.unescape, str.strip, FNV-1a-64 buckets 0–1 → dev).
    func testDrugReviewsSplitAndCleaning() throws {
        let dataset = try Datasets.load("drug-reviews")
        XCTAssertEqual(dataset.labels, ["negative", "neutral", "positive"])
        XCTAssertEqual([dataset.train.count, dataset.dev.count, dataset.test.count], [475, 125, 378])
        XCTAssertEqual(dataset.labelCounts(.train), [124, 43, 308])
        XCTAssertEqual(dataset.labelCounts(.dev), [37, 11, 77])
        XCTAssertEqual(dataset.labelCounts(.test), [95, 36, 247])
        XCTAssertTrue(dataset.train[0].text.hasPrefix("HORRIBLE! I was not myself at all."), dataset.train[0].text)
        // No wrapping quotes (a text may still end in a decoded &quot;), no character references left (the raw
        // files hold 1,849).
        XCTAssertLessThan(dataset.all.filter { $0.text.hasPrefix("\"") }.count, 5)
        for example in dataset.all {
            XCTAssertNil(example.text.range(of: "&[#a-zA-Z0-9]+;", options: .regularExpression), example.text)
        }
        XCTAssertTrue(dataset.all.contains { $0.text.contains("I'm") })
    }

    func testJoinedDataSetsKeepEachSplit() throws {
        let tweets = try Datasets.load("crowdflower-tweets"), drugs = try Datasets.load("drug-reviews")
        let both = try Datasets.load("crowdflower-tweets+drug-reviews")
        XCTAssertEqual(both.labels, ["negative", "neutral", "positive"])
        XCTAssertEqual(both.train.count, tweets.train.count + drugs.train.count)
        XCTAssertEqual(both.dev.count, tweets.dev.count + drugs.dev.count)
        XCTAssertEqual(both.test.count, tweets.test.count + drugs.test.count)
        XCTAssertTrue(Datasets.isCatalogName("crowdflower-tweets+drug-reviews"))
        XCTAssertFalse(Datasets.isCatalogName("crowdflower-tweets+nope"))
        XCTAssertThrowsError(try Datasets.load("rotten-tomatoes+nope"))
    }

    /// The default recipes' selections: polar texts only, a per-source train sample independent of file order.
    func testKeepLabelsAndPerSourceTrainLimits() throws {
        let tweets = try Datasets.load("crowdflower-tweets"), drugs = try Datasets.load("drug-reviews")
        let polar = try Datasets.load("crowdflower-tweets+drug-reviews", keepLabels: ["negative", "positive"],
                                      trainLimits: ["crowdflower-tweets": 500])
        XCTAssertEqual(polar.labels, ["negative", "positive"])
        for split in [polar.train, polar.dev, polar.test] { XCTAssertFalse(split.contains { $0.label == "neutral" }) }
        let polarDrugs = drugs.train.filter { $0.label != "neutral" }
        XCTAssertEqual(polar.train.count, 500 + polarDrugs.count)
        XCTAssertEqual(polar.dev.count, (tweets.dev + drugs.dev).filter { $0.label != "neutral" }.count, "dev is never sampled")
        XCTAssertEqual(polar.test.count, (tweets.test + drugs.test).filter { $0.label != "neutral" }.count)
        // The sample: the 500 polar train tweets of smallest FNV-1a hash, whatever the file order.
        let again = try Datasets.load("crowdflower-tweets", keepLabels: ["negative", "positive"], trainLimits: ["crowdflower-tweets": 500])
        XCTAssertEqual(Set(again.train.map(\.text)), Set(polar.train.prefix(500).map(\.text)))
        func hash(_ text: String) -> UInt64 { var t = text; return t.withUTF8 { CanonicalSplit.fnv1a64($0) } }
        let largest = again.train.map { hash($0.text) }.max()!
        XCTAssertEqual(tweets.train.filter { $0.label != "neutral" && hash($0.text) <= largest }.count, 500)
    }

    func testHTMLEntities() {
        XCTAssertEqual(HTMLEntities.decode("I&#039;m &quot;fine&quot; &amp; 3&times;2 &rsquo;&#x41;&unknown; & done;"),
                       "I'm \"fine\" & 3×2 \u{2019}A&unknown; & done;")
    }
}

/// Text-by-text agreement with Python (scripts/fixtures/data.py: csv module, codecs, str.strip, FNV-1a-64).
final class DatasetPythonParityTests: XCTestCase {
    struct Reference: Decodable {
        struct Part: Decodable {
            var count: Int
            var label_counts: [Int]
            var texts_sha256: String
            var labels_sha256: String
        }
        var rows: Int
        var labels: [String]
        var count: Int
        var splits: [String: Part]
    }

    func testSplitsMatchPythonTextByText() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/data/canonical_splits.json")
        let references = try JSONDecoder().decode([String: Reference].self, from: Data(contentsOf: fixture))
        XCTAssertEqual(Set(references.keys), Set(Datasets.names))
        for (name, reference) in references.sorted(by: { $0.key < $1.key }) {
            let dataset = try Datasets.load(name)
            XCTAssertEqual(dataset.labels, reference.labels, name)
            XCTAssertEqual(dataset.all.count, reference.count, name)
            for split in Split.allCases {
                let part = try XCTUnwrap(reference.splits[split.rawValue])
                let examples = dataset.split(split)
                XCTAssertEqual(examples.count, part.count, "\(name) \(split)")
                XCTAssertEqual(dataset.labelCounts(split), part.label_counts, "\(name) \(split)")
                XCTAssertEqual(joinedSHA256(examples.map(\.text)), part.texts_sha256, "\(name) \(split) texts")
                XCTAssertEqual(joinedSHA256(examples.map(\.label)), part.labels_sha256, "\(name) \(split) labels")
            }
            print("\(name): \(dataset.all.count) texts, train/dev/test \(dataset.train.count)/\(dataset.dev.count)/\(dataset.test.count), identical to Python")
        }
    }

    /// sha256 of the UTF-8 strings joined by NUL bytes.
    private func joinedSHA256(_ strings: [String]) -> String {
        var hasher = SHA256()
        for (index, string) in strings.enumerated() {
            if index > 0 { hasher.update([UInt8(0)]) }
            hasher.update(Array(string.utf8))
        }
        return hasher.finalize()
    }
}
