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
}
