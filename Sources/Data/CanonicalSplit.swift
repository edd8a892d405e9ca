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
        var text = text
        switch text.withUTF8({ fnv1a64($0) }) % 10 {
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
        var seen = Set<ByteKey>(minimumCapacity: examples.count)
        var kept: [(index: Int, example: LabeledText)] = []
        kept.reserveCapacity(examples.count)
        for (index, var example) in examples.enumerated() {
            example.text = PythonWhitespace.strip(example.text)
            if example.text.isEmpty { continue }
            example.textPair = example.textPair.map(PythonWhitespace.strip)
            if seen.insert(ByteKey(text: example.text, pair: example.textPair)).inserted { kept.append((index, example)) }
        }
        return kept
    }

    /// Set key with byte equality and one-call hashing of the UTF-8 bytes.
    private struct ByteKey: Hashable {
        var text: String
        var pair: String?

        static func == (a: ByteKey, b: ByteKey) -> Bool {
            guard sameBytes(a.text, b.text) else { return false }
            switch (a.pair, b.pair) {
            case (nil, nil): return true
            case let (x?, y?): return sameBytes(x, y)
            default: return false
            }
        }

        private static func sameBytes(_ a: String, _ b: String) -> Bool {
            guard a.utf8.count == b.utf8.count else { return false }
            var a = a, b = b
            return a.withUTF8 { x in b.withUTF8 { y in x.elementsEqual(y) } }
        }

        func hash(into hasher: inout Hasher) {
            var text = text
            text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
            if var pair {
                hasher.combine(UInt8(0xFF))  // never occurs in UTF-8: (text, pair) boundaries stay unambiguous
                pair.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
            }
        }
    }
}
