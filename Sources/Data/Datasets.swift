import Foundation

/// Loading labelled data sets: the catalog corpora by name, or any table file by column names.
public enum Datasets {
    /// How a catalog corpus maps to `LabeledText`s.
    struct Recipe: Sendable {
        enum Encoding: Sendable { case utf8, macRoman }
        var artifact: String
        var encoding: Encoding
        var textColumn: String
        var labelColumn: String
        /// Raw label → class name; rows whose raw label is absent are dropped. Nil keeps labels as they are.
        var labelMap: [String: String]?
    }

    static let recipes: [String: Recipe] = [
        "rotten-tomatoes": Recipe(
            artifact: "rotten-tomatoes", encoding: .utf8, textColumn: "text", labelColumn: "category",
            labelMap: ["fresh": "positive", "rotten": "negative"]  // `plot` rows are movie synopses: dropped
        ),
        "crowdflower-tweets": Recipe(
            artifact: "crowdflower-tweets", encoding: .macRoman, textColumn: "text", labelColumn: "sentiment", labelMap: nil
        ),
    ]

    /// Names accepted by `load(_:)`.
    public static var names: [String] { recipes.keys.sorted() }

    /// Loads a catalog data set from the cache with its canonical split (see `CanonicalSplit`).
    /// Throws `DataError.artifactMissing` (naming `sentiment fetch NAME`) when it is not cached.
    public static func load(_ name: String, cache: ArtifactCache = .default) throws -> Dataset {
        guard let recipe = recipes[name] else { throw DataError.unknownArtifact(name: name, known: names) }
        let artifact = try ArtifactCatalog.require(recipe.artifact)
        let folder = try cache.locate(artifact.name)
        let file = artifact.files[0]
        guard let url = cache.cachedFile(file, in: folder) else {
            throw DataError.artifactMissing(name: name, directory: folder.path)
        }
        var bytes = try readBytes(url, compressed: url.pathExtension == "bz2")
        if recipe.encoding == .macRoman { bytes = TextDecoding.macRomanToUTF8(bytes) }
        let table = try TabularFile.parse(bytes: bytes, format: .csv, file: url.path)
        let texts = try table.column(named: recipe.textColumn)
        let labels = try table.column(named: recipe.labelColumn)
        var examples: [LabeledText] = []
        examples.reserveCapacity(texts.count)
        for (text, raw) in zip(texts, labels) {
            if let map = recipe.labelMap {
                guard let label = map[raw] else { continue }
                examples.append(LabeledText(text: text, label: label))
            } else {
                examples.append(LabeledText(text: text, label: raw))
            }
        }
        return Dataset(name: name, splitting: examples)
    }

    /// Loads a labelled table (.csv, .tsv, .jsonl). Labels are kept as written (trimmed); rows with an empty
    /// label are an error. The split: when the file has a column named `split` whose values are all
    /// train/dev/test (also accepted: validation/valid/val → dev), rows go where it says, after the same
    /// trimming and de-duplication; otherwise the canonical FNV-1a rule of `CanonicalSplit` applies.
    public static func load(file: URL, textColumn: String = "text", labelColumn: String = "label", pairColumn: String? = nil) throws -> Dataset {
        try dataset(
            from: TabularFile.read(url: file), name: file.deletingPathExtension().lastPathComponent,
            textColumn: textColumn, labelColumn: labelColumn, pairColumn: pairColumn)
    }

    /// `load(file:...)` on a table already read (the CLI reads once, then writes the table back with results).
    public static func dataset(from table: TabularFile, name: String, textColumn: String = "text", labelColumn: String = "label",
                               pairColumn: String? = nil) throws -> Dataset {
        let texts = try table.column(named: textColumn)
        let labels = try table.column(named: labelColumn).map(PythonWhitespace.strip)
        let pairs = try pairColumn.map(table.column(named:))
        if let empty = labels.firstIndex(of: "") {
            throw DataError.malformedFile(file: table.source, line: table.lines[empty], reason: "empty label in column '\(labelColumn)'")
        }
        let examples = texts.indices.map { LabeledText(text: texts[$0], label: labels[$0], textPair: pairs?[$0]) }
        guard let splits = table.columns.contains("split") ? explicitSplits(try table.column(named: "split")) : nil else {
            return Dataset(name: name, splitting: examples)
        }
        var parts: [Split: [LabeledText]] = [.train: [], .dev: [], .test: []]
        let kept = CanonicalSplit.deduplicatedWithIndices(examples)
        for (index, example) in kept { parts[splits[index], default: []].append(example) }
        let all = kept.map(\.example)
        return Dataset(
            name: name, labels: Set(all.map(\.label)).sorted(), all: all,
            train: parts[.train]!, dev: parts[.dev]!, test: parts[.test]!)
    }

    /// Split values of a `split` column, or nil when some value is not a split name.
    static func explicitSplits(_ values: [String]) -> [Split]? {
        var result: [Split] = []
        result.reserveCapacity(values.count)
        for value in values {
            switch PythonWhitespace.strip(value).lowercased() {
            case "train": result.append(.train)
            case "dev", "validation", "valid", "val": result.append(.dev)
            case "test": result.append(.test)
            default: return nil
            }
        }
        return result
    }

    static func readBytes(_ url: URL, compressed: Bool) throws -> [UInt8] {
        var source = url
        var temporary: URL?
        if compressed {
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("sentimentkit-\(UUID().uuidString)")
            try Subprocess.bunzip2(url, to: out)
            source = out
            temporary = out
        }
        defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }
        do {
            return [UInt8](try Data(contentsOf: source))
        } catch {
            throw DataError.ioError(file: url.path, message: "cannot read: \(error.localizedDescription)")
        }
    }
}
