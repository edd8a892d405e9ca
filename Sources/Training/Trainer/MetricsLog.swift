import Foundation

/// One line of the metrics log (JSONL): a training step or an end-of-epoch evaluation.
public enum MetricsRecord: Sendable, Equatable {
    case step(step: Int, epoch: Int, learningRate: Float, loss: Float, gradNorm: Float, examplesPerSecond: Double)
    case epoch(step: Int, epoch: Int, dev: ClassificationMetrics, trainLoss: Double, seconds: Double, examplesPerSecond: Double)
    case test(step: Int, metrics: ClassificationMetrics)

    var step: Int {
        switch self {
        case .step(let step, _, _, _, _, _), .epoch(let step, _, _, _, _, _), .test(let step, _): step
        }
    }

    /// A flat JSON object, easy to plot with pandas or jq.
    var jsonObject: [String: Any] {
        switch self {
        case let .step(step, epoch, lr, loss, gradNorm, rate):
            return ["type": "step", "step": step, "epoch": epoch, "lr": Double(lr), "loss": Double(loss),
                    "grad_norm": Double(gradNorm), "examples_per_s": rate]
        case let .epoch(step, epoch, dev, trainLoss, seconds, rate):
            return ["type": "epoch", "step": step, "epoch": epoch, "dev_accuracy": dev.accuracy, "dev_macro_f1": dev.macroF1,
                    "dev_loss": dev.loss ?? .nan, "train_loss": trainLoss, "seconds": seconds, "examples_per_s": rate]
        case let .test(step, metrics):
            return ["type": "test", "step": step, "test_accuracy": metrics.accuracy, "test_macro_f1": metrics.macroF1,
                    "test_loss": metrics.loss ?? .nan]
        }
    }
}

/// Appends records to a JSONL file, flushing each line so curves can be watched while training runs.
public final class MetricsLog: @unchecked Sendable {
    public let url: URL
    private let handle: FileHandle

    /// Opens the log for appending. When resuming, lines past `keepThroughStep` (written after the checkpoint by
    /// the interrupted run) are dropped first, so the log reads as one uninterrupted run; otherwise it starts empty.
    public init(url: URL, resumingAtStep keepThroughStep: Int? = nil) throws {
        self.url = url
        var kept = Data()
        if let keepThroughStep, let old = try? String(contentsOf: url, encoding: .utf8) {
            for line in old.split(separator: "\n") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let step = object["step"] as? Int else { continue }
                // A test record at the checkpoint's step belongs to the finished run, not to the resumed one.
                if step < keepThroughStep || (step == keepThroughStep && object["type"] as? String != "test") {
                    kept.append(Data(line.utf8)); kept.append(0x0A)
                }
            }
        }
        try kept.write(to: url, options: .atomic)
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    public func append(_ record: MetricsRecord) {
        var object = record.jsonObject
        // JSON has no NaN: write null.
        for (key, value) in object { if let d = value as? Double, !d.isFinite { object[key] = NSNull() } }
        guard var line = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        line.append(0x0A)
        handle.write(line)
    }

    /// Reads every record of a log as JSON objects (for tests and tools).
    public static func read(_ url: URL) throws -> [[String: Any]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map {
            guard let object = try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] else {
                throw CocoaError(.fileReadCorruptFile)
            }
            return object
        }
    }
}
