import Foundation

/// The encoder families we implement. XLM-R and friends reuse RoBERTa's layout but need other tokenizers,
/// so they are refused rather than half-supported.
public enum ModelFamily: String, Codable, Sendable {
    case bert
    case distilbert
    case roberta
    /// MPNet (modeling_mpnet.py): RoBERTa-style positions, no token types, relative position bias in attention.
    case mpnet

    /// Key prefix of the encoder inside a head model's checkpoint (HF `base_model_prefix`).
    public var basePrefix: String { rawValue + "." }
    /// Whether position ids start after padding_idx (RoBERTa's `create_position_ids_from_input_ids`).
    public var positionsAfterPadding: Bool { self == .roberta || self == .mpnet }
    /// Whether the embeddings have a token type table.
    public var hasTokenTypes: Bool { self == .bert || self == .roberta }
}

/// What a model's outputs mean for classification, as HF `config.problem_type`.
public enum ProblemType: String, Codable, Sendable {
    case singleLabel = "single_label_classification"
    case multiLabel = "multi_label_classification"
    case regression
}

/// Activation inside the feed-forward block (HF `ACT2FN` names we support).
public enum Activation: String, Codable, Sendable {
    /// Exact erf GELU (HF "gelu").
    case gelu
    /// tanh approximation (HF "gelu_new"; "gelu_pytorch_tanh" and "gelu_fast" compute the same function).
    case geluNew = "gelu_new"
    case geluPytorchTanh = "gelu_pytorch_tanh"
    case geluFast = "gelu_fast"
    case relu

    /// Whether this is one of the tanh-approximated GELUs.
    public var isTanhGELU: Bool { self == .geluNew || self == .geluPytorchTanh || self == .geluFast }
}

/// A Hugging Face `config.json` for BERT, DistilBERT, RoBERTa or MPNet, normalised to BERT's vocabulary.
///
/// Defaults are bert-base's (`BertConfig()`); DistilBERT's spellings (`dim`, `n_layers`, `n_heads`, `hidden_dim`,
/// `activation`) and defaults are accepted; RoBERTa's `pad_token_id` / `layer_norm_eps` are read like any other.
/// Labels follow HF: `id2label` (string keys in JSON) wins, otherwise `num_labels`, otherwise 2 labels `LABEL_0`, `LABEL_1`.
public struct ModelConfig: Codable, Sendable, Equatable {
    public var modelType: ModelFamily
    /// HF class names, e.g. ["BertForSequenceClassification"]. Empty when the file has none.
    public var architectures: [String]
    public var vocabSize: Int
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var intermediateSize: Int
    public var hiddenAct: Activation
    public var maxPositionEmbeddings: Int
    /// 0 for DistilBERT (no token type embeddings).
    public var typeVocabSize: Int
    public var layerNormEps: Float
    public var padTokenId: Int
    public var hiddenDropoutProb: Float
    public var attentionProbsDropoutProb: Float
    /// BERT/RoBERTa `classifier_dropout` (nil: use `hiddenDropoutProb`); DistilBERT `seq_classif_dropout`.
    public var classifierDropout: Float?
    public var initializerRange: Float
    /// Class names by id (HF `id2label`).
    public var id2label: [Int: String]
    public var label2id: [String: Int]
    public var problemType: ProblemType?
    /// Whether masked-LM decoders share the word embedding matrix (HF default true).
    public var tieWordEmbeddings: Bool
    /// MPNet's relative position buckets (`relative_attention_num_buckets`, 32); 0 for the other families.
    public var relativeAttentionNumBuckets: Int

    /// Number of classification outputs.
    public var numLabels: Int { id2label.count }
    /// Class names in id order.
    public var labels: [String] { (0..<numLabels).map { id2label[$0] ?? "LABEL_\($0)" } }
    /// Width of one attention head.
    public var headSize: Int { hiddenSize / numAttentionHeads }

