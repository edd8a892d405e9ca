import Foundation
import SentimentCore

/// The fine-tuning loop (HF `Trainer` semantics, llm.c style): length-bucketed shuffled batches, forward/backward,
/// gradient clipping, AdamW with a warm-up schedule, dev evaluation after every epoch, early stopping, the best
/// model exported as an HF folder, checkpoints for an exact `resume`, a JSONL metrics log and a progress line.
///
///     let trainer = try Trainer(model: model, labels: ["negative", "positive"], train: train, dev: dev,
///                               configuration: configuration, tokenizerFolder: base, output: out)
///     let summary = try trainer.run()          // or run(resume: true) after an interruption
///
/// Files: `output` is the best model's HF folder (replaced atomically whenever dev improves); the checkpoint and
/// `metrics.jsonl` live in `TrainerPaths.workFolder`, a hidden sibling (`.NAME.training`), so the model folder only
/// ever holds a complete model.
public final class Trainer {
    public let model: TrainableClassifier
    public let labels: [String]
    public let configuration: TrainerConfiguration
    public let paths: TrainerPaths
    /// Show the progress line on stderr.
    public var showProgress = true
    /// Extra messages (epoch results, checkpoint paths) go through here; defaults to the progress line's stderr.
    public var log: ((String) -> Void)?
    let train: [TrainingExample]
    let dev: [TrainingExample]
    let tokenizerFolder: URL

    public init(
        model: TrainableClassifier, labels: [String], train: [TrainingExample], dev: [TrainingExample],
        configuration: TrainerConfiguration, tokenizerFolder: URL, output: URL
    ) throws {
        try configuration.validate()
        guard labels.count >= 2 else { throw TrainerError.tooFewClasses(labels) }
        guard !train.isEmpty else { throw TrainerError.emptySplit("train") }
        guard !dev.isEmpty else { throw TrainerError.emptySplit("dev") }
        self.model = model
        self.labels = labels
        self.configuration = configuration
        // `limit` counts labelled examples; distillation's unlabelled ones (label −1) all stay.
        self.train = configuration.limit.map { limit in
            Array(train.filter { $0.label >= 0 }.prefix(limit)) + train.filter { $0.label < 0 }
        } ?? train
        self.dev = dev
        self.tokenizerFolder = tokenizerFolder
        self.paths = TrainerPaths(output: output)
        if configuration.freezeLayers > 0 { model.freeze(FreezePolicy(lowerLayers: configuration.freezeLayers)) }
        if configuration.labelSmoothing > 0 { model.loss = .softmaxCrossEntropy(labelSmoothing: configuration.labelSmoothing) }
        if let d = configuration.distillation { model.loss = .distillation(temperature: d.temperature, alpha: d.alpha) }
    }

    /// Trains (or resumes) to the end or to early stopping; leaves the best epoch's weights in `model` and in
    /// `paths.model`. `stopAfterSteps` ends the run abruptly after that many steps in total, as a crash would
    /// (nothing is saved at that point): for testing `resume`.
    @discardableResult
    public func run(resume: Bool = false, stopAfterSteps: Int? = nil) throws -> TrainingSummary {
        try withTrainingPrecision(configuration.precision ?? .fp32) {
            try runSteps(resume: resume, stopAfterSteps: stopAfterSteps)
        }
    }

