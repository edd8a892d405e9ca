/// The canonical, language-independent split rule of every SentimentKit data set:
/// trim each text (Python `str.strip()`), drop empty texts and exact duplicates (byte equality,
/// keeping the first), then bucket = FNV-1a-64(UTF-8 bytes of the text) mod 10:
/// 0 → test, 1 → dev, 2...9 → train. Reproducible in a few lines of any language.
public enum CanonicalSplit {
    /// FNV-1a, 64-bit (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
    public static func fnv1a64<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    public static func split(of text: String) -> Split {
        switch fnv1a64(text.utf8) % 10 {
        case 0: return .test
        case 1: return .dev
        default: return .train
        }
    }

    /// Trims every text (and pair text), drops empty texts, keeps the first of exact duplicates.
    public static func deduplicated(_ examples: [LabeledText]) -> [LabeledText] {
        deduplicatedWithIndices(examples).map(\.example)
    }

    /// `deduplicated`, with each kept example's index in the input.
    /// Duplicates compare UTF-8 bytes, as Python does: Swift `String ==` would also merge
    /// canonically equivalent spellings (e.g. "é" precomposed vs "e" + combining accent).
    /// For pairs, the duplicate key is the (text, pair) combination.
    public static func deduplicatedWithIndices(_ examples: [LabeledText]) -> [(index: Int, example: LabeledText)] {
        var seen = Set<[UInt8]>()
        var kept: [(index: Int, example: LabeledText)] = []
        kept.reserveCapacity(examples.count)
        for (index, var example) in examples.enumerated() {
            example.text = PythonWhitespace.strip(example.text)
            if example.text.isEmpty { continue }
            var key = Array(example.text.utf8)
            if let pair = example.textPair {
                let trimmed = PythonWhitespace.strip(pair)
                example.textPair = trimmed
                key.append(0xFF)  // separator: 0xFF never occurs in UTF-8, so the key is unambiguous
                key.append(contentsOf: trimmed.utf8)
            }
            if seen.insert(key).inserted { kept.append((index, example)) }
        }
        return kept
    }
}
