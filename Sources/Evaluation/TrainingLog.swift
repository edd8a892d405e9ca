import Foundation

/// Training curves read from a model folder's metrics log (JSON Lines, as the trainer writes `metrics.jsonl`):
/// lines with "step" and "loss" are training steps; lines with "dev_accuracy" are end-of-epoch evaluations.
/// Other lines and fields are ignored, so the log format can grow.
public struct TrainingLog: Codable, Sendable, Equatable {
    public struct StepLoss: Codable, Sendable, Equatable {
        public var step: Int
        public var loss: Double
    }
    public struct EpochAccuracy: Codable, Sendable, Equatable {
        public var step: Int
        public var epoch: Int?
        public var devAccuracy: Double
    }

    public var steps: [StepLoss]
    public var epochs: [EpochAccuracy]

    /// File names looked for in a model folder, in order.
    public static let fileNames = ["metrics.jsonl", "training_log.jsonl", "train_log.jsonl"]

    /// The log in `folder` — or in the trainer's work folder beside it, `.NAME.training/`, while a run is going on —
    /// or nil when there is none or it holds no curve.
    public static func load(folder: URL) -> TrainingLog? {
        let folder = folder.resolvingSymlinksInPath()
        let workFolder = folder.deletingLastPathComponent().appendingPathComponent(".\(folder.lastPathComponent).training")
        for url in fileNames.map({ folder.appendingPathComponent($0) }) + [workFolder.appendingPathComponent("metrics.jsonl")] {
            if let data = try? Data(contentsOf: url), let log = parse(data), !(log.steps.isEmpty && log.epochs.isEmpty) {
                return log
            }
        }
        return nil
    }

    /// Parses JSON Lines; unreadable lines are skipped (a log being written may end mid-line).
    public static func parse(_ data: Data) -> TrainingLog? {
        guard let text = String(data: data, encoding: .utf8) else { return nil }
        var log = TrainingLog(steps: [], epochs: [])
        for line in text.split(whereSeparator: \.isNewline) {
            // Python and Swift writers may emit NaN / Infinity, which JSON lacks.
            let cleaned = line.replacingOccurrences(of: "NaN", with: "null")
                .replacingOccurrences(of: "-Infinity", with: "null").replacingOccurrences(of: "Infinity", with: "null")
            guard let object = try? JSONSerialization.jsonObject(with: Data(cleaned.utf8)) as? [String: Any],
                  let step = (object["step"] as? NSNumber)?.intValue else { continue }
            if let accuracy = (object["dev_accuracy"] as? NSNumber)?.doubleValue {
                log.epochs.append(EpochAccuracy(step: step, epoch: (object["epoch"] as? NSNumber)?.intValue, devAccuracy: accuracy))
            } else if let loss = (object["loss"] as? NSNumber)?.doubleValue, loss.isFinite {
                log.steps.append(StepLoss(step: step, loss: loss))
            }
        }
        return log
    }
}
