import SentimentTensor

/// Every trainable parameter of a model in ONE contiguous Float32 allocation, plus one gradient allocation of the same
/// size, with named views (llm.c style): the optimiser and gradient clipping are single loops over `values`/`grads`.
///
/// Names are Hugging Face keys (e.g. `bert.encoder.layer.0.attention.self.query.weight`), so export to
/// `model.safetensors` is a straight copy. A reference type on purpose: `values` and `grads` are stable pointers that the
/// forward/backward kernels hold for the duration of a step.
public final class ParameterStore: @unchecked Sendable {
    /// One named tensor inside the store.
    public struct Entry: Codable, Sendable, Equatable {
        /// Hugging Face key.
        public let name: String
        public let shape: [Int]
        /// Offset (in floats) of the first element inside `values` / `grads`.
        public let offset: Int
        /// Number of elements.
        public let count: Int
        /// Whether AdamW applies weight decay (false for biases and LayerNorm weights, as the HF Trainer does).
        public let decays: Bool
        /// False when frozen: no gradient is computed for it and the optimiser leaves it untouched.
        public internal(set) var trainable: Bool
    }

    public private(set) var entries: [Entry]
    /// Total number of floats (all entries).
    public let count: Int
    /// Parameter values, `count` floats.
    public let values: UnsafeMutablePointer<Float>
    /// Gradients, `count` floats; backward ACCUMULATES here (call `zeroGradients()` after each optimiser step).
    public let grads: UnsafeMutablePointer<Float>
    private let index: [String: Int]

    /// Lays out the given (name, shape) list in order, zero-filled. `decays` defaults to the HF Trainer rule.
    public init(layout: [(name: String, shape: [Int])]) {
        var entries: [Entry] = []
        var offset = 0
        for (name, shape) in layout {
            let n = shape.reduce(1, *)
            entries.append(Entry(name: name, shape: shape, offset: offset, count: n,
                                 decays: ParameterStore.decays(name), trainable: true))
            offset += n
        }
        self.entries = entries
        self.count = offset
        values = .allocate(capacity: max(offset, 1))
        values.initialize(repeating: 0, count: max(offset, 1))
        grads = .allocate(capacity: max(offset, 1))
        grads.initialize(repeating: 0, count: max(offset, 1))
        var index: [String: Int] = [:]
        for (i, e) in entries.enumerated() {
            precondition(index[e.name] == nil, "duplicate parameter name \(e.name)")
            index[e.name] = i
        }
        self.index = index
    }

    deinit {
        values.deallocate()
        grads.deallocate()
    }

    /// HF Trainer: no weight decay for biases and LayerNorm parameters (`get_decay_parameter_names`, which goes by
    /// module type: DistilBERT's `sa_layer_norm` / `output_layer_norm` are LayerNorms too).
    public static func decays(_ name: String) -> Bool {
        !(name.hasSuffix("bias") || name.contains("LayerNorm") || name.contains("layer_norm") || name.hasSuffix(".beta")
          || name.hasSuffix(".gamma"))
    }

    /// The entry called `name`, if any.
    public func entry(_ name: String) -> Entry? {
        index[name].map { entries[$0] }
    }

    /// Pointer to the values of `name` (precondition: it exists).
    public func pointer(_ name: String) -> UnsafeMutablePointer<Float> {
        guard let e = entry(name) else { preconditionFailure("no parameter \(name)") }
        return values + e.offset
    }

    /// A copy of the values of `name`.
    public func value(_ name: String) -> Tensor? {
        guard let e = entry(name) else { return nil }
        return Tensor(shape: e.shape, data: Array(UnsafeBufferPointer(start: values + e.offset, count: e.count)))
    }

    /// A copy of the gradient of `name`.
    public func gradient(_ name: String) -> Tensor? {
        guard let e = entry(name) else { return nil }
        return Tensor(shape: e.shape, data: Array(UnsafeBufferPointer(start: grads + e.offset, count: e.count)))
    }

    /// Overwrites the values of `name`; the shape must match.
    public func setValue(_ name: String, _ tensor: Tensor) throws {
        guard let e = entry(name) else { throw TrainingError.unknownParameter(name) }
        guard e.shape == tensor.shape else {
            throw TrainingError.shapeMismatch(name: name, expected: e.shape, got: tensor.shape)
        }
        tensor.withUnsafeBufferPointer { (values + e.offset).update(from: $0.baseAddress!, count: e.count) }
    }

    /// All values as one flat array (checkpoints); `load(flatValues:)` is the inverse.
    public func flatValues() -> [Float] { Array(UnsafeBufferPointer(start: values, count: count)) }

    /// Restores all values from `flatValues()` output.
    public func load(flatValues: [Float]) throws {
        guard flatValues.count == count else {
            throw TrainingError.shapeMismatch(name: "<all parameters>", expected: [count], got: [flatValues.count])
        }
        flatValues.withUnsafeBufferPointer { values.update(from: $0.baseAddress!, count: count) }
    }

    /// The trainable entries' values, in store order (a checkpoint of a run whose other entries are frozen).
    public func trainableValues() -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(trainableCount)
        for e in entries where e.trainable { out += UnsafeBufferPointer(start: values + e.offset, count: e.count) }
        return out
    }

    /// Restores `trainableValues()` output (same entries trainable).
    public func load(trainableValues: [Float]) throws {
        guard trainableValues.count == trainableCount else {
            throw TrainingError.shapeMismatch(name: "<trainable parameters>", expected: [trainableCount], got: [trainableValues.count])
        }
        var offset = 0
        trainableValues.withUnsafeBufferPointer { source in
            for e in entries where e.trainable {
                (values + e.offset).update(from: source.baseAddress! + offset, count: e.count)
                offset += e.count
            }
        }
    }

    /// grads = 0.
    public func zeroGradients() { grads.update(repeating: 0, count: count) }

    /// Marks every entry whose name satisfies `predicate` as frozen (true) or trainable (false); frozen gradients are zeroed.
    public func setFrozen(_ frozen: Bool, where predicate: (String) -> Bool) {
        for i in entries.indices where predicate(entries[i].name) {
            entries[i].trainable = !frozen
            if frozen { (grads + entries[i].offset).update(repeating: 0, count: entries[i].count) }
        }
    }

    /// Number of trainable floats.
    public var trainableCount: Int { entries.reduce(0) { $0 + ($1.trainable ? $1.count : 0) } }
}
