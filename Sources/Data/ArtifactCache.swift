import Foundation

/// Where fetched artifacts and trained models live:
/// `root/artifacts/NAME/` (one folder per catalog artifact) and `root/models/` (trained models).
/// The root is `$SENTIMENTKIT_HOME`, or `~/.cache/sentimentkit`.
public struct ArtifactCache: Sendable {
    public var root: URL

    public init(root: URL) {
        self.root = root
    }

    public static var `default`: ArtifactCache {
        if let home = ProcessInfo.processInfo.environment["SENTIMENTKIT_HOME"], !home.isEmpty {
            return ArtifactCache(root: URL(fileURLWithPath: home, isDirectory: true))
        }
        let user = FileManager.default.homeDirectoryForCurrentUser
        return ArtifactCache(root: user.appendingPathComponent(".cache/sentimentkit", isDirectory: true))
    }

    public var artifactsDirectory: URL { root.appendingPathComponent("artifacts", isDirectory: true) }

    /// Trained models are saved here, one folder each.
    public var modelsDirectory: URL { root.appendingPathComponent("models", isDirectory: true) }

    /// `root/artifacts/NAME`, whether or not it exists.
    public func directory(for name: String) -> URL {
        artifactsDirectory.appendingPathComponent(name, isDirectory: true)
    }

    /// The folder of a cached artifact. Throws `DataError.artifactMissing` (naming `sentiment fetch NAME`)
    /// when the folder is absent or, for catalog artifacts, lacks one of the files the catalog names.
    public func locate(_ name: String) throws -> URL {
        let folder = directory(for: name)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DataError.artifactMissing(name: name, directory: folder.path)
        }
        if let artifact = ArtifactCatalog.artifact(named: name) {
            for file in artifact.files where cachedFile(file, in: folder) == nil {
                throw DataError.artifactMissing(name: name, directory: folder.path)
            }
        }
        return folder
    }

    /// The cached copy of a catalog file: its stored form, or for a compressed member the `.bz2` itself
    /// (the layout of caches filled before fetch decompressed). Nil when neither exists.
    public func cachedFile(_ file: ArtifactFile, in folder: URL) -> URL? {
        let stored = folder.appendingPathComponent(file.stored)
        if FileManager.default.fileExists(atPath: stored.path) { return stored }
        if file.isCompressed {
            let raw = folder.appendingPathComponent(file.memberFileName)
            if FileManager.default.fileExists(atPath: raw.path) { return raw }
        }
        return nil
    }
}
