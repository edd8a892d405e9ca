/// BertNormalizer + BertPreTokenizer + WordPiece, fused into one pass over the text's scalars.
///
/// HF runs them one after the other on a `NormalizedString` that tracks, per byte, the original range it came from.
/// Every BertNormalizer step maps each output character to exactly one input character (clean text drops or
/// replaces, CJK padding inserts spaces that split anyway, NFD/lowercase expand), so keeping "original character
/// index" per normalized character gives the same offsets. Only NFD's canonical reordering of consecutive
/// combining marks is not mirrored: with strip_accents the nonspacing ones are dropped anyway.
struct BertPipeline: Sendable {
    let normalizer: BertNormalizer
    let model: WordPiece
    private let classes = CharacterClasses.shared

    /// What to do with one normalized character.
    private enum Action: UInt8 {
        case append = 0, drop, split, isolate
    }

    /// ASCII fast path: the action and (lowercased) byte of each ASCII character, derived from the general path.
    private let asciiActions: [UInt8]
    private let asciiBytes: [UInt8]

    init(normalizer: BertNormalizer, model: WordPiece) {
        self.normalizer = normalizer
        self.model = model
        var actions = [UInt8](repeating: 0, count: 128)
        var bytes = [UInt8](repeating: 0, count: 128)
        var outputs: [UInt32] = []
        var scratch: [UInt32] = []
        for c in 0..<128 {
            let removed = Self.normalize(UInt32(c), normalizer, CharacterClasses.shared, &outputs, &scratch)
            if removed || outputs.isEmpty {
                actions[c] = Action.drop.rawValue
            } else {
                let out = outputs[0]  // ASCII maps to one ASCII character (lowercase) or a space
                precondition(outputs.count == 1 && out < 128)
                actions[c] = Self.classify(out, CharacterClasses.shared).rawValue
                bytes[c] = UInt8(out)
            }
        }
        asciiActions = actions
        asciiBytes = bytes
    }

    /// BertNormalizer on one character: `outputs` gets the normalized characters; true when clean text drops it.
    /// Order as in normalizers/bert.rs: clean text, CJK padding (done by the caller), strip accents, lowercase.
    @inline(__always)
    private static func normalize(
        _ c: UInt32, _ normalizer: BertNormalizer, _ classes: CharacterClasses,
        _ outputs: inout [UInt32], _ scratch: inout [UInt32]
    ) -> Bool {
        outputs.removeAll(keepingCapacity: true)
        var c = c
        if normalizer.cleanText {
            if classes.has(c, .cleanRemoves) { return true }
            if classes.has(c, .cleanToSpace) { c = 0x20 }
        }
        scratch.removeAll(keepingCapacity: true)
        if normalizer.stripAccents {
            classes.appendDecomposition(c, to: &scratch)
            scratch.removeAll { classes.has($0, .nonspacingMark) }
        } else {
            scratch.append(c)
        }
        if normalizer.lowercase {
            for s in scratch { classes.appendLowercase(s, to: &outputs) }
        } else {
            outputs.append(contentsOf: scratch)
        }
        return false
    }

    /// BertPreTokenizer: split on whitespace, isolate punctuation.
    @inline(__always)
    private static func classify(_ c: UInt32, _ classes: CharacterClasses) -> Action {
        let flags = classes.flags(c)
        if flags.contains(.whitespace) { return .split }
        if flags.contains(.bertPunctuation) { return .isolate }
        return .append
    }

    /// The word being built: normalized UTF-8, where each character starts, which original character it came from.
    struct Scratch {
        var bytes: [UInt8] = []
        var charStarts: [Int32] = []
        var charOrigins: [Int32] = []
        var outputs: [UInt32] = []
        var decomposed: [UInt32] = []

        init() {
            bytes.reserveCapacity(256)
            charStarts.reserveCapacity(257)
            charOrigins.reserveCapacity(256)
        }
    }