    /// bert-base-uncased's configuration; change fields to describe another model.
    public init(modelType: ModelFamily = .bert) {
        self.modelType = modelType
        architectures = []
        vocabSize = 30522
        hiddenSize = 768
        numHiddenLayers = modelType == .distilbert ? 6 : 12
        numAttentionHeads = 12
        intermediateSize = 3072
        hiddenAct = .gelu
        maxPositionEmbeddings = modelType.positionsAfterPadding ? 514 : 512
        typeVocabSize = modelType.hasTokenTypes ? (modelType == .roberta ? 1 : 2) : 0
        layerNormEps = modelType.positionsAfterPadding ? 1e-5 : 1e-12
        padTokenId = modelType.positionsAfterPadding ? 1 : 0
        if modelType == .mpnet { vocabSize = 30527 }
        relativeAttentionNumBuckets = modelType == .mpnet ? 32 : 0
        hiddenDropoutProb = 0.1
        attentionProbsDropoutProb = 0.1
        classifierDropout = modelType == .distilbert ? 0.2 : nil
        initializerRange = 0.02
        id2label = [0: "LABEL_0", 1: "LABEL_1"]
        label2id = ["LABEL_0": 0, "LABEL_1": 1]
        problemType = nil
        tieWordEmbeddings = true
    }

    /// Reads `config.json` (or the file at `url` itself when it is not a folder).
    public static func load(from url: URL) throws -> ModelConfig {
        var isDirectory: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
            ? url.appendingPathComponent("config.json") : url
        guard FileManager.default.fileExists(atPath: file.path) else { throw ModelError.missingFile(file.path) }
        let data = try Data(contentsOf: file)
        do {
            return try JSONDecoder().decode(ModelConfig.self, from: data)
        } catch let error as ModelError {
            throw error
        } catch {
            throw ModelError.invalidConfig("\(file.path): \(error)")
        }
    }

    /// Checks the numbers fit together (heads divide the width, sizes positive, labels consistent).
    public func validate() throws {
        func require(_ ok: Bool, _ message: @autoclosure () -> String) throws {
            if !ok { throw ModelError.invalidConfig(message()) }
        }
        try require(vocabSize > 0 && hiddenSize > 0 && numHiddenLayers >= 0 && intermediateSize > 0,
                    "sizes must be positive (vocab \(vocabSize), hidden \(hiddenSize), intermediate \(intermediateSize))")
        try require(numAttentionHeads > 0 && hiddenSize % numAttentionHeads == 0,
                    "hidden size \(hiddenSize) is not a multiple of the number of attention heads \(numAttentionHeads)")
        try require(maxPositionEmbeddings > 0, "max_position_embeddings must be positive")
        try require(layerNormEps > 0, "layer_norm_eps must be positive")
        try require(Set(id2label.keys) == Set(0..<id2label.count),
                    "id2label ids must be 0..<\(id2label.count), got \(id2label.keys.sorted())")
        if modelType.positionsAfterPadding {
            try require(padTokenId >= 0 && padTokenId + 1 < maxPositionEmbeddings,
                        "\(modelType.rawValue) positions start at pad_token_id + 1 = \(padTokenId + 1)")
        }
        if modelType == .mpnet {
            try require(relativeAttentionNumBuckets >= 4 && relativeAttentionNumBuckets % 2 == 0,
                        "relative_attention_num_buckets must be an even number ≥ 4, got \(relativeAttentionNumBuckets)")
        }
    }

    // MARK: Codable (HF spellings)

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        func value<T: Decodable>(_ type: T.Type, _ keys: String...) throws -> T? {
            for key in keys where c.contains(Key(key)) {
                if try c.decodeNil(forKey: Key(key)) { continue }
                return try c.decode(T.self, forKey: Key(key))
            }
            return nil
        }
        let typeName = try value(String.self, "model_type")
        let architectures = try value([String].self, "architectures") ?? []
        let family: ModelFamily
        if let typeName {
            guard let known = ModelFamily(rawValue: typeName) else { throw ModelError.unsupportedModelType(typeName) }
            family = known
        } else if let first = architectures.first, let inferred = ModelArchitecture(rawValue: first) {
            family = inferred.family
        } else {
            throw ModelError.invalidConfig("config.json has neither a known model_type nor a known architecture")
        }
        self.init(modelType: family)
        self.architectures = architectures
        for name in architectures where ModelArchitecture(rawValue: name) == nil {
            throw ModelError.unsupportedArchitecture(name)
        }

