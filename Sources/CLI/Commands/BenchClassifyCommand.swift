import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment bench classify`: end-to-end classification (tokenize + model + scores) through `SentimentPipeline`
/// on the Rotten Tomatoes test split: texts/s at batch 32 in file order and sorted by length, texts/s at batch 1,
/// and single-text latency percentiles. scripts/fixtures/pipelines.py measures PyTorch and ONNX Runtime the same way.
struct BenchClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classification texts/s (batch 1 and 32, sorted and unsorted) and p50/p99 latency on Rotten Tomatoes test."
    )

    @Option(help: "Classifier: default-model name, trained model name or folder (must be built).")
    var model = ModelLocator.defaultClassifier
    @Option(help: "Threads for BLAS and the kernels (default: all cores).") var threads: Int?
    @Option(help: PrecisionHelp.text) var precision: Precision = .fp32
    @Option(help: "Use only the first N test texts.") var limit: Int?
    @Option(help: "Timed passes per batch-32 figure; the fastest counts.") var repeats = 2
    @Option(help: "Also write the texts used, one JSON string per line, for scripts/fixtures/pipelines.py --texts.") var saveTexts: String?

    func validate() throws {
        guard repeats > 0, (limit ?? 1) > 0, (threads ?? 1) > 0 else { throw ValidationError("--repeats, --limit, --threads must be positive") }
    }

    func run() throws {
        if let threads { Bench.setThreads(threads) }
        try fetchBaseIfNeeded(model)
        let pipeline = try SentimentPipeline.load(model, precision: precision)
        var texts = try Datasets.load("rotten-tomatoes").test.map(\.text)
        if let limit { texts = Array(texts.prefix(limit)) }
        if let saveTexts {
            // JSON strings, one per line: a few texts hold line breaks.
            let lines = try texts.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: saveTexts), options: .atomic)
        }
        let tokens = try texts.reduce(0) { $0 + (try pipeline.tokenizer.encode($1, pair: nil, options: EncodingOptions(maxLength: pipeline.maxLength)).count) }
        print("Classification benchmark: \(pipeline.name) (\(pipeline.model.config.numHiddenLayers) layers, hidden "
              + "\(pipeline.model.config.hiddenSize), labels \(pipeline.labels.joined(separator: "/"))) on \(texts.count) Rotten Tomatoes "
              + "test texts, mean \(String(format: "%.1f", Double(tokens) / Double(texts.count))) tokens; tokenization included; "
              + "\(BLAS.threads) BLAS thread(s), \(Parallel.threads) kernel thread(s), \(ProcessInfo.processInfo.activeProcessorCount) cores; "
              + "precision \(precision.rawValue), "
              + (precision == .fp32 && !PackedWeights.isEnabled ? "fp32 linear layers through BLAS" : "linear layers on packed weights"))
        print(KernelPath.summary)
        _ = try pipeline.classify(Array(texts.prefix(64)), options: ClassificationOptions(batchSize: 32))   // warm-up: page in weights

        let byLength = texts.sorted { $0.utf8.count < $1.utf8.count }
        var rows: [(String, Double)] = []
        for (order, input) in [("file order", texts), ("sorted by length", byLength)] {
            var best = Double.infinity
            for _ in 0..<repeats {
                best = min(best, try Bench.seconds { _ = try pipeline.classify(input, options: ClassificationOptions(batchSize: 32)) })
            }
            rows.append(("batch 32, \(order)", Double(input.count) / best))
        }
        // Batch 1: every text alone, in file order; each call's latency recorded.
        var latencies: [Double] = []
        latencies.reserveCapacity(texts.count)
        let total = try Bench.seconds {
            for text in texts {
                latencies.append(try Bench.seconds { _ = try pipeline.classify([text], options: ClassificationOptions(batchSize: 1)) })
            }
        }
        rows.append(("batch 1", Double(texts.count) / total))
        for (name, rate) in rows { print(name.padding(toLength: 28, withPad: " ", startingAt: 0) + String(format: " %8.1f texts/s", rate)) }
        latencies.sort()
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int((p / 100 * Double(latencies.count)).rounded(.up)) - 1)] }
        print(String(format: "latency, one text at a time:  p50 %.2f ms  p99 %.2f ms  max %.2f ms",
                     percentile(50) * 1000, percentile(99) * 1000, latencies.last! * 1000))
    }
}
