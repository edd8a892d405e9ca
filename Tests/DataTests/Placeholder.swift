import XCTest

final class DataTestsPlaceholder: XCTestCase {}
