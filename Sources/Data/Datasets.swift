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

    /// Names accepted by `load(_:)` (also joined with "+": several data sets as one).
    public static var names: [String] { (Array(recipes.keys) + ["drug-reviews"]).sorted() }

    /// Whether `name` is a catalog data set or a "+"-joined list of them.
    public static func isCatalogName(_ name: String) -> Bool {
        name.split(separator: "+", omittingEmptySubsequences: false).allSatisfy { names.contains(String($0)) }
    }

    /// Loads a catalog data set from the cache with its canonical split (see `CanonicalSplit`).
    /// `a+b`: both, each split as on its own, concatenated (labels: the union; a text in both is kept once, in the
    /// first). Throws `DataError.artifactMissing` (naming `sentiment fetch NAME`) when one is not cached.
    /// `keepLabels`: only texts of these classes, in every split (e.g. the polar texts of a three-class set).
    /// `trainLimits`: at most that many train texts of the named "+"-joined parts — a sample that does not depend
    /// on file order (the texts with the smallest FNV-1a hash), dev and test untouched.
    public static func load(_ name: String, cache: ArtifactCache = .default, keepLabels: [String]? = nil,
                            trainLimits: [String: Int]? = nil) throws -> Dataset {
        if name.contains("+") || keepLabels != nil || trainLimits != nil {
            let parts = try name.split(separator: "+", omittingEmptySubsequences: false).map { part in
                var d = try load(String(part), cache: cache)
                if let keep = keepLabels {
                    let kept = Set(keep)
                    let filter = { (texts: [LabeledText]) in texts.filter { kept.contains($0.label) } }
                    d = Dataset(name: d.name, labels: d.labels.filter(kept.contains), all: filter(d.all), train: filter(d.train),
                                dev: filter(d.dev), test: filter(d.test))
                }
                if let limit = trainLimits?[String(part)], d.train.count > limit {
                    func hash(_ t: LabeledText) -> UInt64 { var text = t.text; return text.withUTF8 { CanonicalSplit.fnv1a64($0) } }
                    let sample = Set(d.train.map { ($0.text, hash($0)) }.sorted { $0.1 < $1.1 }.prefix(limit).map(\.0))
                    let train = d.train.filter { sample.contains($0.text) }
                    d = Dataset(name: d.name, labels: d.labels, all: train + d.dev + d.test, train: train, dev: d.dev, test: d.test)
                }
                return d
            }
            if parts.count == 1 { return parts[0] }
            var seen = Set<String>()
            func unique(_ texts: [LabeledText]) -> [LabeledText] { texts.filter { seen.insert($0.text).inserted } }
            let train = unique(parts.flatMap(\.train)), dev = unique(parts.flatMap(\.dev)), test = unique(parts.flatMap(\.test))
            return Dataset(name: name, labels: Set(parts.flatMap(\.labels)).sorted(), all: train + dev + test,
                           train: train, dev: dev, test: test)
        }
        if name == "drug-reviews" { return try drugReviews(cache: cache) }
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

    /// Drugs.com reviews: drugsComTest.tsv is the test split; drugsComTrain.tsv is split by the canonical hash,
    /// buckets 0 and 1 → dev (about 20 %), the rest → train. Texts lose their wrapping quotes and HTML entities.
    static func drugReviews(cache: ArtifactCache) throws -> Dataset {
        let artifact = try ArtifactCatalog.require("drug-reviews")
        let folder = try cache.locate(artifact.name)
        func read(_ file: ArtifactFile) throws -> [LabeledText] {
            guard let url = cache.cachedFile(file, in: folder) else {
                throw DataError.artifactMissing(name: artifact.name, directory: folder.path)
            }
            let table = try TabularFile.parse(bytes: try readBytes(url, compressed: false), format: .tsv, file: url.path)
            return zip(try table.column(named: "review"), try table.column(named: "rating")).map {
                LabeledText(text: HTMLEntities.decode(PythonWhitespace.strip($0).trimmingCharacters(in: CharacterSet(charactersIn: "\""))),
                            label: PythonWhitespace.strip($1))
            }
        }
        let trainFile = CanonicalSplit.deduplicated(try read(artifact.files[0]))
        var seen = Set(trainFile.map(\.text))
        let test = CanonicalSplit.deduplicated(try read(artifact.files[1])).filter { seen.insert($0.text).inserted }
        var train: [LabeledText] = [], dev: [LabeledText] = []
        for example in trainFile {
            var text = example.text
            let bucket = text.withUTF8 { CanonicalSplit.fnv1a64($0) } % 10
            if bucket <= 1 { dev.append(example) } else { train.append(example) }
        }
        let all = train + dev + test
        return Dataset(name: "drug-reviews", labels: Set(all.map(\.label)).sorted(), all: all, train: train, dev: dev, test: test)
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
