/// A token added on top of the model's vocabulary (HF `AddedToken`): special tokens like `[SEP]`, `<mask>`.
struct AddedToken: Sendable, Equatable {
    var content: String
    var id: Int32
    var special: Bool
    /// Also take the whitespace before (lstrip) / after (rstrip) a match (RoBERTa's `<mask>` has lstrip).
    var lstrip = false
    var rstrip = false
    var singleWord = false
    /// Matched on the normalized text (after lowercasing, accent stripping…) instead of the raw text: HF splits the
    /// raw text on the other added tokens first, then normalizes the rest and splits it on these (MPNet's `<unk>`).
    var normalized = false
}

/// Finds added tokens in text, as HF's AddedVocabulary (`find_matches`): leftmost-longest matches, never split
/// by the model. One matcher holds the tokens with `normalized: false` and runs on the original text; a second
/// one, for the `normalized: true` tokens, runs on the normalized text of what lies between.
struct AddedTokenMatcher: Sendable {
    private let tokens: [AddedToken]
    private let patterns: [[UInt32]]
    /// Candidate patterns by their first scalar.
    private let byFirst: [UInt32: [Int]]
    private let classes = CharacterClasses.shared

    init(_ tokens: [AddedToken]) {
        self.tokens = tokens
        patterns = tokens.map { $0.content.unicodeScalars.map(\.value) }
        var byFirst: [UInt32: [Int]] = [:]
        for (index, pattern) in patterns.enumerated() where !pattern.isEmpty {
            byFirst[pattern[0], default: []].append(index)
        }
        self.byFirst = byFirst
    }

    var isEmpty: Bool { byFirst.isEmpty }

    /// The scalars a match can start with.
    var firstScalars: [UInt32] { Array(byFirst.keys) }

    /// One piece of the split text: an added token (its id) or text for the model.
    struct Piece {
        var range: Range<Int>
        var id: Int32?
    }

    /// Splits `text` into pieces: the added tokens found and the text between them (empty text: one empty piece).
    func split(_ text: UnsafeBufferPointer<UInt32>) -> [Piece] {
        let n = text.count
        if n == 0 || isEmpty { return [Piece(range: 0..<n, id: nil)] }
        var pieces: [Piece] = []
        var previousEnd = 0
        var i = 0
        while i < n {
            guard let candidates = byFirst[text[i]] else {
                i += 1
                continue
            }
            var best = -1
            var bestLength = 0
            for index in candidates {
                let pattern = patterns[index]
                if pattern.count > bestLength && pattern.count <= n - i
                    && zip(pattern.indices, pattern).allSatisfy({ text[i + $0] == $1 })
                {
                    best = index
                    bestLength = pattern.count
                }
            }
            if best < 0 {
                i += 1
                continue
            }
            let token = tokens[best]
            var start = i
            var stop = i + bestLength
            if token.singleWord {
                let startSpace = start == 0 || !isWordCharacter(text[start - 1])
                let stopSpace = stop == n || !isWordCharacter(text[stop])
                if !startSpace || !stopSpace {
                    i += bestLength  // HF's matcher resumes after the discarded match
                    continue
                }
            }
            if token.lstrip {
                // The whitespace before the match, but not what an earlier match already took.
                while start > previousEnd && classes.has(text[start - 1], .whitespace) { start -= 1 }
            }
            if token.rstrip {
                while stop < n && classes.has(text[stop], .whitespace) { stop += 1 }
            }
            if previousEnd < start { pieces.append(Piece(range: previousEnd..<start, id: nil)) }
            pieces.append(Piece(range: start..<stop, id: token.id))
            previousEnd = stop
            i = stop
        }
        if previousEnd != n { pieces.append(Piece(range: previousEnd..<n, id: nil)) }
        return pieces
    }

    /// Regex `\w` (Unicode word characters), approximated by letters, numbers and "_".
    private func isWordCharacter(_ c: UInt32) -> Bool {
        c == 0x5F || classes.has(c, .letter) || classes.has(c, .number)
    }
}
