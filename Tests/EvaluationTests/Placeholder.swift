import XCTest

final class EvaluationTestsPlaceholder: XCTestCase {}
