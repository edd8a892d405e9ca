import Foundation
import XCTest
@testable import SentimentData

final class CatalogTests: XCTestCase {
    func testCatalogIntegrity() {
        let names = ArtifactCatalog.all.map(\.name)
        XCTAssertEqual(names, ["all-MiniLM-L6-v2", "splade-tiny-mlm", "rotten-tomatoes", "crowdflower-tweets"])
        XCTAssertEqual(Set(names).count, names.count)
        let hex = Set("0123456789abcdef")
        func isSHA(_ s: String) -> Bool { s.count == 64 && s.allSatisfy(hex.contains) }
        for artifact in ArtifactCatalog.all {
            XCTAssertTrue(isSHA(artifact.wheelSHA256), artifact.name)
            XCTAssertFalse(artifact.files.isEmpty, artifact.name)
            XCTAssertEqual(artifact.requirement, "\(artifact.package)==\(artifact.version)")
            XCTAssertEqual(Set(artifact.files.map(\.stored)).count, artifact.files.count, artifact.name)
            for file in artifact.files {
                XCTAssertTrue(isSHA(file.sha256) && isSHA(file.storedSHA256), file.member)
                XCTAssertGreaterThan(file.size, 0)
                XCTAssertFalse(file.stored.hasPrefix("/") || file.stored.contains(".."), file.stored)
                if let folder = artifact.folder {
                    XCTAssertEqual(file.member, folder + file.stored)
                }
                XCTAssertEqual(file.isCompressed, file.member.hasSuffix(".bz2"))
            }
        }
        // Models read by the tokenizer/model layers need these files.
        XCTAssertEqual(Set(ArtifactCatalog.miniLM.files.map(\.stored)),
                       ["model.safetensors", "vocab.txt", "tokenizer.json", "config.json", "1_Pooling/config.json"])
        XCTAssertThrowsError(try ArtifactCatalog.require("bert-huge")) { error in
            XCTAssertEqual(error as? DataError, .unknownArtifact(name: "bert-huge", known: ArtifactCatalog.all.map(\.name)))
        }
    }

    func testCacheLayoutAndMissingArtifactError() throws {
        let cache = ArtifactCache(root: URL(fileURLWithPath: "/nonexistent/sk"))
        XCTAssertEqual(cache.directory(for: "rotten-tomatoes").path, "/nonexistent/sk/artifacts/rotten-tomatoes")
        XCTAssertEqual(cache.modelsDirectory.path, "/nonexistent/sk/models")
        XCTAssertThrowsError(try cache.locate("rotten-tomatoes")) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("sentiment fetch rotten-tomatoes"), message)
        }
        XCTAssertThrowsError(try Datasets.load("rotten-tomatoes", cache: cache)) { error in
            guard case .artifactMissing(let name, _)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "rotten-tomatoes")
        }
    }
}
