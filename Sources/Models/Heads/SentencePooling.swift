import Foundation
import SentimentTensor

/// Sentence embeddings as sentence-transformers computes them: pool the last hidden states of each sequence
/// (`1_Pooling/config.json`), then L2-normalise when the folder's `modules.json` lists a Normalize module.
public struct SentencePooling: Sendable, Equatable {
    public enum Mode: String, Sendable {
        /// Mean over the sequence's tokens (all real tokens, specials included, as sentence-transformers does).
        case mean
        /// The first token ([CLS] / <s>).
        case cls
        /// Elementwise max over tokens.
        case max
        /// Sum divided by √length.
        case meanSqrtLength
    }

    public var mode: Mode
    public var normalize: Bool

    public init(mode: Mode = .mean, normalize: Bool = true) {
        self.mode = mode
        self.normalize = normalize
    }

    /// Reads `1_Pooling/config.json` and `modules.json` from a sentence-transformers folder. Without them: mean
    /// pooling, normalised (the common choice for embedding models).
    public init(folder: URL) throws {
        self.init()
        let poolingFile = folder.appendingPathComponent("1_Pooling/config.json")
        if let data = try? Data(contentsOf: poolingFile) {
            struct Raw: Decodable {
                var pooling_mode_cls_token: Bool?
                var pooling_mode_mean_tokens: Bool?
                var pooling_mode_max_tokens: Bool?
                var pooling_mode_mean_sqrt_len_tokens: Bool?
            }
            let raw: Raw
            do { raw = try JSONDecoder().decode(Raw.self, from: data) } catch {
                throw ModelError.invalidConfig("\(poolingFile.path): \(error)")
            }
            let modes: [(Bool?, Mode)] = [(raw.pooling_mode_mean_tokens, .mean), (raw.pooling_mode_cls_token, .cls),
                                          (raw.pooling_mode_max_tokens, .max), (raw.pooling_mode_mean_sqrt_len_tokens, .meanSqrtLength)]
            let chosen = modes.filter { $0.0 == true }.map(\.1)
            guard chosen.count == 1 else {
                throw ModelError.invalidConfig("\(poolingFile.path): exactly one pooling mode must be set (found \(chosen.count))")
            }
            mode = chosen[0]
        }
        let modulesFile = folder.appendingPathComponent("modules.json")
        if let data = try? Data(contentsOf: modulesFile) {
            struct Module: Decodable { var type: String }
            let modules: [Module]
            do { modules = try JSONDecoder().decode([Module].self, from: data) } catch {
                throw ModelError.invalidConfig("\(modulesFile.path): \(error)")
            }
            normalize = modules.contains { $0.type.hasSuffix(".Normalize") }
        }
    }

    /// embeddings[B, C] from hidden [N, C].
    func forward(_ hidden: UnsafePointer<Float>, batch: PackedBatch, width c: Int) -> Tensor {
        var result = Tensor(shape: [batch.count, c])
        result.withUnsafeMutableBufferPointer { buffer in
            for b in 0..<batch.count {
                let out = buffer.baseAddress! + b * c, rows = batch.rows(of: b)
                switch mode {
                case .cls:
                    out.update(from: hidden + rows.lowerBound * c, count: c)
                case .max:
                    out.update(from: hidden + rows.lowerBound * c, count: c)
                    for row in rows.dropFirst() {
                        for j in 0..<c { out[j] = Swift.max(out[j], hidden[row * c + j]) }
                    }
                case .mean, .meanSqrtLength:
                    for row in rows { Kernels.addInPlace(out, hidden + row * c, count: c) }
                    let divisor = mode == .mean ? Float(rows.count) : Float(rows.count).squareRoot()
                    for j in 0..<c { out[j] /= divisor }
                }
                if normalize {
                    // torch.nn.functional.normalize: x / max(‖x‖, 1e-12).
                    var squares: Float = 0
                    for j in 0..<c { squares += out[j] * out[j] }
                    let inverse = 1 / Swift.max(squares.squareRoot(), 1e-12)
                    for j in 0..<c { out[j] *= inverse }
                }
            }
        }
        return result
    }
}
