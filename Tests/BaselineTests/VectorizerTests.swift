import Foundation
import XCTest

@testable import SentimentBaselines

/// CountVectorizer / TfidfVectorizer against scikit-learn on texts chosen to exercise Unicode `\w`, Python's
/// lowercase (İ, final sigma), combining marks, n-grams and document-frequency limits.
final class VectorizerTests: XCTestCase {
    func testTokenizerFollowsPythonUnicodeWordRules() {
        XCTAssertEqual(WordTokenizer.tokens("x_y a b cd 12 3 ²³ ½ 42nd"), ["x_y", "cd", "12", "²³", "42nd"])
        XCTAssertEqual(WordTokenizer.tokens("Cafe\u{301} don't"), ["Cafe", "don"])  // combining mark splits
        XCTAssertEqual(WordTokenizer.tokens("emoji 😀😀 great!!!"), ["emoji", "great"])
        XCTAssertEqual(WordTokenizer.lowercased("ΣΊΣΥΦΟΣ Σ ΑΣ."), "σίσυφος σ ας.")
        XCTAssertEqual(WordTokenizer.lowercased("İ").unicodeScalars.map(\.value), [0x69, 0x307])
    }

    func testMatchesScikitLearnOnEveryConfiguration() throws {
        let fixture = try fixture("vectorizers.json")
        let texts = try XCTUnwrap(fixture["texts"] as? [String])
        let configs = try XCTUnwrap(fixture["configs"] as? [String: [String: Any]])
        XCTAssertEqual(configs.count, 7)
        for (name, config) in configs.sorted(by: { $0.key < $1.key }) {
            let params = try XCTUnwrap(config["params"] as? [String: Any])
            let extractor = try extractor(params)
            let (fitted, x) = try extractor.fitted(on: texts)
            XCTAssertEqual(fitted.vocabulary, config["vocabulary"] as? [String], name)
            let expected = try XCTUnwrap(config["matrix"] as? [String: Any])
            XCTAssertEqual(x.rowOffsets, ints(expected["indptr"]), name)
            XCTAssertEqual(x.columns.map(Int.init), ints(expected["indices"]), name)
            let delta = maxAbsDifference(x.values, doubles(expected["data"]))
            print("\(name): \(fitted.vocabulary.count) terms, \(x.nonZeroCount) non-zeros, max |Δ| = \(delta)")
            XCTAssertLessThanOrEqual(delta, 1e-12, name)
            if case .tfidf(let v) = fitted {
                XCTAssertLessThanOrEqual(maxAbsDifference(v.idf, doubles(config["idf"])), 1e-12, name)
            }
        }
    }

    func testTransformOfUnseenTextsDropsUnknownTerms() throws {
        let fixture = try fixture("vectorizers.json")
        let texts = try XCTUnwrap(fixture["texts"] as? [String])
        let unseen = try XCTUnwrap(fixture["transform_unseen"] as? [String: Any])
        var vectorizer = TfidfVectorizer(options: .init(counting: .init(ngramRange: 1 ... 2), sublinearTF: true))
        try vectorizer.fit(Array(texts.prefix(6)))
        let x = vectorizer.transform(try XCTUnwrap(unseen["texts"] as? [String]))
        let expected = try XCTUnwrap(unseen["matrix"] as? [String: Any])
        XCTAssertEqual(x.rowOffsets, ints(expected["indptr"]))
        XCTAssertEqual(x.columns.map(Int.init), ints(expected["indices"]))
        let delta = maxAbsDifference(x.values, doubles(expected["data"]))
        print("transform unseen: max |Δ| = \(delta)")
        XCTAssertLessThanOrEqual(delta, 1e-12)
    }

    func testBadOptionsAndEmptyCorporaAreTypedErrors() {
        var tooStrict = CountVectorizer(options: .init(minDF: .count(5), maxDF: .count(2)))
        XCTAssertThrowsError(try tooStrict.fit(["good film", "bad film"])) {
            XCTAssertEqual($0 as? BaselineError, .invalidOption("max_df corresponds to fewer documents than min_df"))
        }
        var counter = CountVectorizer()
        XCTAssertThrowsError(try counter.fit(["a", "!", ""])) { error in
            guard case .emptyVocabulary = error as? BaselineError else { return XCTFail("\(error)") }
        }
    }

    /// The extractor a fixture's scikit-learn parameters describe.
    private func extractor(_ params: [String: Any]) throws -> FeatureExtractor {
        let range = ints(params["ngram_range"])
        func frequency(_ value: Any?) -> DocumentFrequency {
            let limit = value as! [String: NSNumber]
            return limit["fraction"].map { .fraction($0.doubleValue) } ?? .count(limit["count"]!.intValue)
        }
        let counting = CountVectorizer.Options(
            lowercase: params["lowercase"] as! Bool, ngramRange: range[0] ... range[1], minDF: frequency(params["min_df"]),
            maxDF: frequency(params["max_df"]), binary: params["binary"] as! Bool)
        guard let sublinear = params["sublinear_tf"] as? Bool else { return .counts(CountVectorizer(options: counting)) }
        return .tfidf(TfidfVectorizer(options: .init(
            counting: counting, smoothIDF: params["smooth_idf"] as! Bool, sublinearTF: sublinear,
            normalize: params["norm"] is String)))
    }
}
