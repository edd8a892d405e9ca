/// Python's `str.strip()` with no argument: removes the characters for which `str.isspace()` is true
/// (Unicode bidirectional class WS/B/S or category Zs). Swift's `isWhitespace` differs (it omits
/// U+001C...U+001F), and the canonical split hashes the stripped bytes, so we match Python exactly.
public enum PythonWhitespace {
    public static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    public static func strip(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return text }
        return String(scalars[first...last])
    }
}