    private func runSteps(resume: Bool, stopAfterSteps: Int?) throws -> TrainingSummary {
        let wallStart = Date()
        var state = resume ? try resumedState() : freshState()
        try FileManager.default.createDirectory(at: paths.workFolder, withIntermediateDirectories: true)
        var optimizer = state.optimizer
        // The loop's `optimizer` owns the moments; a second reference would make the first update copy them.
        state.optimizer = optimizer.withoutMoments
        let schedule = configuration.lrSchedule(totalSteps: state.totalSteps)
        let metricsLog = try MetricsLog(url: paths.metricsLog, resumingAtStep: resume ? state.step : nil)
        let progress = TrainingProgress(totalSteps: state.totalSteps, enabled: showProgress)
        let say: (String) -> Void = { [log] text in
            guard let log else { return progress.message(text) }
            progress.clearLine()
            log(text)
        }
        if resume {
            say("resuming at step \(state.step) (epoch \(state.epoch), batch \(state.nextBatch + 1)/\(state.plan.count))")
        } else if FileManager.default.fileExists(atPath: paths.checkpoint.path) {
            say("an interrupted run's checkpoint exists in \(paths.workFolder.path): starting over (--resume continues it)")
        }
        progress.start()
        var runExamples = 0, runSeconds = 0.0
        let lrMultipliers = configuration.layerDecay.flatMap { $0 < 1 ? model.layerwiseLRMultipliers(decay: $0) : nil }

        while state.epoch <= configuration.epochs {
            while state.nextBatch < state.plan.count {
                let indices = state.plan[state.nextBatch]
                let batch = TrainingBatch(train, indices: indices)
                let started = Date()
                let (loss, _) = try model.forwardBackward(batch, training: true)
                let gradNorm = clipGradientNorm(model.parameters, maxNorm: configuration.maxGradNorm ?? .infinity)
                // LambdaLR semantics: the multiplier of the k-th update uses k-1 steps taken.
                let lr = schedule.learningRate(base: configuration.learningRate, step: optimizer.step)
                optimizer.update(model.parameters, lr: lr, lrMultipliers: lrMultipliers)
                model.parameters.zeroGradients()
                let seconds = Date().timeIntervalSince(started)

                state.step += 1
                state.nextBatch += 1
                state.epochLossSum += Double(loss) * Double(indices.count)
                state.epochExamples += indices.count
                state.epochSeconds += seconds
                runExamples += indices.count
                runSeconds += seconds
                metricsLog.append(.step(step: state.step, epoch: state.epoch, learningRate: lr, loss: loss,
                                        gradNorm: gradNorm, examplesPerSecond: Double(indices.count) / max(seconds, 1e-9)))
                progress.step(state.step, epoch: state.epoch, epochs: configuration.epochs, loss: loss,
                              batchExamples: indices.count)
                if let stopAfterSteps, state.step >= stopAfterSteps {
                    return summary(state, optimizer: optimizer, wallStart: wallStart, runExamples: runExamples,
                                   runSeconds: runSeconds, interrupted: true)
                }
                if let every = configuration.checkpointEverySteps, state.step % every == 0, state.nextBatch < state.plan.count {
                    state.dropout = model.dropout
                    try TrainerCheckpoint.write(state, model: model, optimizer: optimizer, to: paths.checkpoint)
                }
            }

            // End of epoch: evaluate on dev, keep the best model, decide whether to go on.
            let devMetrics = try evaluate(dev).metrics
            let improved = state.earlyStopping.record(epoch: state.epoch, devMetrics)
            state.devHistory.append(devMetrics)
            let trainLoss = state.epochLossSum / Double(max(state.epochExamples, 1))
            metricsLog.append(.epoch(step: state.step, epoch: state.epoch, dev: devMetrics, trainLoss: trainLoss,
                                     seconds: state.epochSeconds,
                                     examplesPerSecond: Double(state.epochExamples) / max(state.epochSeconds, 1e-9)))
            say(String(format: "epoch %d/%d: train loss %.4f, dev accuracy %.2f %%, macro-F1 %.2f %%, loss %.4f, %.0f s%@",
                       state.epoch, configuration.epochs, trainLoss, 100 * devMetrics.accuracy, 100 * devMetrics.macroF1,
                       devMetrics.loss ?? .nan, state.epochSeconds, improved ? " (best so far)" : ""))
            if improved {
                try HFExport.write(model, labels: labels, tokenizerFrom: tokenizerFolder, to: paths.model,
                                   extraFiles: ["training_args.json": try JSONEncoder.sorted.encode(configuration)])
            }
            state.trainingSeconds += state.epochSeconds
            state.epoch += 1
            state.nextBatch = 0
            state.epochLossSum = 0
            state.epochExamples = 0
            state.epochSeconds = 0
            state.plan = state.epoch <= configuration.epochs ? drawPlan(&state.shuffle) : []
            state.dropout = model.dropout
            try TrainerCheckpoint.write(state, model: model, optimizer: optimizer, to: paths.checkpoint)
            if state.earlyStopping.shouldStop {
                say("early stopping: no dev improvement for \(state.earlyStopping.epochsWithoutImprovement) epoch(s)")
                break
            }
        }

        // Leave the best epoch's weights in the model (the export holds them).
        if state.earlyStopping.bestEpoch != state.devHistory.count {
            try HFExport.loadParameters(from: paths.model, into: model)
        }
        return summary(state, optimizer: optimizer, wallStart: wallStart, runExamples: runExamples,
                       runSeconds: runSeconds, interrupted: false)
    }

    /// Accuracy, macro-F1 and mean loss on `examples` (no dropout), with the logits in the examples' order.
    public func evaluate(_ examples: [TrainingExample]) throws -> (metrics: ClassificationMetrics, logits: [[Float]]) {
        let (logits, meanLoss) = try Self.predict(model, examples, batchSize: configuration.evalBatchSize)
        let metrics = ClassificationMetrics(
            predictions: argmaxRows(logits), labels: examples.map(\.label), numClasses: labels.count, loss: meanLoss)
        return (metrics, logits)
    }