        vocabSize = try value(Int.self, "vocab_size") ?? vocabSize
        hiddenSize = try value(Int.self, "hidden_size", "dim") ?? hiddenSize
        numHiddenLayers = try value(Int.self, "num_hidden_layers", "n_layers") ?? numHiddenLayers
        numAttentionHeads = try value(Int.self, "num_attention_heads", "n_heads") ?? numAttentionHeads
        intermediateSize = try value(Int.self, "intermediate_size", "hidden_dim") ?? intermediateSize
        if let act = try value(String.self, "hidden_act", "activation") {
            guard let known = Activation(rawValue: act) else { throw ModelError.unsupportedActivation(act) }
            hiddenAct = known
        }
        maxPositionEmbeddings = try value(Int.self, "max_position_embeddings") ?? maxPositionEmbeddings
        if family.hasTokenTypes { typeVocabSize = try value(Int.self, "type_vocab_size") ?? typeVocabSize }
        if family == .mpnet {
            relativeAttentionNumBuckets = try value(Int.self, "relative_attention_num_buckets") ?? relativeAttentionNumBuckets
        }
        // DistilBERT hard-codes LayerNorm eps 1e-12 (modeling_distilbert.py), whatever the config says.
        if family != .distilbert { layerNormEps = Float(try value(Double.self, "layer_norm_eps") ?? Double(layerNormEps)) }
        padTokenId = try value(Int.self, "pad_token_id") ?? padTokenId
        hiddenDropoutProb = Float(try value(Double.self, "hidden_dropout_prob", "dropout") ?? Double(hiddenDropoutProb))
        attentionProbsDropoutProb = Float(
            try value(Double.self, "attention_probs_dropout_prob", "attention_dropout") ?? Double(attentionProbsDropoutProb))
        if let d = try value(Double.self, "classifier_dropout", "seq_classif_dropout") { classifierDropout = Float(d) }
        initializerRange = Float(try value(Double.self, "initializer_range") ?? Double(initializerRange))
        tieWordEmbeddings = try value(Bool.self, "tie_word_embeddings") ?? true
        if let kind = try value(String.self, "position_embedding_type"), kind != "absolute" {
            throw ModelError.invalidConfig("position_embedding_type \"\(kind)\" is not supported (only \"absolute\")")
        }
        if let problem = try value(String.self, "problem_type") {
            guard let known = ProblemType(rawValue: problem) else {
                throw ModelError.invalidConfig("unknown problem_type \"\(problem)\"")
            }
            problemType = known
        }

        // Labels: id2label wins (HF), else num_labels, else the default two.
        if let raw = try value([String: String].self, "id2label") {
            var labels: [Int: String] = [:]
            for (key, name) in raw {
                guard let id = Int(key) else { throw ModelError.invalidConfig("id2label key \"\(key)\" is not an integer") }
                labels[id] = name
            }
            id2label = labels
        } else if let n = try value(Int.self, "num_labels") {
            id2label = Dictionary(uniqueKeysWithValues: (0..<n).map { ($0, "LABEL_\($0)") })
        }
        label2id = try value([String: Int].self, "label2id")
            ?? Dictionary(id2label.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
        try validate()
    }

