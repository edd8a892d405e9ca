/// Byte-level text decoding for data files: UTF-8 validation with line numbers, and Mac Roman
/// (the CrowdFlower corpus is Mac Roman, not UTF-8).
public enum TextDecoding {
    /// Drops a leading UTF-8 byte order mark.
    public static func withoutBOM(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { return bytes[3...] }
        return bytes[...]
    }

    /// Mac Roman → UTF-8. Bytes below 0x80 are ASCII; the upper half follows Python's `mac_roman` codec.
    public static func macRomanToUTF8(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 16)
        for byte in bytes {
            if byte < 0x80 {
                out.append(byte)
            } else {
                out.append(contentsOf: macRomanUTF8[Int(byte) - 0x80])
            }
        }
        return out
    }

    /// The first 1-based line that holds invalid UTF-8, or nil when the bytes are valid UTF-8.
    public static func firstInvalidUTF8Line<Bytes: Collection>(_ bytes: Bytes) -> Int? where Bytes.Element == UInt8 {
        var line = 1
        var lineStart = bytes.startIndex
        var index = bytes.startIndex
        while index != bytes.endIndex {
            if bytes[index] == 0x0A {
                if String(validating: bytes[lineStart..<index], as: UTF8.self) == nil { return line }
                line += 1
                lineStart = bytes.index(after: index)
            }
            index = bytes.index(after: index)
        }
        return String(validating: bytes[lineStart..<bytes.endIndex], as: UTF8.self) == nil ? line : nil
    }

    /// UTF-8 encodings of Mac Roman bytes 0x80...0xFF.
    static let macRomanUTF8: [[UInt8]] = macRomanUpperHalf.map { Array(String(Unicode.Scalar($0)!).utf8) }

    /// Code points of Mac Roman bytes 0x80...0xFF.
    static let macRomanUpperHalf: [UInt32] = [
        0x00C4, 0x00C5, 0x00C7, 0x00C9, 0x00D1, 0x00D6, 0x00DC, 0x00E1,
        0x00E0, 0x00E2, 0x00E4, 0x00E3, 0x00E5, 0x00E7, 0x00E9, 0x00E8,
        0x00EA, 0x00EB, 0x00ED, 0x00EC, 0x00EE, 0x00EF, 0x00F1, 0x00F3,
        0x00F2, 0x00F4, 0x00F6, 0x00F5, 0x00FA, 0x00F9, 0x00FB, 0x00FC,
        0x2020, 0x00B0, 0x00A2, 0x00A3, 0x00A7, 0x2022, 0x00B6, 0x00DF,
        0x00AE, 0x00A9, 0x2122, 0x00B4, 0x00A8, 0x2260, 0x00C6, 0x00D8,
        0x221E, 0x00B1, 0x2264, 0x2265, 0x00A5, 0x00B5, 0x2202, 0x2211,
        0x220F, 0x03C0, 0x222B, 0x00AA, 0x00BA, 0x03A9, 0x00E6, 0x00F8,
        0x00BF, 0x00A1, 0x00AC, 0x221A, 0x0192, 0x2248, 0x2206, 0x00AB,
        0x00BB, 0x2026, 0x00A0, 0x00C0, 0x00C3, 0x00D5, 0x0152, 0x0153,
        0x2013, 0x2014, 0x201C, 0x201D, 0x2018, 0x2019, 0x00F7, 0x25CA,
        0x00FF, 0x0178, 0x2044, 0x20AC, 0x2039, 0x203A, 0xFB01, 0xFB02,
        0x2021, 0x00B7, 0x201A, 0x201E, 0x2030, 0x00C2, 0x00CA, 0x00C1,
        0x00CB, 0x00C8, 0x00CD, 0x00CE, 0x00CF, 0x00CC, 0x00D3, 0x00D4,
        0xF8FF, 0x00D2, 0x00DA, 0x00DB, 0x00D9, 0x0131, 0x02C6, 0x02DC,
        0x00AF, 0x02D8, 0x02D9, 0x02DA, 0x00B8, 0x02DD, 0x02DB, 0x02C7,
    ]
}
