import Foundation

/// Reads a tokenizer from a Hugging Face folder: tokenizer.json, or the legacy vocabulary files.
enum TokenizerLoader {
    static func load(folder: URL) throws -> PreTrainedTokenizer {
        let fm = FileManager.default
        let config = try readConfig(folder.appendingPathComponent("tokenizer_config.json"))
        if fm.fileExists(atPath: folder.appendingPathComponent("tokenizer.json").path) {
            return try fromTokenizerJSON(folder.appendingPathComponent("tokenizer.json"), config: config)
        }
        if fm.fileExists(atPath: folder.appendingPathComponent("vocab.txt").path) {
            return try fromVocabTxt(folder.appendingPathComponent("vocab.txt"), config: config)
        }
        let vocabJSON = folder.appendingPathComponent("vocab.json")
        let merges = folder.appendingPathComponent("merges.txt")
        if fm.fileExists(atPath: vocabJSON.path) && fm.fileExists(atPath: merges.path) {
            return try fromVocabJSON(vocabJSON, merges: merges, config: config)
        }
        throw TokenizerError.noTokenizerFiles(folder: folder.path)
    }

    // MARK: - Files

    static func readData(_ url: URL) throws -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw TokenizerError.unreadableFile(path: url.path, reason: error.localizedDescription)
        }
    }

    static func readText(_ url: URL) throws -> String {
        let data = try readData(url)
        guard let text = String(data: data, encoding: .utf8) else {
            throw TokenizerError.invalidFile(path: url.path, reason: "not valid UTF-8")
        }
        return text
    }

    static func readJSONObject(_ url: URL) throws -> [String: Any] {
        let data = try readData(url)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw TokenizerError.invalidFile(path: url.path, reason: "not valid JSON (\(error.localizedDescription))")
        }
        guard let dictionary = object as? [String: Any] else {
            throw TokenizerError.invalidFile(path: url.path, reason: "expected a JSON object at the top level")
        }
        return dictionary
    }

    /// tokenizer_config.json, or an empty config when the file is absent.
    static func readConfig(_ url: URL) throws -> [String: Any] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [:] }
        return try readJSONObject(url)
    }

    /// A `*_token` entry of tokenizer_config.json: a string, or an AddedToken object with "content".
    static func configToken(_ config: [String: Any], _ key: String) -> String? {
        if let string = config[key] as? String { return string }
        if let object = config[key] as? [String: Any] { return object["content"] as? String }
        return nil
    }

    static func modelMaxLength(_ config: [String: Any]) -> Int? {
        guard let value = config["model_max_length"] as? NSNumber else { return nil }
        let double = value.doubleValue
        return double > 0 && double < 1e9 ? Int(double) : nil  // HF writes a huge sentinel when unknown
    }

    /// The five special tokens, from tokenizer_config.json names (or `defaults`), looked up in `vocabulary`.
    static func specialTokens(
        _ config: [String: Any], defaults: [String], lookup: (String) -> Int32?
    ) throws -> SpecialTokens {
        let keys = ["cls_token", "sep_token", "pad_token", "mask_token", "unk_token"]
        var found: [SpecialToken] = []
        for (key, fallback) in zip(keys, defaults) {
            let content = configToken(config, key) ?? fallback
            guard let id = lookup(content) else { throw TokenizerError.missingSpecialToken(content) }
            found.append(SpecialToken(content: content, id: id))
        }
        return SpecialTokens(cls: found[0], sep: found[1], pad: found[2], mask: found[3], unk: found[4])
    }

    static let bertSpecials = ["[CLS]", "[SEP]", "[PAD]", "[MASK]", "[UNK]"]
    static let robertaSpecials = ["<s>", "</s>", "<pad>", "<mask>", "<unk>"]
    /// transformers' MPNetTokenizer defaults: RoBERTa's markers around a BERT vocabulary, whose unknown is `[UNK]`.
    static let mpnetSpecials = ["<s>", "</s>", "<pad>", "<mask>", "[UNK]"]

    /// The special tokens as added tokens, with the flags (lstrip, rstrip, …) and extra tokens that
    /// tokenizer_config.json's `added_tokens_decoder` declares, as transformers reads them.
    static func addedTokens(_ config: [String: Any], defaults: [AddedToken], path: String) throws -> [AddedToken] {
        var tokens = defaults
        guard let declared = config["added_tokens_decoder"] as? [String: Any] else { return tokens }
        for (key, value) in declared.sorted(by: { (Int($0.key) ?? 0) < (Int($1.key) ?? 0) }) {
            guard let id = Int32(key), let entry = value as? [String: Any], let content = entry["content"] as? String
            else { throw TokenizerError.invalidFile(path: path, reason: "bad added_tokens_decoder entry \(key)") }
            let token = addedToken(entry, content: content, id: id)
            if let index = tokens.firstIndex(where: { $0.id == id }) { tokens[index] = token } else { tokens.append(token) }
        }
        return tokens
    }

    // MARK: - vocab.txt (+ tokenizer_config.json): BertTokenizer, MPNetTokenizer

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

    // MARK: - vocab.json + merges.txt (+ tokenizer_config.json): RobertaTokenizer

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

    // MARK: - tokenizer.json

    static func fromTokenizerJSON(_ url: URL, config: [String: Any]) throws -> PreTrainedTokenizer {
        let json = try readJSONObject(url)
        let path = url.path
        guard let model = json["model"] as? [String: Any] else {
            throw TokenizerError.invalidFile(path: path, reason: "no \"model\"")
        }
        let added = try parseAddedTokens(json["added_tokens"], path: path)
        let type = model["type"] as? String ?? (model["merges"] != nil ? "BPE" : "WordPiece")
        let modelVocabulary: [String: Int32]
        let pipeline: TokenizationPipeline
        let defaults: [String]
        let byId: [String?]   // the model's vocabulary by id; PreTrainedTokenizer adds the added tokens' slots
        switch type {
        case "WordPiece":
            guard let vocab = model["vocab"] as? [String: NSNumber] else {
                throw TokenizerError.invalidFile(path: path, reason: "WordPiece model without a vocab object")
            }
            modelVocabulary = vocab.mapValues { Int32(truncating: $0) }
            byId = vocabularyById(modelVocabulary)
            guard !byId.contains(where: { $0 == nil }) else {
                throw TokenizerError.invalidFile(path: path, reason: "WordPiece vocabulary ids are not contiguous")
            }
            let wordPiece = try WordPiece(
                vocabulary: byId.map { $0! }, unkToken: model["unk_token"] as? String ?? "[UNK]",
                continuingSubwordPrefix: model["continuing_subword_prefix"] as? String ?? "##",
                maxInputCharsPerWord: (model["max_input_chars_per_word"] as? NSNumber)?.intValue ?? 100)
            let normalizer = try parseBertNormalizer(json["normalizer"])
            try requirePreTokenizer(json["pre_tokenizer"], oneOf: ["BertPreTokenizer"])
            pipeline = .wordPiece(BertPipeline(normalizer: normalizer, model: wordPiece))
            defaults = isMPNet(config, folder: url.deletingLastPathComponent()) ? mpnetSpecials : bertSpecials
        case "BPE":
            guard let vocab = model["vocab"] as? [String: NSNumber] else {
                throw TokenizerError.invalidFile(path: path, reason: "BPE model without a vocab object")
            }
            modelVocabulary = vocab.mapValues { Int32(truncating: $0) }
            if !(model["dropout"] is NSNull || model["dropout"] == nil) {
                throw TokenizerError.unsupported("BPE dropout")
            }
            if (model["continuing_subword_prefix"] as? String ?? "") != "" || (model["end_of_word_suffix"] as? String ?? "") != "" {
                throw TokenizerError.unsupported("BPE with a subword prefix or suffix (only byte-level BPE)")
            }
            byId = vocabularyById(modelVocabulary)
            let merges = try parseJSONMerges(model["merges"], path: path)
            let bpe = try BPE(
                vocabulary: modelVocabulary, merges: merges, unkToken: model["unk_token"] as? String,
                ignoreMerges: model["ignore_merges"] as? Bool ?? false)
            if !(json["normalizer"] is NSNull || json["normalizer"] == nil) {
                throw TokenizerError.unsupported("a normalizer with a BPE model")
            }
            guard let pre = json["pre_tokenizer"] as? [String: Any], pre["type"] as? String == "ByteLevel" else {
                throw TokenizerError.unsupported("BPE without a ByteLevel pre-tokenizer")
            }
            pipeline = .byteLevel(
                ByteLevelPipeline(
                    model: bpe, addPrefixSpace: pre["add_prefix_space"] as? Bool ?? true,
                    useRegex: pre["use_regex"] as? Bool ?? true))
            defaults = robertaSpecials
        default:
            throw TokenizerError.unsupported("model type \(type)")
        }
        let lookup: (String) -> Int32? = { content in
            added.first { $0.content == content }?.id ?? modelVocabulary[content]
        }
        let postProcessor = try parsePostProcessor(json["post_processor"], path: path)
        let specials = try specialTokens(config, defaults: defaults, lookup: lookup)
        return PreTrainedTokenizer(
            pipeline: pipeline, vocabulary: byId, addedTokens: added, postProcessor: postProcessor,
            decoder: try parseDecoder(json["decoder"]), specialTokens: specials,
            modelMaxLength: modelMaxLength(config))
    }

    static func parseAddedTokens(_ value: Any?, path: String) throws -> [AddedToken] {
        guard let list = value as? [[String: Any]] else { return [] }
        return try list.map { entry in
            guard let content = entry["content"] as? String, let id = entry["id"] as? NSNumber else {
                throw TokenizerError.invalidFile(path: path, reason: "added token without content or id")
            }
            return addedToken(entry, content: content, id: Int32(truncating: id))
        }
    }

    /// An added token from a tokenizer.json `added_tokens` or tokenizer_config.json `added_tokens_decoder` entry
    /// (flags default to false, `normalized` to `!special`, as in transformers).
    static func addedToken(_ entry: [String: Any], content: String, id: Int32) -> AddedToken {
        let special = entry["special"] as? Bool ?? false
        return AddedToken(
            content: content, id: id, special: special,
            lstrip: entry["lstrip"] as? Bool ?? false, rstrip: entry["rstrip"] as? Bool ?? false,
            singleWord: entry["single_word"] as? Bool ?? false,
            normalized: entry["normalized"] as? Bool ?? !special)  // transformers' AddedToken default
    }

    /// "merges": ["a b", ...] (tokenizers < 0.20) or [["a", "b"], ...].
    static func parseJSONMerges(_ value: Any?, path: String) throws -> [(String, String)] {
        guard let list = value as? [Any] else {
            throw TokenizerError.invalidFile(path: path, reason: "BPE model without merges")
        }
        return try list.enumerated().map { rank, item in
            if let pair = item as? [String], pair.count == 2 { return (pair[0], pair[1]) }
            if let line = item as? String {
                let parts = line.split(separator: " ", omittingEmptySubsequences: false)
                if parts.count == 2 { return (String(parts[0]), String(parts[1])) }
            }
            throw TokenizerError.invalidFile(path: path, reason: "merge \(rank) is not a pair")
        }
    }

    static func parseBertNormalizer(_ value: Any?) throws -> BertNormalizer {
        if value == nil || value is NSNull {
            return BertNormalizer(cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: false)
        }
        guard let object = value as? [String: Any], object["type"] as? String == "BertNormalizer" else {
            let type = (value as? [String: Any])?["type"] as? String ?? "?"
            throw TokenizerError.unsupported("normalizer \(type) (WordPiece needs BertNormalizer)")
        }
        return BertNormalizer(
            cleanText: object["clean_text"] as? Bool ?? true,
            handleChineseChars: object["handle_chinese_chars"] as? Bool ?? true,
            stripAccents: object["strip_accents"] as? Bool, lowercase: object["lowercase"] as? Bool ?? true)
    }

    static func requirePreTokenizer(_ value: Any?, oneOf types: [String]) throws {
        let type = (value as? [String: Any])?["type"] as? String ?? "none"
        guard types.contains(type) else { throw TokenizerError.unsupported("pre-tokenizer \(type)") }
    }

    static func parsePostProcessor(_ value: Any?, path: String) throws -> PostProcessor? {
        guard let object = value as? [String: Any] else { return nil }
        func pair(_ key: String) throws -> SpecialToken {
            guard let list = object[key] as? [Any], list.count == 2, let content = list[0] as? String,
                let id = list[1] as? NSNumber
            else { throw TokenizerError.invalidFile(path: path, reason: "post_processor \(key) is not [token, id]") }
            return SpecialToken(content: content, id: Int32(truncating: id))
        }
        switch object["type"] as? String {
        case "BertProcessing":
            return .bert(cls: try pair("cls"), sep: try pair("sep"))
        case "RobertaProcessing":
            return .roberta(
                cls: try pair("cls"), sep: try pair("sep"), trimOffsets: object["trim_offsets"] as? Bool ?? true,
                addPrefixSpace: object["add_prefix_space"] as? Bool ?? true)
        case "ByteLevel":
            return .byteLevel(
                trimOffsets: object["trim_offsets"] as? Bool ?? true,
                addPrefixSpace: object["add_prefix_space"] as? Bool ?? true)
        case "TemplateProcessing":
            let single = try parseTemplate(object["single"], path: path)
            let pairTemplate = try parseTemplate(object["pair"], path: path)
            var specials: [String: (ids: [Int32], tokens: [String])] = [:]
            for (key, entry) in object["special_tokens"] as? [String: [String: Any]] ?? [:] {
                let ids = (entry["ids"] as? [NSNumber] ?? []).map { Int32(truncating: $0) }
                let tokens = entry["tokens"] as? [String] ?? []
                guard ids.count == tokens.count else {
                    throw TokenizerError.invalidFile(path: path, reason: "template special token \(key): ids ≠ tokens")
                }
                specials[key] = (ids, tokens)
            }
            for item in single + pairTemplate {
                if case .special(let id, _) = item, specials[id] == nil {
                    throw TokenizerError.invalidFile(path: path, reason: "template uses unknown special token \(id)")
                }
            }
            return .template(single: single, pair: pairTemplate, specials: specials)
        case "Sequence":
            let processors = try (object["processors"] as? [Any] ?? []).compactMap { try parsePostProcessor($0, path: path) }
            return .sequence(processors)
        case let type:
            throw TokenizerError.unsupported("post-processor \(type ?? "?")")
        }
    }

    static func parseTemplate(_ value: Any?, path: String) throws -> [TemplateItem] {
        guard let list = value as? [[String: Any]] else {
            throw TokenizerError.invalidFile(path: path, reason: "template is not a list")
        }
        return try list.map { item in
            if let special = item["SpecialToken"] as? [String: Any], let id = special["id"] as? String {
                return .special(id: id, typeId: Int32(truncating: special["type_id"] as? NSNumber ?? 0))
            }
            if let sequence = item["Sequence"] as? [String: Any], let id = sequence["id"] as? String {
                return .sequence(isPair: id == "B", typeId: Int32(truncating: sequence["type_id"] as? NSNumber ?? 0))
            }
            throw TokenizerError.invalidFile(path: path, reason: "unknown template item")
        }
    }

    static func parseDecoder(_ value: Any?) throws -> Decoder {
        guard let object = value as? [String: Any] else { return .none }
        switch object["type"] as? String {
        case "WordPiece":
            return .wordPiece(prefix: object["prefix"] as? String ?? "##", cleanup: object["cleanup"] as? Bool ?? true)
        case "ByteLevel":
            return .byteLevel
        case let type:
            throw TokenizerError.unsupported("decoder \(type ?? "?")")
        }
    }
}
