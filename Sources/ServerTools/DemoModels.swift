import Foundation
import SentimentCore
import SentimentServer

// Deterministic stand-ins for real models: `sentiment serve --demo` serves them, so the server, the page and its
// browser test run without downloading anything, and the tests get exact expected values. They are not sentiment
// models: a word list decides. Real models come from SentimentPipelines (`ModelLocator.load`, see ServeCommand).

/// Words of a text with their Unicode-scalar offsets (letters, digits and apostrophes).
func demoWords(_ text: String) -> [(word: String, start: Int, end: Int)] {
    var words: [(String, Int, Int)] = []
    var current = ""
    var start = 0
    for (offset, scalar) in text.unicodeScalars.enumerated() {
        if scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar == "'" {
            if current.isEmpty { start = offset }
            current.unicodeScalars.append(scalar)
        } else if !current.isEmpty {
            words.append((current, start, offset))
            current = ""
        }
    }
    if !current.isEmpty { words.append((current, start, text.unicodeScalars.count)) }
    return words
}

/// Polarity from a small word list, with "not"/"never"/"no" flipping the next word; softmax over three labels.
public struct DemoKeywordClassifier: TextClassifier, TokenImportanceProvider {
    public let name: String
    public let labels = ["negative", "neutral", "positive"]
    public let method = "demo word list: |polarity| of each word (not a neural model)"
    /// Simulated model time per call, so batching can be observed.
    public let delay: Duration

    static let polarity: [String: Float] = [
        "good": 1, "great": 2, "love": 2, "loved": 2, "wonderful": 2, "excellent": 2, "best": 2, "fun": 1,
        "enjoyed": 1.5, "beautiful": 1.5, "happy": 1.5, "like": 0.5, "brilliant": 2, "amazing": 2,
        "bad": -1, "awful": -2, "terrible": -2, "hate": -2, "hated": -2, "boring": -1.5, "worst": -2, "dull": -1,
        "poor": -1, "sad": -1, "waste": -1.5, "disappointing": -1.5, "mess": -1, "slow": -0.5,
    ]
    static let negators: Set<String> = ["not", "never", "no", "isn't", "wasn't", "don't", "didn't"]

    public init(name: String = "demo-sentiment", delay: Duration = .zero) {
        self.name = name
        self.delay = delay
    }

    /// Sum of word polarities (negation flips the next word).
    func polarity(_ text: String) -> Float {
        var total: Float = 0
        var flip: Float = 1
        for (word, _, _) in demoWords(text) {
            let lower = word.lowercased()
            if Self.negators.contains(lower) {
                flip = -1
                continue
            }
            total += flip * (Self.polarity[lower] ?? 0)
            flip = 1
        }
        return total
    }

    public func classify(_ texts: [String]) throws -> [[LabelScore]] {
        if delay > .zero { Thread.sleep(forTimeInterval: delay.seconds) }
        return texts.map { text in
            let s = polarity(text)
            let logits: [Float] = [-s, 0.75 - abs(s), s]  // negative, neutral, positive
            let top = logits.max()!
            let exps = logits.map { expf($0 - top) }
            let sum = exps.reduce(0, +)
            return zip(labels, exps).map { LabelScore(label: $0, score: $1 / sum) }.sorted { $0.score > $1.score }
        }
    }

    public func tokenImportance(_ texts: [String]) throws -> [[TokenWeight]] {
        texts.map { text in
            demoWords(text).map { word, start, end in
                TokenWeight(
                    token: word.lowercased(), start: start, end: end,
                    weight: abs(Self.polarity[word.lowercased()] ?? 0) + 0.1
                )
            }
        }
    }
}

/// Fills each `[MASK]` with words from a fixed list, scores falling off with rank.
public struct DemoFillMask: FillMaskModel {
    public let name: String
    public let maskToken = "[MASK]"
    static let candidates = ["good", "great", "fine", "bad", "long", "new", "real", "big"]

    public init(name: String = "demo-fill-mask") { self.name = name }

    public func fillMask(_ texts: [String], topK: Int) throws -> [[[MaskPrediction]]] {
        texts.map { text in
            let masks = text.components(separatedBy: maskToken).count - 1
            return (0..<masks).map { mask in
                (0..<min(topK, Self.candidates.count)).map { rank in
                    let word = Self.candidates[(rank + mask) % Self.candidates.count]
                    var filled = text
                    if let range = filled.range(of: maskToken) { filled.replaceSubrange(range, with: word) }
                    return MaskPrediction(
                        score: 1 / Float(rank + 2), token: 1000 + (rank + mask) % Self.candidates.count,
                        tokenString: word, sequence: filled
                    )
                }
            }
        }
    }
}

/// Hashes words into `dimension` buckets (a bag of words), so equal texts embed equally.
public struct DemoEmbedder: Embedder {
    public let name: String
    public let dimension: Int

    public init(name: String = "demo-embed", dimension: Int = 16) {
        self.name = name
        self.dimension = dimension
    }

    public func embed(_ texts: [String]) throws -> [[Float]] {
        texts.map { text in
            var vector = [Float](repeating: 0, count: dimension)
            for (word, _, _) in demoWords(text) {
                // FNV-1a: stable across runs, unlike Hasher.
                var hash: UInt32 = 2_166_136_261
                for byte in word.lowercased().utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
                vector[Int(hash % UInt32(dimension))] += 1
            }
            return vector
        }
    }
}

extension ModelRegistry {
    /// The demo models: `demo-sentiment` (with token importance), `demo-fill-mask`, `demo-embed`.
    public static func demo(delay: Duration = .zero) -> ModelRegistry {
        var registry = ModelRegistry()
        let classifier = DemoKeywordClassifier(delay: delay)
        registry.add(classifier: classifier, explainer: classifier)
        registry.add(fillMask: DemoFillMask())
        registry.add(embedder: DemoEmbedder())
        return registry
    }
}
