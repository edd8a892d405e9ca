import Foundation
import SentimentCore

/// Writes safetensors files byte-for-byte as the Python `safetensors` library does for F32 tensors:
/// compact JSON header (`__metadata__` first, then tensors sorted by name), padded with spaces to a multiple
/// of 8 so the data area is 8-byte aligned, tensors laid out contiguously in name order.
public enum SafeTensors {
    /// Writes `tensors` (F32) and `metadata` to `url` atomically (temporary file, then rename).
    /// Throws `SafeTensorsError.invalidHeader` for the reserved tensor name `__metadata__`.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to url: URL) throws {
        guard tensors["__metadata__"] == nil else {
            throw SafeTensorsError.invalidHeader("\(url.path): '__metadata__' is reserved and cannot name a tensor")
        }
        try serialize(tensors, metadata: metadata).write(to: url, options: .atomic)
    }

    /// The complete file image.
    public static func serialize(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> Data {
        let names = tensors.keys.sorted()
        var header = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(JSONString.quoted($0)):\(JSONString.quoted(metadata[$0]!))" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for name in names {
            let tensor = tensors[name]!
            let bytes = tensor.count * 4
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            fields.append("\(JSONString.quoted(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        header += fields.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        headerBytes += [UInt8](repeating: UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8)

        var file = Data(capacity: 8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(contentsOf: headerBytes)
        for name in names {
            tensors[name]!.withUnsafeBufferPointer { buffer in
                // Float32 is little-endian in memory on every supported host.
                file.append(UnsafeBufferPointer(start: UnsafeRawPointer(buffer.baseAddress)?
                    .assumingMemoryBound(to: UInt8.self), count: buffer.count * 4))
            }
        }
        return file
    }
}
