import Foundation

/// Runs an external tool (bzip2, python3 -m pip) found on PATH through `/usr/bin/env`,
/// with stdout and stderr going to files (no pipe buffers to fill, no reader threads).
enum Subprocess {
    struct Result {
        var status: Int32
        /// stderr (and stdout when it was not redirected to a file), for error messages.
        var log: String
    }

    /// - Parameters:
    ///   - stdout: file that receives standard output; nil sends it to the log.
    ///   - passthrough: the tool writes stdout and stderr to our stderr (a terminal: pip's progress bar); the log stays empty.
    static func run(_ tool: String, _ arguments: [String], stdout: URL? = nil, environment: [String: String]? = nil,
                    passthrough: Bool = false) throws -> Result {
        let fm = FileManager.default
        let logURL = fm.temporaryDirectory.appendingPathComponent("sentimentkit-\(UUID().uuidString).log")
        guard fm.createFile(atPath: logURL.path, contents: nil) else {
            throw DataError.ioError(file: logURL.path, message: "cannot create a log file")
        }
        defer { try? fm.removeItem(at: logURL) }
        let logHandle = try FileHandle(forWritingTo: logURL)
        defer { try? logHandle.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        process.standardError = logHandle
        var outHandle: FileHandle?
        if let stdout {
            guard fm.createFile(atPath: stdout.path, contents: nil) else {
                throw DataError.ioError(file: stdout.path, message: "cannot create file")
            }
            outHandle = try FileHandle(forWritingTo: stdout)
            process.standardOutput = outHandle
        } else {
            process.standardOutput = logHandle
        }
        if passthrough {
            process.standardOutput = FileHandle.standardError
            process.standardError = FileHandle.standardError
        }
        defer { try? outHandle?.close() }
        do {
            try process.run()
        } catch {
            throw DataError.toolFailed(tool: tool, message: "cannot start /usr/bin/env \(tool): \(error)")
        }
        process.waitUntilExit()
        let log = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, log: log.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Decompresses a `.bz2` file with the system `bzip2` into `destination`.
    static func bunzip2(_ source: URL, to destination: URL) throws {
        let result = try run("bzip2", ["-dc", source.path], stdout: destination)
        guard result.status == 0 else {
            try? FileManager.default.removeItem(at: destination)
            let hint = result.status == 127 ? " (install it: apt-get install bzip2)" : ""
            throw DataError.toolFailed(tool: "bzip2", message: "exit \(result.status) on \(source.path)\(hint): \(result.log)")
        }
    }
}
