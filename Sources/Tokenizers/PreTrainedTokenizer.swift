/// The normalizer + pre-tokenizer + model of a tokenizer, fused per model kind.
enum TokenizationPipeline: Sendable {
    /// BertNormalizer + BertPreTokenizer + WordPiece (BERT, DistilBERT, MiniLM).
    case wordPiece(BertPipeline)
    /// ByteLevel + BPE (RoBERTa, GPT-2).
    case byteLevel(ByteLevelPipeline)
}

/// A Hugging Face tokenizer: HF `tokenizers.Tokenizer` (encode = split out added tokens, normalize, pre-tokenize,
/// model; then truncate, post-process, pad), for WordPiece and byte-level BPE. Build it with `AutoTokenizer.load`.
public final class PreTrainedTokenizer: Tokenizer {
    let pipeline: TokenizationPipeline
    /// Added tokens matched on the raw text (`normalized: false`: every special token but MPNet's `<unk>`).
    let addedTokens: AddedTokenMatcher
    /// Added tokens matched on the normalized text between those (`normalized: true`).
    let normalizedAddedTokens: AddedTokenMatcher
    /// Per ASCII character: whether its normalized form can start one of those (text without any skips that pass).
    let normalizedTriggers: [Bool]
    let postProcessor: PostProcessor?
    let decoder: Decoder
    /// Token string by id (model vocabulary, then added tokens).
    let tokensById: [String?]
    let idsByToken: ByteKeyTable
    /// Contents of the added tokens marked special (skipped by `decode(skipSpecialTokens: true)`).
    let specialContents: Set<[UInt8]>
    public let specialTokens: SpecialTokens
    public let modelMaxLength: Int?

    init(
        pipeline: TokenizationPipeline, vocabulary: [String?], addedTokens: [AddedToken], postProcessor: PostProcessor?,
        decoder: Decoder, specialTokens: SpecialTokens, modelMaxLength: Int?
    ) {
        self.pipeline = pipeline
        self.addedTokens = AddedTokenMatcher(addedTokens.filter { !$0.normalized })
        normalizedAddedTokens = AddedTokenMatcher(addedTokens.filter(\.normalized))
        let firsts = Set(normalizedAddedTokens.firstScalars)
        normalizedTriggers = (0..<128).map { (c: UInt8) -> Bool in
            switch pipeline {
            case .wordPiece(let bert): return bert.normalizedASCII(c).map { firsts.contains(UInt32($0)) } ?? false
            case .byteLevel: return firsts.contains(UInt32(c))
            }
        }
        self.postProcessor = postProcessor
        self.decoder = decoder
        var byId = vocabulary
        var table = ByteKeyTable(capacity: vocabulary.count + addedTokens.count)
        for (id, token) in vocabulary.enumerated() {
            if let token { table.set(token, Int32(id)) }
        }
        for token in addedTokens {
            let id = Int(token.id)
            if id >= byId.count { byId += Array(repeating: nil, count: id - byId.count + 1) }
            byId[id] = token.content
            table.set(token.content, token.id)
        }
        tokensById = byId
        idsByToken = table
        specialContents = Set(addedTokens.filter(\.special).map { Array($0.content.utf8) })
        self.specialTokens = specialTokens
        self.modelMaxLength = modelMaxLength
    }

    public var vocabSize: Int { idsByToken.count }

    public func tokenToId(_ token: String) -> Int32? { idsByToken.get(token) }

    public func idToToken(_ id: Int32) -> String? {
        id >= 0 && Int(id) < tokensById.count ? tokensById[Int(id)] : nil
    }

    /// Reusable buffers of one encode call or one batch (the BPE word cache lives here). Both are built although a
    /// tokenizer uses one: making them `lazy` costs ~10 % of tokenizer throughput (`bench tokenize`), more than the
    /// unused buffers do.
    struct Scratch {
        var bert = BertPipeline.Scratch()
        var byteLevel = ByteLevelPipeline.Scratch()
        /// A piece's normalized text and each scalar's original index (only with normalized added tokens).
        var normalized: [UInt32] = []
        var origins: [Int32] = []
    }

