import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment tokenize "text"`: what the model sees — tokens, ids, type ids and character offsets, identical to
/// Hugging Face's tokenizer (handy to debug an input).
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Show the tokens, ids and character offsets of a text (identical to Hugging Face).",
        discussion: """
            Examples:
              sentiment tokenize "Crème brûlée, à la mode!"
              sentiment tokenize --model path/to/model-folder --json "some text"
              sentiment tokenize --file reviews.txt --json > tokens.jsonl
            """
    )

    @Argument(help: "The text to tokenize (or use --file).")
    var text: String?

    @Option(name: .long, help: "Model whose tokenizer to use: a catalog name, a built model name or a model folder.")
    var model = "all-MiniLM-L6-v2"

    @Option(name: .long, help: "Read one text per line from this file ('-' for standard input).")
    var file: String?

    @Option(name: .long, help: "A second text, encoded as a pair with the first.")
    var pair: String?

    @Option(name: .long, help: "Truncate to this many tokens (specials included); overflow windows are shown too.")
    var maxLength: Int?

    @Option(name: .long, help: "Tokens of overlap between overflow windows (with --max-length).")
    var stride = 0

    @Flag(name: .long, help: "Do not add [CLS]/[SEP] (<s>/</s>).")
    var noSpecialTokens = false

    @Flag(name: .long, help: "One JSON object per text (JSONL): tokens, input_ids, token_type_ids, attention_mask, offsets.")
    var json = false

    func validate() throws {
        if (text == nil) == (file == nil) { throw ValidationError("give a text or --file (not both)") }
        if let maxLength, maxLength < 1 { throw ValidationError("--max-length must be ≥ 1") }
        if stride < 0 { throw ValidationError("--stride must be ≥ 0") }
    }

    func run() throws {
        let tokenizer = try AutoTokenizer.load(folder: ModelLocator.folder(for: model))
        let texts: [String]
        if let file {
            let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
            guard let content = String(data: data, encoding: .utf8) else {
                throw ValidationError("\(file) is not valid UTF-8")
            }
            let lines = content.split(separator: "\n", omittingEmptySubsequences: false).map {
                $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
            }
            texts = Array(lines.dropLast(content.hasSuffix("\n") ? 1 : 0))
        } else {
            texts = [text!]
        }
        let options = EncodingOptions(
            addSpecialTokens: !noSpecialTokens, maxLength: maxLength, truncation: maxLength == nil ? .none : .longestFirst,
            stride: stride)
        for text in texts {
            let encoding = try tokenizer.encode(text, pair: pair, options: options)
            for (window, part) in encoding.windows.enumerated() {
                if json {
                    print(try jsonLine(part, window: encoding.windows.count > 1 ? window : nil))
                } else {
                    printTable(part, text: text, window: encoding.windows.count > 1 ? window : nil)
                }
            }
        }
    }

    private func jsonLine(_ encoding: Encoding, window: Int?) throws -> String {
        var object: [String: Any] = [
            "tokens": encoding.tokens, "input_ids": encoding.ids.map(Int.init),
            "token_type_ids": encoding.typeIds.map(Int.init), "attention_mask": encoding.attentionMask.map(Int.init),
            "offsets": encoding.offsets.map { [$0.lowerBound, $0.upperBound] },
        ]
        if let window { object["window"] = window }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    private func printTable(_ encoding: Encoding, text: String, window: Int?) {
        let scalars = Array(text.unicodeScalars)
        let pairScalars = Array((pair ?? "").unicodeScalars)
        print(window.map { "window \($0): \(encoding.count) tokens" } ?? "\(encoding.count) tokens")
        print("    #  id      type  offsets    token → text")
        for k in 0..<encoding.count {
            let range = encoding.offsets[k]
            let source = encoding.sequenceIds[k] == 1 ? pairScalars : scalars
            var covered = ""
            if !range.isEmpty && range.upperBound <= source.count {
                covered = String(String.UnicodeScalarView(source[range]))
            }
            let offsets = "\(range.lowerBound)..<\(range.upperBound)"
            print(pad(String(k), 5) + "  " + pad(String(encoding.ids[k]), 6, left: false) + "  "
                  + pad(String(encoding.typeIds[k]), 4, left: false) + "  " + pad(offsets, 9, left: false) + "  "
                  + encoding.tokens[k] + (covered.isEmpty ? "" : " → " + covered.debugDescription))
        }
    }

    private func pad(_ s: String, _ width: Int, left: Bool = true) -> String {
        let fill = String(repeating: " ", count: max(0, width - s.count))
        return left ? fill + s : s + fill
    }
}
