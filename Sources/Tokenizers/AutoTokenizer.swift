import Foundation

/// Loads the right tokenizer from a Hugging Face model folder, like `AutoTokenizer.from_pretrained(folder)`.
public enum AutoTokenizer {
    /// tokenizer.json if present; else vocab.txt (+ tokenizer_config.json) for WordPiece, or vocab.json + merges.txt
    /// (+ tokenizer_config.json) for byte-level BPE.
    public static func load(folder: URL) throws -> any Tokenizer {
        try TokenizerLoader.load(folder: folder)
    }
}