    /// Writes the HF spelling for this family (DistilBERT: `dim`, `n_layers`, ...), so HF can load what we save.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(modelType.rawValue, forKey: Key("model_type"))
        try c.encode(architectures, forKey: Key("architectures"))
        try c.encode(vocabSize, forKey: Key("vocab_size"))
        try c.encode(maxPositionEmbeddings, forKey: Key("max_position_embeddings"))
        try c.encode(padTokenId, forKey: Key("pad_token_id"))
        try c.encode(Double(initializerRange), forKey: Key("initializer_range"))
        try c.encode(tieWordEmbeddings, forKey: Key("tie_word_embeddings"))
        if modelType == .distilbert {
            try c.encode(hiddenSize, forKey: Key("dim"))
            try c.encode(numHiddenLayers, forKey: Key("n_layers"))
            try c.encode(numAttentionHeads, forKey: Key("n_heads"))
            try c.encode(intermediateSize, forKey: Key("hidden_dim"))
            try c.encode(hiddenAct.rawValue, forKey: Key("activation"))
            try c.encode(Double(hiddenDropoutProb), forKey: Key("dropout"))
            try c.encode(Double(attentionProbsDropoutProb), forKey: Key("attention_dropout"))
            try c.encode(Double(classifierDropout ?? 0.2), forKey: Key("seq_classif_dropout"))
        } else {
            try c.encode(hiddenSize, forKey: Key("hidden_size"))
            try c.encode(numHiddenLayers, forKey: Key("num_hidden_layers"))
            try c.encode(numAttentionHeads, forKey: Key("num_attention_heads"))
            try c.encode(intermediateSize, forKey: Key("intermediate_size"))
            try c.encode(hiddenAct.rawValue, forKey: Key("hidden_act"))
            if modelType.hasTokenTypes { try c.encode(typeVocabSize, forKey: Key("type_vocab_size")) }
            if modelType == .mpnet {
                try c.encode(relativeAttentionNumBuckets, forKey: Key("relative_attention_num_buckets"))
            }
            try c.encode(Double(layerNormEps), forKey: Key("layer_norm_eps"))
            try c.encode(Double(hiddenDropoutProb), forKey: Key("hidden_dropout_prob"))
            try c.encode(Double(attentionProbsDropoutProb), forKey: Key("attention_probs_dropout_prob"))
            try c.encodeIfPresent(classifierDropout.map(Double.init), forKey: Key("classifier_dropout"))
            if modelType != .mpnet { try c.encode("absolute", forKey: Key("position_embedding_type")) }
        }
        try c.encode(Dictionary(uniqueKeysWithValues: id2label.map { (String($0.key), $0.value) }), forKey: Key("id2label"))
        try c.encode(label2id, forKey: Key("label2id"))
        try c.encodeIfPresent(problemType?.rawValue, forKey: Key("problem_type"))
    }

    /// The config as pretty, key-sorted JSON (what `config.json` should contain).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

/// The HF model classes we can load. Anything else in `architectures` is refused with its name.
public enum ModelArchitecture: String, Sendable, CaseIterable {
    case bertModel = "BertModel"
    case bertForSequenceClassification = "BertForSequenceClassification"
    case bertForMaskedLM = "BertForMaskedLM"
    case bertForPreTraining = "BertForPreTraining"
    case distilBertModel = "DistilBertModel"
    case distilBertForSequenceClassification = "DistilBertForSequenceClassification"
    case distilBertForMaskedLM = "DistilBertForMaskedLM"
    case robertaModel = "RobertaModel"
    case robertaForSequenceClassification = "RobertaForSequenceClassification"
    case robertaForMaskedLM = "RobertaForMaskedLM"
    case mpnetModel = "MPNetModel"
    case mpnetForSequenceClassification = "MPNetForSequenceClassification"
    case mpnetForMaskedLM = "MPNetForMaskedLM"

    public var family: ModelFamily {
        switch self {
        case .bertModel, .bertForSequenceClassification, .bertForMaskedLM, .bertForPreTraining: return .bert
        case .distilBertModel, .distilBertForSequenceClassification, .distilBertForMaskedLM: return .distilbert
        case .robertaModel, .robertaForSequenceClassification, .robertaForMaskedLM: return .roberta
        case .mpnetModel, .mpnetForSequenceClassification, .mpnetForMaskedLM: return .mpnet
        }
    }

    /// The head this class puts on top of the encoder.
    public var head: HeadKind {
        switch self {
        case .bertModel, .distilBertModel, .robertaModel, .mpnetModel: return .none
        case .bertForSequenceClassification, .distilBertForSequenceClassification, .robertaForSequenceClassification,
             .mpnetForSequenceClassification:
            return .sequenceClassification
        case .bertForMaskedLM, .bertForPreTraining, .distilBertForMaskedLM, .robertaForMaskedLM, .mpnetForMaskedLM:
            return .maskedLM
        }
    }
}

/// Which head a checkpoint carries.
public enum HeadKind: String, Sendable {
    case none
    case sequenceClassification
    case maskedLM
}
