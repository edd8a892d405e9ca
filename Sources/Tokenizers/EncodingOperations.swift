/// HF `Encoding` operations (tokenizer/encoding.rs): merge, truncate into windows, pad. Mirrored one to one,
/// overflow bookkeeping included, because the windows HF returns come from exactly these steps.
extension Encoding {
    /// Appends `other` (HF `Encoding::from_tokens` of one text) token by token.
    mutating func append(contentsOf other: Encoding) {
        ids += other.ids
        typeIds += other.typeIds
        attentionMask += other.attentionMask
        tokens += other.tokens
        offsets += other.offsets
        sequenceIds += other.sequenceIds
    }

    /// HF `merge_with(pair, growing_offsets: false)`: every overflowing window of ours is combined with the pair
    /// (and its windows), and we are combined with the pair's windows; then the pair is appended.
    mutating func merge(with pair: Encoding) {
        var windows: [Encoding] = []
        for ours in overflowing {
            var combined = ours
            combined.merge(with: pair)
            windows.append(combined)
            for theirs in pair.overflowing {
                var combined = ours
                combined.merge(with: theirs)
                windows.append(combined)
            }
        }
        for theirs in pair.overflowing {
            var combined = self
            combined.merge(with: theirs)
            windows.append(combined)
        }
        append(contentsOf: pair)
        overflowing = windows
    }

    /// HF `Encoding::merge`: folds `encodings` into an empty encoding.
    static func merged(_ encodings: [Encoding]) -> Encoding {
        var result = Encoding()
        for encoding in encodings { result.merge(with: encoding) }
        return result
    }

    func slice(_ range: Range<Int>) -> Encoding {
        Encoding(
            ids: Array(ids[range]), typeIds: Array(typeIds[range]), attentionMask: Array(attentionMask[range]),
            tokens: Array(tokens[range]), offsets: Array(offsets[range]), sequenceIds: Array(sequenceIds[range]))
    }

    /// HF `Encoding::truncate(max_len, stride, Right)`: keeps the first `maxLength` tokens; the rest goes into
    /// windows of `maxLength` tokens that each start `maxLength - stride` tokens after the previous one.
    mutating func truncate(to maxLength: Int, stride: Int) throws {
        let length = ids.count
        if maxLength >= length { return }
        if maxLength == 0 {
            let all = self
            self = Encoding()
            overflowing = [all]
            return
        }
        // HF asserts (panics) here; we throw.
        guard stride < maxLength else { throw TokenizerError.strideTooLarge(stride: stride, room: maxLength) }
        let step = maxLength - stride
        var windows: [Range<Int>] = []
        var start = 0
        while start < length {
            let stop = Swift.min(start + maxLength, length)
            windows.append(start..<stop)
            if stop == length { break }
            start += step
        }
        var first = slice(windows[0])
        first.overflowing = windows.dropFirst().map { slice($0) }
        self = first
    }

    /// HF `Encoding::pad(target, …, Right)`: windows first, then ourself, when shorter than `length`.
    mutating func pad(to length: Int, id: Int32, token: String) {
        for index in overflowing.indices { overflowing[index].pad(to: length, id: id, token: token) }
        let missing = length - ids.count
        guard missing > 0 else { return }
        ids += repeatElement(id, count: missing)
        typeIds += repeatElement(0, count: missing)
        attentionMask += repeatElement(0, count: missing)
        tokens += repeatElement(token, count: missing)
        offsets += repeatElement(0..<0, count: missing)
        sequenceIds += repeatElement(nil, count: missing)
    }
}

/// HF `truncate_encodings` (utils/truncation.rs): how many tokens each text keeps, then `Encoding.truncate`.
func truncateEncodings(
    _ encoding: inout Encoding, _ pair: inout Encoding?, maxLength: Int, stride: Int, strategy: TruncationStrategy
) throws {
    if strategy == .none { return }
    if maxLength == 0 {
        try encoding.truncate(to: 0, stride: stride)
        try pair?.truncate(to: 0, stride: stride)
        return
    }
    let total = encoding.count + (pair?.count ?? 0)
    guard total > maxLength else { return }
    let toRemove = total - maxLength
    switch strategy {
    case .longestFirst:
        guard var other = pair else {
            try encoding.truncate(to: total - toRemove, stride: stride)
            return
        }
        // n1: the shorter text. If both cannot fit, they share max_length (the second gets the odd token).
        var n1 = encoding.count
        var n2 = other.count
        let swapped = n1 > n2
        if swapped { swap(&n1, &n2) }
        n2 = n1 > maxLength ? n1 : max(n1, maxLength - n1)
        if n1 + n2 > maxLength {
            n1 = maxLength / 2
            n2 = n1 + maxLength % 2
        }
        if swapped { swap(&n1, &n2) }
        try encoding.truncate(to: n1, stride: stride)
        try other.truncate(to: n2, stride: stride)
        pair = other
    case .onlyFirst, .onlySecond:
        if strategy == .onlySecond && pair == nil {
            throw TokenizerError.cannotTruncate("only_second needs a second text")
        }
        let targetCount = strategy == .onlyFirst ? encoding.count : pair!.count
        guard targetCount > toRemove else {
            throw TokenizerError.cannotTruncate("the text to truncate is too short to respect max length \(maxLength)")
        }
        if strategy == .onlyFirst {
            try encoding.truncate(to: targetCount - toRemove, stride: stride)
        } else {
            try pair!.truncate(to: targetCount - toRemove, stride: stride)
        }
    case .none:
        return
    }
}
