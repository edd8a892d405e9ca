/// GPT-2's reversible byte ↔ printable-character map (`bytes_to_unicode`, pre_tokenizers/byte_level.rs): printable
/// Latin-1 bytes map to themselves, the others to U+0100 onwards (space → "Ġ", newline → "Ċ").
enum ByteLevelAlphabet {
    static let byteToScalar: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// Inverse map; nil for characters outside the alphabet.
    static let scalarToByte: [UInt32: UInt8] = {
        var map: [UInt32: UInt8] = [:]
        for (byte, scalar) in byteToScalar.enumerated() { map[scalar] = UInt8(byte) }
        return map
    }()

    /// A byte-level token string ("Ġhello") back to its raw bytes (" hello"); nil if a character is not in the map.
    static func bytes(of token: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        for scalar in token.unicodeScalars {
            guard let byte = scalarToByte[scalar.value] else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    /// Raw bytes → byte-level string.
    static func string(of bytes: some Sequence<UInt8>) -> String {
        var view = String.UnicodeScalarView()
        for byte in bytes { view.append(Unicode.Scalar(byteToScalar[Int(byte)])!) }
        return String(view)
    }
}

/// The GPT-2 pre-tokenization regex of HF's ByteLevel pre-tokenizer, written out by hand (no regex engine):
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`, on Unicode scalars, with the
/// character classes of HF's regex engine (CharacterClasses).
struct GPT2Splitter: Sendable {
    private enum Class: UInt8 { case other = 0, letter, number, space }
    private let classes = CharacterClasses.shared
    private let asciiClasses: [UInt8]

    init() {
        var table = [UInt8](repeating: 0, count: 128)
        for c in 0..<128 { table[c] = Self.classify(UInt32(c), CharacterClasses.shared).rawValue }
        asciiClasses = table
    }

    @inline(__always)
    private static func classify(_ c: UInt32, _ classes: CharacterClasses) -> Class {
        let flags = classes.flags(c)
        if flags.contains(.letter) { return .letter }
        if flags.contains(.number) { return .number }
        if flags.contains(.regexWhitespace) { return .space }
        return .other
    }

    @inline(__always)
    private func classOf(_ c: UInt32) -> Class {
        c < 0x80 ? Class(rawValue: asciiClasses[Int(c)])! : Self.classify(c, classes)
    }

    /// Calls `piece` with each match (start, end) in `text`, left to right; the matches cover the whole text.
    func split(_ text: UnsafeBufferPointer<UInt32>, _ piece: (Int, Int) -> Void) {
        let n = text.count
        var i = 0
        while i < n {
            let c = text[i]
            // 's 't 're 've 'm 'll 'd
            if c == 0x27, i + 1 < n {
                let d = text[i + 1]
                if d == 0x73 || d == 0x74 || d == 0x6D || d == 0x64 {  // s t m d
                    piece(i, i + 2)
                    i += 2
                    continue
                }
                if i + 2 < n {
                    let e = text[i + 2]
                    if (d == 0x72 && e == 0x65) || (d == 0x76 && e == 0x65) || (d == 0x6C && e == 0x6C) {  // re ve ll
                        piece(i, i + 3)
                        i += 3
                        continue
                    }
                }
            }
            // ` ?X+` for X = \p{L}, \p{N}, [^\s\p{L}\p{N}]: an optional space joins the run that follows it.
            var runStart = i
            if c == 0x20, i + 1 < n, classOf(text[i + 1]) != .space {
                runStart = i + 1
            }
            let cls = classOf(text[runStart])
            if cls != .space {
                var j = runStart + 1
                while j < n && classOf(text[j]) == cls { j += 1 }
                piece(i, j)
                i = j
                continue
            }
            // Whitespace run: `\s+(?!\S)` keeps the last space for the next word, unless the run ends the text;
            // a single space before a word falls to `\s+`.
            var j = i + 1
            while j < n && classOf(text[j]) == .space { j += 1 }
            if j < n && j - 1 > i {
                j -= 1
            }
            piece(i, j)
            i = j
        }
    }
}
