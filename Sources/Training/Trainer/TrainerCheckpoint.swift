import Foundation
import SentimentCore
import SentimentModels
import SentimentTensor

/// Everything besides the big arrays that a resumed run needs to continue EXACTLY where the checkpoint was taken.
public struct TrainerState: Codable, Sendable, Equatable {
    public var configuration: TrainerConfiguration
    public var labels: [String]
    /// Training examples used (after `limit`): a resume with different data is refused.
    public var trainCount: Int
    /// Optimiser steps taken so far.
    public var step: Int
    public var totalSteps: Int
    /// Epoch in progress (1-based) and the index of the next batch of `plan` to run.
    public var epoch: Int
    public var nextBatch: Int
    /// This epoch's data order: batches of training-example indices.
    public var plan: [[Int]]
    /// Data-order generator after drawing `plan` (draws the next epochs' orders).
    public var shuffle: SeededGenerator
    public var dropout: DropoutRNG
    /// AdamW step and hyperparameters (moments live in the checkpoint's safetensors file).
    public var optimizer: AdamW
    public var earlyStopping: EarlyStopping
    /// Running sums for this epoch's mean training loss.
    public var epochLossSum: Double
    public var epochExamples: Int
    /// Training seconds before this epoch's start and within it (excluding evaluation), for examples/s and ETA.
    public var trainingSeconds: Double
    public var epochSeconds: Double
    /// Dev metrics of every finished epoch.
    public var devHistory: [ClassificationMetrics]
}

/// A checkpoint folder: `trainer_state.json` + `state.safetensors` (all parameters flat, AdamW m and v).
/// Written atomically; about 3× the model size (a LoRA run's: 3× its trainable part).
public enum TrainerCheckpoint {
    static let stateFile = "trainer_state.json"
    static let tensorsFile = "state.safetensors"

    public static func write(_ state: TrainerState, model: TrainableClassifier, optimizer: AdamW, to folder: URL) throws {
        var header = state
        header.optimizer = optimizer.withoutMoments
        let json = try JSONEncoder.sorted.encode(header)
        var tensors = optimizer.stateTensors()
        if model.lora != nil {
            // The base is frozen and reloaded from its folder: only the adapters and the head change.
            let values = model.parameters.trainableValues()
            tensors["trainable_parameters"] = Tensor(shape: [values.count], data: values)
        } else {
            tensors["parameters"] = Tensor(shape: [model.parameters.count], data: model.parameters.flatValues())
        }
        try AtomicFolder.write(to: folder) { temporary in
            try SafeTensors.write(tensors, to: temporary.appendingPathComponent(tensorsFile))
            try json.write(to: temporary.appendingPathComponent(stateFile))
        }
    }

    /// Reads a checkpoint into `model` and returns its state with the full optimiser (moments restored).
    public static func read(from folder: URL, into model: TrainableClassifier) throws -> TrainerState {
        let stateURL = folder.appendingPathComponent(stateFile)
        guard FileManager.default.fileExists(atPath: stateURL.path) else {
            throw TrainerError.noCheckpoint(folder.path)
        }
        var state: TrainerState
        do {
            state = try JSONDecoder().decode(TrainerState.self, from: Data(contentsOf: stateURL))
        } catch {
            throw TrainerError.corruptCheckpoint(path: stateURL.path, reason: "\(error)")
        }
        let file = try SafeTensorsFile(contentsOf: folder.appendingPathComponent(tensorsFile))
        if model.lora != nil {
            guard file.info("trainable_parameters") != nil else { throw TrainingError.missingWeight("trainable_parameters") }
            try model.parameters.load(trainableValues: file.tensor("trainable_parameters").storage)
        } else {
            guard file.info("parameters") != nil else { throw TrainingError.missingWeight("parameters") }
            try model.parameters.load(flatValues: file.tensor("parameters").storage)
        }
        var optimizer = state.optimizer
        try optimizer.load(stateTensors: ["adamw.m": file.tensor("adamw.m"), "adamw.v": file.tensor("adamw.v")])
        state.optimizer = optimizer
        model.dropout = state.dropout
        return state
    }
}

extension JSONEncoder {
    /// Pretty, key-sorted JSON (stable diffs, readable files).
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }
}
