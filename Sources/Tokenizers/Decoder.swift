/// HF decoders (decoders/*.rs): token strings back to text.
enum Decoder: Sendable, Equatable {
    /// WordPiece: continuation pieces lose their prefix, other tokens get a space before them; `cleanup` removes the
    /// space before punctuation and contractions (HF `cleanup`, applied token by token as HF does).
    case wordPiece(prefix: String, cleanup: Bool)
    /// ByteLevel: byte-level characters back to bytes, then UTF-8 (invalid sequences become U+FFFD).
    case byteLevel
    /// No decoder: tokens joined by spaces (HF's fallback).
    case none

    func decode(_ tokens: [String]) -> String {
        switch self {
        case .wordPiece(let prefix, let cleanup):
            let prefixBytes = Array(prefix.utf8)
            var out: [UInt8] = []
            for (i, token) in tokens.enumerated() {
                var piece = Array(token.utf8)
                if i != 0 {
                    if !prefixBytes.isEmpty && piece.starts(with: prefixBytes) {
                        piece.removeFirst(prefixBytes.count)
                    } else {
                        piece.insert(0x20, at: 0)
                    }
                }
                if cleanup { piece = Self.cleanup(piece) }
                out += piece
            }
            return String(decoding: out, as: UTF8.self)
        case .byteLevel:
            var bytes: [UInt8] = []
            for token in tokens {
                if let raw = ByteLevelAlphabet.bytes(of: token) {
                    bytes += raw
                } else {
                    bytes += Array(token.utf8)
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        case .none:
            return tokens.joined(separator: " ")
        }
    }

    /// HF `decoders::wordpiece::cleanup`, in its order, on UTF-8 bytes (String replacement would compare by
    /// canonical equivalence).
    private static let cleanups: [([UInt8], [UInt8])] = [
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
        (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ].map { (Array($0.0.utf8), Array($0.1.utf8)) }

    private static func cleanup(_ text: [UInt8]) -> [UInt8] {
        var text = text
        for (pattern, replacement) in cleanups { text = replaceAll(text, pattern, replacement) }
        return text
    }

    static func replaceAll(_ text: [UInt8], _ pattern: [UInt8], _ replacement: [UInt8]) -> [UInt8] {
        guard text.count >= pattern.count else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            if i + pattern.count <= text.count && text[i..<i + pattern.count].elementsEqual(pattern) {
                out += replacement
                i += pattern.count
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return out
    }
}
