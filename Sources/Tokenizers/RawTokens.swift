/// Tokens of one text before post-processing (HF `Encoding` before specials are added): ids and character offsets
/// into the original text.
struct RawTokens: Sendable {
    var ids: [Int32] = []
    var starts: [Int32] = []
    var ends: [Int32] = []
    /// Token strings that differ from the vocabulary's: an added token matched with lstrip/rstrip is, in HF, the
    /// matched text, whitespace included ("  <mask>"); byte-level offset trimming then counts that whitespace.
    var tokenOverrides: [Int: String] = [:]

    var count: Int { ids.count }

    init() {}

    @inline(__always)
    mutating func append(id: Int32, start: Int32, end: Int32) {
        ids.append(id)
        starts.append(start)
        ends.append(end)
    }
}

/// The Unicode scalars of a text: offsets everywhere are indices into this array (HF Python's character offsets).
@inline(__always)
func unicodeScalars(of text: String) -> [UInt32] {
    var scalars: [UInt32] = []
    scalars.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars { scalars.append(scalar.value) }
    return scalars
}

/// Appends the UTF-8 encoding of `scalar`.
@inline(__always)
func appendUTF8(_ scalar: UInt32, to bytes: inout [UInt8]) {
    switch scalar {
    case 0..<0x80:
        bytes.append(UInt8(scalar))
    case 0x80..<0x800:
        bytes.append(UInt8(0xC0 | (scalar >> 6)))
        bytes.append(UInt8(0x80 | (scalar & 0x3F)))
    case 0x800..<0x10000:
        bytes.append(UInt8(0xE0 | (scalar >> 12)))
        bytes.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
        bytes.append(UInt8(0x80 | (scalar & 0x3F)))
    default:
        bytes.append(UInt8(0xF0 | (scalar >> 18)))
        bytes.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
        bytes.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
        bytes.append(UInt8(0x80 | (scalar & 0x3F)))
    }
}
