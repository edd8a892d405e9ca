import Foundation
import SentimentCore
import SentimentTensor

/// One parameter of a loaded model: a read-only pointer into `WeightStorage` plus its shape.
///
/// F32 tensors of a memory-mapped checkpoint are used in place (no copy); converted (F16/BF16) or fused tensors live in
/// memory the storage owns. The model keeps its storage alive, so the pointer is valid as long as the model is.
public struct Weight: @unchecked Sendable {
    public let pointer: UnsafePointer<Float>
    public let shape: [Int]
    public var count: Int { shape.reduce(1, *) }

    /// A view of `shape` floats at `pointer` (e.g. inside a trainer's parameter store); the owner keeps it alive.
    package init(pointer: UnsafePointer<Float>, shape: [Int]) {
        self.pointer = pointer
        self.shape = shape
    }

    /// A copy as a Tensor (for inspection and export; the model itself never copies).
    public func tensor() -> Tensor {
        Tensor(shape: shape, data: Array(UnsafeBufferPointer(start: pointer, count: count)))
    }
}

/// Owns the memory behind every `Weight` of a model: read-only file mappings and Float allocations.
/// Immutable once loading has finished, hence safe to share between threads.
final class WeightStorage: @unchecked Sendable {
    private var mappings: [(address: UnsafeMutableRawPointer, length: Int)] = []
    private var allocations: [UnsafeMutableBufferPointer<Float>] = []

    /// Maps `url` read-only; returns its first byte. Pages are read lazily by the OS and shared between processes.
    func map(_ url: URL) throws -> UnsafeRawPointer {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw ModelError.missingFile(url.path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0 else { throw ModelError.weights("\(url.path): cannot stat or empty") }
        let length = Int(info.st_size)
        guard let address = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED else {
            throw ModelError.weights("\(url.path): mmap failed (errno \(errno))")
        }
        mappings.append((address, length))
        return UnsafeRawPointer(address)
    }

    /// A zero-filled buffer of `count` floats owned by this storage.
    func allocate(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(count, 1))
        buffer.initialize(repeating: 0)
        allocations.append(buffer)
        return UnsafeMutableBufferPointer(rebasing: buffer[0..<count])
    }

    deinit {
        for (address, length) in mappings { munmap(address, length) }
        for buffer in allocations { buffer.deallocate() }
    }
}

/// Where checkpoint tensors come from: a safetensors file (memory-mapped) or tensors already in memory.
package enum WeightSource {
    case safetensors(URL)
    case tensors([String: Tensor])
}

