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

    /// Scratch symbols of the word being merged: id, first byte, byte length (0 once merged into the left).
    struct Symbols {
        var ids: [Int32] = []
        var starts: [Int32] = []
        var lengths: [Int32] = []
        var previous: [Int32] = []
        var next: [Int32] = []
        var heap = MinHeap()
    }

    @inline(__always)
    private func merge(_ left: Int32, _ right: Int32) -> (rank: UInt64, id: Int32)? {
        let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        guard let merge = merges[key] else { return nil }
        return (merge >> 32, Int32(bitPattern: UInt32(truncatingIfNeeded: merge)))
    }

    /// BPE of one pre-tokenized word's bytes: appends (id, first byte, byte length) triples to `out`.
    func tokenize(_ word: UnsafeBufferPointer<UInt8>, symbols: inout Symbols, into out: inout [Int32]) {
        if ignoreMerges, let id = vocabulary.get(word) {
            out += [id, 0, Int32(word.count)]
            return
        }
        symbols.ids.removeAll(keepingCapacity: true)
        symbols.starts.removeAll(keepingCapacity: true)
        symbols.lengths.removeAll(keepingCapacity: true)
        for (index, byte) in word.enumerated() {
            // A byte missing from the vocabulary becomes the unknown token, or is dropped without one (HF).
            let id = byteIds[Int(byte)] >= 0 ? byteIds[Int(byte)] : unkId
            guard let id else { continue }
            symbols.ids.append(id)
            symbols.starts.append(Int32(index))
            symbols.lengths.append(1)
        }
        if symbols.ids.count <= 48 {
            mergeByScanning(&symbols)
        } else {
            mergeWithHeap(&symbols)
        }
        for k in symbols.ids.indices where symbols.lengths[k] > 0 {
            out += [symbols.ids[k], symbols.starts[k], symbols.lengths[k]]
        }
    }

    /// Short words: repeatedly merge the lowest-rank adjacent pair, leftmost on ties (what HF's heap pops first).
    private func mergeByScanning(_ symbols: inout Symbols) {
        while symbols.ids.count > 1 {
            var best: (rank: UInt64, id: Int32)? = nil
            var position = -1
            for k in 0..<(symbols.ids.count - 1) {
                if let candidate = merge(symbols.ids[k], symbols.ids[k + 1]), candidate.rank < best?.rank ?? .max {
                    best = candidate
                    position = k
                }
            }
            guard let best else { break }
            symbols.ids[position] = best.id
            symbols.lengths[position] += symbols.lengths[position + 1]
            symbols.ids.remove(at: position + 1)
            symbols.starts.remove(at: position + 1)
            symbols.lengths.remove(at: position + 1)
        }
    }

    /// Long words: HF's `Word::merge_all` — a heap of (rank, position), merged symbols linked as a list:
    /// O(n log n) where rescanning would be O(n²) (a 100 000-character run of one letter stays fast).
    private func mergeWithHeap(_ symbols: inout Symbols) {
        let n = symbols.ids.count
        symbols.previous = (0..<n).map { Int32($0) - 1 }
        symbols.next = (0..<n).map { $0 + 1 < n ? Int32($0 + 1) : -1 }
        symbols.heap.removeAll()
        for k in 0..<(n - 1) {
            if let m = merge(symbols.ids[k], symbols.ids[k + 1]) { symbols.heap.push(m.rank << 32 | UInt64(k)) }
        }
        while let top = symbols.heap.pop() {
            let position = Int(top & 0xFFFF_FFFF)
            let rank = top >> 32
            guard symbols.lengths[position] > 0 else { continue }  // merged into its left neighbour
            let right = Int(symbols.next[position])
            guard right >= 0 else { continue }
            // Skip stale entries: the pair at this position changed since it was pushed.
            guard let m = merge(symbols.ids[position], symbols.ids[right]), m.rank == rank else { continue }
            symbols.ids[position] = m.id
            symbols.lengths[position] += symbols.lengths[right]
            symbols.lengths[right] = 0
            let after = symbols.next[right]
            symbols.next[position] = after
            if after >= 0 { symbols.previous[Int(after)] = Int32(position) }
            let before = symbols.previous[position]
            if before >= 0, let m = merge(symbols.ids[Int(before)], symbols.ids[position]) {
                symbols.heap.push(m.rank << 32 | UInt64(before))
            }
            if after >= 0, let m = merge(symbols.ids[position], symbols.ids[Int(after)]) {
                symbols.heap.push(m.rank << 32 | UInt64(position))
            }
        }
    }
}

/// A binary min-heap of UInt64 (rank << 32 | position: pops the lowest rank, then the leftmost position).
struct MinHeap {
    private var items: [UInt64] = []

    mutating func removeAll() { items.removeAll(keepingCapacity: true) }

    mutating func push(_ value: UInt64) {
        items.append(value)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if items[parent] <= items[child] { break }
            items.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() -> UInt64? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                if left >= items.count { break }
                let smaller = left + 1 < items.count && items[left + 1] < items[left] ? left + 1 : left
                if items[parent] <= items[smaller] { break }
                items.swapAt(parent, smaller)
                parent = smaller
            }
        }
        return top
    }
}
