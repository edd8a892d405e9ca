import Foundation

/// Reads tokenizer files from a folder (filled in next).
enum TokenizerLoader {
    static func load(folder: URL) throws -> any Tokenizer {
        throw TokenizerError.noTokenizerFiles(folder: folder.path)
    }
}
