import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment embed "text" [--file F] [--json] [--model NAME|DIR]`: sentence embeddings (sentence-transformers
/// pooling: mean over tokens, L2-normalised for all-MiniLM-L6-v2).
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
    var model = "all-MiniLM-L6-v2"

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
            throw ValidationError("text \(index + 1) is empty")
        }
        let folder = try resolveModelFolder(model)
        let encoder = try AutoModel.load(folder: folder)
        let tokenizer = try AutoTokenizer.load(folder: folder)
        let maxLength = min(tokenizer.modelMaxLength ?? encoder.maxLength, encoder.maxLength)
        let options = EncodingOptions(maxLength: maxLength, truncation: .longestFirst)

        let output = FileHandle.standardOutput
        for start in stride(from: 0, to: inputs.count, by: batchSize) {
            let chunk = Array(inputs[start..<min(start + batchSize, inputs.count)])
            let batch = try PackedBatch(encodings: tokenizer.encodeBatch(chunk, options: options))
            let embeddings = try encoder.sentenceEmbeddings(batch)
            let width = embeddings.shape[1]
            for (row, text) in chunk.enumerated() {
                let values = Array(embeddings.storage[row * width ..< (row + 1) * width])
                let line: String
                if json {
                    struct Line: Encodable { var text: String; var embedding: [Float] }
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.withoutEscapingSlashes]
                    line = String(decoding: try encoder.encode(Line(text: text, embedding: values)), as: UTF8.self)
                } else {
                    line = values.map { String(format: "%.6f", $0) }.joined(separator: " ")
                }
                output.write(Data((line + "\n").utf8))
            }
        }
    }

    /// Lines of a UTF-8 text file (a final newline does not make an extra empty text).
    private func readLines(_ path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
        guard let text = String(data: data, encoding: .utf8) else { throw ValidationError("\(path) is not valid UTF-8") }
        var lines = text.components(separatedBy: "\n").map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}

/// NAME|DIR → model folder: an existing folder, a trained model in the cache's models folder, or a catalog artifact.
func resolveModelFolder(_ nameOrPath: String) throws -> URL {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: nameOrPath, isDirectory: &isDirectory), isDirectory.boolValue {
        return URL(fileURLWithPath: nameOrPath)
    }
    let cache = ArtifactCache.default
    let trained = cache.modelsDirectory.appendingPathComponent(nameOrPath)
    if FileManager.default.fileExists(atPath: trained.appendingPathComponent("config.json").path) { return trained }
    return try cache.locate(nameOrPath)
}
