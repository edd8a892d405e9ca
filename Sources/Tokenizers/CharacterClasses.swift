/// Per-code-point character classes and mappings, exactly as HF's Rust tokenizers decide them
/// (measured by scripts/fixtures/tokenizer_parity.py into UnicodeTables.swift: Swift's own Unicode tables are a different
/// Unicode version than HF's crates, e.g. for which code points are "control" or "punctuation").
///
/// One flat UInt16 per code point (2.2 MB, built once): a lookup is one load, no binary search.
struct CharacterClasses: Sendable {
    struct Flags: OptionSet, Sendable {
        let rawValue: UInt16
        /// BertNormalizer clean_text drops it (NUL, U+FFFD, Cc/Cf/Co except \t \n \r).
        static let cleanRemoves = Flags(rawValue: 1 << 0)
        /// BertNormalizer clean_text turns it into " ".
        static let cleanToSpace = Flags(rawValue: 1 << 1)
        /// Rust `char::is_whitespace`: BertPreTokenizer splits on it; added tokens' lstrip/rstrip eat it.
        static let whitespace = Flags(rawValue: 1 << 2)
        /// BertPreTokenizer isolates it (ASCII punctuation or Unicode P*).
        static let bertPunctuation = Flags(rawValue: 1 << 3)
        /// BertNormalizer handle_chinese_chars pads it with spaces.
        static let cjk = Flags(rawValue: 1 << 4)
        /// Mn: strip_accents drops it after NFD.
        static let nonspacingMark = Flags(rawValue: 1 << 5)
        static let hasLowercase = Flags(rawValue: 1 << 6)
        static let hasDecomposition = Flags(rawValue: 1 << 7)
        /// GPT-2 regex classes as HF's regex engine sees them: \p{L}, \p{N}, \s.
        static let letter = Flags(rawValue: 1 << 8)
        static let number = Flags(rawValue: 1 << 9)
        static let regexWhitespace = Flags(rawValue: 1 << 10)
    }

    static let shared = CharacterClasses()

    private let flags: [UInt16]
    private let lowercaseMap: [UInt32: [UInt32]]
    private let decompositionMap: [UInt32: [UInt32]]

    private init() {
        var table = [UInt16](repeating: 0, count: 0x110000)
        let sources: [(Flags, [UInt32])] = [
            (.cleanRemoves, UnicodeTables.cleanRemoves), (.cleanToSpace, UnicodeTables.cleanToSpace),
            (.whitespace, UnicodeTables.whitespace), (.bertPunctuation, UnicodeTables.bertPunctuation),
            (.cjk, UnicodeTables.cjk), (.nonspacingMark, UnicodeTables.nonspacingMark),
            (.hasLowercase, UnicodeTables.hasLowercase), (.hasDecomposition, UnicodeTables.hasDecomposition),
            (.letter, UnicodeTables.letter), (.number, UnicodeTables.number),
            (.regexWhitespace, UnicodeTables.regexWhitespace),
        ]
        for (flag, ranges) in sources {
            for pair in stride(from: 0, to: ranges.count, by: 2) {
                for cp in Int(ranges[pair])...Int(ranges[pair + 1]) { table[cp] |= flag.rawValue }
            }
        }
        flags = table
        lowercaseMap = Self.mapping(UnicodeTables.lowercase)
        decompositionMap = Self.mapping(UnicodeTables.decomposition)
    }

    /// [code point, count, mapped...] → dictionary.
    private static func mapping(_ flat: [UInt32]) -> [UInt32: [UInt32]] {
        var map: [UInt32: [UInt32]] = [:]
        var i = 0
        while i < flat.count {
            let count = Int(flat[i + 1])
            map[flat[i]] = Array(flat[(i + 2)..<(i + 2 + count)])
            i += 2 + count
        }
        return map
    }

    @inline(__always)
    func flags(_ scalar: UInt32) -> Flags {
        Flags(rawValue: scalar < 0x110000 ? flags[Int(scalar)] : 0)
    }

    @inline(__always)
    func has(_ scalar: UInt32, _ flag: Flags) -> Bool {
        scalar < 0x110000 && flags[Int(scalar)] & flag.rawValue != 0
    }

    /// Rust `char::to_lowercase` (may give several scalars, e.g. İ → i + U+0307), appended to `out`.
    @inline(__always)
    func appendLowercase(_ scalar: UInt32, to out: inout [UInt32]) {
        if has(scalar, .hasLowercase), let mapped = lowercaseMap[scalar] {
            out.append(contentsOf: mapped)
        } else {
            out.append(scalar)
        }
    }

    /// Full canonical decomposition (NFD of one code point), appended to `out`.
    @inline(__always)
    func appendDecomposition(_ scalar: UInt32, to out: inout [UInt32]) {
        guard has(scalar, .hasDecomposition) else {
            out.append(scalar)
            return
        }
        if scalar >= 0xAC00 && scalar <= 0xD7A3 {
            // Hangul syllable: algorithmic decomposition (Unicode §3.12).
            let index = scalar - 0xAC00
            out.append(0x1100 + index / 588)
            out.append(0x1161 + (index % 588) / 28)
            if index % 28 != 0 { out.append(0x11A7 + index % 28) }
        } else if let mapped = decompositionMap[scalar] {
            out.append(contentsOf: mapped)
        } else {
            out.append(scalar)
        }
    }
}
