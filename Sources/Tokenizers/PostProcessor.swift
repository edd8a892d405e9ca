/// One item of a TemplateProcessing template: a special token or one of the texts ("$A", "$B"), with its type id.
enum TemplateItem: Sendable, Equatable {
    case special(id: String, typeId: Int32)
    case sequence(isPair: Bool, typeId: Int32)
}

/// HF post-processors (processors/*.rs): add the special tokens, set type ids, trim byte-level offsets.
indirect enum PostProcessor: Sendable {
    /// TemplateProcessing (BertProcessing is the template `[CLS] $A [SEP]` / `[CLS] $A [SEP] $B:1 [SEP]:1`).
    case template(single: [TemplateItem], pair: [TemplateItem], specials: [String: (ids: [Int32], tokens: [String])])
    /// RobertaProcessing: `<s> A </s>` and `<s> A </s></s> B </s>`, every type id 0.
    case roberta(cls: SpecialToken, sep: SpecialToken, trimOffsets: Bool, addPrefixSpace: Bool)
    /// ByteLevel as a post-processor: only trims offsets.
    case byteLevel(trimOffsets: Bool, addPrefixSpace: Bool)
    case sequence([PostProcessor])

    static func bert(cls: SpecialToken, sep: SpecialToken) -> PostProcessor {
        .template(
            single: [.special(id: cls.content, typeId: 0), .sequence(isPair: false, typeId: 0),
                     .special(id: sep.content, typeId: 0)],
            pair: [.special(id: cls.content, typeId: 0), .sequence(isPair: false, typeId: 0),
                   .special(id: sep.content, typeId: 0), .sequence(isPair: true, typeId: 1),
                   .special(id: sep.content, typeId: 1)],
            specials: [cls.content: ([cls.id], [cls.content]), sep.content: ([sep.id], [sep.content])])
    }

    /// Number of special tokens added (HF `added_tokens(is_pair)`): truncation leaves room for them.
    func addedTokens(isPair: Bool) -> Int {
        switch self {
        case .template(let single, let pair, let specials):
            return (isPair ? pair : single).reduce(0) { count, item in
                if case .special(let id, _) = item { return count + (specials[id]?.ids.count ?? 0) }
                return count
            }
        case .roberta: return isPair ? 4 : 2
        case .byteLevel: return 0
        case .sequence(let processors): return processors.reduce(0) { $0 + $1.addedTokens(isPair: isPair) }
        }
    }

    /// HF `PostProcessor::process`: process the encodings (one per text) and merge them.
    func process(_ encodings: [Encoding], addSpecialTokens: Bool) -> Encoding {
        Encoding.merged(processEncodings(encodings, addSpecialTokens: addSpecialTokens))
    }

    func processEncodings(_ encodings: [Encoding], addSpecialTokens: Bool) -> [Encoding] {
        switch self {
        case .template(let single, let pair, let specials):
            return Self.applyTemplate(
                encodings.count == 2 ? pair : single, specials, encodings, addSpecialTokens: addSpecialTokens)
        case .roberta(let cls, let sep, let trimOffsets, let addPrefixSpace):
            var encodings = encodings
            if trimOffsets {
                for index in encodings.indices {
                    encodings[index].trimByteLevelOffsets(addPrefixSpace: addPrefixSpace)
                    for w in encodings[index].overflowing.indices {
                        encodings[index].overflowing[w].trimByteLevelOffsets(addPrefixSpace: addPrefixSpace)
                    }
                }
            }
            // "Roberta is weird, and every encoding is type_id=0" (processors/roberta.rs).
            for index in encodings.indices {
                encodings[index].typeIds = Array(repeating: 0, count: encodings[index].count)
                for w in encodings[index].overflowing.indices {
                    encodings[index].overflowing[w].typeIds = Array(repeating: 0, count: encodings[index].overflowing[w].count)
                }
            }
            guard addSpecialTokens else { return encodings }
            return encodings.enumerated().map { index, encoding in
                // Text A: <s> A </s>; text B: </s> B </s>.
                let first = index == 0 ? cls : sep
                func wrap(_ e: Encoding) -> Encoding {
                    var wrapped = Self.special([first.id], [first.content], typeId: 0)
                    wrapped.append(contentsOf: e)
                    wrapped.append(contentsOf: Self.special([sep.id], [sep.content], typeId: 0))
                    return wrapped
                }
                var result = wrap(encoding)
                result.overflowing = encoding.overflowing.map(wrap)
                return result
            }
        case .byteLevel(let trimOffsets, let addPrefixSpace):
            guard trimOffsets else { return encodings }
            return encodings.map { encoding in
                var encoding = encoding
                encoding.trimByteLevelOffsets(addPrefixSpace: addPrefixSpace)
                for w in encoding.overflowing.indices {
                    encoding.overflowing[w].trimByteLevelOffsets(addPrefixSpace: addPrefixSpace)
                }
                return encoding
            }
        case .sequence(let processors):
            var encodings = encodings
            for processor in processors {
                encodings = processor.processEncodings(encodings, addSpecialTokens: addSpecialTokens)
            }
            return encodings
        }
    }

    /// A special-token-only encoding: offsets 0..<0, no sequence.
    static func special(_ ids: [Int32], _ tokens: [String], typeId: Int32) -> Encoding {
        Encoding(
            ids: ids, typeIds: Array(repeating: typeId, count: ids.count),
            attentionMask: Array(repeating: 1, count: ids.count), tokens: tokens,
            offsets: Array(repeating: 0..<0, count: ids.count), sequenceIds: Array(repeating: nil, count: ids.count))
    }

    /// HF `TemplateProcessing::apply_template`: one encoding per template item; a text's type ids are set on the
    /// text itself (its overflowing windows keep theirs: 0 for A, 1 for B, as HF).
    private static func applyTemplate(
        _ template: [TemplateItem], _ specials: [String: (ids: [Int32], tokens: [String])], _ encodings: [Encoding],
        addSpecialTokens: Bool
    ) -> [Encoding] {
        var result: [Encoding] = []
        for item in template {
            switch item {
            case .sequence(let isPair, let typeId):
                var encoding = encodings[isPair ? 1 : 0]
                encoding.typeIds = Array(repeating: typeId, count: encoding.count)
                result.append(encoding)
            case .special(let id, let typeId):
                guard addSpecialTokens, let special = specials[id] else { continue }
                result.append(Self.special(special.ids, special.tokens, typeId: typeId))
            }
        }
        return result
    }
}