    public func encode(_ text: String, pair: String?, options: EncodingOptions) throws -> Encoding {
        var scratch = Scratch()
        return try encode(text, pair: pair, options: options, scratch: &scratch)
    }

    public func encodeBatch(_ texts: [String], options: EncodingOptions) throws -> [Encoding] {
        try encodeBatch(pairs: texts.map { ($0, nil) }, options: options)
    }

    /// One scratch (BPE word cache) for the whole batch; `.longest` pads to the longest encoding of the batch.
    public func encodeBatch(pairs: [(String, String?)], options: EncodingOptions) throws -> [Encoding] {
        var scratch = Scratch()
        let encodings = try pairs.map { try encode($0.0, pair: $0.1, options: options, scratch: &scratch) }
        return padToLongest(encodings, options: options)
    }

    func encode(_ text: String, pair: String?, options: EncodingOptions, scratch: inout Scratch) throws -> Encoding {
        var first = encodeText(text, sequence: 0, scratch: &scratch)
        var second = pair.map { encodeText($0, sequence: 1, scratch: &scratch) }
        // 1. Truncate, leaving room for the special tokens (HF `post_process`).
        if let maxLength = options.maxLength, options.truncation != .none {
            let added = options.addSpecialTokens ? (postProcessor?.addedTokens(isPair: pair != nil) ?? 0) : 0
            guard maxLength >= added else {
                throw TokenizerError.maxLengthTooSmall(maxLength: maxLength, specialTokens: added)
            }
            try truncateEncodings(
                &first, &second, maxLength: maxLength - added, stride: options.stride, strategy: options.truncation)
        }
        // 2. Add special tokens.
        let texts = second.map { [first, $0] } ?? [first]
        var encoding =
            postProcessor?.process(texts, addSpecialTokens: options.addSpecialTokens)
            ?? (texts.count == 1 ? texts[0] : Encoding.merged(texts))
        // 3. Pad (a single encoding: its windows are padded to its length, as HF does).
        switch options.padding {
        case .none: break
        case .longest: encoding.pad(to: encoding.count, id: specialTokens.pad.id, token: specialTokens.pad.content)
        case .length(let length): encoding.pad(to: length, id: specialTokens.pad.id, token: specialTokens.pad.content)
        }
        return encoding
    }

    /// One text: added tokens split out, the rest through the model. Type id = sequence id (HF gives B type 1).
    private func encodeText(_ text: String, sequence: Int, scratch: inout Scratch) -> Encoding {
        let scalars = unicodeScalars(of: text)
        var raw = RawTokens()
        raw.ids.reserveCapacity(scalars.count / 3 + 4)
        raw.starts.reserveCapacity(scalars.count / 3 + 4)
        raw.ends.reserveCapacity(scalars.count / 3 + 4)
        scalars.withUnsafeBufferPointer { scalars in
            for piece in addedTokens.split(scalars) {
                if let id = piece.id {
                    appendAddedToken(id, matched: scalars, piece.range, start: piece.range.lowerBound,
                                     end: piece.range.upperBound, into: &raw)
                } else if normalizedAddedTokens.isEmpty {
                    tokenizeWithModel(scalars, range: piece.range, into: &raw, scratch: &scratch)
                } else {
                    splitNormalized(scalars, range: piece.range, into: &raw, scratch: &scratch)
                }
            }
        }
        let count = raw.count
        var offsets: [Range<Int>] = []
        offsets.reserveCapacity(count)
        var tokens: [String] = []
        tokens.reserveCapacity(count)
        for k in 0..<count {
            offsets.append(Int(raw.starts[k])..<Int(raw.ends[k]))
            tokens.append(raw.tokenOverrides.isEmpty ? tokensById[Int(raw.ids[k])] ?? "" : raw.tokenOverrides[k] ?? tokensById[Int(raw.ids[k])] ?? "")
        }
        return Encoding(
            ids: raw.ids, typeIds: Array(repeating: Int32(sequence), count: count),
            attentionMask: Array(repeating: 1, count: count), tokens: tokens, offsets: offsets,
            sequenceIds: Array(repeating: sequence, count: count))
    }

