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
    @Option(name: .long, parsing: .upToNextOption,
            help: "Number formats of the GEMMs to measure: fp32 (BLAS), bf16 (fp32 master weights); several alternate in rounds.")
    var precision: [Precision] = [.fp32]
    @Option(help: "Rounds of all --precision values, alternated (for a ratio measured in one run).") var rounds = 1
    @Flag(help: "Also time LoRA steps (r 8, alpha 16, query and value; base frozen), alternating with full steps, and print their ratio.")
    var lora = false

    func validate() throws {
        guard steps >= 1, batchSize >= 1, meanTokens >= 2, rounds >= 1 else {
            throw ValidationError("--steps, --batch-size and --rounds must be ≥ 1, --mean-tokens ≥ 2")
        }
        if precision.contains(.int8) { throw ValidationError("training runs in fp32 or bf16 (int8 is for inference)") }
    }

    func run() throws {
        let folder = try ModelLocator.folder(for: model ?? ModelLocator.defaultEmbedder)
        if let threads { Bench.setThreads(threads) }
        let classifier = try TrainableClassifier(folder: folder, numLabels: 2, seed: 1)
        var adam = AdamW(parameterCount: classifier.parameters.count, weightDecay: 0.01)
        let adapted = try lora ? TrainableClassifier(folder: folder, numLabels: 2, seed: 1, lora: LoRAConfiguration()) : nil
        var loraAdam = adapted.map { AdamW(trainableOf: $0.parameters, weightDecay: 0.01) }
        let vocab = UInt64(classifier.config.vocabSize)
        let batchSize = batchSize, meanTokens = meanTokens
        // The same batches for every timed run (seed 7), so precisions and rounds compare like for like.
        func batches() -> () -> TrainingBatch {
            var rng = SeededGenerator(seed: 7)
            return {
                let sequences: [[Int32]] = (0..<batchSize).map { _ in
                    let length = meanTokens / 2 + Int(rng.next() % UInt64(meanTokens + 1))
                    return [101] + (0..<max(0, length - 2)).map { _ in Int32(1000 + rng.next() % (vocab - 1000)) } + [102]
                }
                return TrainingBatch(sequences: sequences, labels: sequences.map { _ in Int(rng.next() % 2) })
            }
        }
        print("model \(folder.lastPathComponent), \(classifier.parameters.count) parameters, BLAS \(BLAS.coreName), \(Parallel.threads) threads")
        print(KernelPath.summary)
        var rates: [Precision: [Double]] = [:], loraRates: [Precision: [Double]] = [:]
        for round in 1...rounds {
            for format in precision {
                if rounds > 1 || precision.count > 1 || lora { print("round \(round), \(format.rawValue)\(lora ? ", full fine-tuning" : ""):") }
                let rate = try withTrainingPrecision(format) { try timedSteps(classifier, &adam, batches()) }
                rates[format, default: []].append(rate)
                if let adapted, var state = loraAdam {
                    print("round \(round), \(format.rawValue), LoRA (\(adapted.parameters.trainableCount) trainable parameters):")
                    loraRates[format, default: []].append(try withTrainingPrecision(format) { try timedSteps(adapted, &state, batches()) })
                    loraAdam = state
                }
            }
        }
        for format in precision where lora {
            let ratios = zip(loraRates[format]!, rates[format]!).map { $0 / $1 }.sorted()
            print(String(format: "%@: LoRA / full examples/s: median ratio %.3f over %d rounds (%@)", format.rawValue,
                         ratios[ratios.count / 2], ratios.count, ratios.map { String(format: "%.2f", $0) }.joined(separator: ", ")))
        }
        if let first = precision.first, precision.count > 1 {
            for format in precision.dropFirst() {
                let ratios = zip(rates[format]!, rates[first]!).map { $0 / $1 }.sorted()
                print(String(format: "%@ / %@ examples/s: median ratio %.3f over %d rounds (%@)", format.rawValue, first.rawValue,
                             ratios[ratios.count / 2], ratios.count, ratios.map { String(format: "%.2f", $0) }.joined(separator: ", ")))
            }
        }
    }

    /// Two warm-up steps, then `steps` timed ones; prints the step's figures and returns examples/s.
    private func timedSteps(_ classifier: TrainableClassifier, _ adam: inout AdamW, _ batch: () -> TrainingBatch) throws -> Double {
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
        // Backward: dX and dW GEMMs; a LoRA step has no dW GEMM for the frozen weights (its adapters' are negligible).
        let stepFLOP = (classifier.lora == nil ? 3 : 2) * forwardFLOP
        let gemmGigaflops = Bench.sgemmGigaflops(rows: Int(N), inFeatures: Int(C), outFeatures: Int(I))
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
                     stepFLOP / 1e9, stepFLOP * Double(steps) / total / 1e9, Int(N), Int(C), Int(C), Int(I), gemmGigaflops,
                     100 * stepFLOP * Double(steps) / total / 1e9 / gemmGigaflops))
        return Double(examples) / total
    }
}