extension Encoding {
    /// HF `process_offsets` (pre_tokenizers/byte_level.rs): offsets no longer cover the spaces ("Ġ") a token
    /// starts or ends with, except the prefix space HF added itself at the start.
    mutating func trimByteLevelOffsets(addPrefixSpace: Bool) {
        let space: Unicode.Scalar = "\u{120}"  // "Ġ", the byte-level space
        let classes = CharacterClasses.shared
        func isSpace(_ s: Unicode.Scalar) -> Bool { s == space || classes.has(s.value, .whitespace) }
        for i in tokens.indices {
            let scalars = tokens[i].unicodeScalars
            guard let first = scalars.first, let last = scalars.last, isSpace(first) || isSpace(last) else { continue }
            var leading = 0
            for s in scalars {
                if !isSpace(s) { break }
                leading += 1
            }
            var trailing = 0
            for s in scalars.reversed() {
                if !isSpace(s) { break }
                trailing += 1
            }
            var start = offsets[i].lowerBound
            var end = offsets[i].upperBound
            if leading > 0 {
                let isFirst = i == 0 || start == 0
                if isFirst && addPrefixSpace && leading == 1 { leading = 0 }
                start = Swift.min(start + leading, end)
            }
            if trailing > 0 && end >= trailing {
                end = Swift.max(end - trailing, start)
            }
            offsets[i] = start..<end
        }
    }
}
