import Foundation

#if _endian(big)
#error("safetensors data is little-endian; big-endian hosts are not supported")
#endif

/// Element types a safetensors file may hold here. Float types load as Float32; integer types through `int64(_:)`.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16", i64 = "I64", i32 = "I32"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .f32, .i32: return 4
        case .f16, .bf16: return 2
        case .i64: return 8
        }
    }

    /// Whether `tensor(_:)` can convert it to Float32.
    public var isFloatingPoint: Bool { self == .f32 || self == .f16 || self == .bf16 }
}

/// One tensor entry of a safetensors header.
public struct TensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: SafeTensorsDType
    public let shape: [Int]
    /// Byte range inside the data area (which starts right after the header).
    public let dataOffsets: Range<Int>

    /// Number of elements (product of the shape; 1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }
}

/// A read-only, memory-mapped safetensors file (format: 8-byte little-endian header length N, N bytes of
/// JSON header, then the raw little-endian tensor bytes; see the safetensors spec).
///
/// The header is validated strictly on open, so later reads cannot go out of bounds.
public struct SafeTensorsFile: Sendable {
    /// Largest header accepted (the reference Rust implementation uses the same 100 MB bound).
    public static let maxHeaderLength: UInt64 = 100_000_000

    public let url: URL
    /// The `__metadata__` string map (empty when absent).
    public let metadata: [String: String]
    /// Tensor names, sorted.
    public let names: [String]

    /// Byte offset of the data area in the file (8 + header length): `dataOffsets` are relative to it.
    /// Lets a caller with its own mapping of the file use aligned F32 payloads in place.
    public let dataAreaStart: Int

    private let data: Data           // whole file, memory-mapped
    private let infos: [String: TensorInfo]

