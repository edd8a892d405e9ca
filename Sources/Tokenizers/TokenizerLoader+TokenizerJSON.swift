import Foundation

/// tokenizer.json (the `tokenizers` library's serialisation): the normalizer, pre-tokenizer, model, post-processor
/// and decoder it names, parsed strictly (an unsupported component is an error naming it).
extension TokenizerLoader {
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
