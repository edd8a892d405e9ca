import Foundation
import XCTest

@testable import SentimentData

/// SHA-256 against the FIPS 180-4 / NIST example vectors and `sha256sum`.
final class SHA256Tests: XCTestCase {
    func testKnownVectors() {
        XCTAssertEqual(SHA256.hex(of: Data()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(of: Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // 56 bytes: the padding spills into a second block.
        XCTAssertEqual(
            SHA256.hex(of: Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            SHA256.hex(of: Data(repeating: UInt8(ascii: "a"), count: 1_000_000)),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Streaming in uneven chunks gives the one-shot digest, at every length around the block size.
    func testStreamingMatchesOneShot() {
        let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 300] {
            let message = Array(bytes[0..<length])
            var hasher = SHA256()
            var offset = 0
            for chunk in [1, 7, 64, 3, 100, 500] where offset < length {
                let end = min(length, offset + chunk)
                hasher.update(Array(message[offset..<end]))
                offset = end
            }
            if offset < length { hasher.update(Array(message[offset...])) }
            XCTAssertEqual(hasher.finalize(), SHA256.hex(of: message), "length \(length)")
        }
    }

    /// Agrees with the system `sha256sum` on a file written here.
    func testFileDigestMatchesSha256sum() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data((0..<200_003).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }).write(to: url)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(try SHA256.hex(ofFile: url), String(output.prefix(64)))
    }
}
