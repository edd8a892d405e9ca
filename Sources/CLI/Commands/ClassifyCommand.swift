import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment classify TEXT... | --file F [--column C] | < stdin`: sentiment of texts with the default model
/// (`sentiment-en`, built on first use) or any `--model NAME|DIR` (fine-tuned BERT folders and baselines).
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify the sentiment of texts, a file's column, or stdin lines.",
        discussion: """
            Output: a table on stdout, or --json (array), --jsonl (one object per text, input order: the input's \
            columns, then label, score as a number, scores with --top-k/--all-scores, chunks), --csv. \
            With --file (.csv, .tsv, .jsonl, .txt) every original column and row is kept and label, score \
            (score_<label> with --all-scores, chunks with --long-text chunk) are appended; --out writes the result \
            atomically (format from its extension). Texts over the model's window are truncated, or with \
            --long-text chunk split into overlapping windows whose scores are aggregated.
            Exit codes: 0 ok, 64 bad usage, 65 bad input data (empty text, malformed file, invalid UTF-8), \
            66 input file missing, 69 model unavailable (not built with --no-build, unknown, not fetched), \
            73 cannot write --out, 1 anything else.
            """
    )

    @Argument(help: "Texts to classify (none: --file, or one text per stdin line).") var texts: [String] = []
    @Option(name: .shortAndLong, help: "A .csv, .tsv, .jsonl or .txt file to classify.") var file: String?
    @Option(help: "The column of --file holding the texts (.txt files: text).") var column = "text"
    @Option(name: .shortAndLong, help: "Write the result here, atomically (.csv, .tsv, .jsonl, .json) instead of stdout.") var out: String?
    @Flag(help: "JSON array output.") var json = false
    @Flag(help: "JSON Lines output: one object per input text.") var jsonl = false
    @Flag(help: "CSV output.") var csv = false
    @Option(help: "Model: a default-model name (sentiment-en), a trained model name, or a folder (BERT-family or baseline).")
    var model = ModelLocator.defaultClassifier
    @Flag(help: "Fail instead of building a missing default model or fetching a shipped one's base model.") var noBuild = false
    @Option(help: PrecisionHelp.text) var precision: Precision = .fp32
    @Option(help: "Labels per text, best first.") var topK = 1
    @Flag(help: "Every label's score (one score_<label> column each for files).") var allScores = false
    @Option(help: "Score function: softmax, sigmoid or none (default: HF's rule from the model config).") var function: String?
    @Option(help: "Texts per model call.") var batchSize = 32
    @Option(help: "Longest window in tokens (default: the model's).") var maxLength: Int?
    @Option(help: "Texts longer than the window: truncate or chunk.") var longText = "truncate"
    @Option(help: "Tokens shared by neighbouring windows with --long-text chunk.") var stride = 64
    @Option(help: "How window scores combine with --long-text chunk: mean or max-confidence.") var aggregate = "mean"
    @Flag(help: "Ignore the model's temperature scaling (calibration.json): HF's raw softmax scores.") var noCalibration = false
    @Flag(help: "No progress bar.") var quiet = false

    func validate() throws {
        guard [json, jsonl, csv].filter({ $0 }).count <= 1 else { throw ValidationError("choose one of --json, --jsonl, --csv") }
        guard topK >= 1 else { throw ValidationError("--top-k must be at least 1") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        if let maxLength, maxLength < 3 { throw ValidationError("--max-length must be at least 3") }
        guard ["truncate", "chunk"].contains(longText) else { throw ValidationError("--long-text is truncate or chunk") }
        guard stride >= 0 else { throw ValidationError("--stride must not be negative") }
        guard ChunkAggregation(rawValue: aggregate) != nil else { throw ValidationError("--aggregate is mean or max-confidence") }
        if let function, ScoreFunction(rawValue: function) == nil { throw ValidationError("--function is softmax, sigmoid or none") }
        if file != nil && !texts.isEmpty { throw ValidationError("give texts or --file, not both") }
        if let out { _ = try outputFormat(forPath: out) }
    }

    var options: ClassificationOptions {
        ClassificationOptions(
            topK: allScores ? nil : topK, functionToApply: function.flatMap(ScoreFunction.init(rawValue:)),
            batchSize: batchSize, maxLength: maxLength,
            longText: longText == "chunk" ? .chunk(stride: stride, aggregation: ChunkAggregation(rawValue: aggregate)!) : .truncate)
    }

    func run() throws {
        do {
            try classify()
        } catch let exit as ExitCode {
            throw exit
        } catch let usage as ValidationError {
            throw usage                                     // ArgumentParser prints it with the usage, exit 64
        } catch {
            FileHandle.standardError.write(Data("error: \(Self.message(error))\n".utf8))
            throw ExitCode(Self.exitCode(for: error))
        }
    }

    private func classify() throws {
        // Read the input first: a bad file fails fast, before a model is loaded or built.
        var table: TabularFile
        if let file {
            guard FileManager.default.fileExists(atPath: file) else { throw ClassifyInputError.missingFile(file) }
            table = try TabularFile.read(url: URL(fileURLWithPath: file))
            _ = try table.columnIndex(named: column)
        } else {
            let inputs = texts.isEmpty ? try Self.readStandardInput() : texts
            table = TabularFile(columns: ["text"], rows: inputs.map { [$0] }, format: .txt,
                                lines: inputs.indices.map { $0 + 1 }, source: texts.isEmpty ? "stdin" : "arguments")
        }
        let textColumn = file == nil ? "text" : column
        let classifier = try loadClassifier()
        let progress = TextProgress(total: table.rows.count, enabled: !quiet && (file != nil || texts.isEmpty) && isatty(STDERR_FILENO) == 1)
        let (result, classifications) = try TableClassification.classify(
            table, column: textColumn, with: classifier, options: options, allScores: allScores, progress: progress.update)
        progress.finish()

        let format = try out.map(outputFormat(forPath:)) ?? chosenFormat(input: file == nil ? nil : table.format)
        let data: Data
        switch format {
        case .table: data = Data(Self.terminalTable(texts: try table.column(named: textColumn), classifications).utf8)
        case .json:
            let lines = try TableClassification.jsonLines(table, results: classifications)
            data = Data(("[\n" + lines.map { "  " + $0 }.joined(separator: ",\n") + "\n]\n").utf8)
        case .tabular(.jsonl):
            data = Data(try TableClassification.jsonLines(table, results: classifications).map { $0 + "\n" }.joined().utf8)
        case .tabular(let tabular): data = try TabularWriter.encode(result, as: tabular, file: out ?? "stdout")
        }
        if let out {
            do {
                try data.write(to: URL(fileURLWithPath: out), options: .atomic)
            } catch {
                throw ClassifyInputError.cannotWrite(out, error.localizedDescription)
            }
        } else {
            FileHandle.standardOutput.write(data)
        }
    }

    /// Loads --model; builds the default model first when it is missing (unless --no-build).
    private func loadClassifier() throws -> any TextClassifier {
        if ModelLocator.needsBuild(model) {
            if noBuild { throw PipelineError.modelNotBuilt(name: model, folder: DefaultModelCatalog.folder(model).path) }
            stderr("\(model) is not built yet: building it now (fetch the base model and data if needed, then fine-tune; "
                + "minutes on 2 cores; --no-build to skip). This happens once.")
            try DefaultModels.build(name: model, progress: stderr)
        }
        if !noBuild { try fetchBaseIfNeeded(model) }
        return try ModelLocator.classifier(model, precision: precision, calibrated: !noCalibration)
    }

    // MARK: - Output

    enum OutputFormat: Equatable { case table, json, tabular(TabularFile.Format) }

    private func outputFormat(forPath path: String) throws -> OutputFormat {
        if json { return .json }
        if jsonl { return .tabular(.jsonl) }
        if csv { return .tabular(.csv) }
        if path.lowercased().hasSuffix(".json") { return .json }
        guard let format = try? TabularFile.Format(url: URL(fileURLWithPath: path)), format != .txt else {
            throw ValidationError("--out must end in .csv, .tsv, .jsonl or .json")
        }
        return .tabular(format)
    }

    /// stdout: the flag's format; else the input file's own format (.txt input becomes CSV); else a table.
    private func chosenFormat(input: TabularFile.Format?) -> OutputFormat {
        if json { return .json }
        if jsonl { return .tabular(.jsonl) }
        if csv { return .tabular(.csv) }
        guard let input else { return .table }
        return .tabular(input == .txt ? .csv : input)
    }

    /// TEXT | LABEL | SCORE (+ further labels), texts shortened to one line of at most 60 characters.
    static func terminalTable(texts: [String], _ results: [Classification]) -> String {
        func shorten(_ text: String) -> String {
            let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
            return line.count > 60 ? String(line.prefix(59)) + "…" : line
        }
        let shown = texts.map(shorten)
        let textWidth = max(4, shown.map(\.count).max() ?? 0)
        let labelWidth = max(5, results.map(\.label.count).max() ?? 0)
        let hasChunks = results.contains { $0.chunks > 1 }
        func pad(_ s: String, _ width: Int) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
        var out = pad("TEXT", textWidth) + "  " + pad("LABEL", labelWidth) + "  SCORE" + (hasChunks ? "   CHUNKS" : "") + "\n"
        for (text, result) in zip(shown, results) {
            out += pad(text, textWidth) + "  " + pad(result.label, labelWidth) + "  " + String(format: "%.4f", result.score)
            if hasChunks { out += "  " + String(format: "%6d", result.chunks) }
            if result.scores.count > 1 {
                out += "  (" + result.scores.dropFirst().map { "\($0.label) " + String(format: "%.4f", $0.score) }.joined(separator: ", ") + ")"
            }
            out += "\n"
        }
        return out
    }

    // MARK: - Input and errors

    /// One text per stdin line (blank lines skipped). A terminal on stdin means no input was given.
    static func readStandardInput() throws -> [String] {
        guard isatty(STDIN_FILENO) == 0 else { throw ValidationError("give texts, --file FILE, or pipe texts on stdin (one per line)") }
        let data = FileHandle.standardInput.readDataToEndOfFile()
        let table = try TabularFile.parse(bytes: [UInt8](data), format: .txt, file: "stdin")
        return table.rows.map { $0[0] }
    }

    enum ClassifyInputError: Error, CustomStringConvertible {
        case missingFile(String)
        case cannotWrite(String, String)
        var description: String {
            switch self {
            case .missingFile(let path): return "\(path): no such file"
            case .cannotWrite(let path, let why): return "cannot write \(path): \(why)"
            }
        }
    }

    /// Our error types describe themselves (CustomStringConvertible); others fall back to their Foundation text.
    static func message(_ error: Error) -> String { String(describing: error) }

    /// sysexits.h codes, so scripts can tell bad data from a missing model.
    static func exitCode(for error: Error) -> Int32 {
        switch error {
        case ClassifyInputError.missingFile: return 66       // EX_NOINPUT
        case ClassifyInputError.cannotWrite: return 73       // EX_CANTCREAT
        case is DataError:
            if case DataError.artifactMissing = error { return 69 }
            if case DataError.unknownArtifact = error { return 69 }
            return 65                                        // EX_DATAERR
        case let error as PipelineError: return error.isInputError ? 65 : 69   // EX_DATAERR / EX_UNAVAILABLE
        case let error as TokenizerError:
            switch error {
            case .strideTooLarge, .maxLengthTooSmall: return 64   // EX_USAGE: --stride / --max-length
            case .cannotTruncate: return 65
            default: return 69                                    // the model folder's tokenizer files
            }
        case is ModelError, is BaselineError: return 69
        default: return 1
        }
    }
}
