import Foundation

/// The legacy vocabulary files: vocab.txt (BERT, MPNet) and vocab.json + merges.txt (RoBERTa), each with
/// tokenizer_config.json, built as transformers builds the fast tokenizer from them.
extension TokenizerLoader {
    // MARK: vocab.txt (+ tokenizer_config.json): BertTokenizer, MPNetTokenizer

    /// As transformers builds a fast BertTokenizer from vocab.txt: BertNormalizer(clean_text, tokenize_chinese_chars,
    /// strip_accents, do_lower_case), BertPreTokenizer, WordPiece, `[CLS] $A [SEP]` template, WordPiece decoder.
    /// With `tokenizer_class` MPNetTokenizer (or a config.json of model_type mpnet beside it), as transformers' MPNet
    /// tokenizer: the same WordPiece, but `<s> A </s></s> B </s>` (RobertaProcessing, trim_offsets) and a `<mask>`
    /// that takes the space before it.
    static func fromVocabTxt(_ url: URL, config: [String: Any]) throws -> PreTrainedTokenizer {
        let mpnet = isMPNet(config, folder: url.deletingLastPathComponent())
        let text = try readText(url)
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        let vocabulary = lines.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
        guard !vocabulary.isEmpty else { throw TokenizerError.invalidFile(path: url.path, reason: "empty vocabulary") }
        let unk = configToken(config, "unk_token") ?? "[UNK]"
        let model = try WordPiece(vocabulary: vocabulary, unkToken: unk)
        let normalizer = BertNormalizer(
            cleanText: true, handleChineseChars: config["tokenize_chinese_chars"] as? Bool ?? true,
            stripAccents: config["strip_accents"] as? Bool, lowercase: config["do_lower_case"] as? Bool ?? true)
        let specials = try specialTokens(config, defaults: mpnet ? mpnetSpecials : bertSpecials) { model.vocabulary.get($0) }
        let added = try addedTokens(
            config, defaults: [specials.pad, specials.unk, specials.cls, specials.sep, specials.mask].map {
                AddedToken(content: $0.content, id: $0.id, special: true, lstrip: mpnet && $0 == specials.mask)
            }, path: url.path)
        let postProcessor: PostProcessor = mpnet
            ? .roberta(cls: specials.cls, sep: specials.sep, trimOffsets: true, addPrefixSpace: false)
            : .bert(cls: specials.cls, sep: specials.sep)
        return PreTrainedTokenizer(
            pipeline: .wordPiece(BertPipeline(normalizer: normalizer, model: model)), vocabulary: vocabulary,
            addedTokens: added, postProcessor: postProcessor,
            decoder: .wordPiece(prefix: "##", cleanup: true), specialTokens: specials,
            modelMaxLength: modelMaxLength(config))
    }

    /// tokenizer_config.json's `tokenizer_class` (MPNetTokenizer, MPNetTokenizerFast), or when it has none, the
    /// `model_type` of the config.json beside it (how transformers' AutoTokenizer picks the class).
    static func isMPNet(_ config: [String: Any], folder: URL) -> Bool {
        if let name = config["tokenizer_class"] as? String { return name.hasPrefix("MPNetTokenizer") }
        let modelConfig = folder.appendingPathComponent("config.json")
        guard FileManager.default.fileExists(atPath: modelConfig.path),
              let object = try? readJSONObject(modelConfig) else { return false }
        return object["model_type"] as? String == "mpnet"
    }

    // MARK: vocab.json + merges.txt (+ tokenizer_config.json): RobertaTokenizer

    /// As transformers builds a fast RobertaTokenizer: ByteLevel(add_prefix_space), BPE, RobertaProcessing
    /// (trim_offsets), ByteLevel decoder; `<mask>` takes the space before it (lstrip).
    static func fromVocabJSON(_ vocabURL: URL, merges mergesURL: URL, config: [String: Any]) throws
        -> PreTrainedTokenizer
    {
        guard let raw = try readJSONObject(vocabURL) as? [String: NSNumber] else {
            throw TokenizerError.invalidFile(path: vocabURL.path, reason: "expected {token: id}")
        }
        let vocabulary = raw.mapValues { Int32(truncating: $0) }
        let merges = try parseMerges(readText(mergesURL), path: mergesURL.path)
        let model = try BPE(vocabulary: vocabulary, merges: merges, unkToken: nil, ignoreMerges: false)
        let addPrefixSpace = config["add_prefix_space"] as? Bool ?? false
        let trimOffsets = config["trim_offsets"] as? Bool ?? true
        let specials = try specialTokens(config, defaults: robertaSpecials) { vocabulary[$0] }
        let added = try addedTokens(
            config, defaults: [specials.cls, specials.pad, specials.sep, specials.unk, specials.mask].map {
                AddedToken(content: $0.content, id: $0.id, special: true)
            }, path: vocabURL.path)
        return PreTrainedTokenizer(
            pipeline: .byteLevel(ByteLevelPipeline(model: model, addPrefixSpace: addPrefixSpace)),
            vocabulary: vocabularyById(vocabulary), addedTokens: added,
            postProcessor: .roberta(
                cls: specials.cls, sep: specials.sep, trimOffsets: trimOffsets, addPrefixSpace: addPrefixSpace),
            decoder: .byteLevel, specialTokens: specials, modelMaxLength: modelMaxLength(config))
    }

    /// merges.txt: an optional "#version" line, then "left right" per line, by rank.
    static func parseMerges(_ text: String, path: String) throws -> [(String, String)] {
        var merges: [(String, String)] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            if line.isEmpty || (number == 0 && line.hasPrefix("#version")) { continue }
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw TokenizerError.invalidFile(path: path, reason: "line \(number + 1) is not 'left right'")
            }
            merges.append((String(parts[0]), String(parts[1])))
        }
        return merges
    }

    static func vocabularyById(_ vocabulary: [String: Int32]) -> [String?] {
        var byId = [String?](repeating: nil, count: Int(vocabulary.values.max() ?? -1) + 1)
        for (token, id) in vocabulary where id >= 0 { byId[Int(id)] = token }
        return byId
    }
}
