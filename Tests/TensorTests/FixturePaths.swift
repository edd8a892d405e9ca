import Foundation

/// Locations of committed fixtures and cached artifacts, found relative to this file (no bundle resources).
enum FixturePaths {
    static let kernels = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/kernels")

    static func kernelFixture(_ name: String) -> URL { kernels.appendingPathComponent(name) }

    /// A cached artifact file (`SENTIMENTKIT_HOME` overrides ~/.cache/sentimentkit), or nil when not fetched.
    static func artifact(_ name: String, _ file: String) -> URL? {
        let env = ProcessInfo.processInfo.environment
        let root = env["SENTIMENTKIT_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/sentimentkit")
        let url = root.appendingPathComponent("artifacts/\(name)/\(file)")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// A fresh temporary directory, removed by the caller's teardown.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sentimentkit-tensor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
