import Foundation
import SentimentCore

/// Temperature scaling (Guo et al. 2017, "On Calibration of Modern Neural Networks") stored beside a classifier as
/// `calibration.json`: scores are softmax(logits / T) instead of softmax(logits). The model's own files stay as HF
/// wrote them (config.json, model.safetensors: the raw logits are unchanged, and transformers ignores this file);
/// our pipelines apply the temperature unless asked not to.
///
///     {"temperature": 1.42, "fitted_on": "dev", "examples": 1319,
///      "before": {"nll": 0.41, "ece": 0.086}, "after": {"nll": 0.33, "ece": 0.021}, "test": {...}}
public struct ModelCalibration: Codable, Sendable, Equatable {
    /// T > 0; the score function is applied to logits / T.
    public var temperature: Double
    /// Which split T was fitted on ("dev" for every training run).
    public var fittedOn: String
    /// Number of labelled texts T was fitted on.
    public var examples: Int
    /// Negative log-likelihood and expected calibration error (10 bins) on `fittedOn`, with T = 1 and with T.
    public var before: Quality
    public var after: Quality
    /// The same on the test split, when the data has one (reported, never used for fitting).
    public var testBefore: Quality?
    public var testAfter: Quality?

    public struct Quality: Codable, Sendable, Equatable {
        public var nll: Double
        public var ece: Double
        public init(nll: Double, ece: Double) {
            self.nll = nll
            self.ece = ece
        }
    }

    public init(temperature: Double, fittedOn: String, examples: Int, before: Quality, after: Quality,
                testBefore: Quality? = nil, testAfter: Quality? = nil) {
        self.temperature = temperature
        self.fittedOn = fittedOn
        self.examples = examples
        self.before = before
        self.after = after
        self.testBefore = testBefore
        self.testAfter = testAfter
    }

    enum CodingKeys: String, CodingKey {
        case temperature, examples, before, after
        case fittedOn = "fitted_on", testBefore = "test_before", testAfter = "test_after"
    }

    /// The file's name inside a model folder.
    public static let fileName = "calibration.json"

    /// The folder's calibration, nil when it has none; a file that is there but unreadable, or a temperature that
    /// is not a positive finite number, is an error (a model must not silently lose its calibration).
    public static func load(folder: URL) throws -> ModelCalibration? {
        let url = folder.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let calibration: ModelCalibration
        do {
            calibration = try JSONDecoder().decode(ModelCalibration.self, from: Data(contentsOf: url))
        } catch {
            throw ModelError.invalidConfig("\(url.path): unreadable calibration: \(error)")
        }
        guard calibration.temperature.isFinite, calibration.temperature > 0 else {
            throw ModelError.invalidConfig("\(url.path): temperature must be positive, got \(calibration.temperature)")
        }
        return calibration
    }

    /// Writes `calibration.json` into `folder` atomically (temporary file, then rename).
    public func write(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: folder.appendingPathComponent(Self.fileName), options: .atomic)
    }
}
