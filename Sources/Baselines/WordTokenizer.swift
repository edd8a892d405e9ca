/// scikit-learn's default analyzer front end: `str.lower()` then the token regex `(?u)\b\w\w+\b`.
///
/// Python's `re` works on code points, so this does too (never on grapheme clusters): a combining mark is not `\w`
/// and splits a word, exactly as in Python ("Cafe\u{301}" → "cafe"). `\w` in Python's Unicode mode is
/// `str.isalnum() or "_"`, i.e. general category L* (isalpha) or any character with a numeric value
/// (isdecimal / isdigit / isnumeric), or "_". With greedy `\w\w+` between `\b`s, the tokens are exactly the
/// maximal runs of word characters that are at least two code points long.
public enum WordTokenizer {
    /// Whether Python's `re` (Unicode mode) matches this scalar with `\w`.
    @inline(__always)
    public static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 {  // ASCII fast path: [A-Za-z0-9_]
            return (value >= 0x61 && value <= 0x7A) || (value >= 0x41 && value <= 0x5A)
                || (value >= 0x30 && value <= 0x39) || value == 0x5F
        }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return true
        default:
            return properties.numericType != nil
        }
    }

    /// The tokens of `text` (already lowercased if wanted), in order, as `(?u)\b\w\w+\b` finds them.
    public static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = String.UnicodeScalarView()
        var length = 0
        func flush() {
            if length >= 2 { tokens.append(String(current)) }
            current.removeAll(keepingCapacity: true)
            length = 0
        }
        for scalar in text.unicodeScalars {
            if isWordCharacter(scalar) {
                current.append(scalar)
                length += 1
            } else if length > 0 {
                flush()
            }
        }
        flush()
        return tokens
    }

    /// Python's `str.lower()`: the full Unicode lowercase mapping of each code point ("İ" → "i̇"), plus the one
    /// context-dependent rule Python applies, the Greek final sigma ("ΣΊΣΥΦΟΣ" → "σίσυφος"). Swift's
    /// `lowercased()` maps every capital sigma to "σ", hence this function.
    public static func lowercased(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        // ASCII fast path: no special cases possible.
        if scalars.allSatisfy({ $0.value < 0x80 }) { return text.lowercased() }
        var out = String.UnicodeScalarView()
        out.reserveCapacity(scalars.count)
        for (i, scalar) in scalars.enumerated() {
            if scalar.value == 0x03A3 {
                out.append(isFinalSigma(scalars, at: i) ? "\u{03C2}" : "\u{03C3}")
            } else {
                out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return String(out)
    }

    /// CPython's `handle_capital_sigma`: \p{cased} \p{case-ignorable}* Σ !(\p{case-ignorable}* \p{cased}).
    private static func isFinalSigma(_ scalars: [Unicode.Scalar], at i: Int) -> Bool {
        var j = i - 1
        while j >= 0 && scalars[j].properties.isCaseIgnorable { j -= 1 }
        guard j >= 0 && scalars[j].properties.isCased else { return false }
        j = i + 1
        while j < scalars.count && scalars[j].properties.isCaseIgnorable { j += 1 }
        return j == scalars.count || !scalars[j].properties.isCased
    }
}