    /// What BertNormalizer makes of an ASCII character: one ASCII character, or nil when clean text drops it.
    func normalizedASCII(_ c: UInt8) -> UInt8? {
        asciiActions[Int(c)] == Action.drop.rawValue ? nil : asciiBytes[Int(c)]
    }

    /// BertNormalizer alone on `scalars[range]`: the normalized scalars, each with the index of the original scalar it
    /// comes from, CJK padding spaces included (HF's normalized string, where `normalized: true` added tokens match).
    func normalize(
        _ scalars: UnsafeBufferPointer<UInt32>, range: Range<Int>, into output: inout [UInt32], origins: inout [Int32],
        scratch: inout Scratch
    ) {
        for i in range {
            let c = scalars[i]
            if c < 0x80 {
                if asciiActions[Int(c)] != Action.drop.rawValue {
                    output.append(UInt32(asciiBytes[Int(c)]))
                    origins.append(Int32(i))
                }
                continue
            }
            if Self.normalize(c, normalizer, classes, &scratch.outputs, &scratch.decomposed) { continue }
            let padded = normalizer.handleChineseChars && classes.has(c, .cjk)
            if padded {
                output.append(0x20)
                origins.append(Int32(i))
            }
            for out in scratch.outputs {
                output.append(out)
                origins.append(Int32(i))
            }
            if padded {
                output.append(0x20)
                origins.append(Int32(i))
            }
        }
    }

    /// Tokenizes `scalars[range]` (a piece of text without added tokens), appending to `tokens`.
    func tokenize(
        _ scalars: UnsafeBufferPointer<UInt32>, range: Range<Int>, into tokens: inout RawTokens,
        scratch: inout Scratch
    ) {
        scratch.bytes.removeAll(keepingCapacity: true)
        scratch.charStarts.removeAll(keepingCapacity: true)
        scratch.charOrigins.removeAll(keepingCapacity: true)

        @inline(__always)
        func flush() {
            guard !scratch.charOrigins.isEmpty else { return }
            scratch.charStarts.append(Int32(scratch.bytes.count))
            scratch.bytes.withUnsafeBufferPointer { bytes in
                scratch.charStarts.withUnsafeBufferPointer { starts in
                    scratch.charOrigins.withUnsafeBufferPointer { origins in
                        model.tokenize(word: bytes, charStarts: starts, charOrigins: origins, into: &tokens)
                    }
                }
            }
            scratch.bytes.removeAll(keepingCapacity: true)
            scratch.charStarts.removeAll(keepingCapacity: true)
            scratch.charOrigins.removeAll(keepingCapacity: true)
        }

        @inline(__always)
        func append(_ c: UInt32, origin: Int) {
            scratch.charStarts.append(Int32(scratch.bytes.count))
            scratch.charOrigins.append(Int32(origin))
            appendUTF8(c, to: &scratch.bytes)
        }

        for i in range {
            let c = scalars[i]
            if c < 0x80 {
                switch asciiActions[Int(c)] {
                case Action.append.rawValue: append(UInt32(asciiBytes[Int(c)]), origin: i)
                case Action.drop.rawValue: continue
                case Action.split.rawValue: flush()
                default:
                    flush()
                    append(c, origin: i)
                    flush()
                }
                continue
            }
            if Self.normalize(c, normalizer, classes, &scratch.outputs, &scratch.decomposed) { continue }
            // handle_chinese_chars pads the character with spaces: it is a word on its own.
            let isolated = normalizer.handleChineseChars && classes.has(c, .cjk)
            if isolated { flush() }
            for index in scratch.outputs.indices {
                let out = scratch.outputs[index]
                switch Self.classify(out, classes) {
                case .append: append(out, origin: i)
                case .split, .drop: flush()
                case .isolate:
                    flush()
                    append(out, origin: i)
                    flush()
                }
            }
            if isolated { flush() }
        }
        flush()
    }
}