    /// An added token found in `matched[range]` (raw or normalized text), at `start..<end` in the original text. HF's
    /// token string is the matched text ("  <mask>" with lstrip), which byte-level offset trimming then reads.
    private func appendAddedToken(
        _ id: Int32, matched: UnsafeBufferPointer<UInt32>, _ range: Range<Int>, start: Int, end: Int,
        into raw: inout RawTokens
    ) {
        let content = tokensById[Int(id)]
        if range.count != content?.unicodeScalars.count
            || !zip(content?.unicodeScalars ?? "".unicodeScalars, range).allSatisfy({ $0.value == matched[$1] })
        {
            var text = String.UnicodeScalarView()
            for k in range { text.append(Unicode.Scalar(matched[k]) ?? "\u{FFFD}") }
            raw.tokenOverrides[raw.count] = String(text)
        }
        raw.append(id: id, start: Int32(start), end: Int32(end))
    }

    private func tokenizeWithModel(
        _ scalars: UnsafeBufferPointer<UInt32>, range: Range<Int>, into raw: inout RawTokens, scratch: inout Scratch
    ) {
        switch pipeline {
        case .wordPiece(let bert):
            bert.tokenize(scalars, range: range, into: &raw, scratch: &scratch.bert)
        case .byteLevel(let byteLevel):
            byteLevel.tokenize(scalars, range: range, into: &raw, scratch: &scratch.byteLevel)
        }
    }

    /// HF's second added-token pass: normalize `scalars[range]`, find the `normalized: true` tokens in it, and run the
    /// model on the original text between them. A match must cover whole original characters (it always does for
    /// tokens like `<unk>`); one that starts or ends inside the normalization of one character is not taken.
    private func splitNormalized(
        _ scalars: UnsafeBufferPointer<UInt32>, range: Range<Int>, into raw: inout RawTokens, scratch: inout Scratch
    ) {
        // Most texts cannot hold such a token: ASCII characters whose normalized form starts none, nothing else.
        guard range.contains(where: { scalars[$0] >= 0x80 || normalizedTriggers[Int(scalars[$0])] }) else {
            return tokenizeWithModel(scalars, range: range, into: &raw, scratch: &scratch)
        }
        scratch.normalized.removeAll(keepingCapacity: true)
        scratch.origins.removeAll(keepingCapacity: true)
        switch pipeline {
        case .wordPiece(let bert):
            bert.normalize(scalars, range: range, into: &scratch.normalized, origins: &scratch.origins, scratch: &scratch.bert)
        case .byteLevel:  // no normalizer: the normalized text is the text
            for i in range {
                scratch.normalized.append(scalars[i])
                scratch.origins.append(Int32(i))
            }
        }
        let origins = scratch.origins
        var matches: [(range: Range<Int>, id: Int32, start: Int, end: Int)] = []
        scratch.normalized.withUnsafeBufferPointer { normalized in
            for piece in normalizedAddedTokens.split(normalized) {
                guard let id = piece.id, !piece.range.isEmpty else { continue }
                let first = piece.range.lowerBound, last = piece.range.upperBound - 1
                let wholeStart = first == 0 || origins[first - 1] != origins[first]
                let wholeEnd = last == origins.count - 1 || origins[last + 1] != origins[last]
                guard wholeStart && wholeEnd else { continue }
                matches.append((piece.range, id, Int(origins[first]), Int(origins[last]) + 1))
            }
        }
        guard !matches.isEmpty else { return tokenizeWithModel(scalars, range: range, into: &raw, scratch: &scratch) }
        var position = range.lowerBound
        for match in matches {
            if position < match.start { tokenizeWithModel(scalars, range: position..<match.start, into: &raw, scratch: &scratch) }
            scratch.normalized.withUnsafeBufferPointer { normalized in
                appendAddedToken(match.id, matched: normalized, match.range, start: match.start, end: match.end, into: &raw)
            }
            position = match.end
        }
        if position < range.upperBound { tokenizeWithModel(scalars, range: position..<range.upperBound, into: &raw, scratch: &scratch) }
    }

    public func decode(_ ids: [Int32], skipSpecialTokens: Bool) -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            guard let token = idToToken(id) else { continue }
            if skipSpecialTokens && specialContents.contains(Array(token.utf8)) { continue }
            tokens.append(token)
        }
        return decoder.decode(tokens)
    }
}
