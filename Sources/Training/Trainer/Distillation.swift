import Foundation
import SentimentCore
import SentimentData
import SentimentModels
import SentimentTensor
import SentimentTokenizers

/// What a distillation run learns from beyond the labelled data: the teacher, where its logits come from, and the
/// unlabelled texts it labels (DistilBERT / TinyBERT task distillation; `Loss.distillation` is the loss).
public struct DistillationRecipe: Codable, Sendable, Equatable {
    /// The teacher: a default model name (e.g. sentiment-en) or an HF classifier folder. Needed only for the
    /// texts `logits` lacks.
    public var teacher: String
    /// A teacher-logits file (`TeacherLogits`), or `bundled:NAME` for one shipped with SentimentKit; nil: the
    /// teacher computes every logit.
    public var logits: String?
    /// Unlabelled texts: catalog data sets (only their train split's texts; labels unused) or table files (every
    /// row's `text` column). Texts of the labelled data's dev and test splits are always dropped.
    public var unlabeled: [String]
    /// At most this many texts per unlabelled source (the first, in the source's order); nil: all.
    public var unlabeledLimit: Int?
    /// Number format the teacher runs in when it computes logits (nil: bf16 where the CPU has AVX512_BF16, else
    /// fp32). bf16 moves a logit by about 1e-2 — below float16's own step at |z| ≥ 8 — for 2–3× the speed.
    public var teacherPrecision: Precision?

    public init(teacher: String, logits: String? = nil, unlabeled: [String] = [], unlabeledLimit: Int? = nil,
                teacherPrecision: Precision? = nil) {
        self.teacher = teacher
        self.logits = logits
        self.unlabeled = unlabeled
        self.unlabeledLimit = unlabeledLimit
        self.teacherPrecision = teacherPrecision
    }
}

public enum Distillation {
    /// The unlabelled texts of `recipe`, trimmed, de-duplicated, without any text of `exclude` (the labelled data:
    /// its train texts are there already, its dev and test texts must never be seen).
    public static func unlabeledTexts(_ recipe: DistillationRecipe, exclude: Dataset, cache: ArtifactCache) throws -> [String] {
        var seen = Set(exclude.all.map(\.text))
        var texts: [String] = []
        for source in recipe.unlabeled {
            var picked: [String]
            if FileManager.default.fileExists(atPath: source) {
                picked = try TabularFile.read(url: URL(fileURLWithPath: source)).column(named: "text")
            } else {
                picked = try Datasets.load(source, cache: cache).train.map(\.text)
            }
            picked = picked.map(PythonWhitespace.strip).filter { !$0.isEmpty }
            var kept = 0
            for text in picked where seen.insert(text).inserted {
                if let limit = recipe.unlabeledLimit, kept >= limit { break }
                texts.append(text)
                kept += 1
            }
        }
        return texts
    }

