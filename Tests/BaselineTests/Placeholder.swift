import XCTest

final class BaselineTestsPlaceholder: XCTestCase {}
