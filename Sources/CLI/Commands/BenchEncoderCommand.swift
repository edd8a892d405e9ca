import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment bench encoder`: encoder throughput on the Rotten Tomatoes test texts (packed batches, no padding),
/// the share of time spent in GEMMs and the GF/s achieved against a GEMM ceiling measured in the same run.
struct BenchEncoderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encoder",
        abstract: "Encoder sentences/s and tokens/s at several batch sizes (MiniLM by default)."
    )

    @Option(name: .long, help: "Catalog name, trained model name or model folder.")
    var model = "all-MiniLM-L6-v2"

    @Option(name: .long, parsing: .upToNextOption, help: "Batch sizes.")
    var batchSizes: [Int] = [1, 8, 32]

    @Option(name: .long, help: "Threads for BLAS and our kernels (default: all cores).")
    var threads: Int?

    @Option(name: .long, help: "Timed passes over the texts per batch size; the fastest counts.")
    var repeats = 2

    @Option(name: .long, help: "Use only the first N test texts.")
    var limit: Int?

    func validate() throws {
        guard batchSizes.allSatisfy({ $0 > 0 }), repeats > 0, (limit ?? 1) > 0 else {
            throw ValidationError("batch sizes, --repeats and --limit must be positive")
        }
    }

    func run() throws {
        if let threads { Bench.setThreads(threads) }
        let folder = try ModelLocator.folder(for: model)
        let encoder = try AutoModel.load(folder: folder)
        let tokenizer = try AutoTokenizer.load(folder: folder)
        var texts = try Datasets.load("rotten-tomatoes").test.map(\.text)
        if let limit { texts = Array(texts.prefix(limit)) }
        let options = EncodingOptions(maxLength: min(tokenizer.modelMaxLength ?? encoder.maxLength, encoder.maxLength))
        let encodings = try tokenizer.encodeBatch(texts, options: options)
        let tokens = encodings.reduce(0) { $0 + $1.count }
        let config = encoder.config

        print("Encoder benchmark: \(model) (\(config.numHiddenLayers) layers, hidden \(config.hiddenSize)) on \(texts.count) "
              + "Rotten Tomatoes test texts, \(tokens) tokens (mean \(String(format: "%.1f", Double(tokens) / Double(texts.count)))); "
              + "BLAS \(BLAS.coreName), \(BLAS.threads) thread(s), \(ProcessInfo.processInfo.activeProcessorCount) cores; "
              + (PackedWeights.isEnabled ? "linear layers on packed weights" : "linear layers through BLAS"))
        print(KernelPath.summary)
        let ceiling = gemmCeiling(config)
        print(String(format: "GEMM ceiling (best of the model's GEMM shapes at M=1024, this run): %.1f GF/s", ceiling))
        print("batch  sentences/s  tokens/s  per CPU-s  GEMM share  GEMM GF/s  overall GF/s  of ceiling")
        for batchSize in batchSizes {
            let batches = try stride(from: 0, to: encodings.count, by: batchSize).map {
                try PackedBatch(encodings: Array(encodings[$0..<min($0 + batchSize, encodings.count)]))
            }
            _ = try encoder.encode(batches[0])   // warm-up: page in the mapped weights
            var best = Double.infinity, bestGEMM = Double.infinity, bestCPU = Double.infinity
            for _ in 0..<repeats {
                let cpuStart = Bench.processCPUSeconds()
                best = min(best, try Bench.seconds { for batch in batches { _ = try encoder.encode(batch) } })
                bestCPU = min(bestCPU, Bench.processCPUSeconds() - cpuStart)
                bestGEMM = min(bestGEMM, Bench.seconds { for batch in batches { replayGEMMs(encoder, tokens: batch.tokenCount) } })
            }
            let gemmFlops = batches.reduce(0.0) { $0 + Self.gemmFlops(config, tokens: $1.tokenCount) }
            let allFlops = gemmFlops + batches.reduce(0.0) { $0 + Self.attentionFlops(config, lengths: $1.lengths) }
            print(String(format: "%5d  %11.1f  %8.0f  %9.1f  %9.0f%%  %9.1f  %12.1f  %9.0f%%",
                         batchSize, Double(texts.count) / best, Double(tokens) / best, Double(texts.count) / bestCPU,
                         100 * bestGEMM / best,
                         gemmFlops / bestGEMM / 1e9, allFlops / best / 1e9, 100 * allFlops / best / 1e9 / ceiling))
        }
        print("per CPU-s: sentences per second of process CPU time (all threads, BLAS spin-waits included): the fair")
        print("figure on a loaded machine. GEMM share: the model's GEMMs replayed alone on the same shapes, over the")
        print("full forward time.")
    }

    /// Multiply-adds ×2 of the four linear layers of every block: QKV (3C×C), output (C×C), FFN up (I×C), down (C×I).
    static func gemmFlops(_ config: ModelConfig, tokens: Int) -> Double {
        let c = Double(config.hiddenSize), i = Double(config.intermediateSize)
        return 2 * Double(tokens) * c * (4 * c + 2 * i) * Double(config.numHiddenLayers)
    }

    /// Q·Kᵀ and P·V per sequence: 2 · 2 · L² · C per layer.
    static func attentionFlops(_ config: ModelConfig, lengths: [Int]) -> Double {
        lengths.reduce(0.0) { $0 + 4 * Double($1 * $1) * Double(config.hiddenSize) } * Double(config.numHiddenLayers)
    }

    /// Runs the model's GEMMs (with its real weights, through the same kernel the forward pass uses) on scratch
    /// inputs of `tokens` rows.
    private func replayGEMMs(_ encoder: EncoderModel, tokens n: Int) {
        let c = encoder.config.hiddenSize, i = encoder.config.intermediateSize
        var input = [Float](repeating: 0.01, count: n * i), output = [Float](repeating: 0, count: n * max(3 * c, i))
        for layer in encoder.encoder.layers {
            for linear in [layer.attention.queryKeyValue, layer.attentionOutput.dense, layer.intermediate.dense, layer.output.dense] {
                linear(input, rows: n, out: &output)   // the model's own path: packed weights or BLAS
            }
        }
        _ = input.withUnsafeMutableBufferPointer { $0[0] }
    }

    /// Best GF/s of the model's GEMM shapes at M = 1024 rows, BLAS (`Bench.sgemmGigaflops`) or pre-packed
    /// (whichever is faster).
    private func gemmCeiling(_ config: ModelConfig) -> Double {
        let m = 1024, c = config.hiddenSize, i = config.intermediateSize
        let shapes = [(3 * c, c), (c, c), (i, c), (c, i)]   // (out, in)
        var best = 0.0
        for (outFeatures, inFeatures) in shapes {
            best = max(best, Bench.sgemmGigaflops(rows: m, inFeatures: inFeatures, outFeatures: outFeatures))
            if PackedWeights.isEnabled {
                let a = [Float](repeating: 0.01, count: m * inFeatures), w = [Float](repeating: 0.02, count: outFeatures * inFeatures)
                var out = [Float](repeating: 0, count: m * outFeatures)
                let packed = PackedWeights(weight: w, outFeatures: outFeatures, inFeatures: inFeatures)
                best = max(best, Bench.gigaflops(2 * Double(m * outFeatures * inFeatures)) { packed.linear(a, rows: m, bias: nil, out: &out) })
            }
        }
        return best
    }
}
