/// ByteLevel pre-tokenizer + byte-level BPE (RoBERTa, GPT-2), in one pass over a piece of text.
///
/// HF maps each character to the byte-level characters of its UTF-8 bytes, every one aligned to the original
/// character; a token's offsets are then the original characters of its first and last byte.
struct ByteLevelPipeline: Sendable {
    let model: BPE
    /// HF ByteLevel `add_prefix_space`: a space is put in front of a piece that does not start with one.
    let addPrefixSpace: Bool
    /// HF ByteLevel `use_regex`: split with the GPT-2 regex first.
    let useRegex: Bool
    private let splitter = GPT2Splitter()

    init(model: BPE, addPrefixSpace: Bool, useRegex: Bool = true) {
        self.model = model
        self.addPrefixSpace = addPrefixSpace
        self.useRegex = useRegex
    }

    /// Per-batch state: the word cache (word bytes → BPE result), as HF's BPE cache (10 000 words at most).
    struct Scratch {
        var scalars: [UInt32] = []
        var origins: [Int32] = []
        var bytes: [UInt8] = []
        var byteOrigins: [Int32] = []
        var symbols = BPE.Symbols()
        var result: [Int32] = []
        var cacheKeys = ByteKeyTable(capacity: 1024)
        /// Per cached word: its (id, byte length) pairs, at `cacheStarts[value] ..< cacheStarts[value + 1]`.
        var cacheValues: [Int32] = []
        var cacheStarts: [Int32] = [0]
        static let cacheCapacity = 10_000
    }

    func tokenize(
        _ text: UnsafeBufferPointer<UInt32>, range: Range<Int>, into tokens: inout RawTokens, scratch: inout Scratch
    ) {
        guard !range.isEmpty else { return }
        scratch.scalars.removeAll(keepingCapacity: true)
        scratch.origins.removeAll(keepingCapacity: true)
        if addPrefixSpace && text[range.lowerBound] != 0x20 {
            // HF `prepend(" ")`: the space is aligned with the piece's first character.
            scratch.scalars.append(0x20)
            scratch.origins.append(Int32(range.lowerBound))
        }
        for i in range {
            scratch.scalars.append(text[i])
            scratch.origins.append(Int32(i))
        }
        let scalars = scratch.scalars
        scalars.withUnsafeBufferPointer { scalars in
            if useRegex {
                splitter.split(scalars) { start, end in
                    word(start..<end, scalars, &tokens, &scratch)
                }
            } else {
                word(0..<scalars.count, scalars, &tokens, &scratch)
            }
        }
    }

    /// BPE of one pre-tokenized word (cached), tokens appended with their original offsets.
    private func word(
        _ range: Range<Int>, _ scalars: UnsafeBufferPointer<UInt32>, _ tokens: inout RawTokens,
        _ scratch: inout Scratch
    ) {
        scratch.bytes.removeAll(keepingCapacity: true)
        scratch.byteOrigins.removeAll(keepingCapacity: true)
        for i in range {
            let before = scratch.bytes.count
            appendUTF8(scalars[i], to: &scratch.bytes)
            for _ in before..<scratch.bytes.count { scratch.byteOrigins.append(scratch.origins[i]) }
        }
        let cached: Int32? = scratch.bytes.withUnsafeBufferPointer { scratch.cacheKeys.get($0) }
        if let entry = cached {
            let bounds = Int(scratch.cacheStarts[Int(entry)])..<Int(scratch.cacheStarts[Int(entry) + 1])
            emit(scratch.cacheValues[bounds], scratch.byteOrigins, &tokens)
            return
        }
        scratch.result.removeAll(keepingCapacity: true)
        scratch.bytes.withUnsafeBufferPointer { bytes in
            model.tokenize(bytes, symbols: &scratch.symbols, into: &scratch.result)
        }
        emit(scratch.result[...], scratch.byteOrigins, &tokens)
        if scratch.cacheKeys.count < Scratch.cacheCapacity {
            scratch.cacheKeys.set(scratch.bytes, Int32(scratch.cacheStarts.count - 1))
            scratch.cacheValues.append(contentsOf: scratch.result)
            scratch.cacheStarts.append(Int32(scratch.cacheValues.count))
        }
    }

    @inline(__always)
    private func emit(_ pairs: ArraySlice<Int32>, _ byteOrigins: [Int32], _ tokens: inout RawTokens) {
        var byte = 0
        var k = pairs.startIndex
        while k < pairs.endIndex {
            let length = Int(pairs[k + 1])
            tokens.append(id: pairs[k], start: byteOrigins[byte], end: byteOrigins[byte + length - 1] + 1)
            byte += length
            k += 2
        }
    }
}