    /// Memory-maps `url` and validates its header. Throws `SafeTensorsError` for malformed files.
    public init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        try self.init(data: data, url: url)
    }

    /// Parses an in-memory safetensors image (`url` only names it in errors).
    public init(data: Data, url: URL = URL(fileURLWithPath: "<memory>")) throws {
        let file = url.path
        guard data.count >= 8 else {
            throw SafeTensorsError.truncated(file: file, detail: "\(data.count) bytes, fewer than the 8-byte header length")
        }
        let headerLength = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= Self.maxHeaderLength else {
            throw SafeTensorsError.headerTooLarge(file: file, length: headerLength)
        }
        guard 8 + Int(headerLength) <= data.count else {
            throw SafeTensorsError.truncated(
                file: file, detail: "header declares \(headerLength) bytes but only \(data.count - 8) follow")
        }
        let headerBytes = data.subdata(in: data.startIndex + 8 ..< data.startIndex + 8 + Int(headerLength))
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw SafeTensorsError.invalidHeader("\(file): header does not start with '{'")
        }
        let header: RawHeader
        do {
            header = try JSONDecoder().decode(RawHeader.self, from: headerBytes)
        } catch let error as DecodingError {
            throw SafeTensorsError.invalidHeader("\(file): \(Self.explain(error))")
        } catch {
            throw SafeTensorsError.invalidHeader("\(file): \(error)")
        }

        let dataAreaSize = data.count - 8 - Int(headerLength)
        var infos: [String: TensorInfo] = [:]
        for (name, entry) in header.entries {
            infos[name] = try Self.validate(name: name, entry: entry, dataAreaSize: dataAreaSize)
        }
        try Self.checkNoOverlap(Array(infos.values))

        self.url = url
        self.data = data
        self.dataAreaStart = 8 + Int(headerLength)
        self.infos = infos
        self.names = infos.keys.sorted()
        self.metadata = header.metadata
    }

    /// dtype, shape and byte range of a tensor, or nil when absent.
    public func info(_ name: String) -> TensorInfo? { infos[name] }

    /// Loads a floating-point tensor as Float32 (F16 and BF16 are converted).
    public func tensor(_ name: String) throws -> Tensor {
        let info = try requireInfo(name)
        var result = Tensor(shape: info.shape)
        try result.withUnsafeMutableBufferPointer { try read(name, into: $0) }
        return result
    }

    /// Converts a floating-point tensor into `destination` (exactly `elementCount` floats), e.g. a view into
    /// one big parameter buffer.
    public func read(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        let info = try requireInfo(name)
        guard info.dtype.isFloatingPoint else { throw SafeTensorsError.unsupportedDtype(name: name, dtype: info.dtype.rawValue) }
        guard destination.count == info.elementCount else {
            throw SafeTensorsError.destinationSizeMismatch(name: name, expected: info.elementCount, actual: destination.count)
        }
        let count = info.elementCount
        guard count > 0, let out = destination.baseAddress else { return }
        withPayload(info) { source in
            switch info.dtype {
            case .f32:
                // Little-endian on disk and in memory (all supported hosts); memcpy tolerates any alignment.
                UnsafeMutableRawPointer(out).copyMemory(from: source, byteCount: count * 4)
            case .f16:
                for i in 0..<count {
                    out[i] = HalfPrecision.floatFromFloat16(source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                }
            case .bf16:
                for i in 0..<count {
                    out[i] = HalfPrecision.floatFromBFloat16(source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                }
            case .i64, .i32:
                preconditionFailure("unreachable: checked above")
            }
        }
    }

    /// Loads an integer tensor (I64, or I32 widened), e.g. BERT's `position_ids` buffer.
    public func int64(_ name: String) throws -> [Int64] {
        let info = try requireInfo(name)
        let count = info.elementCount
        switch info.dtype {
        case .i64:
            return withPayload(info) { source in
                (0..<count).map { Int64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
            }
        case .i32:
            return withPayload(info) { source in
                (0..<count).map { Int64(Int32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
            }
        default:
            throw SafeTensorsError.unsupportedDtype(name: name, dtype: info.dtype.rawValue)
        }
    }

    /// Loads every floating-point tensor (integer buffers such as `position_ids` are skipped).
    public func allFloatTensors() throws -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for name in names where infos[name]!.dtype.isFloatingPoint { result[name] = try tensor(name) }
        return result
    }

    // MARK: - Private

    private func requireInfo(_ name: String) throws -> TensorInfo {
        guard let info = infos[name] else { throw SafeTensorsError.missingTensor(name) }
        return info
    }

    /// Calls `body` with a pointer to the tensor's first byte (bounds were validated on open).
    private func withPayload<R>(_ info: TensorInfo, _ body: (UnsafeRawPointer) -> R) -> R {
        data.withUnsafeBytes { raw in body(raw.baseAddress! + dataAreaStart + info.dataOffsets.lowerBound) }
    }

    private static func validate(name: String, entry: RawEntry, dataAreaSize: Int) throws -> TensorInfo {
        guard let dtype = SafeTensorsDType(rawValue: entry.dtype) else {
            throw SafeTensorsError.unsupportedDtype(name: name, dtype: entry.dtype)
        }
        guard entry.data_offsets.count == 2 else {
            throw SafeTensorsError.invalidHeader("tensor '\(name)': data_offsets must hold 2 numbers, got \(entry.data_offsets)")
        }
        guard entry.shape.allSatisfy({ $0 >= 0 }) else {
            throw SafeTensorsError.invalidHeader("tensor '\(name)': negative dimension in shape \(entry.shape)")
        }
        let begin = entry.data_offsets[0], end = entry.data_offsets[1]
        guard begin >= 0, begin <= end, end <= dataAreaSize else {
            throw SafeTensorsError.outOfBounds(name: name, begin: begin, end: end, dataAreaSize: dataAreaSize)
        }
        var expected = dtype.byteSize
        for dim in entry.shape {
            let (product, overflow) = expected.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw SafeTensorsError.invalidHeader("tensor '\(name)': shape \(entry.shape) overflows") }
            expected = product
        }
        guard expected == end - begin else {
            throw SafeTensorsError.sizeMismatch(
                name: name, shape: entry.shape, dtype: dtype.rawValue, expectedBytes: expected, actualBytes: end - begin)
        }
        return TensorInfo(name: name, dtype: dtype, shape: entry.shape, dataOffsets: begin ..< end)
    }

    private static func checkNoOverlap(_ infos: [TensorInfo]) throws {
        // Sort by start (name breaks ties for a stable message); empty tensors overlap nothing.
        let sorted = infos.filter { !$0.dataOffsets.isEmpty }
            .sorted { ($0.dataOffsets.lowerBound, $0.name) < ($1.dataOffsets.lowerBound, $1.name) }
        for (previous, next) in zip(sorted, sorted.dropFirst())
        where next.dataOffsets.lowerBound < previous.dataOffsets.upperBound {
            throw SafeTensorsError.overlap(previous.name, next.name)
        }
    }

    private static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map(\.stringValue).joined(separator: ".")
            return keys.isEmpty ? context.debugDescription : "at \(keys): \(context.debugDescription)"
        }
        switch error {
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
            return path(context)
        case let .keyNotFound(key, context):
            return "missing key '\(key.stringValue)' \(path(context))"
        @unknown default:
            return "\(error)"
        }
    }
}

// MARK: - Header JSON

/// A tensor entry as written in the header. Unknown extra keys are ignored (as the reference reader does).
private struct RawEntry: Decodable {
    let dtype: String
    let shape: [Int]
    let data_offsets: [Int]
}

/// The header object: `__metadata__` (string → string) plus one entry per tensor.
private struct RawHeader: Decodable {
    var entries: [(String, RawEntry)] = []
    var metadata: [String: String] = [:]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys {
            if key.stringValue == "__metadata__" {
                if try !container.decodeNil(forKey: key) {
                    metadata = try container.decode([String: String].self, forKey: key)
                }
            } else {
                entries.append((key.stringValue, try container.decode(RawEntry.self, forKey: key)))
            }
        }
    }
}
