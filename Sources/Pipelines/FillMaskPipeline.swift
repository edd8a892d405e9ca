import Foundation
import SentimentCore
import SentimentData
import SentimentModels
import SentimentTokenizers

/// Masked-token prediction, as HF `pipeline("fill-mask")` (pipelines/fill_mask.py): for each mask of each text
/// the `topK` most likely tokens. Works with any BertForMaskedLM / DistilBertForMaskedLM / RobertaForMaskedLM folder.
public final class FillMaskPipeline: FillMaskModel {
    public let name: String
    public let model: EncoderModel
    public let tokenizer: any Tokenizer
    /// Where warnings go (targets replaced by their first sub-piece); stderr by default.
    public let warn: @Sendable (String) -> Void
    let core: TokenizedModel

    public init(model: EncoderModel, tokenizer: any Tokenizer, name: String,
                warn: @escaping @Sendable (String) -> Void = FillMaskPipeline.standardError) throws {
        guard model.maskedLMHead != nil else {
            throw PipelineError.wrongModelKind(folder: name, expected: "masked-LM", found: model.architecture.rawValue)
        }
        guard Int(tokenizer.specialTokens.mask.id) < model.config.vocabSize else {
            throw PipelineError.tokenizerMismatch("mask token id \(tokenizer.specialTokens.mask.id) ≥ vocab_size \(model.config.vocabSize)")
        }
        core = try TokenizedModel(model: model, tokenizer: tokenizer)
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
        self.warn = warn
    }

    public convenience init(folder: URL, name: String? = nil) throws {
        try self.init(model: try AutoModel.load(folder: folder), tokenizer: try AutoTokenizer.load(folder: folder),
                      name: name ?? folder.lastPathComponent)
    }

    /// Loads by NAME|DIR (see `ModelLocator`); `splade-tiny-mlm` by default.
    public static func load(_ nameOrPath: String = ModelLocator.defaultFillMask, cache: ArtifactCache = .default) throws -> FillMaskPipeline {
        let folder = try ModelLocator.folder(for: nameOrPath, cache: cache)
        return try FillMaskPipeline(folder: folder, name: ModelLocator.displayName(nameOrPath, folder: folder))
    }

    @Sendable public static func standardError(_ message: String) {
        FileHandle.standardError.write(Data(("warning: " + message + "\n").utf8))
    }

    /// The literal mask token texts must contain: `[MASK]` (BERT) or `<mask>` (RoBERTa).
    public var maskToken: String { tokenizer.specialTokens.mask.content }

    /// For each text, for each mask in it (left to right), the best `topK` tokens by descending score.
    /// `targets` restricts the candidates to these words (a word not in the vocabulary is replaced by its first
    /// sub-piece, with a warning, as HF does).
    public func fill(_ texts: [String], topK: Int = 5, targets: [String]? = nil, batchSize: Int = 32) throws -> [[[MaskPrediction]]] {
        guard !texts.isEmpty else { throw PipelineError.emptyInput }
        guard topK >= 1 else { throw PipelineError.invalidOption("top-k must be at least 1") }
        guard batchSize >= 1 else { throw PipelineError.invalidOption("batch size must be at least 1") }
        let targetIds = try targets.map(targetIds)
        let k = min(topK, targetIds?.count ?? Int.max, model.config.vocabSize)
        let maskId = tokenizer.specialTokens.mask.id
        var results: [[[MaskPrediction]]] = []
        for slice in texts.batches(of: batchSize) {
            let encodings = try core.encode(Array(slice), firstIndex: slice.startIndex, maxLength: nil)
            let positions = try encodings.enumerated().map { offset, encoding in
                let masks = encoding.ids.indices.filter { encoding.ids[$0] == maskId }
                guard !masks.isEmpty else { throw PipelineError.noMaskToken(index: slice.startIndex + offset, maskToken: maskToken) }
                return masks
            }
            let logits = try model.maskedLMLogits(try PackedBatch(encodings: encodings), positions: positions)   // (M, V)
            let vocabulary = logits.shape[1]
            let candidates = targetIds ?? Array(0..<vocabulary)
            var row = 0
            for (encoding, masks) in zip(encodings, positions) {
                var perMask: [[MaskPrediction]] = []
                for position in masks {
                    let probabilities = logits.withUnsafeBufferPointer {
                        ScoreFunction.softmax.apply(Array($0[row * vocabulary ..< (row + 1) * vocabulary]))
                    }
                    row += 1
                    let best = Self.topK(k, of: candidates) { probabilities[$0] }
                    perMask.append(best.map { id in
                        var ids = encoding.ids
                        ids[position] = Int32(id)
                        ids.removeAll { $0 == tokenizer.specialTokens.pad.id }
                        return MaskPrediction(
                            score: probabilities[id], token: id, tokenString: tokenizer.decode([Int32(id)], skipSpecialTokens: false),
                            sequence: tokenizer.decode(ids, skipSpecialTokens: masks.count == 1))
                    })
                }
                results.append(perMask)
            }
        }
        return results
    }

    /// `FillMaskModel` (the server's `/v1/fill-mask`): `fill` over the whole vocabulary.
    public func fillMask(_ texts: [String], topK: Int) throws -> [[[MaskPrediction]]] { try fill(texts, topK: topK) }

    /// One text's predictions for its single mask (first mask if several).
    public func fill(_ text: String, topK: Int = 5, targets: [String]? = nil) throws -> [MaskPrediction] {
        try fill([text], topK: topK, targets: targets)[0][0]
    }

    /// HF `FillMaskPipeline.get_target_ids`: vocabulary entries as they are, anything else by its first sub-piece.
    func targetIds(_ targets: [String]) throws -> [Int] {
        var ids = Set<Int>()
        for target in targets {
            if let id = tokenizer.tokenToId(target) {
                ids.insert(Int(id))
                continue
            }
            let pieces = try tokenizer.encode(target, pair: nil, options: EncodingOptions(addSpecialTokens: false, maxLength: 1))
            guard let first = pieces.ids.first else {
                warn("The specified target token `\(target)` does not exist in the model vocabulary. We cannot replace it with anything meaningful, ignoring it")
                continue
            }
            warn("The specified target token `\(target)` does not exist in the model vocabulary. Replacing with `\(tokenizer.idToToken(first) ?? "")`.")
            ids.insert(Int(first))
        }
        guard !ids.isEmpty else { throw PipelineError.noValidTargets }
        return ids.sorted()
    }

    /// The k candidates with the highest score, best first (ties: lower id first).
    static func topK(_ k: Int, of candidates: [Int], score: (Int) -> Float) -> [Int] {
        var best: [(id: Int, score: Float)] = []
        best.reserveCapacity(k + 1)
        for id in candidates {
            let s = score(id)
            if best.count == k, let last = best.last, s <= last.score { continue }
            let at = best.firstIndex { s > $0.score } ?? best.count
            best.insert((id, s), at: at)
            if best.count > k { best.removeLast() }
        }
        return best.map(\.id)
    }
}
