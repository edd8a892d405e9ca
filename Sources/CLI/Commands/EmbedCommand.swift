import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment embed "text" [--file F] [--json] [--model NAME|DIR]`: sentence embeddings through `EmbeddingPipeline`
/// (sentence-transformers pooling: mean over tokens, L2-normalised, max_seq_length 256 for all-MiniLM-L6-v2) —
/// the same vectors `sentiment serve` answers on /v1/embed.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Print sentence embeddings (one line of numbers per text, or JSON lines with --json)."
    )

    @Argument(help: "Texts to embed (or use --file).")
    var texts: [String] = []

    @Option(name: .long, help: "A UTF-8 file with one text per line.")
    var file: String?

    @Flag(name: .long, help: "JSON lines: {\"text\": ..., \"embedding\": [...]}.")
    var json = false

    @Option(name: .long, help: "Catalog name, trained model name or model folder.")
    var model = ModelLocator.defaultEmbedder

    @Option(name: .long, help: "Texts per forward pass.")
    var batchSize = 32

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        guard file != nil || !texts.isEmpty else { throw ValidationError("give a text or --file FILE") }
    }

    func run() throws {
        var inputs = texts
        if let file { inputs += try readLines(file) }
        for (index, text) in inputs.enumerated() where text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw EmbedError("text \(index + 1) is empty")
        }
        let pipeline = try EmbeddingPipeline.load(model)
        let output = FileHandle.standardOutput
        // Batch by batch, so a big file streams out instead of piling up in memory.
        for start in stride(from: 0, to: inputs.count, by: batchSize) {
            let chunk = Array(inputs[start..<min(start + batchSize, inputs.count)])
            for (text, values) in zip(chunk, try pipeline.embed(chunk, batchSize: batchSize)) {
                let line: String
                if json {
                    // Built by hand so "text" comes first; JSONEncoder escapes the text.
                    let quoted = String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
                    line = "{\"text\": \(quoted), \"embedding\": [\(values.map { "\($0)" }.joined(separator: ", "))]}"
                } else {
                    line = values.map { String(format: "%.6f", $0) }.joined(separator: " ")
                }
                output.write(Data((line + "\n").utf8))
            }
        }
    }

    /// Lines of a UTF-8 text file (a final newline does not make an extra empty text).
    private func readLines(_ path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { throw EmbedError("cannot read \(path)") }
        guard let text = String(data: data, encoding: .utf8) else { throw EmbedError("\(path) is not valid UTF-8") }
        var lines = text.components(separatedBy: "\n").map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}

/// A bad input for `embed`: printed as is, without the usage text.
struct EmbedError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
