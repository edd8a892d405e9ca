import Foundation

/// The BERT hyperparameters the training model needs, read from an HF config.json.
public struct TrainableEncoderConfig: Sendable, Codable, Equatable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var intermediateSize: Int
    public var maxPositionEmbeddings: Int
    public var typeVocabSize: Int
    public var layerNormEps: Float
    /// "gelu" (erf) is the only activation supported by the training model.
    public var hiddenAct: String
    public var hiddenDropoutProb: Float
    public var attentionProbsDropoutProb: Float
    /// HF `classifier_dropout`; nil means hiddenDropoutProb (BertForSequenceClassification).
    public var classifierDropout: Float?
    public var initializerRange: Float

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads", intermediateSize = "intermediate_size"
        case maxPositionEmbeddings = "max_position_embeddings", typeVocabSize = "type_vocab_size"
        case layerNormEps = "layer_norm_eps", hiddenAct = "hidden_act", hiddenDropoutProb = "hidden_dropout_prob"
        case attentionProbsDropoutProb = "attention_probs_dropout_prob", classifierDropout = "classifier_dropout"
        case initializerRange = "initializer_range"
    }

    public init(
        vocabSize: Int, hiddenSize: Int, numHiddenLayers: Int, numAttentionHeads: Int, intermediateSize: Int,
        maxPositionEmbeddings: Int = 512, typeVocabSize: Int = 2, layerNormEps: Float = 1e-12, hiddenAct: String = "gelu",
        hiddenDropoutProb: Float = 0.1, attentionProbsDropoutProb: Float = 0.1, classifierDropout: Float? = nil,
        initializerRange: Float = 0.02
    ) {
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.intermediateSize = intermediateSize
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.typeVocabSize = typeVocabSize
        self.layerNormEps = layerNormEps
        self.hiddenAct = hiddenAct
        self.hiddenDropoutProb = hiddenDropoutProb
        self.attentionProbsDropoutProb = attentionProbsDropoutProb
        self.classifierDropout = classifierDropout
        self.initializerRange = initializerRange
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabSize = try c.decode(Int.self, forKey: .vocabSize)
        hiddenSize = try c.decode(Int.self, forKey: .hiddenSize)
        numHiddenLayers = try c.decode(Int.self, forKey: .numHiddenLayers)
        numAttentionHeads = try c.decode(Int.self, forKey: .numAttentionHeads)
        intermediateSize = try c.decode(Int.self, forKey: .intermediateSize)
        maxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .maxPositionEmbeddings) ?? 512
        typeVocabSize = try c.decodeIfPresent(Int.self, forKey: .typeVocabSize) ?? 2
        layerNormEps = try c.decodeIfPresent(Float.self, forKey: .layerNormEps) ?? 1e-12
        hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct) ?? "gelu"
        hiddenDropoutProb = try c.decodeIfPresent(Float.self, forKey: .hiddenDropoutProb) ?? 0.1
        attentionProbsDropoutProb = try c.decodeIfPresent(Float.self, forKey: .attentionProbsDropoutProb) ?? 0.1
        classifierDropout = try c.decodeIfPresent(Float.self, forKey: .classifierDropout)
        initializerRange = try c.decodeIfPresent(Float.self, forKey: .initializerRange) ?? 0.02
    }

    /// Reads and validates `folder/config.json`.
    public static func load(folder: URL) throws -> TrainableEncoderConfig {
        let url = folder.appendingPathComponent("config.json")
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TrainingError.invalidConfig("cannot read \(url.path): \(error.localizedDescription)")
        }
        let config: TrainableEncoderConfig
        do { config = try JSONDecoder().decode(TrainableEncoderConfig.self, from: data) } catch {
            throw TrainingError.invalidConfig("\(url.path): \(error)")
        }
        try config.validate()
        return config
    }

    public func validate() throws {
        guard vocabSize > 0, hiddenSize > 0, numHiddenLayers >= 0, numAttentionHeads > 0, intermediateSize > 0,
              maxPositionEmbeddings > 0, typeVocabSize > 0 else {
            throw TrainingError.invalidConfig("sizes must be positive")
        }
        guard hiddenSize % numAttentionHeads == 0 else {
            throw TrainingError.invalidConfig("hidden_size \(hiddenSize) not divisible by \(numAttentionHeads) heads")
        }
        guard hiddenAct == "gelu" else {
            throw TrainingError.invalidConfig("hidden_act \(hiddenAct) not supported for training (only gelu)")
        }
        for p in [hiddenDropoutProb, attentionProbsDropoutProb, classifierDropout ?? 0] where !(p >= 0 && p < 1) {
            throw TrainingError.invalidConfig("dropout probability \(p) outside [0, 1)")
        }
    }

    var headDim: Int { hiddenSize / numAttentionHeads }
}
