import ArgumentParser
import Foundation
import SentimentKit

/// `sentiment bench train-step`: fine-tuning throughput of the training model (forward + backward + clipping + AdamW)
/// on packed batches whose lengths follow Rotten Tomatoes sentences (mean ≈ 27 tokens with [CLS]/[SEP]).
struct BenchTrainStepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-step",
        abstract: "Training examples/s of a classifier of any family (forward, backward, AdamW) on packed batches.")

    @Option(help: "HF model folder (config.json + model.safetensors) or a cached catalog model (e.g. all-mpnet-base-v2); default: all-MiniLM-L6-v2.")
    var model: String?
    @Option(help: "Examples per batch.") var batchSize = 32
    @Option(help: "Mean tokens per example (lengths uniform in mean ± mean/2).") var meanTokens = 27
    @Option(help: "Timed steps (after 2 warm-up steps).") var steps = 10
    @Option(help: "Threads for the Swift kernels and BLAS (default: all cores).") var threads: Int?

    func run() throws {
        let folder = try model.map { FileManager.default.fileExists(atPath: $0) ? URL(fileURLWithPath: $0) : try ArtifactCache.default.locate($0) }
            ?? ArtifactCache.default.directory(for: ModelLocator.defaultEmbedder)
        if let threads { Bench.setThreads(threads) }
        let classifier = try TrainableClassifier(folder: folder, numLabels: 2, seed: 1)
        var adam = AdamW(parameterCount: classifier.parameters.count, weightDecay: 0.01)
        var rng = SeededGenerator(seed: 7)
        let vocab = UInt64(classifier.config.vocabSize)
        func batch() -> TrainingBatch {
            let sequences: [[Int32]] = (0..<batchSize).map { _ in
                let length = meanTokens / 2 + Int(rng.next() % UInt64(meanTokens + 1))
                return [101] + (0..<max(0, length - 2)).map { _ in Int32(1000 + rng.next() % (vocab - 1000)) } + [102]
            }
            return TrainingBatch(sequences: sequences, labels: sequences.map { _ in Int(rng.next() % 2) })
        }
        var forwardBackward = 0.0, optimiser = 0.0, examples = 0, tokens = 0
        var bestRate = 0.0   // examples/s of the fastest step (the machine is shared: the best step shows what it can do)
        var cpuSeconds = 0.0   // user + system time of all threads over the timed steps
        for step in 0..<(steps + 2) {
            let b = batch()
            let cpu0 = Bench.processCPUSeconds()
            let t0 = Date()
            _ = try classifier.forwardBackward(b, training: true)
            let t1 = Date()
            clipGradientNorm(classifier.parameters, maxNorm: 1)
            adam.update(classifier.parameters, lr: 5e-5)
            classifier.parameters.zeroGradients()
            let t2 = Date()
            guard step >= 2 else { continue }
            cpuSeconds += Bench.processCPUSeconds() - cpu0
            forwardBackward += t1.timeIntervalSince(t0)
            optimiser += t2.timeIntervalSince(t1)
            examples += b.count
            tokens += b.tokenCount
            bestRate = max(bestRate, Double(b.count) / t2.timeIntervalSince(t0))
        }
        let total = forwardBackward + optimiser
        // GEMM work per step (forward; backward is twice that): every layer but the last on all N tokens, the last
        // layer's K/V on N tokens and the rest on the B first tokens, plus pooler and classifier.
        let C = Double(classifier.config.hiddenSize), I = Double(classifier.config.intermediateSize)
        let L = Double(classifier.config.numHiddenLayers)
        let N = Double(tokens) / Double(steps), B = Double(batchSize)
        let forwardFLOP = 2 * N * (4 * C * C + 2 * C * I) * (L - 1) + 2 * N * 2 * C * C + 2 * B * (2 * C * C + 2 * C * I)
            + 2 * B * C * C
        let stepFLOP = 3 * forwardFLOP
        let gemmRate = calibrateGEMM(rows: Int(N), inner: Int(C), outer: Int(I))
        print("model \(folder.lastPathComponent), \(classifier.parameters.count) parameters, BLAS \(BLAS.coreName), \(Parallel.threads) threads")
        print(String(format: "batch %d, %.1f tokens/example: %.1f examples/s (%.0f tokens/s); per step %.0f ms forward+backward, %.0f ms clip+AdamW+zero",
                     batchSize, Double(tokens) / Double(examples), Double(examples) / total, Double(tokens) / total,
                     1000 * forwardBackward / Double(steps), 1000 * optimiser / Double(steps)))
        print(String(format: "fastest step: %.1f examples/s", bestRate))
        // CPU time hardly depends on how busy the machine is: examples per CPU-second × cores bounds what an idle
        // machine reaches (spinning BLAS threads inflate CPU time under load, so it errs low).
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        print(String(format: "CPU time %.0f ms/step → %.1f examples per CPU-second; idle-machine estimate on %d cores: %.0f examples/s",
                     1000 * cpuSeconds / Double(steps), Double(examples) / cpuSeconds, Int(cores),
                     cores * Double(examples) / cpuSeconds))
        print(String(format: "GEMM work %.1f GFLOP/step → %.1f GF/s overall; a plain (%d×%d)·(%d×%d) sgemm runs at %.1f GF/s now: training at %.0f%% of GEMM speed",
                     stepFLOP / 1e9, stepFLOP * Double(steps) / total / 1e9, Int(N), Int(C), Int(C), Int(I), gemmRate / 1e9,
                     100 * stepFLOP * Double(steps) / total / gemmRate))
    }

    /// FLOP/s of a BERT-shaped sgemm on this machine right now (the ceiling the training step is measured against).
    func calibrateGEMM(rows: Int, inner: Int, outer: Int) -> Double {
        let a = [Float](repeating: 0.5, count: rows * inner), b = [Float](repeating: 0.25, count: outer * inner)
        var c = [Float](repeating: 0, count: rows * outer)
        let repeats = 20
        let t0 = Date()
        for _ in 0..<repeats {
            sgemm(.none, .transposed, m: rows, n: outer, k: inner, a: a, lda: inner, b: b, ldb: inner, c: &c, ldc: outer)
        }
        return 2 * Double(rows * inner * outer * repeats) / Date().timeIntervalSince(t0)
    }
}
