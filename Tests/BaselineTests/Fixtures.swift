import Foundation
import XCTest

/// Reads Tests/Fixtures/baselines/NAME (written by scripts/fixtures/baselines.py).
func fixture(_ name: String) throws -> [String: Any] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/baselines/\(name)")
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    return try XCTUnwrap(object as? [String: Any], "\(name) is not a JSON object")
}

/// Largest |a_i − b_i|, failing when the lengths differ.
func maxAbsDifference(_ a: [Double], _ b: [Double], file: StaticString = #filePath, line: UInt = #line) -> Double {
    XCTAssertEqual(a.count, b.count, "lengths differ", file: file, line: line)
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

func doubles(_ value: Any?) -> [Double] { (value as? [NSNumber])?.map(\.doubleValue) ?? [] }
func ints(_ value: Any?) -> [Int] { (value as? [NSNumber])?.map(\.intValue) ?? [] }
