import XCTest

final class PipelineTestsPlaceholder: XCTestCase {}
