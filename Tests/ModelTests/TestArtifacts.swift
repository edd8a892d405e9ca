import Foundation

/// Cached artifacts (~/.cache/sentimentkit/artifacts/NAME, or $SENTIMENTKIT_HOME/artifacts/NAME) and committed fixtures.
enum TestArtifacts {
    static func folder(_ name: String) -> URL {
        let root = ProcessInfo.processInfo.environment["SENTIMENTKIT_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/sentimentkit")
        return root.appendingPathComponent("artifacts").appendingPathComponent(name)
    }

    /// Tests/Fixtures/models/NAME.
    static func fixture(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/models").appendingPathComponent(name)
    }
}