    /// The teacher's folder: an existing folder, else a default model's — built into the cache, else shipped as an
    /// adapter, else where it would be built (the caller checks that it holds a model).
    public static func teacherFolder(_ teacher: String, cache: ArtifactCache) -> URL {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: teacher, isDirectory: &isDirectory), isDirectory.boolValue {
            return URL(fileURLWithPath: teacher)
        }
        if !DefaultModelCatalog.isBuilt(teacher, cache: cache), let shipped = DefaultModelCatalog.shippedFolder(teacher) { return shipped }
        return DefaultModelCatalog.folder(teacher, cache: cache)
    }

    /// Whether `folder` holds a classifier the teacher can run: an HF folder or a LoRA adapter.
    static func holdsModel(_ folder: URL) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path) || LoRAAdapter.isAdapterFolder(folder)
    }

    /// A `bundled:NAME` reference → the file shipped in SentimentTraining's resources; a path as given.
    public static func logitsURL(_ reference: String) -> URL {
        if reference.hasPrefix("bundled:") {
            return bundledLogitsFolder.appendingPathComponent(String(reference.dropFirst("bundled:".count)))
        }
        return URL(fileURLWithPath: reference)
    }

    /// Where the shipped teacher logits lie: `Sources/Training/Resources/teacher-logits` in the repository, copied
    /// into the target's resource bundle, which SwiftPM puts beside the executable. Found without touching
    /// `Bundle.module` (which stops the process when the bundle is missing): a missing bundle becomes the missing-file
    /// error of `teacherTable`, naming the path.
    public static var bundledLogitsFolder: URL { BundledResources.url("teacher-logits", target: "SentimentTraining") }

    /// Runs the teacher (an HF classifier folder, in `precision`) over `texts`, truncated to `maxLength` tokens, in batches.
    /// A LoRA adapter folder loads onto its base (a folder, or a catalog model in `cache`), merged.
    public static func computeLogits(teacher folder: URL, texts: [String], maxLength: Int = 128, precision: Precision = .fp32,
                                     cache: ArtifactCache = .default,
                                     progress: ((Int) -> Void)? = nil) throws -> (labels: [String], logits: [[Float]]) {
        let loadOptions = LoadOptions(precision: precision)
        let (model, tokenizerFolder) = LoRAAdapter.isAdapterFolder(folder)
            ? try AutoModel.load(adapterFolder: folder, labels: try FineTuningRecord.load(folder: folder)?.labels, options: loadOptions) {
                try cache.locate($0)
            }
            : (try AutoModel.load(folder: folder, options: loadOptions), folder)
        guard let head = model.classificationHead else {
            throw TrainerError.invalidTeacherLogits(file: folder.path, reason: "the teacher has no classification head")
        }
        let tokenizer = try AutoTokenizer.load(folder: tokenizerFolder)
        let options = EncodingOptions(maxLength: min(maxLength, model.maxLength), truncation: .longestFirst)
        // Longest first within chunks of 2,048 texts, so each batch of 64 has little length spread.
        var logits = [[Float]](repeating: [], count: texts.count)
        var done = 0
        for chunkStart in stride(from: 0, to: texts.count, by: 2048) {
            let chunk = Array(chunkStart ..< min(chunkStart + 2048, texts.count))
            let encodings = try tokenizer.encodeBatch(chunk.map { texts[$0] }, options: options)
            let order = chunk.indices.sorted { encodings[$0].ids.count > encodings[$1].ids.count }
            for batchStart in stride(from: 0, to: order.count, by: 64) {
                let picked = Array(order[batchStart ..< min(batchStart + 64, order.count)])
                let out = try model.classify(try PackedBatch(encodings: picked.map { encodings[$0] }))
                let width = head.numLabels
                out.withUnsafeBufferPointer { rows in
                    for (b, local) in picked.enumerated() { logits[chunk[local]] = Array(rows[b * width ..< (b + 1) * width]) }
                }
                done += picked.count
                progress?(done)
            }
        }
        return (model.config.labels, logits)
    }

    /// The teacher's logits for every text of `texts`, columns in `labels` order: read from the recipe's logits file,
    /// the texts it lacks computed by the teacher (or an error naming the command that regenerates the file when the
    /// teacher is not there), all of them written to `saveTo` when given.
    public static func teacherTable(
        _ recipe: DistillationRecipe, texts: [String], labels: [String], maxLength: Int, cache: ArtifactCache,
        saveTo: URL?, log: @escaping (String) -> Void
    ) throws -> [String: [Float]] {
        var stored: TeacherLogits?
        var storedURL: URL?
        if let reference = recipe.logits {
            let url = logitsURL(reference)
            storedURL = url
            if FileManager.default.fileExists(atPath: url.path) {
                stored = try TeacherLogits.read(from: url)
            } else if saveTo == nil {
                throw TrainerError.invalidTeacherLogits(file: url.path, reason: "no such file")
            }
        }
        var table: [String: [Float]] = [:]
        var missing: [String] = []
        var seen = Set<String>()
        let storedColumns = try stored.map { try columns(from: $0.header.labels, to: labels) }
        for text in texts where seen.insert(text).inserted {
            if let stored, let storedColumns, let row = stored.logits(for: text) {
                table[text] = storedColumns.map { row[$0] }
            } else {
                missing.append(text)
            }
        }
        if let stored { log("teacher logits: \(table.count) texts from \(storedURL!.path) (teacher \(stored.header.teacher))") }
        if !missing.isEmpty {
            let folder = teacherFolder(recipe.teacher, cache: cache)
            guard holdsModel(folder) else {
                throw TrainerError.missingTeacherLogits(
                    file: storedURL?.path ?? "(none)", missing: missing.count, example: missing[0],
                    regenerate: "sentiment setup --name \(recipe.teacher), then sentiment distill … --save-logits FILE (docs/training.md, \"Distillation\")")
            }
            let precision = recipe.teacherPrecision ?? .fastestTraining
            log("teacher \(folder.path): computing logits for \(missing.count) texts (\(precision.rawValue))")
            let started = Date()
            var lastReport = Date()
            let computed = try computeLogits(teacher: folder, texts: missing, maxLength: maxLength, precision: precision,
                                             cache: cache) { done in
                if Date().timeIntervalSince(lastReport) >= 30 {
                    lastReport = Date()
                    log(String(format: "teacher logits: %d of %d texts (%.0f texts/s)", done, missing.count,
                               Double(done) / Date().timeIntervalSince(started)))
                }
            }
            let computedColumns = try columns(from: computed.labels, to: labels)
            for (text, row) in zip(missing, computed.logits) {
                // Stored as float16, so the run uses exactly what a rerun from the saved file would.
                let rounded = TeacherLogits.float16Rounded(row)
                table[text] = computedColumns.map { rounded[$0] }
            }
            log(String(format: "teacher logits computed in %.0f s", Date().timeIntervalSince(started)))
        }
        if let saveTo {
            let file = TeacherLogits(teacher: recipe.teacher, labels: labels, sources: recipe.unlabeled,
                                     logits: table.map { ($0.key, $0.value) })
            try file.write(to: saveTo)
            log("teacher logits for \(table.count) texts written to \(saveTo.path)")
        }
        return table
    }

    /// For each of `labels`, its column in the teacher's logits (the label sets must be equal).
    static func columns(from teacher: [String], to labels: [String]) throws -> [Int] {
        guard Set(teacher) == Set(labels), teacher.count == labels.count else {
            throw TrainerError.teacherLabelsDiffer(teacher: teacher, data: labels)
        }
        return labels.map { teacher.firstIndex(of: $0)! }
    }
}
