/// The WordPiece model (HF tokenizers models/wordpiece): greedy longest-match-first, `##` for continuations;
/// a word longer than `maxInputCharsPerWord` characters, or with a piece not in the vocabulary, becomes one `[UNK]`.
struct WordPiece: Sendable {
    /// Every vocabulary entry, as written.
    let vocabulary: ByteKeyTable
    /// The entries that start with the continuation prefix, with the prefix removed: a continuation lookup is then a
    /// lookup of a slice of the word, with no "##" + piece string to build.
    let continuations: ByteKeyTable
    let unkId: Int32
    let maxInputCharsPerWord: Int

    init(vocabulary: [String], unkToken: String, continuingSubwordPrefix: String = "##", maxInputCharsPerWord: Int = 100)
        throws
    {
        var table = ByteKeyTable(capacity: vocabulary.count)
        var continuations = ByteKeyTable(capacity: vocabulary.count / 4)
        let prefix = Array(continuingSubwordPrefix.utf8)
        for (id, token) in vocabulary.enumerated() {
            let bytes = Array(token.utf8)
            table.set(bytes, Int32(id))
            if !prefix.isEmpty, bytes.starts(with: prefix) {
                continuations.set(Array(bytes[prefix.count...]), Int32(id))
            }
        }
        guard let unk = table.get(unkToken) else { throw TokenizerError.missingSpecialToken(unkToken) }
        self.vocabulary = table
        self.continuations = prefix.isEmpty ? table : continuations
        self.unkId = unk
        self.maxInputCharsPerWord = maxInputCharsPerWord
    }

    /// Tokenizes one normalized word: `bytes` is its UTF-8, `charStarts[i]` the byte where character i starts
    /// (with one extra entry: the byte count), `charOrigins[i]` the original character it came from.
    func tokenize(
        word bytes: UnsafeBufferPointer<UInt8>, charStarts: UnsafeBufferPointer<Int32>,
        charOrigins: UnsafeBufferPointer<Int32>, into tokens: inout RawTokens
    ) {
        let charCount = charStarts.count - 1
        guard charCount > 0 else { return }
        let wordStart = charOrigins[0]
        let wordEnd = charOrigins[charCount - 1] + 1
        if charCount > maxInputCharsPerWord {
            tokens.append(id: unkId, start: wordStart, end: wordEnd)
            return
        }
        let mark = tokens.count
        var start = 0
        while start < charCount {
            var end = charCount
            var found: Int32? = nil
            while start < end {
                let piece = UnsafeBufferPointer(
                    rebasing: bytes[Int(charStarts[start])..<Int(charStarts[end])])
                found = start == 0 ? vocabulary.get(piece) : continuations.get(piece)
                if found != nil { break }
                end -= 1
            }
            guard let id = found else {
                // One piece is unknown: the whole word is [UNK] (HF drops the pieces found so far).
                tokens.ids.removeSubrange(mark...)
                tokens.starts.removeSubrange(mark...)
                tokens.ends.removeSubrange(mark...)
                tokens.append(id: unkId, start: wordStart, end: wordEnd)
                return
            }
            tokens.append(id: id, start: charOrigins[start], end: charOrigins[end - 1] + 1)
            start = end
        }
    }
}
