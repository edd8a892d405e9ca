/// Byte-level BPE (HF tokenizers models/bpe): a word's bytes start as one symbol each, then the adjacent pair with
/// the lowest merge rank is merged (leftmost first on ties) until no pair has a merge, as HF's `Word::merge_all`.
///
/// Tokens are keyed by their raw bytes (the byte-level string "Ġhi" is stored as " hi"), so a word's UTF-8 bytes
/// are looked up directly.
struct BPE: Sendable {
    let vocabulary: ByteKeyTable
    /// (left id << 32 | right id) → (rank << 32 | merged id).
    let merges: [UInt64: UInt64]
    /// Id of each single byte, -1 when missing.
    let byteIds: [Int32]
    let unkId: Int32?
    /// HF `ignore_merges`: a word that is a whole vocabulary entry is taken as is.
    let ignoreMerges: Bool

    /// `vocabulary`: byte-level token strings by id; `merges`: pairs of byte-level token strings, by rank.
    init(vocabulary: [String: Int32], merges: [(String, String)], unkToken: String?, ignoreMerges: Bool) throws {
        var table = ByteKeyTable(capacity: vocabulary.count)
        for (token, id) in vocabulary {
            if let bytes = ByteLevelAlphabet.bytes(of: token) { table.set(bytes, id) }
        }
        var mergeTable: [UInt64: UInt64] = [:]
        mergeTable.reserveCapacity(merges.count)
        for (rank, (left, right)) in merges.enumerated() {
            guard let a = vocabulary[left], let b = vocabulary[right], let merged = vocabulary[left + right] else {
                throw TokenizerError.invalidFile(
                    path: "merges", reason: "merge \(rank) '\(left) \(right)' uses a token missing from the vocabulary")
            }
            let key = UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
            // A repeated merge: the last one wins, as when HF collects the merges into its map.
            mergeTable[key] = UInt64(rank) << 32 | UInt64(UInt32(bitPattern: merged))
        }
        var byteIds = [Int32](repeating: -1, count: 256)
        for byte in 0..<256 { byteIds[byte] = table.get([UInt8(byte)]) ?? -1 }
        self.vocabulary = table
        self.merges = mergeTable
        self.byteIds = byteIds
        self.unkId = unkToken.flatMap { vocabulary[$0] }
        self.ignoreMerges = ignoreMerges
    }

    /// Scratch symbols of the word being merged.
    struct Symbols {
        var ids: [Int32] = []
        var lengths: [Int32] = []
    }

    /// BPE of one pre-tokenized word's bytes: appends (id, byte length) pairs to `out`.
    func tokenize(_ word: UnsafeBufferPointer<UInt8>, symbols: inout Symbols, into out: inout [Int32]) {
        if ignoreMerges, let id = vocabulary.get(word) {
            out.append(id)
            out.append(Int32(word.count))
            return
        }
        symbols.ids.removeAll(keepingCapacity: true)
        symbols.lengths.removeAll(keepingCapacity: true)
        for byte in word {
            let id = byteIds[Int(byte)]
            if id >= 0 {
                symbols.ids.append(id)
                symbols.lengths.append(1)
            } else if let unk = unkId {
                symbols.ids.append(unk)
                symbols.lengths.append(1)
            }
        }
        while symbols.ids.count > 1 {
            var bestRank = UInt64.max
            var bestPosition = -1
            var bestId: Int32 = 0
            for k in 0..<(symbols.ids.count - 1) {
                let key = UInt64(UInt32(bitPattern: symbols.ids[k])) << 32
                    | UInt64(UInt32(bitPattern: symbols.ids[k + 1]))
                if let merge = merges[key], merge >> 32 < bestRank {
                    bestRank = merge >> 32
                    bestPosition = k
                    bestId = Int32(bitPattern: UInt32(truncatingIfNeeded: merge))
                }
            }
            if bestPosition < 0 { break }
            symbols.ids[bestPosition] = bestId
            symbols.lengths[bestPosition] += symbols.lengths[bestPosition + 1]
            symbols.ids.remove(at: bestPosition + 1)
            symbols.lengths.remove(at: bestPosition + 1)
        }
        for k in symbols.ids.indices {
            out.append(symbols.ids[k])
            out.append(symbols.lengths[k])
        }
    }
}