/// Walks a checkpoint by HF key, strictly: each requested tensor must exist with the expected shape, and
/// `unusedKeys` reports every tensor nobody asked for. Mirrors what `PreTrainedModel.from_pretrained` checks
/// (modeling_utils.py), minus random initialisation: a missing tensor is an error, never silently invented. The one
/// checkpoint loader: inference's `AutoModel` reads through it, and so does the trainer's parameter store
/// (`resolve(_:)` holds HF's key renames for both).
package final class CheckpointReader {
    let storage = WeightStorage()
    /// Precision the encoder's linear layers are packed in (`LoadOptions.precision`); heads stay fp32.
    var precision: Precision = .fp32
    /// Key prefix of the encoder ("bert.", "roberta.", "distilbert." or "" for a bare base-model checkpoint).
    private(set) var encoderPrefix = ""
    private let file: SafeTensorsFile?
    private let fileBase: UnsafeRawPointer?
    private let inMemory: [String: Tensor]
    /// Tensors that replace or add to the checkpoint's (a LoRA adapter merged in: `LoRAAdapter.overlay`).
    private var overlay: [String: Tensor] = [:]
    private var used = Set<String>()

    package init(_ source: WeightSource) throws {
        switch source {
        case .safetensors(let url):
            guard FileManager.default.fileExists(atPath: url.path) else { throw ModelError.missingFile(url.path) }
            do {
                file = try SafeTensorsFile(contentsOf: url)
            } catch {
                throw ModelError.weights("\(error)")
            }
            // Our own read-only mapping, so F32 weights can be used in place for the model's lifetime.
            let base = try storage.map(url)
            let headerLength = Int(UInt64(littleEndian: base.loadUnaligned(as: UInt64.self)))
            fileBase = base + 8 + headerLength
            inMemory = [:]
        case .tensors(let tensors):
            file = nil
            fileBase = nil
            inMemory = tensors
        }
    }

    /// Every tensor name in the checkpoint.
    package var names: [String] {
        let own = file?.names ?? inMemory.keys.sorted()
        return overlay.isEmpty ? own : Array(Set(own).union(overlay.keys)).sorted()
    }

    package func contains(_ key: String) -> Bool {
        if overlay[key] != nil { return true }
        if let file { return file.info(key) != nil }
        return inMemory[key] != nil
    }

    /// Makes `tensors` (checkpoint keys) take the place of the checkpoint's own, or add to them.
    package func overlay(_ tensors: [String: Tensor]) {
        overlay.merge(tensors) { _, new in new }
    }

    /// Uses `prefix` for encoder keys when the checkpoint has any key under it (a head model's checkpoint),
    /// otherwise none (a base model's checkpoint), as HF's base_model_prefix handling does.
    package func detectEncoderPrefix(_ prefix: String) {
        encoderPrefix = names.contains { $0.hasPrefix(prefix) } ? prefix : ""
    }

    /// The checkpoint key of parameter `key`: itself, else its legacy TF-port spelling — `….gamma` for `….weight`,
    /// `….beta` for `….bias` (LayerNorms of old BERT checkpoints, which HF renames on load: modeling_utils.py
    /// `_fix_state_dict_key_on_load`). nil when neither is in the checkpoint.
    package func resolve(_ key: String) -> String? {
        if contains(key) { return key }
        let legacy = key.hasSuffix(".weight") ? String(key.dropLast(7)) + ".gamma" : key.hasSuffix(".bias") ? String(key.dropLast(5)) + ".beta" : nil
        return legacy.flatMap { contains($0) ? $0 : nil }
    }

    /// The checkpoint key of a model-level HF name (`bert.encoder…`, as a `*ForSequenceClassification` names it):
    /// the family prefix `basePrefix` replaced by this checkpoint's encoder prefix (HF's `base_model_prefix`
    /// handling: a bare base model's keys have none), then `resolve`d. nil when absent.
    package func key(forModelName name: String, basePrefix: String) -> String? {
        resolve(name.hasPrefix(basePrefix) ? encoderPrefix + name.dropFirst(basePrefix.count) : name)
    }

    /// Marks keys as consumed without reading them (tied copies, buffers on the ignore list).
    func markUsed(_ key: String) { used.insert(key) }

    /// The tensor at `key` (full key, no prefix added) with exactly `shape` — or, with `ignoringUnitDimensions`, a
    /// shape that differs from it only by dimensions of size 1 ([1, n] for [n]: the trainer's tolerance).
    package func weight(_ key: String, shape: [Int], ignoringUnitDimensions: Bool = false) throws -> Weight {
        func matches(_ found: [Int]) -> Bool {
            found == shape || (ignoringUnitDimensions && found.filter { $0 != 1 } == shape.filter { $0 != 1 })
        }
        let found: [Int]
        if let file, overlay[key] == nil {
            guard let info = file.info(key) else { throw ModelError.missingParameter(key) }
            found = info.shape
            guard matches(found) else { throw ModelError.shapeMismatch(name: key, expected: shape, found: found) }
            guard info.dtype.isFloatingPoint else {
                throw ModelError.weights("\(key) has dtype \(info.dtype.rawValue), expected a float type")
            }
            used.insert(key)
            let start = fileBase! + info.dataOffsets.lowerBound
            if info.dtype == .f32, Int(bitPattern: start) % MemoryLayout<Float>.alignment == 0 {
                return Weight(pointer: start.assumingMemoryBound(to: Float.self), shape: shape)
            }
            let buffer = storage.allocate(info.elementCount)
            do { try file.read(key, into: buffer) } catch { throw ModelError.weights("\(error)") }
            return Weight(pointer: UnsafePointer(buffer.baseAddress!), shape: shape)
        }
        guard let tensor = overlay[key] ?? inMemory[key] else { throw ModelError.missingParameter(key) }
        guard matches(tensor.shape) else { throw ModelError.shapeMismatch(name: key, expected: shape, found: tensor.shape) }
        used.insert(key)
        let buffer = storage.allocate(tensor.count)
        _ = tensor.withUnsafeBufferPointer { buffer.initialize(fromContentsOf: $0) }
        return Weight(pointer: UnsafePointer(buffer.baseAddress!), shape: shape)
    }

    /// Several tensors of equal column count stacked along rows into one owned buffer (e.g. Q, K, V → one [3C, C]
    /// weight, so the projection is a single GEMM).
    func concatenatedRows(_ parts: [Weight]) -> Weight {
        let cols = parts[0].shape.count == 1 ? 1 : parts[0].shape[1]
        let rows = parts.reduce(0) { $0 + $1.shape[0] }
        let buffer = storage.allocate(rows * cols)
        var offset = 0
        for part in parts {
            precondition((part.shape.count == 1 ? 1 : part.shape[1]) == cols, "concatenated parts differ in width")
            (buffer.baseAddress! + offset).update(from: part.pointer, count: part.count)
            offset += part.count
        }
        let shape = parts[0].shape.count == 1 ? [rows] : [rows, cols]
        return Weight(pointer: UnsafePointer(buffer.baseAddress!), shape: shape)
    }

    /// Keys never read, minus the ignore list (patterns are matched as key suffixes or substrings).
    func unusedKeys(ignoring patterns: [String]) -> [String] {
        names.filter { key in !used.contains(key) && !patterns.contains { key.hasSuffix($0) || key.contains($0) } }
    }
}