    /// Logits (in the examples' order) and mean loss, in length-sorted batches of `batchSize`. The same examples
    /// and batch size give bitwise the same logits (GEMM summation order depends on the batch's shape).
    public static func predict(
        _ model: TrainableClassifier, _ examples: [TrainingExample], batchSize: Int
    ) throws -> (logits: [[Float]], meanLoss: Double) {
        var logits = [[Float]](repeating: [], count: examples.count)
        var lossSum = 0.0
        for indices in LengthBucketedBatches.sequential(lengths: examples.map(\.ids.count), batchSize: batchSize) {
            let (loss, batchLogits) = try model.evaluate(TrainingBatch(examples, indices: indices))
            lossSum += Double(loss) * Double(indices.count)
            for (i, row) in zip(indices, batchLogits) { logits[i] = row }
        }
        return (logits, lossSum / Double(max(examples.count, 1)))
    }

    func drawPlan(_ rng: inout SeededGenerator) -> [[Int]] {
        LengthBucketedBatches.plan(lengths: train.map(\.ids.count), batchSize: configuration.batchSize, rng: &rng)
    }

    func freshState() -> TrainerState {
        // The data order has its own stream, so changing dropout or head initialisation does not change it.
        var shuffle = SeededGenerator(seed: SeededGenerator.mix(configuration.seed ^ 0xDA7A_0DE5))
        let plan = drawPlan(&shuffle)
        let totalSteps = configuration.epochs * configuration.stepsPerEpoch(trainCount: train.count)
        return TrainerState(
            configuration: configuration, labels: labels, trainCount: train.count, step: 0, totalSteps: totalSteps,
            epoch: 1, nextBatch: 0, plan: plan, shuffle: shuffle, dropout: model.dropout,
            optimizer: model.lora != nil ? AdamW(trainableOf: model.parameters, weightDecay: configuration.weightDecay)
                : AdamW(parameterCount: model.parameters.count, weightDecay: configuration.weightDecay),
            earlyStopping: EarlyStopping(metric: configuration.selectionMetric, patience: configuration.patience),
            epochLossSum: 0, epochExamples: 0, trainingSeconds: 0, epochSeconds: 0, devHistory: [])
    }

    func resumedState() throws -> TrainerState {
        let state = try TrainerCheckpoint.read(from: paths.checkpoint, into: model)
        if state.configuration != configuration { throw TrainerError.resumeMismatch("the configuration") }
        if state.labels != labels { throw TrainerError.resumeMismatch("the label set") }
        if state.trainCount != train.count { throw TrainerError.resumeMismatch("the number of training examples") }
        return state
    }

    func summary(
        _ state: TrainerState, optimizer: AdamW, wallStart: Date, runExamples: Int, runSeconds: Double, interrupted: Bool
    ) -> TrainingSummary {
        let best = state.earlyStopping.bestEpoch
        return TrainingSummary(
            steps: state.step, epochsCompleted: state.devHistory.count, bestEpoch: best,
            bestDev: best.map { state.devHistory[$0 - 1] }, devHistory: state.devHistory,
            trainingSeconds: state.trainingSeconds + state.epochSeconds,
            examplesPerSecond: Double(runExamples) / max(runSeconds, 1e-9),
            wallSeconds: Date().timeIntervalSince(wallStart),
            stoppedEarly: state.earlyStopping.shouldStop, interrupted: interrupted)
    }
}

/// Where a run writes: the model folder and its hidden work folder (checkpoint, metrics log).
public struct TrainerPaths: Sendable, Equatable {
    /// The exported HF folder (best model).
    public var model: URL
    /// `.NAME.training` next to the model folder.
    public var workFolder: URL
    public var checkpoint: URL { workFolder.appendingPathComponent("checkpoint") }
    public var metricsLog: URL { workFolder.appendingPathComponent("metrics.jsonl") }

    public init(output: URL) {
        model = output.standardizedFileURL
        workFolder = model.deletingLastPathComponent().appendingPathComponent(".\(model.lastPathComponent).training")
    }
}

/// What a run achieved (dev metrics of the best epoch, speed); `FineTuning` adds the test metrics.
public struct TrainingSummary: Codable, Sendable, Equatable {
    public var steps: Int
    public var epochsCompleted: Int
    public var bestEpoch: Int?
    public var bestDev: ClassificationMetrics?
    public var devHistory: [ClassificationMetrics]
    /// Seconds spent in training steps (all runs, resumed ones included), excluding evaluation.
    public var trainingSeconds: Double
    /// Training examples per second in this run (forward + backward + optimiser).
    public var examplesPerSecond: Double
    /// Wall time of this run, evaluation and saving included.
    public var wallSeconds: Double
    public var stoppedEarly: Bool
    /// True when `stopAfterSteps` ended the run.
    public var interrupted: Bool
}
